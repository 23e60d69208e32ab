"""Small mixed cases (setups, BOM, overtime, backlog, safety stock, alternatives) shared by several tests."""

from __future__ import annotations

from tests.models.production.helpers import product, resource, routing

CASES = {
    "setups_and_holding": dict(
        periods=5,
        products=[product("A"), product("B", holding_cost=2)],
        resources=[resource(capacity=20)],
        routings=[routing("A", setup_cost=30, setup_time=2), routing("B", hours_per_unit=0.5, setup_cost=15)],
        demand={"A": [5, 8, 6, 9, 4], "B": [10, 0, 12, 6, 8]},
    ),
    "bom_overtime_backlog": dict(
        periods=4,
        products=[product("A", backlog_cost=6), product("C", holding_cost=0.5, min_lot=10)],
        resources=[resource("R1", capacity=8, overtime_cost=4, max_overtime=3), resource("R2", capacity=15)],
        routings=[routing("A", "R1", setup_cost=10), routing("C", "R2", setup_cost=20, setup_time=1)],
        bom=[{"parent": "A", "component": "C", "quantity_per": 2, "lead_time_offset": 1}],
        demand={"A": [3, 9, 10, 7]},
    ),
    "safety_and_alternatives": dict(
        periods=3,
        products=[product("A", safety_stock=4, safety_penalty=1.5, initial_stock=2)],
        resources=[resource("R1", capacity=6), resource("R2", capacity=20)],
        routings=[routing("A", "R1", unit_cost=2, setup_cost=5), routing("A", "R2", unit_cost=3, setup_cost=1)],
        demand={"A": [7, 7, 7]},
    ),
}
