"""Budget impact: the plan's costs against the input's Budget sheet, per category and period."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

BUDGET_COLUMNS = ["category", "period", "planned", "budget", "variance", "variance %"]
WHOLE_HORIZON = "all periods"


def budget_impact(costs: pd.DataFrame, budget: Iterable[Any], periods: Sequence[str]) -> pd.DataFrame:
    """One row per budget line: planned cost, budget, variance (planned - budget; > 0 is over).

    A budget line without a period is compared with the category's cost over the whole horizon.
    Categories with costs but no budget line appear with budget 0 so no spending goes unseen.
    """
    planned: dict[tuple[str, str], float] = {}
    for r in costs.itertuples(index=False):
        planned[r.category, r.period] = planned.get((r.category, r.period), 0.0) + r.amount
    totals: dict[str, float] = {}
    for (category, _), amount in planned.items():
        totals[category] = totals.get(category, 0.0) + amount
    rows = []
    budgeted_categories = set()
    order = {p: k for k, p in enumerate(periods)}
    for line in budget:
        budgeted_categories.add(line.category)
        if line.period is None:
            spent = totals.get(line.category, 0.0)
            period = WHOLE_HORIZON
        else:
            spent = planned.get((line.category, line.period), 0.0)
            period = line.period
        rows.append(_row(line.category, period, spent, line.amount))
    for category, spent in totals.items():
        if category not in budgeted_categories:
            rows.append(_row(category, WHOLE_HORIZON, spent, 0.0))
    rows.sort(key=lambda r: (r["category"], order.get(r["period"], len(order))))
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)


def _row(category: str, period: str, planned: float, budget: float) -> dict[str, Any]:
    variance = planned - budget
    return {
        "category": category,
        "period": period,
        "planned": round(planned, 2),
        "budget": budget,
        "variance": round(variance, 2),
        "variance %": variance / budget if budget else None,
    }
