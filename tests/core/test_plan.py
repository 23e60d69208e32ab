"""Plan: costs by category are summed over periods (and over repeated rows)."""

import pandas as pd

from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Plan


def test_cost_by_category_sums_every_row_in_first_seen_order():
    costs = pd.DataFrame(
        [("purchasing", "W1", 100.0), ("holding", "W1", 2.5), ("purchasing", "W2", 50.0), ("holding", "W1", 0.5)],
        columns=COST_COLUMNS,
    )
    plan = Plan(sheets={}, costs=costs)
    assert plan.cost_by_category() == {"purchasing": 150.0, "holding": 3.0}
    assert list(plan.cost_by_category()) == ["purchasing", "holding"]


def test_empty_plan_defaults():
    plan = Plan(sheets={}, costs=pd.DataFrame(columns=COST_COLUMNS))
    assert plan.cost_by_category() == {}
    assert plan.kpis == {}
    assert list(plan.diagnostics.columns) == DIAGNOSTIC_COLUMNS
    assert plan.diagnostics.empty
