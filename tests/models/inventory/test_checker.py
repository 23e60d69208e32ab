"""The checker itself: it accepts a solved plan and rejects each kind of broken one."""

from __future__ import annotations

import dataclasses

import pytest

from tests.models.inventory.checker import check_plan
from tests.models.inventory.helpers import item, offer, solve_case


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    # orders P1 15, P2 10, P3 10 (packs of 5, 20 a period at most); closing 5 every period
    return solve_case(
        tmp_path_factory.mktemp("checker"),
        periods=3,
        items=[item(safety_stock=5, safety_stock_policy="hard")],
        suppliers=[{"supplier": "S1", "capacity": 20}],
        offers=[offer(pack_size=5)],
        demand={"A": [10, 10, 10]},
    )


def with_cells(plan, sheet, row, changes):
    frame = plan.sheets[sheet].copy()
    for column, value in changes.items():
        frame.loc[row, column] = value
    return dataclasses.replace(plan, sheets={**plan.sheets, sheet: frame})


def test_accepts_the_solved_plan(solved):
    assert solved.order_list() == [("A", "S1", "P1", 15.0), ("A", "S1", "P2", 10.0), ("A", "S1", "P3", 10.0)]
    assert check_plan(solved.scenario, solved.result.plan) == pytest.approx(350 + 15)


@pytest.mark.parametrize(
    "sheet, row, changes, message",
    [
        ("Orders", 0, {"arrival_period": "P2"}, "lead time"),
        ("Orders", 0, {"quantity": 12.0, "cost": 120.0}, "multiple of pack"),
        ("Orders", 0, {"cost": 1.0}, "cost column"),
        ("Orders", 0, {"quantity": 25.0, "cost": 250.0}, "ships too much"),
        ("Inventory", 1, {"closing": 6.0}, "flow balance"),
        ("Inventory", 0, {"demand": 9.0}, "demand"),
    ],
)
def test_rejects_a_broken_plan(solved, sheet, row, changes, message):
    with pytest.raises(AssertionError, match=message):
        check_plan(solved.scenario, with_cells(solved.result.plan, sheet, row, changes))


def test_rejects_a_plan_below_hard_safety_stock(solved):
    s = solved.scenario
    stricter = dataclasses.replace(s, items=(s.items[0].model_copy(update={"safety_stock": 6.0}),))
    with pytest.raises(AssertionError, match="hard safety stock"):
        check_plan(stricter, solved.result.plan)


def test_rejects_misreported_costs(solved):
    plan = solved.result.plan
    costs = plan.costs.copy()
    costs.loc[0, "amount"] += 1
    with pytest.raises(AssertionError, match="cost category"):
        check_plan(solved.scenario, dataclasses.replace(plan, costs=costs))
