"""Budget impact: planned cost against each budget line, whole-horizon lines, and unbudgeted categories."""

from __future__ import annotations

import math
from types import SimpleNamespace as Line

import pandas as pd
import pytest

from optimizer.core.plan import COST_COLUMNS
from optimizer.reports.budget import BUDGET_COLUMNS, WHOLE_HORIZON, budget_impact

PERIODS = ["W1", "W2", "W3"]


def costs(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COST_COLUMNS)


def by_line(frame: pd.DataFrame) -> dict[tuple[str, str], dict]:
    return {(r["category"], r["period"]): r for r in frame.to_dict("records")}


def test_per_period_lines():
    frame = budget_impact(
        costs(("purchasing", "W1", 120.0), ("purchasing", "W2", 80.0), ("purchasing", "W3", 50.0)),
        [
            Line(category="purchasing", period="W1", amount=100.0),
            Line(category="purchasing", period="W2", amount=100.0),
        ],
        PERIODS,
    )
    assert (
        list(frame.columns) == BUDGET_COLUMNS == ["category", "period", "planned", "budget", "variance", "variance %"]
    )
    rows = by_line(frame)
    assert rows["purchasing", "W1"] == {
        "category": "purchasing",
        "period": "W1",
        "planned": 120.0,
        "budget": 100.0,
        "variance": 20.0,
        "variance %": 0.2,
    }
    assert rows["purchasing", "W2"]["variance"] == -20.0
    assert rows["purchasing", "W2"]["variance %"] == pytest.approx(-0.2)


def test_whole_horizon_line_compares_the_category_total():
    frame = budget_impact(
        costs(("holding", "W1", 1.5), ("holding", "W2", 2.5), ("holding", "W3", 1.0)),
        [Line(category="holding", period=None, amount=4.0)],
        PERIODS,
    )
    assert frame.to_dict("records") == [
        {
            "category": "holding",
            "period": WHOLE_HORIZON,
            "planned": 5.0,
            "budget": 4.0,
            "variance": 1.0,
            "variance %": 0.25,
        }
    ]
    assert WHOLE_HORIZON == "all periods"


def test_category_without_a_budget_line_shows_with_budget_zero():
    frame = budget_impact(
        costs(("purchasing", "W1", 100.0), ("ordering", "W1", 20.0), ("ordering", "W3", 25.0)),
        [Line(category="purchasing", period="W1", amount=100.0)],
        PERIODS,
    )
    ordering = by_line(frame)["ordering", WHOLE_HORIZON]
    assert ordering["planned"] == 45.0
    assert ordering["budget"] == 0.0
    assert ordering["variance"] == 45.0
    assert ordering["variance %"] is None or math.isnan(ordering["variance %"])
    assert by_line(frame)["purchasing", "W1"]["variance"] == 0.0


def test_budget_line_without_cost_is_fully_under_spent():
    frame = budget_impact(costs(), [Line(category="shortage", period="W2", amount=300.0)], PERIODS)
    assert frame.to_dict("records") == [
        {
            "category": "shortage",
            "period": "W2",
            "planned": 0.0,
            "budget": 300.0,
            "variance": -300.0,
            "variance %": -1.0,
        }
    ]


def test_rows_are_sorted_by_category_then_period_order_with_the_horizon_last():
    frame = budget_impact(
        costs(("purchasing", "W3", 1.0), ("purchasing", "W1", 1.0), ("holding", "W2", 1.0)),
        [
            Line(category="purchasing", period="W3", amount=1.0),
            Line(category="purchasing", period=None, amount=5.0),
            Line(category="purchasing", period="W1", amount=1.0),
        ],
        PERIODS,
    )
    assert list(zip(frame["category"], frame["period"], strict=True)) == [
        ("holding", WHOLE_HORIZON),
        ("purchasing", "W1"),
        ("purchasing", "W3"),
        ("purchasing", WHOLE_HORIZON),
    ]
    assert by_line(frame)["purchasing", WHOLE_HORIZON]["planned"] == 2.0


def test_money_is_rounded_to_cents():
    frame = budget_impact(
        costs(("holding", "W1", 10.004), ("holding", "W2", 0.2 + 0.1)),
        [Line(category="holding", period=None, amount=10)],
        PERIODS,
    )
    row = frame.iloc[0]
    assert row["planned"] == 10.3
    assert row["variance"] == 0.3


def test_no_budget_and_no_costs_is_an_empty_frame_with_the_columns():
    frame = budget_impact(costs(), [], PERIODS)
    assert frame.empty
    assert list(frame.columns) == BUDGET_COLUMNS


def test_cost_rows_repeated_for_one_category_and_period_are_summed():
    """The Summary sums every cost row (Plan.cost_by_category); Budget impact must show the same totals."""
    frame = budget_impact(
        costs(("purchasing", "W1", 100.0), ("purchasing", "W1", 50.0), ("holding", "W1", 1.0), ("holding", "W1", 2.0)),
        [Line(category="purchasing", period="W1", amount=100.0)],
        PERIODS,
    )
    rows = by_line(frame)
    assert rows["purchasing", "W1"]["planned"] == 150.0
    assert rows["holding", WHOLE_HORIZON]["planned"] == 3.0
