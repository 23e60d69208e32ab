"""A quick feasible plan to warm-start the MILP and to fall back on when the solver finds none.

LP rounding: solve the LP relaxation, open a production run wherever the LP makes anything,
then solve the LP again with those runs fixed (quantities, stock, backlog and overtime are then
exact), and close the runs that ended up making nothing. Rounding runs up only adds setup time;
when that breaks capacity the fixed LP is infeasible and there is no warm start.
"""

from __future__ import annotations

import time
from typing import Any

from models.production.data import Scenario

LP_SECONDS = 60.0


def _solve_lp(m: Any) -> bool:
    """Solve the model's current LP (runs relaxed or fixed) with HiGHS, loading the values; True when optimal."""
    from pyomo.contrib.solver.common.results import TerminationCondition
    from pyomo.contrib.solver.solvers.highs import Highs

    solver = Highs()
    solver.config.time_limit = LP_SECONDS
    solver.config.load_solutions = False
    solver.config.raise_exception_on_nonoptimal_result = False
    solver.config.solver_options["threads"] = 1
    solver.config.solver_options["output_flag"] = False
    results = solver.solve(m)
    if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
        return False
    results.solution_loader.load_vars()
    return True


def warm_start(s: Scenario, m: Any) -> bool:
    """Load an LP-rounding plan into the model's variables; False (values cleared) when there is none."""
    import pyomo.environ as pyo

    if not len(m.run):
        return False  # no runs: the MILP is an LP and needs no start
    started = time.perf_counter()
    runs = list(m.run.values())
    for v in runs:
        v.domain = pyo.UnitInterval
    try:
        if not _solve_lp(m):
            return False
        for (k, t), v in m.run.items():
            v.fix(1.0 if (m.make[k, t].value or 0.0) > 1e-7 else 0.0)
        if not _solve_lp(m):
            return False
        for (k, t), v in m.run.items():
            if (m.make[k, t].value or 0.0) <= 1e-7:
                v.fix(0.0)  # a run that makes nothing only costs its setup
        if time.perf_counter() - started < LP_SECONDS:
            _solve_lp(m)  # fewer runs can only lower the cost; the plan above stays valid if this fails
        return True
    finally:
        for v in runs:
            v.unfix()
            v.domain = pyo.Binary
