"""A Pyomo model read into HiGHS arrays: same optimum as Pyomo's own HiGHS interface, starts and values by column."""

from __future__ import annotations

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from optimizer.backends.highs_threads import reset_scheduler
from optimizer.backends.pyomo_arrays import compile_model
from optimizer.core.errors import UsageError


def small_model(sense: int) -> pyo.ConcreteModel:
    """Every kind of row and column: equality, range, <=, >=, fixed, integer, binary, free; objective constant."""
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[0, 1, 2])
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.n = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(None, 7))
    m.b = pyo.Var(domain=pyo.Binary)
    m.free = pyo.Var()
    m.fixed = pyo.Var(initialize=2.5)
    m.fixed.fix()
    m.p = pyo.Param(initialize=3.0, mutable=True)
    m.balance = pyo.Constraint(expr=m.x[0] + 2 * m.x[1] - m.free == 4 + m.fixed)
    m.span = pyo.Constraint(expr=pyo.inequality(1, m.x[1] + m.x[2] - m.n, 6))
    m.link = pyo.Constraint(expr=m.x[2] <= 10 * m.b)
    m.floor = pyo.Constraint(expr=m.p * m.n + m.x[0] >= 5.5)
    m.free_bounds = pyo.Constraint(expr=pyo.inequality(-3, m.free, 3))
    m.off = pyo.Constraint(expr=m.x[0] >= 100)
    m.off.deactivate()
    costs = m.x[0] + 3 * m.x[1] - 2 * m.x[2] + 4 * m.n + 5 * m.b - 0.5 * m.free + m.fixed + 7
    m.obj = pyo.Objective(expr=costs if sense == pyo.minimize else -costs, sense=sense)
    return m


def optimum(arrays) -> tuple[float, np.ndarray]:
    reset_scheduler()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(arrays.to_lp())
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return highs.getInfo().objective_function_value, np.asarray(highs.getSolution().col_value)


@pytest.mark.parametrize("sense", [pyo.minimize, pyo.maximize])
def test_the_arrays_have_the_optimum_of_pyomos_own_interface(sense) -> None:
    expected = Highs().solve(small_model(sense)).incumbent_objective
    m = small_model(sense)
    compiled = compile_model(m)
    objective, values = optimum(compiled.arrays)
    assert objective == pytest.approx(expected)
    compiled.load(values)
    assert pyo.value(m.obj) == pytest.approx(expected)
    assert m.fixed.value == 2.5 and m.b.value in (0.0, 1.0) and float(m.n.value).is_integer()
    assert len(compiled.arrays.row_lower) == 5  # the deactivated row is left out


def test_a_start_is_the_values_in_column_order_and_needs_every_value() -> None:
    m = small_model(pyo.minimize)
    compiled = compile_model(m)
    assert compiled.values() is None  # x has no value yet
    for k, var in enumerate(compiled.variables):
        var.set_value(float(k % 2), skip_validation=True)
    assert compiled.values().tolist() == [float(k % 2) for k in range(len(compiled.variables))]


def test_linking_rows_are_named_by_row() -> None:
    m = small_model(pyo.minimize)
    assert compile_model(m).linking_rows is None
    m.linking_constraints = [m.link, m.floor]
    assert compile_model(m).linking_rows.tolist() == [2, 3]


def test_a_nonlinear_row_is_refused_with_its_name() -> None:
    m = small_model(pyo.minimize)
    m.curve = pyo.Constraint(expr=m.x[0] * m.x[1] <= 4)
    with pytest.raises(UsageError, match="curve"):
        compile_model(m)
