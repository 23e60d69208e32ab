"""CP-SAT backend: solves a CpsatModel within the time limit, streaming incumbents and bounds.

Workers, seed, time limit and relative gap are always passed. A stop at the limit with an
incumbent is FEASIBLE with its gap; the solver is kept on the model so a plan reader can ask
it for values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from optimizer.backends.outcome import Progress, ProgressCallback, SolverOutcome, finished
from optimizer.core.params import SolveParams
from optimizer.core.status import Status, from_cpsat


@dataclass
class CpsatModel:
    """A CP-SAT model with how to read its objective; `solver` is set once it has been solved.

    `objective_scale` turns the integer objective back into money or time units (a model that
    counts cents has scale 0.01).
    """

    model: Any  # ortools.sat.python.cp_model.CpModel
    objective_scale: float = 1.0
    solver: Any = None  # cp_model.CpSolver after solve()
    parameters: dict[str, Any] = field(default_factory=dict)  # extra CP-SAT parameters a builder wants
    rules: list[tuple[Any, str, str]] = field(default_factory=list)  # (literal, input location, planner message)
    # repeatable search: interleaved workers stopped by a deterministic work limit of this many work units per
    # second of time limit (the wall-clock limit stays a hard stop); None = the fastest, non-repeatable portfolio
    work_per_second: float | None = None
    # False when the model keeps only part of the scenario's choices (e.g. a large shop's fastest machines):
    # its proofs and bound hold for that part only, so the result is never called optimal or infeasible
    exact: bool = True

    def rule(self, location: str, message: str) -> Any:
        """A literal that switches a group of hard rules on; enforce each with `.OnlyEnforceIf(literal)`.

        It is fixed to true for solving; when the scenario is infeasible, the rule literals become
        assumptions and CP-SAT names a set of them that cannot hold together (see cpsat_explain).
        """
        literal = self.model.NewBoolVar(f"rule_{len(self.rules)}")
        self.rules.append((literal, location, message))
        return literal

    def set_rules(self, on: bool | None, off: set[int] = frozenset()) -> None:
        """Fix every rule literal to true (on=True), leave them free (None); those in `off` to false."""
        proto = self.model.Proto()
        for position, (literal, _, _) in enumerate(self.rules):
            low, high = (0, 0) if position in off else (1, 1) if on else (0, 1)
            domain = proto.variables[literal.Index()].domain
            domain[0], domain[1] = low, high

    def value(self, expression: Any) -> int:
        """Value of a variable or linear expression in the solution found."""
        return int(self.solver.Value(expression))

    def true(self, literal: Any) -> bool:
        return bool(self.solver.BooleanValue(literal))


def ortools_version() -> str:
    import ortools

    return ortools.__version__


def _callback_class() -> type:
    from ortools.sat.python import cp_model

    class _Reporter(cp_model.CpSolverSolutionCallback):
        """Passes every improving solution with the current bound to the progress callback."""

        def __init__(self, progress: ProgressCallback, scale: float, started: float) -> None:
            super().__init__()
            self._progress, self._scale, self._started = progress, scale, started

        def on_solution_callback(self) -> None:
            incumbent = self.ObjectiveValue() * self._scale
            bound = self.BestObjectiveBound() * self._scale
            gap = abs(incumbent - bound) / max(abs(incumbent), 1e-9)
            self._progress(Progress(time.perf_counter() - self._started, incumbent, bound, gap))

    return _Reporter


class Response:
    """A CP-SAT response read like a CpSolver after its solve: values, objective, bound, status, core."""

    def __init__(self, response: Any) -> None:
        self.response = response  # cp_model_helper.CpSolverResponse

    @classmethod
    def from_text(cls, text: str) -> Response:
        from ortools.sat.python import cp_model_helper as cmh

        response = cmh.CpSolverResponse()
        response.parse_text_format(text)
        return cls(response)

    @classmethod
    def incumbent(cls, found: tuple[float, float, list[int]] | None, info: str) -> Response:
        """A FEASIBLE response from a streamed incumbent (objective, bound, values), or UNKNOWN without one."""
        from ortools.sat.python import cp_model_helper as cmh

        response = cmh.CpSolverResponse()
        response.solution_info = info
        if found is None:
            response.status = cmh.CpSolverStatus.UNKNOWN
            return cls(response)
        response.status = cmh.CpSolverStatus.FEASIBLE
        response.objective_value, response.best_objective_bound = found[0], found[1]
        response.solution.extend(found[2])
        return cls(response)

    def Value(self, expression: Any) -> int:  # noqa: N802  (CpSolver's names, which the kinds use)
        from ortools.sat.python import cp_model_helper as cmh

        return cmh.ResponseHelper.value(self.response, expression)

    def BooleanValue(self, literal: Any) -> bool:  # noqa: N802
        from ortools.sat.python import cp_model_helper as cmh

        return cmh.ResponseHelper.boolean_value(self.response, literal)

    def ObjectiveValue(self) -> float:  # noqa: N802
        return self.response.objective_value

    def BestObjectiveBound(self) -> float:  # noqa: N802
        return self.response.best_objective_bound

    def StatusName(self, status: Any = None) -> str:  # noqa: N802
        return (status if status is not None else self.response.status).name

    def SolutionInfo(self) -> str:  # noqa: N802
        return self.response.solution_info

    def ResponseProto(self) -> Any:  # noqa: N802
        return self.response

    def SufficientAssumptionsForInfeasibility(self) -> list[int]:  # noqa: N802
        return list(self.response.sufficient_assumptions_for_infeasibility)

    @property
    def deterministic_time(self) -> float:
        return self.response.deterministic_time

    value, boolean_value = Value, BooleanValue


def run_model(
    model: Any, parameters: Any, progress: ProgressCallback | None = None, scale: float = 1.0, label: str = "CP-SAT"
) -> tuple[Any, str]:
    """Solve a CpModel with these SatParameters, in a child process when isolation is on.

    Returns (a CpSolver or a Response, both read the same way; a note when the child failed or was killed:
    empty for a normal end). A crash gives status UNKNOWN with the note saying how the process ended.
    """
    from optimizer.backends import child
    from optimizer.backends.cpsat_child import solve_job

    if not child.enabled():
        from ortools.sat.python import cp_model

        solver = cp_model.CpSolver()
        solver.parameters.copy_from(parameters)
        started = time.perf_counter()
        callback = _callback_class()(progress, scale, started) if progress is not None else None
        solver.Solve(model, callback)
        return solver, ""
    began = time.perf_counter()
    payload = (str(model.Proto()), str(parameters), scale, progress is not None)
    run = child.run(label, solve_job, payload, child.job_limit(parameters.max_time_in_seconds, began), progress)
    if run.finished:
        return Response.from_text(run.value), ""
    if run.killed:
        kept = "the best plan it had sent is kept" if run.incumbent else "it had no plan"
        note = f"{child.failure(label, run, parameters.max_time_in_seconds)}; {kept}"
        return Response.incumbent(run.incumbent, note), note
    return Response.incumbent(None, run.error), run.error


def _partial(status: Status, bound: float | None, message: str) -> tuple[Status, float | None, str]:
    """A model of part of the choices proves nothing for the whole scenario: optimal -> feasible, no bound."""
    if status is Status.OPTIMAL:
        return Status.FEASIBLE, None, "best plan among the choices the model kept (no proof for the whole scenario)"
    if status is Status.INFEASIBLE:
        return Status.NO_SOLUTION, None, "no plan among the choices the model kept (the others were not tried)"
    if status is Status.FEASIBLE:
        return status, None, message + "; no bound: the model kept only part of the choices"
    return status, bound, message


def solve(
    built: CpsatModel,
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
) -> SolverOutcome:
    """Solve with CP-SAT; the status is mapped from CpSolverStatus and the incumbent flag."""
    from ortools.sat.python import cp_model

    p = cp_model.CpSolver().parameters
    p.max_time_in_seconds = max(0.01, limit)
    p.num_workers = max(1, params.threads)
    p.random_seed = params.seed
    p.relative_gap_limit = params.gap
    for name, value in built.parameters.items():
        setattr(p, name, value)
    if built.work_per_second is not None:
        p.interleave_search = True  # deterministic whatever the number of workers
        p.max_deterministic_time = built.work_per_second * max(0.01, limit)
    built.set_rules(on=True)
    started = time.perf_counter()
    solver, failure = run_model(built.model, p, progress, built.objective_scale)
    seconds = time.perf_counter() - started
    built.solver = solver
    code = solver.ResponseProto().status
    name = solver.StatusName(code)
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    status = from_cpsat(name, has_solution)
    has_objective = built.model.has_objective()
    objective = bound = None
    if has_solution:
        objective = solver.ObjectiveValue() * built.objective_scale if has_objective else 0.0
        bound = solver.BestObjectiveBound() * built.objective_scale if has_objective else 0.0
    if status is Status.OPTIMAL:
        bound = objective
    message = {
        Status.OPTIMAL: "proven optimal",
        Status.FEASIBLE: "stopped at the time or gap limit with a plan",
        Status.INFEASIBLE: "proven infeasible: no plan satisfies every hard rule",
        Status.NO_SOLUTION: "no plan found within the time limit",
        Status.ERROR: f"CP-SAT rejected the model: {solver.SolutionInfo() or name}",
    }.get(status, "")
    if status is Status.FEASIBLE and built.work_per_second is not None:
        stopped_by_work = solver.deterministic_time >= p.max_deterministic_time
        message = (
            "stopped at the repeatable work limit with a plan (the same input, seed and threads give the same plan)"
            if stopped_by_work
            else "stopped at the time limit before the repeatable work limit: a rerun may give another plan"
        )
    if status is Status.FEASIBLE and objective is not None and bound is not None:
        relative = abs(objective - bound) / max(abs(objective), 1e-9)
        if relative <= params.gap:
            message = f"stopped within the gap limit ({params.gap:g})"
    if not built.exact:
        status, bound, message = _partial(status, bound, message)
    if failure:  # the solver process crashed, or was killed after its limit (a plan it had sent is kept)
        status = status if status.has_plan else Status.ERROR
        message = failure
    return finished(status, objective, bound, seconds, "cpsat", ortools_version(), name, message)
