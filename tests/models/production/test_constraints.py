"""Each rule on its own, on tiny instances whose optimum is worked out by hand in the docstring."""

from __future__ import annotations

import pytest

from optimizer.core.status import Status
from tests.models.production.helpers import product, resource, routing, solve_case


def test_setups_batch_demand(tmp_path):
    """Wagner-Whitin by hand: setup 25, holding 1, demand 10 a period: runs in P1 and P3 (20 each) cost 70."""
    r = solve_case(
        tmp_path, periods=4, products=[product()], routings=[routing(setup_cost=25)], demand={"A": [10, 10, 10, 10]}
    )
    assert r.result.objective == pytest.approx(70)
    assert r.made("A") == [20, 0, 20, 0]


def test_setup_time_uses_capacity(tmp_path):
    """8 hours a period, 4 of them for a setup, 0.5 h/unit: P2 makes at most 8 of its 10, so 2 come from P1."""
    r = solve_case(
        tmp_path,
        periods=2,
        products=[product()],
        resources=[resource(capacity=8)],
        routings=[routing(hours_per_unit=0.5, setup_time=4, setup_cost=10)],
        demand={"A": [0, 10]},
    )
    assert r.made("A") == [2, 8]
    assert r.result.objective == pytest.approx(2 * 1 + 2 * 10)
    assert r.column("Capacity", "used", "resource", "R1") == [5, 8]


def test_bom_component_made_offset_periods_before(tmp_path):
    """A needs 2 C each, one period ahead: 5 A in P3 use 10 C in P2, so C is made in P2, nothing is held."""
    r = solve_case(
        tmp_path,
        periods=3,
        products=[product("A"), product("C")],
        routings=[routing("A", "R1"), routing("C", "R2")],
        bom=[{"parent": "A", "component": "C", "quantity_per": 2, "lead_time_offset": 1}],
        demand={"A": [0, 0, 5]},
    )
    assert r.result.objective == pytest.approx(0)
    assert r.made("A") == [0, 0, 5]
    assert r.made("C") == [0, 10, 0]
    assert r.column("Inventory", "demand", "product", "C") == [0, 10, 0]


def test_bom_offset_before_the_horizon_uses_first_period(tmp_path):
    """A in P1 with a one-period offset: its components are taken in P1 (from stock or made then)."""
    r = solve_case(
        tmp_path,
        periods=2,
        products=[product("A"), product("C", initial_stock=4)],
        routings=[routing("A", "R1"), routing("C", "R2", unit_cost=1)],
        bom=[{"parent": "A", "component": "C", "quantity_per": 2, "lead_time_offset": 1}],
        demand={"A": [5, 0]},
    )
    assert r.made("C") == [6, 0]
    assert r.result.objective == pytest.approx(6)


def test_component_capacity_forces_prebuild(tmp_path):
    """C's resource makes 6 a period: 2 A made in P2 (4 C in P1) and held a period, 3 A in P3 (6 C in P2) = 2."""
    r = solve_case(
        tmp_path,
        periods=3,
        products=[product("A"), product("C")],
        resources=[resource("R1"), resource("R2", capacity=6)],
        routings=[routing("A", "R1"), routing("C", "R2")],
        bom=[{"parent": "A", "component": "C", "quantity_per": 2, "lead_time_offset": 1}],
        demand={"A": [0, 0, 5]},
    )
    assert r.made("C") == [4, 6, 0]
    assert r.made("A") == [0, 2, 3]
    assert r.result.objective == pytest.approx(2)


def test_overtime_when_regular_hours_fall_short(tmp_path):
    """15 units at 1 h each with 10 regular hours: 5 overtime hours at 3 cost 15."""
    r = solve_case(
        tmp_path,
        periods=1,
        products=[product()],
        resources=[resource(capacity=10, overtime_cost=3, max_overtime=10)],
        routings=[routing()],
        demand={"A": [15]},
    )
    assert r.result.objective == pytest.approx(15)
    assert r.column("Capacity", "overtime", "resource", "R1") == [5]


def test_overtime_limit_without_backlog_is_infeasible(tmp_path):
    solve_case(
        tmp_path,
        periods=1,
        products=[product()],
        resources=[resource(capacity=10, overtime_cost=3, max_overtime=4)],
        routings=[routing()],
        demand={"A": [15]},
        expect=Status.INFEASIBLE,
    )


def test_backlog_allowed_waits_a_period(tmp_path):
    """10 a period, 15 due in P1: 5 wait one period at 2 each = 10."""
    r = solve_case(
        tmp_path,
        periods=2,
        products=[product(backlog_cost=2)],
        resources=[resource(capacity=10)],
        routings=[routing()],
        demand={"A": [15, 0]},
    )
    assert r.result.objective == pytest.approx(10)
    assert r.column("Inventory", "backlog", "product", "A") == [5, 0]


def test_backlog_forbidden_by_setting(tmp_path):
    solve_case(
        tmp_path,
        periods=2,
        products=[product(backlog_cost=2)],
        resources=[resource(capacity=10)],
        routings=[routing()],
        demand={"A": [15, 0]},
        settings={"allow_backlog": "no"},
        expect=Status.INFEASIBLE,
    )


def test_backlog_left_at_the_end_costs_its_production(tmp_path):
    """5 of 15 cannot be made: 10 made at 4 (40) + 5 waiting at (2 + 4) = 70."""
    r = solve_case(
        tmp_path,
        periods=1,
        products=[product(backlog_cost=2)],
        resources=[resource(capacity=10)],
        routings=[routing(unit_cost=4)],
        demand={"A": [15]},
    )
    assert r.result.objective == pytest.approx(70)


def test_min_lot(tmp_path):
    """3 due, minimum lot 10: 7 are held over three periods = 21."""
    r = solve_case(tmp_path, periods=3, products=[product(min_lot=10)], routings=[routing()], demand={"A": [3, 0, 0]})
    assert r.made("A") == [10, 0, 0]
    assert r.result.objective == pytest.approx(21)


def test_hard_safety_stock(tmp_path):
    """Safety stock 3 held at the end of both periods: holding 6."""
    r = solve_case(tmp_path, periods=2, products=[product(safety_stock=3)], routings=[routing()], demand={"A": [5, 5]})
    assert r.result.objective == pytest.approx(6)
    assert r.column("Inventory", "closing", "product", "A") == [3, 3]


def test_soft_safety_stock_cheaper_to_miss(tmp_path):
    """Penalty 0.5 below holding 1: stay at zero and pay 3 x 0.5 in both periods = 3."""
    r = solve_case(
        tmp_path,
        periods=2,
        products=[product(safety_stock=3, safety_penalty=0.5)],
        routings=[routing()],
        demand={"A": [5, 5]},
    )
    assert r.result.objective == pytest.approx(3)


def test_alternative_resources(tmp_path):
    """R1 is cheaper but has 10 hours: 10 on R1 at 5 and 5 on R2 at 8 = 90."""
    r = solve_case(
        tmp_path,
        periods=1,
        products=[product()],
        resources=[resource("R1", capacity=10), resource("R2")],
        routings=[routing(resource="R1", unit_cost=5), routing(resource="R2", unit_cost=8)],
        demand={"A": [15]},
    )
    assert r.made("A", "R1") == [10]
    assert r.made("A", "R2") == [5]
    assert r.result.objective == pytest.approx(90)


def test_resource_capacity_per_period(tmp_path):
    """P2 is a holiday (0 hours): its 10 units are made in P1 and held one period."""
    r = solve_case(
        tmp_path,
        periods=2,
        products=[product()],
        routings=[routing()],
        capacity=[{"resource": "R1", "period": "P2", "capacity": 0}],
        demand={"A": [5, 10]},
    )
    assert r.made("A") == [15, 0]
    assert r.result.objective == pytest.approx(10)


def test_soft_safety_stock_with_backlog_prices_the_whole_shortfall(tmp_path):
    """10 of 15 made: 5 wait (at 2, plus 0 to make) and the net position -5 is 8 below safety 3 (at 0.5) = 10 + 4."""
    r = solve_case(
        tmp_path,
        periods=1,
        products=[product(backlog_cost=2, safety_stock=3, safety_penalty=0.5)],
        resources=[resource(capacity=10)],
        routings=[routing()],
        demand={"A": [15]},
    )
    assert r.result.objective == pytest.approx(14)
