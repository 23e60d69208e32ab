"""The blocks' LP bound: blocks found from the matrix, and the bound equals the LP without the linking rows."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from optimizer.backends.highs_blocks import blocks, relaxation_bound
from optimizer.backends.pyomo_arrays import compile_model


def test_columns_sharing_rows_form_one_block() -> None:
    # rows: {0, 1}, {1, 2}, {3, 4}; column 5 is in no row
    rows = np.array([0, 0, 1, 1, 2, 2])
    cols = np.array([0, 1, 1, 2, 3, 4])
    assert blocks(6, rows, cols).tolist() == [0, 0, 0, 3, 3, 5]


def two_items(linked: bool) -> pyo.ConcreteModel:
    """Two tiny fixed-charge items (buy x_i >= demand, pay 10 per order y_i >= x_i / 8), one shared cap row."""
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[0, 1])
    m.x = pyo.Var(m.I, bounds=(0, 8))
    m.y = pyo.Var(m.I, domain=pyo.Binary)
    m.need = pyo.Constraint(m.I, rule=lambda m, i: m.x[i] >= [3, 5][i])
    m.link = pyo.Constraint(m.I, rule=lambda m, i: m.x[i] <= 8 * m.y[i])
    m.cap = pyo.Constraint(expr=m.x[0] + m.x[1] <= 12)
    if not linked:
        m.cap.deactivate()
    m.obj = pyo.Objective(expr=sum(2 * m.x[i] + 10 * m.y[i] for i in m.I) + 1.5)
    return m


def test_the_bound_is_the_sum_of_the_blocks_lp_optima() -> None:
    m = two_items(linked=True)
    m.linking_constraints = [m.cap]
    compiled = compile_model(m)
    bound = relaxation_bound(compiled.arrays, compiled.linking_rows, seconds=10)
    # by hand: x_i = demand, y_i = demand / 8: 2 x 8 + 10 x 8 / 8 + offset 1.5 = 27.5
    assert bound == pytest.approx(27.5)
    optimum = Highs().solve(two_items(linked=True)).incumbent_objective  # 16 + 20 + 1.5
    assert optimum == pytest.approx(37.5)
    assert bound <= optimum


def test_without_time_the_bound_is_the_columns_floor_and_a_maximisation_has_none() -> None:
    arrays = compile_model(two_items(linked=True)).arrays
    # no block solved: each column at its cheapest bound (all at 0), plus the offset 1.5
    assert relaxation_bound(arrays, np.array([], dtype=np.int64), seconds=0) == pytest.approx(1.5)
    arrays.col_lower[0] = 1.0  # x_0 >= 1 costs at least 2
    assert relaxation_bound(arrays, np.array([], dtype=np.int64), seconds=0) == pytest.approx(3.5)
    arrays.sense = -1
    assert relaxation_bound(arrays, np.array([], dtype=np.int64), seconds=10) is None


def test_with_a_plan_and_time_left_the_chunks_mip_bounds_close_the_gap() -> None:
    m = two_items(linked=True)
    m.linking_constraints = [m.cap]
    compiled = compile_model(m)
    optimum = Highs().solve(two_items(linked=True))
    for var, value in ((m.x[0], 3.0), (m.x[1], 5.0), (m.y[0], 1.0), (m.y[1], 1.0)):  # that optimum's plan
        var.set_value(value)
    plan = compiled.values()
    raised: list[float] = []
    bound = relaxation_bound(compiled.arrays, compiled.linking_rows, 10.0, plan=plan, on_bound=raised.append)
    # each item's MIP: an order (10) and its demand at 2 a unit; the shared cap (3 + 5 <= 12) is slack
    assert bound == pytest.approx(optimum.incumbent_objective) == pytest.approx(37.5)
    assert raised[0] == pytest.approx(27.5) and raised[-1] == pytest.approx(37.5)  # the LP bound first, then higher
    # without time beyond the LPs, or within the gap already, the bound stays the LP bound
    assert relaxation_bound(compiled.arrays, compiled.linking_rows, 10.0, plan=plan, gap=0.5) == pytest.approx(27.5)
