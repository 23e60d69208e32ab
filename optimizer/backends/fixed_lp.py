"""Marginal values of limits after a MILP: fix the integer decisions, solve the LP, read the duals.

The dual of a limit's row is what one more unit of it saves while the plan's integer choices
(orders placed, runs set up) stay; it holds only for small changes, so each binding row is also
re-solved warm with one more unit within a time budget to give the exact saving of that unit.
Kinds call this with their integer variables and the rows of the limits a planner can buy more of.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from optimizer.backends.highs_threads import reset_scheduler


@dataclass
class LimitValues:
    """Per limit key: the dual rate (saving per unit, small changes) and the exact saving of one more unit."""

    rate: dict[Hashable, float] = field(default_factory=dict)
    one_more: dict[Hashable, float] = field(default_factory=dict)


def fixed_lp_values(
    model: Any,
    integers: Iterable[Any],
    rows: dict[Hashable, Any],
    seconds: float = 40.0,
    relaxed: Iterable[Any] = (),
) -> LimitValues | None:
    """Rates and one-more-unit savings of `rows` (<= limits) with `integers` fixed at their rounded values.

    Variables in `relaxed` stay free but lose their integrality (e.g. order quantities in whole
    packs, while which orders are placed stays fixed).

    Takes at most about `seconds` (60% for the LP, the rest for re-solves). The model's values and
    domains are restored afterwards. None when the LP cannot be solved in time.
    """
    from optimizer.backends.pyomo_milp import seconds_to_load

    started = time.perf_counter()
    if seconds < 2 * seconds_to_load(model):  # not even time to hand the LP to HiGHS twice over
        return None
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.results import TerminationCondition
    from pyomo.contrib.solver.solvers.highs import Highs

    saved = {id(v): v.value for v in model.component_data_objects(pyo.Var, descend_into=True)}
    fixed = []
    for var in integers:
        if not var.fixed:
            fixed.append((var, var.domain))
            var.fix(float(round(var.value or 0.0)))
            var.domain = pyo.Reals  # a fixed integer column would still make HiGHS solve a MIP, without duals
    for var in relaxed:
        if not var.fixed:
            fixed.append((var, var.domain))  # restored below; unfix() on a free variable is harmless
            var.domain = pyo.Reals  # its bounds stay
    try:
        solver = Highs()
        solver.config.time_limit = 0.6 * seconds
        solver.config.load_solutions = False
        solver.config.raise_exception_on_nonoptimal_result = False
        solver.config.solver_options.update({"threads": 1, "output_flag": False})
        reset_scheduler()
        results = solver.solve(model)
        if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
            return None
        duals = results.solution_loader.get_duals(list(rows.values())) if rows else {}
        out = LimitValues(rate={key: max(0.0, -float(duals[row])) for key, row in rows.items()})
        out.one_more = dict(out.rate)
        _one_more_unit(solver, rows, out, seconds - (time.perf_counter() - started))
        return out
    finally:
        for var, domain in fixed:
            var.unfix()
            var.domain = domain
        for var in model.component_data_objects(pyo.Var, descend_into=True):
            var.set_value(saved[id(var)], skip_validation=True)


def _one_more_unit(solver: Any, rows: dict[Hashable, Any], out: LimitValues, budget_seconds: float) -> None:
    """Exact saving of one more unit on each row with a positive rate, by re-solving the LP warm."""
    import highspy

    highs = getattr(solver, "_solver_model", None)
    index = getattr(solver, "_pyomo_con_to_solver_con_map", None)
    if highs is None or index is None:  # a Pyomo release renamed them: keep the dual rates
        return
    base = highs.getInfo().objective_function_value
    lp = highs.getLp()
    deadline = time.perf_counter() + budget_seconds
    for key, rate in sorted(out.rate.items(), key=lambda kv: -kv[1]):
        if rate <= 1e-9 or time.perf_counter() > deadline:
            continue
        j = index[rows[key]]
        lower, upper = lp.row_lower_[j], lp.row_upper_[j]
        highs.changeRowBounds(j, lower, upper + 1.0)
        highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            out.one_more[key] = max(0.0, base - highs.getInfo().objective_function_value)
        highs.changeRowBounds(j, lower, upper)
