"""Pyomo MILP backend: HiGHS in memory through Pyomo's own interface, or any installed Pyomo solver.

Time limit and gap are always passed; threads and seed where the solver takes them. A stop at
a limit with an incumbent is FEASIBLE with its gap, never OPTIMAL.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from optimizer.backends.outcome import ProgressCallback, SolverOutcome, finished
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status, from_pyomo

# Option names of other Pyomo solvers: (time limit, relative gap, threads, seed).
LEGACY_OPTIONS: dict[str, tuple[str, str, str | None, str | None]] = {
    "cbc": ("sec", "ratioGap", "threads", "randomCbcSeed"),
    "glpk": ("tmlim", "mipgap", None, None),
    "gurobi": ("TimeLimit", "MIPGap", "Threads", "Seed"),
    "gurobi_direct": ("TimeLimit", "MIPGap", "Threads", "Seed"),
    "cplex": ("timelimit", "mip_tolerances_mipgap", "threads", "randomseed"),
    "scip": ("limits/time", "limits/gap", "parallel/maxnthreads", "randomization/randomseedshift"),
}


MIP_START_MAX_COLUMNS = 20_000


def known_solvers() -> set[str]:
    """Solver names Pyomo's factory knows (installed or not)."""
    import pyomo.environ  # noqa: F401  (registers the solver plugins)
    from pyomo.opt import SolverFactory

    return {n for n in SolverFactory if not n.startswith("_")} | set(LEGACY_OPTIONS)


def highs_version() -> str:
    import highspy

    h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def _start_vector(solver: Any, model: Any) -> list[float] | None:
    """The model's current variable values in HiGHS column order (a MIP start), if complete.

    Pyomo's HiGHS interface has no public warm-start call, so this reads its variable map; when
    a Pyomo release renames it, solving simply goes on without the start.
    """
    import pyomo.environ as pyo

    highs = getattr(solver, "_solver_model", None)
    columns = getattr(solver, "_pyomo_var_to_solver_var_map", None)
    if highs is None or columns is None:
        return None
    values = [0.0] * highs.getNumCol()
    for var in model.component_data_objects(pyo.Var, active=True, descend_into=True):
        if var.value is None or id(var) not in columns:
            return None
        values[columns[id(var)]] = float(var.value)
    return values


def _load_vector(solver: Any, model: Any, values: list[float]) -> None:
    import pyomo.environ as pyo

    columns = solver._pyomo_var_to_solver_var_map
    for var in model.component_data_objects(pyo.Var, active=True, descend_into=True):
        var.set_value(values[columns[id(var)]], skip_validation=True)


class _Deadline:
    """Interrupts HiGHS at the time limit, which it checks too rarely inside root cut rounds.

    The MIP interrupt fires at the limit; the simplex interrupt, which stops an LP mid-way,
    only after a grace period, so a solve that is about to stop by itself keeps its bound.
    """

    def __init__(self, at: float):
        self.at = at
        self.grace = max(2.0, 0.02 * (at - time.perf_counter()))
        self.fired = False

    def mip(self, event: Any) -> None:
        if time.perf_counter() > self.at:
            self.fired = True
            event.interrupt()

    def simplex(self, event: Any) -> None:
        if time.perf_counter() > self.at + self.grace:
            self.fired = True
            event.interrupt()


def _enforce_deadline(highs: Any, at: float) -> _Deadline:
    deadline = _Deadline(at)
    highs.cbMipInterrupt.subscribe(deadline.mip)
    highs.cbSimplexInterrupt.subscribe(deadline.simplex)
    return deadline


def _solve_highs(
    model: Any, params: SolveParams, time_limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    import highspy
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.solvers.highs import Highs

    from optimizer.backends.highs_log import HighsLogWatcher

    start = time.perf_counter()
    # HiGHS fixes its thread pool per process on first use; reset it so every solve gets params.threads.
    highspy.Highs.resetGlobalScheduler(True)
    solver = Highs()
    solver.set_instance(model)
    start_values = _start_vector(solver, model) if warm_start else None
    start_objective = pyo.value(model.objective) if start_values is not None else None
    # Measured with HiGHS 1.16: with an incumbent (or any objective cutoff) on a model of ~70k
    # columns, the first root cut round took 95 s and ignored the time limit; up to ~5k columns
    # the start helps a lot. Larger models keep the start only as the fallback plan.
    if start_values is not None and len(start_values) <= MIP_START_MAX_COLUMNS:
        solution = highspy.HighsSolution()
        solution.col_value = start_values
        solver._solver_model.setSolution(solution)
    for flag in solver.config.auto_updates:  # the instance is already loaded: skip Pyomo's change scan
        setattr(solver.config.auto_updates, flag, False)
    watcher = HighsLogWatcher(progress)
    remaining = max(0.5, time_limit - (time.perf_counter() - start))
    deadline = _enforce_deadline(solver._solver_model, time.perf_counter() + remaining)
    # Pyomo warns about HiGHS's interrupt status, which it does not map; our own map does.
    logging.getLogger("pyomo.contrib.solver").setLevel(logging.ERROR)
    results = solver.solve(
        model,
        tee=[watcher],
        time_limit=remaining,
        rel_gap=params.gap,
        threads=params.threads,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        solver_options={"random_seed": params.seed, "output_flag": True},
    )
    seconds = time.perf_counter() - start
    has_solution = results.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal)
    status = from_pyomo(results.termination_condition.name, has_solution)
    if deadline.fired and status is Status.ERROR:  # our own interrupt at the time limit, not a failure
        status = Status.NO_SOLUTION
    objective = results.incumbent_objective if has_solution else None
    bound = results.objective_bound
    if bound is None and watcher.last is not None and status is not Status.INFEASIBLE:
        bound = watcher.last.bound  # cut off mid-way: the last bound HiGHS logged still holds
    message = "stopped at the time limit by interrupt" if deadline.fired else ""
    if has_solution:
        results.solution_loader.load_vars()
    if (
        start_values is not None
        and status is not Status.INFEASIBLE
        and (objective is None or start_objective < objective - 1e-9)
    ):
        _load_vector(solver, model, start_values)  # the solver kept nothing better than the start
        objective = start_objective
        status = Status.FEASIBLE if status in (Status.NO_SOLUTION, Status.ERROR, Status.FEASIBLE) else status
        message = "the plan is the warm start; the solver found nothing better in time"
    return finished(
        status, objective, bound, seconds, "highs", highs_version(), results.termination_condition.name, message
    )


def _solve_legacy(name: str, model: Any, params: SolveParams, time_limit: float) -> SolverOutcome:
    import pyomo.environ as pyo
    from pyomo.opt import SolutionStatus as LegacySolution

    if name not in known_solvers():
        raise UsageError(
            f"unknown solver '{name}'; use highs or an installed Pyomo solver ({', '.join(sorted(LEGACY_OPTIONS))})"
        )
    solver = pyo.SolverFactory(name)
    if solver is None or not solver.available(exception_flag=False):
        raise UsageError(f"solver '{name}' is not installed on this machine; the default 'highs' is")
    limit, gap, threads, seed = LEGACY_OPTIONS.get(name, (None, None, None, None))
    seconds_limit = max(1, int(time_limit)) if name == "glpk" else time_limit  # glpsol takes whole seconds
    for option, value in ((limit, seconds_limit), (gap, params.gap), (threads, params.threads), (seed, params.seed)):
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
    version = solver.version()
    return finished(
        status,
        objective,
        bound,
        seconds,
        name,
        ".".join(map(str, version)) if version else "",
        results.solver.termination_condition.name,
    )


def solve(
    model: Any,
    params: SolveParams,
    time_limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
) -> SolverOutcome:
    """Solve a Pyomo model with params.solver ('highs' by default); values are loaded into the model.

    With `warm_start`, the model's current variable values are a feasible plan: HiGHS starts
    from it, and it is returned (as feasible, with the solver's bound) if nothing better is found.
    """
    name = "highs" if params.solver in ("auto", "highs", "appsi_highs") else params.solver
    if name == "highs":
        return _solve_highs(model, params, time_limit, progress, warm_start)
    return _solve_legacy(name, model, params, time_limit)
