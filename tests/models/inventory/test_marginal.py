"""Marginal values of inventory limits, checked against re-solving the whole MILP with one more unit."""

from __future__ import annotations

import pytest

from tests.models.inventory.helpers import item, offer, solve_case


def solve_with(tmp_path, warehouse: float, budget: float | None = None):
    """Demand 30 in P2 and 10 in P3; an order costs 1000 to place, so one order in P2 covers both.

    What the P2 order can bring beyond P2's demand is capped by the warehouse (or the budget, the same
    each period); the
    rest of P3's demand is backlogged to the end at 100 a unit plus its price 10.
    """
    periods = [
        {"period": "P1", "purchasing_budget": budget},
        {"period": "P2", "warehouse_capacity": warehouse, "purchasing_budget": budget},
        {"period": "P3", "purchasing_budget": budget},
    ]
    return solve_case(
        tmp_path / f"w{warehouse}-b{budget}",
        periods=periods,
        items=[item(unit_cost=10, holding_cost=1, shortage_cost=100, volume=1)],
        offers=[offer(order_cost=1000)],
        demand={"A": [0, 30, 10]},
    )


def marginal_row(solved, limit: str) -> dict:
    sheet = solved.result.plan.sheets["Marginal values"]
    rows = sheet[(sheet["limit"] == limit) & (sheet["period"] == "P2")]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_one_more_m3_saves_what_a_full_resolve_with_one_more_m3_saves(tmp_path):
    # one order of 35 in P2 stores 5 (the warehouse) and backlogs 5: 1000 + 350 + 5 + 5 x 110 = 1905;
    # one more m3 stores one more unit: buy 10 + hold 1, save 110: 99
    base, more = solve_with(tmp_path, 5), solve_with(tmp_path, 6)
    assert base.result.objective == pytest.approx(1905)
    row = marginal_row(base, "warehouse volume")
    assert row["value_of_one_more_unit"] == pytest.approx(base.result.objective - more.result.objective)
    assert row["value_of_one_more_unit"] == pytest.approx(99.0)
    assert row["location"] == "Periods.csv!C3" and row["used"] == pytest.approx(5)
    assert "one more m3 of warehouse volume in P2 would save 99.00" in row["meaning"]


def test_a_binding_budget_is_valued_per_euro_and_a_slack_one_is_worth_nothing(tmp_path):
    # a budget of 340 buys 34 units in P2: 4 stored, 6 backlogged; one more euro buys a tenth of a
    # unit (quantities are free in the LP): saves (110 - 10 - 1) / 10 = 9.9 a euro
    tight = solve_with(tmp_path, 100, budget=340)
    assert tight.result.objective == pytest.approx(1000 + 340 + 4 + 6 * 110)
    row = marginal_row(tight, "purchasing budget")
    assert row["rate_per_unit"] == pytest.approx(9.9)
    assert row["value_of_one_more_unit"] == pytest.approx(9.9)
    loose = marginal_row(solve_with(tmp_path, 100, budget=5000), "purchasing budget")
    assert loose["value_of_one_more_unit"] == 0 and loose["meaning"].startswith("not binding: 4,600.00")
