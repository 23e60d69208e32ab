"""HiGHS (in memory through Pyomo) and GLPK (through Pyomo's solver factory) find the same optima."""

from __future__ import annotations

import pytest

from tests.models.inventory.helpers import item, offer, solve_case

pyo = pytest.importorskip("pyomo.environ")
if not pyo.SolverFactory("glpk").available(exception_flag=False):
    pytest.skip("glpsol is not installed", allow_module_level=True)

CASES = {
    "batching": dict(periods=4, items=[item()], offers=[offer(order_cost=25)], demand={"A": [10, 10, 10, 10]}),
    "moq_and_pack": dict(
        periods=4, items=[item()], offers=[offer(min_order_qty=25, pack_size=6)], demand={"A": [7, 0, 12, 9]}
    ),
    "two_suppliers_capacity": dict(
        periods=3,
        items=[item()],
        offers=[offer(order_cost=10), offer(supplier="S2", unit_price=12, lead_time=1)],
        suppliers=[{"supplier": "S1", "capacity": 15}, {"supplier": "S2"}],
        demand={"A": [10, 20, 20]},
    ),
    "lost_sale_and_soft_safety": dict(
        periods=4,
        items=[item(shortage_policy="lost_sale", shortage_cost=8, safety_stock=5, safety_penalty=0.5)],
        offers=[offer(lead_time=1, order_cost=20)],
        demand={"A": [5, 10, 10, 10]},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_highs_and_glpk_agree(tmp_path, name):
    case = CASES[name]
    highs = solve_case(tmp_path / "highs", **case)
    glpk = solve_case(tmp_path / "glpk", solver="glpk", **case)
    assert glpk.result.solver == "glpk"
    assert glpk.result.objective == pytest.approx(highs.result.objective, rel=1e-6)
