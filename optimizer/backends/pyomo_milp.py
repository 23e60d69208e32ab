"""Pyomo MILP backend: HiGHS in memory through Pyomo's own interface, or any installed Pyomo solver.

Time limit and gap are always passed; threads and seed where the solver takes them. A stop at
a limit with an incumbent is FEASIBLE with its gap, never OPTIMAL.
"""

from __future__ import annotations

import time
from typing import Any

from optimizer.backends.outcome import ProgressCallback, SolverOutcome
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status, from_pyomo, relative_gap

# Option names of other Pyomo solvers: (time limit, relative gap, threads, seed).
LEGACY_OPTIONS: dict[str, tuple[str, str, str | None, str | None]] = {
    "cbc": ("sec", "ratioGap", "threads", "randomCbcSeed"),
    "glpk": ("tmlim", "mipgap", None, None),
    "gurobi": ("TimeLimit", "MIPGap", "Threads", "Seed"),
    "gurobi_direct": ("TimeLimit", "MIPGap", "Threads", "Seed"),
    "cplex": ("timelimit", "mip_tolerances_mipgap", "threads", "randomseed"),
    "scip": ("limits/time", "limits/gap", "parallel/maxnthreads", "randomization/randomseedshift"),
}


def highs_version() -> str:
    import highspy

    h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def _solve_highs(model: Any, params: SolveParams, time_limit: float, progress: ProgressCallback | None) -> SolverOutcome:
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.solvers.highs import Highs

    from optimizer.backends.highs_log import HighsLogWatcher

    solver = Highs()
    tee = [HighsLogWatcher(progress)] if progress is not None else []
    start = time.perf_counter()
    results = solver.solve(
        model,
        tee=tee,
        time_limit=time_limit,
        rel_gap=params.gap,
        threads=params.threads,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        solver_options={"random_seed": params.seed, "output_flag": True},
    )
    seconds = time.perf_counter() - start
    has_solution = results.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal)
    if has_solution:
        results.solution_loader.load_vars()
    status = from_pyomo(results.termination_condition.name, has_solution)
    objective = results.incumbent_objective if has_solution else None
    bound = results.objective_bound
    if status is Status.OPTIMAL and bound is None:
        bound = objective  # an LP solved to optimality: the bound is the objective itself
    return SolverOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=seconds,
        solver="highs",
        solver_version=highs_version(),
        raw_status=results.termination_condition.name,
    )


def _solve_legacy(name: str, model: Any, params: SolveParams, time_limit: float) -> SolverOutcome:
    import pyomo.environ as pyo
    from pyomo.opt import SolutionStatus as LegacySolution

    solver = pyo.SolverFactory(name)
    if solver is None or not solver.available(exception_flag=False):
        raise UsageError(f"solver '{name}' is not installed on this machine; the default 'highs' is")
    limit, gap, threads, seed = LEGACY_OPTIONS.get(name, (None, None, None, None))
    for option, value in ((limit, time_limit), (gap, params.gap), (threads, params.threads), (seed, params.seed)):
        if option is not None:
            solver.options[option] = value
    start = time.perf_counter()
    results = solver.solve(model, load_solutions=False)
    seconds = time.perf_counter() - start
    has_solution = len(results.solution) > 0 and results.solution(0).status in (
        LegacySolution.optimal,
        LegacySolution.feasible,
        LegacySolution.bestSoFar,
    )
    if has_solution:
        model.solutions.load_from(results)
    status = from_pyomo(results.solver.termination_condition.name, has_solution)
    objective = pyo.value(model.objective) if has_solution else None
    bound = results.problem.lower_bound
    bound = float(bound) if bound is not None and abs(float(bound)) < 1e300 else None
    if status is Status.OPTIMAL and bound is None:
        bound = objective
    version = solver.version()
    return SolverOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        seconds=seconds,
        solver=name,
        solver_version=".".join(map(str, version)) if version else "",
        raw_status=results.solver.termination_condition.name,
    )


def solve(
    model: Any, params: SolveParams, time_limit: float, progress: ProgressCallback | None = None
) -> SolverOutcome:
    """Solve a Pyomo model with params.solver ('highs' by default); values are loaded into the model."""
    name = "highs" if params.solver in ("auto", "highs", "appsi_highs") else params.solver
    if name == "highs":
        return _solve_highs(model, params, time_limit, progress)
    return _solve_legacy(name, model, params, time_limit)
