"""Each rule of the inventory MILP alone, on tiny instances whose optimum is worked out by hand.

Defaults (helpers.item / helpers.offer): unit cost 10, holding 1 per unit and period, shortage
1000 (backorder), one supplier S1 at the item's unit cost, lead time 0, no order cost. Every
plan also goes through the independent checker, whose cost must equal the objective.
"""

from __future__ import annotations

import pytest

from tests.models.inventory.helpers import item, offer, solve_case


def orders_of(solved, supplier=None):
    """(order_period, quantity) of the planned orders, optionally of one supplier."""
    return [(p, q) for _, s, p, q in solved.order_list() if supplier is None or s == supplier]


def test_lead_time_order_is_placed_lead_time_periods_before_the_need(tmp_path):
    solved = solve_case(tmp_path, periods=4, items=[item()], offers=[offer(lead_time=2)], demand={"A": [0, 0, 0, 30]})
    assert solved.order_list() == [("A", "S1", "P2", 30.0)]
    assert list(solved.orders["arrival_period"]) == ["P4"]
    assert solved.result.objective == pytest.approx(300.0)  # ordered in P1 it would wait a period: +30


@pytest.mark.parametrize(
    "order_cost, expected_orders, objective",
    [
        (25.0, [("P1", 30.0)], 300 + 25 + 20 + 10),  # batching: one order, holding 20 then 10
        (5.0, [("P1", 10.0), ("P2", 10.0), ("P3", 10.0)], 300 + 3 * 5),  # lot-for-lot
    ],
    ids=["batching", "lot_for_lot"],
)
def test_order_cost_batching_versus_lot_for_lot(tmp_path, order_cost, expected_orders, objective):
    solved = solve_case(
        tmp_path, periods=3, items=[item()], offers=[offer(order_cost=order_cost)], demand={"A": [10, 10, 10]}
    )
    assert orders_of(solved) == expected_orders
    assert solved.result.objective == pytest.approx(objective)


def test_min_order_qty_buys_more_than_the_demand(tmp_path):
    solved = solve_case(tmp_path, periods=3, items=[item()], offers=[offer(min_order_qty=25)], demand={"A": [0, 0, 10]})
    assert orders_of(solved) == [("P3", 25.0)]
    assert solved.column("closing") == [0.0, 0.0, 15.0]
    assert solved.result.objective == pytest.approx(250 + 15)


def test_min_order_qty_makes_one_order_cover_several_periods(tmp_path):
    # 30 in P1 (holding 20 + 10) beats 25 in P1 and another 25 in P3 (250 more to buy)
    solved = solve_case(
        tmp_path, periods=3, items=[item()], offers=[offer(min_order_qty=25)], demand={"A": [10, 10, 10]}
    )
    assert orders_of(solved) == [("P1", 30.0)]
    assert solved.result.objective == pytest.approx(300 + 30)


def test_pack_size_rounds_orders_up_to_whole_packs(tmp_path):
    solved = solve_case(tmp_path, periods=3, items=[item()], offers=[offer(pack_size=5)], demand={"A": [0, 0, 12]})
    assert orders_of(solved) == [("P3", 15.0)]
    assert solved.column("closing") == [0.0, 0.0, 3.0]
    assert solved.result.objective == pytest.approx(150 + 3)


def test_max_order_qty_splits_an_order_over_periods(tmp_path):
    solved = solve_case(
        tmp_path, periods=3, items=[item()], offers=[offer(max_order_qty=100)], demand={"A": [0, 0, 150]}
    )
    assert orders_of(solved) == [("P2", 50.0), ("P3", 100.0)]
    assert solved.result.objective == pytest.approx(1500 + 50)  # 50 units held one period


@pytest.mark.parametrize(
    "demand",
    [{"A": [30, 0]}, {"A": [15, 0], "B": [15, 0]}],
    ids=["one_item", "two_items_share_the_capacity"],
)
def test_supplier_capacity_sends_the_rest_to_the_dearer_supplier(tmp_path, demand):
    solved = solve_case(
        tmp_path,
        periods=2,
        items=[item(i) for i in demand],
        suppliers=[{"supplier": "S1", "capacity": 20}, {"supplier": "S2"}],
        offers=[o for i in demand for o in (offer(i, "S1"), offer(i, "S2", unit_price=13))],
        demand=demand,
    )
    assert orders_of(solved, "S1") and sum(q for _, q in orders_of(solved, "S1")) == 20.0
    assert sum(q for p, q in orders_of(solved, "S2") if p == "P1") == 10.0
    assert solved.result.objective == pytest.approx(20 * 10 + 10 * 13)


def test_warehouse_capacity_forces_more_orders(tmp_path):
    # unlimited: one order of 32 in P1 (25 + holding 22 + 12 = 59); 30 m3 = 15 units of 2 m3 at most
    periods = [{"period": f"P{t}", "warehouse_capacity": 30} for t in (1, 2, 3)]
    solved = solve_case(
        tmp_path,
        periods=periods,
        items=[item(volume=2)],
        offers=[offer(order_cost=25)],
        demand={"A": [10, 10, 12]},
    )
    assert orders_of(solved) == [("P1", 20.0), ("P3", 12.0)]
    assert max(solved.column("closing")) <= 15
    assert solved.result.objective == pytest.approx(320 + 2 * 25 + 10)


def test_warehouse_capacity_is_not_binding_when_large(tmp_path):
    periods = [{"period": f"P{t}", "warehouse_capacity": 1000} for t in (1, 2, 3)]
    solved = solve_case(
        tmp_path, periods=periods, items=[item(volume=2)], offers=[offer(order_cost=25)], demand={"A": [10, 10, 12]}
    )
    assert orders_of(solved) == [("P1", 32.0)]
    assert solved.result.objective == pytest.approx(320 + 25 + 22 + 12)


def test_purchasing_budget_limits_the_spend_of_a_period(tmp_path):
    # 200 in P1 buys 20 units at 10 (the order cost is not purchasing spend)
    periods = [{"period": "P1", "purchasing_budget": 200}, {"period": "P2"}, {"period": "P3"}]
    solved = solve_case(
        tmp_path, periods=periods, items=[item()], offers=[offer(order_cost=25)], demand={"A": [10, 10, 12]}
    )
    assert orders_of(solved) == [("P1", 20.0), ("P3", 12.0)]
    assert solved.result.objective == pytest.approx(320 + 2 * 25 + 10)


def test_hard_safety_stock_is_kept_every_period(tmp_path):
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(safety_stock=5, safety_stock_policy="hard")],
        offers=[offer()],
        demand={"A": [10, 10, 10]},
    )
    assert orders_of(solved) == [("P1", 15.0), ("P2", 10.0), ("P3", 10.0)]
    assert solved.column("closing") == [5.0, 5.0, 5.0]
    assert solved.result.objective == pytest.approx(350 + 15)


def test_hard_safety_stock_starts_when_the_fastest_supplier_can_deliver(tmp_path):
    # lead time 1: nothing can arrive in P1, so P1 may end below the safety stock
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(initial_stock=10, safety_stock=5, safety_stock_policy="hard")],
        offers=[offer(lead_time=1)],
        demand={"A": [10, 10, 10]},
    )
    assert orders_of(solved) == [("P1", 15.0), ("P2", 10.0)]
    assert solved.column("closing") == [0.0, 5.0, 5.0]
    assert solved.result.objective == pytest.approx(250 + 10)


@pytest.mark.parametrize(
    "penalty, closing, objective",
    [
        (0.5, [0.0, 0.0, 0.0], 300 + 3 * 5 * 0.5),  # penalty below holding (and price): stay below target
        (None, [5.0, 5.0, 5.0], 350 + 15),  # blank penalty = shortage cost 1000: keep the target
    ],
    ids=["cheap_penalty", "default_penalty"],
)
def test_soft_safety_stock(tmp_path, penalty, closing, objective):
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(safety_stock=5, safety_stock_policy="soft", safety_penalty=penalty)],
        offers=[offer()],
        demand={"A": [10, 10, 10]},
    )
    assert solved.column("closing") == closing
    assert solved.result.objective == pytest.approx(objective)
    assert solved.result.plan.cost_by_category().get("safety_stock", 0.0) == pytest.approx(7.5 if penalty else 0.0)


@pytest.mark.parametrize(
    "policy, orders, shortage, objective",
    [
        # P1 cannot be served (lead time 1): backlog it and buy 20 for P2 ...
        ("backorder", [("P1", 20.0), ("P2", 10.0)], [10.0, 0.0, 0.0], 300 + 15 * 10),
        # ... or lose it: the lost 10 units are never bought
        ("lost_sale", [("P1", 10.0), ("P2", 10.0)], [10.0, 0.0, 0.0], 200 + 15 * 10),
    ],
)
def test_lost_sale_versus_backorder(tmp_path, policy, orders, shortage, objective):
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(shortage_cost=15, shortage_policy=policy)],
        offers=[offer(lead_time=1)],
        demand={"A": [10, 10, 10]},
    )
    assert orders_of(solved) == orders
    assert solved.column("shortage") == shortage
    assert solved.result.objective == pytest.approx(objective)


def test_backlog_is_filled_by_one_later_order(tmp_path):
    # Demand of P1 cannot arrive before P2 (lead time 1): the best plan orders 10 in P1 and
    # pays one period of backlog: 100 + 5 * 10 = 150. Keeping the backlog to the end costs
    # 3 * 5 * 10 + 10 * 10 = 250.
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(shortage_cost=5)],
        offers=[offer(lead_time=1)],
        demand={"A": [10, 0, 0]},
    )
    assert orders_of(solved) == [("P1", 10.0)]
    assert solved.column("shortage") == [10.0, 0.0, 0.0]
    assert solved.result.objective == pytest.approx(150.0)


def test_open_orders_reduce_what_is_ordered(tmp_path):
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item()],
        offers=[offer()],
        demand={"A": [10, 10, 10]},
        open_orders=[{"item": "A", "supplier": "S1", "arrival_period": "P2", "quantity": 15}],
    )
    assert orders_of(solved) == [("P1", 10.0), ("P3", 5.0)]
    assert solved.column("arrivals") == [10.0, 15.0, 5.0]
    assert solved.result.objective == pytest.approx(150 + 5)  # 5 of the open order held in P2


def test_cheaper_supplier_is_chosen(tmp_path):
    # S1 has no price: it sells at the item's unit cost 11
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(unit_cost=11)],
        offers=[offer(supplier="S1"), offer(supplier="S2", unit_price=10)],
        demand={"A": [10, 10, 10]},
    )
    assert {s for _, s, _, _ in solved.order_list()} == {"S2"}
    assert solved.result.objective == pytest.approx(300.0)


def test_cheaper_slower_supplier_after_the_first_period(tmp_path):
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item()],
        offers=[offer(supplier="FAST"), offer(supplier="SLOW", unit_price=9, lead_time=1)],
        demand={"A": [10, 10, 10]},
    )
    assert solved.order_list() == [("A", "FAST", "P1", 10.0), ("A", "SLOW", "P1", 10.0), ("A", "SLOW", "P2", 10.0)]
    assert solved.result.objective == pytest.approx(100 + 2 * 90)


@pytest.mark.parametrize(
    "policy, objective",
    [("backorder", 10 * 5 + 10 * 10), ("lost_sale", 10 * 5)],  # backlog at the end still has to be bought
)
def test_backlog_at_horizon_end_is_valued_at_unit_cost(tmp_path, policy, objective):
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(shortage_cost=5, shortage_policy=policy)],
        offers=[offer(lead_time=3)],  # nothing ordered can arrive within the horizon
        demand={"A": [0, 0, 10]},
    )
    assert solved.orders.empty
    assert solved.column("shortage") == [0.0, 0.0, 10.0]
    assert solved.result.objective == pytest.approx(objective)


def test_plan_sheets_and_ids(tmp_path):
    solved = solve_case(
        tmp_path, periods=3, items=[item("SKU-1")], offers=[offer("SKU-1", "ACME")], demand={"SKU-1": [1, 2, 3]}
    )
    plan = solved.result.plan
    assert list(plan.sheets) == ["Orders", "Inventory", "Reorder policy"]
    assert list(plan.sheets["Orders"].columns) == "item supplier order_period arrival_period quantity cost".split()
    assert list(plan.sheets["Inventory"].columns) == "item period opening arrivals demand closing shortage".split()
    assert set(plan.sheets["Orders"]["item"]) == {"SKU-1"} and set(plan.sheets["Orders"]["supplier"]) == {"ACME"}


def test_soft_safety_stock_is_not_met_by_stock_held_against_a_backlog(tmp_path):
    # Supply (10 a period) only just meets demand, so no stock can be built: the 20 units of
    # safety stock are missed every period, 3 * 20 * 50 = 3000. Showing 20 on hand while 20 are
    # backlogged (holding 20 + shortage 100 a period) would dodge the penalty but is no real plan.
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(shortage_cost=5, safety_stock=20, safety_penalty=50)],
        suppliers=[{"supplier": "S1", "capacity": 10}],
        offers=[offer()],
        demand={"A": [10, 10, 10]},
    )
    assert solved.column("closing") == [0.0, 0.0, 0.0]
    assert solved.column("shortage") == [0.0, 0.0, 0.0]
    assert solved.result.objective == pytest.approx(300 + 3000)


def test_backlog_without_safety_stock_costs_no_safety_penalty(tmp_path):
    """Found by the marginal-value tests: a negative net position was also priced as a safety-stock gap."""
    solved = solve_case(
        tmp_path,
        periods=2,
        items=[item(unit_cost=10, holding_cost=1, shortage_cost=5)],
        offers=[offer(order_cost=1000)],
        demand={"A": [10, 30]},
    )
    costs = solved.result.plan.cost_by_category()
    assert costs.get("safety_stock", 0.0) == 0.0
    assert solved.result.objective == pytest.approx(sum(costs.values()))
