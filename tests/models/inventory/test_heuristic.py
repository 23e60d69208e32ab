"""The greedy warm start is a real plan: every hard rule holds, checked by the independent checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.inventory.heuristic import greedy_plan
from models.inventory.plan import extract
from optimizer.kinds import get_kind
from optimizer.reports.template import write_template
from optimizer.solve import load
from tests.models.inventory.checker import check_plan
from tests.models.inventory.helpers import item, offer, solve_case


@pytest.mark.parametrize("scale, seed", [(None, 7), (40, 1), (80, 2)])
def test_greedy_plan_satisfies_every_hard_rule(tmp_path: Path, scale, seed) -> None:
    path = tmp_path / "scenario.xlsx"
    write_template(get_kind("inventory"), path, example=True, scale=scale, seed=seed)
    scenario = load(path).scenario
    values = greedy_plan(scenario)
    assert values is not None
    plan = extract(scenario, values)
    cost = check_plan(scenario, plan)
    assert cost > 0
    assert len(plan.sheets["Orders"]) > 0


def greedy_and_optimum(tmp_path: Path, name: str, **case) -> tuple[float, float]:
    """Cost of the greedy plan (checked) and the MILP optimum of one tiny case."""
    solved = solve_case(tmp_path / name, **case)
    values = greedy_plan(solved.scenario)
    assert values is not None
    return check_plan(solved.scenario, extract(solved.scenario, values)), solved.result.objective


def test_the_cover_plan_waits_for_the_cheaper_slower_supplier(tmp_path: Path) -> None:
    # initial stock covers P1-P2; the supplier with lead time 2 sells at 8 instead of 10, so one order
    # placed in P1 for P3-P6: 50 + 40 x 8 + holding 0.1 x (30 + 20 + 10) + initial stock held 0.1 x 10 = 377
    greedy, optimum = greedy_and_optimum(
        tmp_path,
        "slow",
        periods=6,
        items=[item(holding_cost=0.1, initial_stock=20)],
        offers=[
            offer(supplier="FAST", order_cost=50),
            offer(supplier="SLOW", unit_price=8, lead_time=2, order_cost=50),
        ],
        demand={"A": [10] * 6},
    )
    assert optimum == pytest.approx(377)
    assert greedy == pytest.approx(optimum)


@pytest.mark.parametrize("penalty", [0.5, 2.0])
def test_a_soft_safety_stock_is_used_up_at_the_end_not_left_over(tmp_path: Path, penalty: float) -> None:
    # demand 10 in each of 10 periods at price 10, no order cost, soft safety stock 10 from P1: buy it
    # once, hold it (0.1 x 10 x 9 periods) and let P10's demand use it up, so only P10 is short of it:
    # 1000 + 9 + 10 x penalty; leaving it over would waste 100
    greedy, best = greedy_and_optimum(
        tmp_path,
        f"soft{penalty}",
        periods=10,
        items=[item(holding_cost=0.1, safety_stock=10, safety_penalty=penalty)],
        offers=[offer()],
        demand={"A": [10] * 10},
    )
    assert best == pytest.approx(1000 + 9 + 10 * penalty)
    assert greedy == pytest.approx(best)


def test_an_oversubscribed_budget_is_shared_so_no_item_runs_short(tmp_path: Path) -> None:
    # two items, 10 a period, initial stock for P1-P2, lead time 2, so P3 is served only by an order in
    # P1, whose budget (300) is less than the two long covers the cover plan wants (2 x 400): each item
    # gets the same part of its cover, the rest is ordered later, and neither is short in P3
    solved = solve_case(
        tmp_path / "budget",
        periods=[{"period": "P1", "purchasing_budget": 300}] + [{"period": f"P{t}"} for t in range(2, 7)],
        items=[item("A", holding_cost=0.1, initial_stock=20), item("B", holding_cost=0.1, initial_stock=20)],
        offers=[offer("A", lead_time=2, order_cost=100), offer("B", lead_time=2, order_cost=100)],
        demand={"A": [10] * 6, "B": [10] * 6},
    )
    values = greedy_plan(solved.scenario)
    assert values is not None
    check_plan(solved.scenario, extract(solved.scenario, values))
    assert sum(map(sum, values.short)) == 0
    assert sorted(q for (o, t), q in values.ordered.items() if t == 0) == [15, 15]
