"""Pyomo MILP backend: HiGHS on the model read into arrays (pyomo_arrays), or any installed Pyomo solver.

Time limit and gap are always passed; threads and seed where the solver takes them. A stop at
a limit with an incumbent is FEASIBLE with its gap, never OPTIMAL.
"""

from __future__ import annotations

import time
from typing import Any

from optimizer.backends.beside import Beside
from optimizer.backends.outcome import ProgressCallback, SolverOutcome, finished
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status, from_highs, from_pyomo

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
BOUND_ONLY_MESSAGE = (
    "the model is too large for the whole-model search to improve the plan within the time limit: the bound is "
    "the sum of the independent parts' best relaxed costs"
)


def known_solvers() -> set[str]:
    """Solver names Pyomo's factory knows (installed or not)."""
    import pyomo.environ  # noqa: F401  (registers the solver plugins)
    from pyomo.opt import SolverFactory

    return {n for n in SolverFactory if not n.startswith("_")} | set(LEGACY_OPTIONS)


def highs_version() -> str:
    import highspy

    return f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"


def active_objective(model: Any) -> Any:
    """The model's one active objective (a replan replaces the plan's objective by its own)."""
    import pyomo.environ as pyo

    return next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))


LOAD_SIZE_PER_SECOND = 20_000  # measured (2 busy cores) with Pyomo's HiGHS interface; the array reader is faster
LOAD_START_SECONDS = 1.0  # and starting the solver's process
MIN_CHILD_SECONDS = 0.05  # less time than this left after reading the model: the solver's process is not started


def seconds_to_load(model: Any) -> float:
    """About how long handing the model to HiGHS and starting its process takes."""
    return LOAD_START_SECONDS + (model.nvariables() + model.nconstraints()) / LOAD_SIZE_PER_SECOND


def not_run(start: float) -> SolverOutcome:
    """No start and no time left to load the model into the solver: no plan, said at once (the limit holds)."""
    message = "no time left to load the model into the solver after building it; give a longer time limit"
    return finished(
        Status.NO_SOLUTION, None, None, time.perf_counter() - start, "highs", highs_version(), "not run", message
    )


def start_only(model: Any, start: float) -> SolverOutcome:
    """The loaded start as the answer when no time is left to run the solver (the limit holds)."""
    import pyomo.environ as pyo

    objective = pyo.value(active_objective(model))
    message = "no time left to run the solver after building the model; the plan is the engine's quick heuristic plan"
    return finished(
        Status.FEASIBLE, objective, None, time.perf_counter() - start, "highs", highs_version(), "not run", message
    )


def out_of_time(model: Any, start: float, has_start: bool) -> SolverOutcome:
    """The answer when no time is left to run the solver: the start plan loaded in the model, else no plan."""
    return start_only(model, start) if has_start else not_run(start)


def highs_options(model: Any, params: SolveParams) -> dict[str, Any]:
    """HiGHS options of a run: gap, threads and seed from the parameters, then the kind's own (e.g. a node limit)."""
    options: dict[str, Any] = {"mip_rel_gap": params.gap, "threads": params.threads, "random_seed": params.seed}
    options.update(getattr(model, "highs_options", None) or {})
    return options


def is_highs(solver: str) -> bool:
    """Whether a --solver name runs HiGHS through this module (the others go through Pyomo's solver plugins)."""
    return solver in ("auto", "highs", "appsi_highs")


def takes_start(model: Any) -> bool:
    """Whether HiGHS is given the engine's start plan: only up to MIP_START_MAX_COLUMNS (see _solve_highs)."""
    return model.nvariables() <= MIP_START_MAX_COLUMNS


def _solve_highs(
    model: Any,
    params: SolveParams,
    time_limit: float,
    progress: ProgressCallback | None,
    warm_start: bool,
    beside: Beside | None = None,
) -> SolverOutcome:
    """The model is read into arrays (see pyomo_arrays); HiGHS then runs in a child process (see highs_process)."""
    import pyomo.environ as pyo

    from optimizer.backends.highs_process import solve_in_child
    from optimizer.backends.pyomo_arrays import compile_model

    start = time.perf_counter()
    if beside is not None:
        from optimizer.backends.pyomo_beside import solve_beside

        return solve_beside(model, params, time_limit, progress, beside, warm_start)
    needed = seconds_to_load(model)
    if warm_start and time_limit < needed:
        return start_only(model, start)
    if not warm_start and time_limit < needed - LOAD_START_SECONDS:  # a small model still gets its try
        return not_run(start)
    compiled = compile_model(model)
    arrays = compiled.arrays
    start_values = compiled.values() if warm_start else None
    start_objective = pyo.value(active_objective(model)) if start_values is not None else None
    # Measured with HiGHS 1.16: with an incumbent (or any objective cutoff) on a model of ~70k
    # columns, the first root cut round took 95 s; up to ~5k columns the start helps a lot.
    # Larger models keep the start only as the fallback plan.
    mip_start = None
    if start_values is not None and len(start_values) <= MIP_START_MAX_COLUMNS:
        mip_start = start_values
    options = highs_options(model, params)
    linking = compiled.linking_rows
    # Measured at 2000 items (717k columns): the whole-model MIP, started without the plan, ended with nothing
    # better than it and held 3 GB; with blocks and a start too big to pass, the child only computes the bound.
    bound_only = linking is not None and start_values is not None and mip_start is None
    remaining = time_limit - (time.perf_counter() - start)
    if remaining < MIN_CHILD_SECONDS:  # reading the model took the time: the limit holds, no solver run past it
        return out_of_time(model, start, start_values is not None)
    plan = start_values if bound_only else None  # what the bound-only child aims its leftover time at
    child = solve_in_child(arrays, options, mip_start, remaining, progress, linking, bound_only, plan)
    seconds = time.perf_counter() - start
    has_solution = child.values is not None
    status = from_highs(child.model_status, has_solution)
    objective, bound = child.objective, child.bound
    message = child.error or ("stopped at the time limit" if child.killed else "")
    if bound_only and not child.error:
        message = BOUND_ONLY_MESSAGE
    if has_solution:
        compiled.load(child.values)
    if (
        start_values is not None
        and status is not Status.INFEASIBLE
        and (objective is None or start_objective < objective - 1e-9)
    ):
        compiled.load(start_values)  # the solver kept nothing better than the start
        objective = start_objective
        if status in (Status.NO_SOLUTION, Status.ERROR, Status.FEASIBLE):
            status = Status.FEASIBLE
        message = (message + "; " if message else "") + (
            "the plan is the engine's heuristic plan"
            if bound_only
            else "the plan is the engine's quick heuristic plan: the solver found none better within the time limit"
        )
    return finished(status, objective, bound, seconds, "highs", highs_version(), child.model_status, message)


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
    objective = pyo.value(active_objective(model)) if has_solution else None
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
    beside: Beside | None = None,
) -> SolverOutcome:
    """Solve a Pyomo model with params.solver ('highs' by default); values are loaded into the model.

    With `warm_start`, the model's current variable values are a feasible plan: HiGHS starts
    from it, and it is returned (as feasible, with the solver's bound) if nothing better is found.
    With `beside`, HiGHS runs while this process makes the start plan and improves it (other solvers take no start).
    """
    name = "highs" if is_highs(params.solver) else params.solver
    if name == "highs":
        return _solve_highs(model, params, time_limit, progress, warm_start, beside)
    return _solve_legacy(name, model, params, time_limit)
