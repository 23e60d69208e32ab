"""One status vocabulary for every solver, with an explicit map from each raw solver status.

The maps are keyed by the solvers' own enum member names, so this module imports no solver;
tests check that every member of the real enums is mapped.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Outcome of a solve in planner terms."""

    OPTIMAL = "optimal"  # proven best within the requested gap
    FEASIBLE = "feasible"  # a plan exists, not proven best (time or other limit)
    INFEASIBLE = "infeasible"  # proven: no plan satisfies every hard rule
    UNBOUNDED = "unbounded"  # the objective can improve without limit (a data error)
    NO_SOLUTION = "no_solution"  # stopped (time, limit) before any plan was found
    ERROR = "error"  # the solver failed

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def exit_code(self) -> int:
        """CLI exit code: 0 when a plan was written, 1 otherwise."""
        return 0 if self.has_plan else 1


# HiGHS `HighsModelStatus` members. Limit-type stops are FEASIBLE when an incumbent exists
# (decided by `from_highs`), NO_SOLUTION otherwise.
_LIMIT = "limit"
HIGHS_MODEL_STATUS: dict[str, Status | str] = {
    "kNotset": Status.ERROR,
    "kLoadError": Status.ERROR,
    "kModelError": Status.ERROR,
    "kPresolveError": Status.ERROR,
    "kSolveError": Status.ERROR,
    "kPostsolveError": Status.ERROR,
    "kModelEmpty": Status.OPTIMAL,
    "kOptimal": Status.OPTIMAL,
    "kInfeasible": Status.INFEASIBLE,
    "kUnboundedOrInfeasible": Status.INFEASIBLE,
    "kUnbounded": Status.UNBOUNDED,
    "kObjectiveBound": _LIMIT,
    "kObjectiveTarget": _LIMIT,
    "kTimeLimit": _LIMIT,
    "kIterationLimit": _LIMIT,
    "kUnknown": _LIMIT,
    "kSolutionLimit": _LIMIT,
    "kInterrupt": _LIMIT,
    "kMemoryLimit": _LIMIT,
    "kHighsInterrupt": _LIMIT,
}

# Pyomo (pyomo.contrib.solver) `TerminationCondition` members.
PYOMO_TERMINATION: dict[str, Status | str] = {
    "convergenceCriteriaSatisfied": Status.OPTIMAL,
    "maxTimeLimit": _LIMIT,
    "iterationLimit": _LIMIT,
    "objectiveLimit": _LIMIT,
    "minStepLength": _LIMIT,
    "interrupted": _LIMIT,
    "unknown": _LIMIT,
    "unbounded": Status.UNBOUNDED,
    "provenInfeasible": Status.INFEASIBLE,
    "locallyInfeasible": Status.INFEASIBLE,
    "infeasibleOrUnbounded": Status.INFEASIBLE,
    "error": Status.ERROR,
    "licensingProblems": Status.ERROR,
    "emptyModel": Status.OPTIMAL,
}

# Legacy Pyomo (pyomo.opt) `TerminationCondition` members, for solvers reached through
# `pyomo.environ.SolverFactory` (cbc, glpk, gurobi, ...).
PYOMO_LEGACY_TERMINATION: dict[str, Status | str] = {
    "globallyOptimal": Status.OPTIMAL,
    "locallyOptimal": Status.OPTIMAL,
    "optimal": Status.OPTIMAL,
    "maxTimeLimit": _LIMIT,
    "maxIterations": _LIMIT,
    "maxEvaluations": _LIMIT,
    "minFunctionValue": _LIMIT,
    "minStepLength": _LIMIT,
    "userInterrupt": _LIMIT,
    "resourceInterrupt": _LIMIT,
    "licensingProblems": Status.ERROR,
    "feasible": _LIMIT,
    "unbounded": Status.UNBOUNDED,
    "infeasible": Status.INFEASIBLE,
    "infeasibleOrUnbounded": Status.INFEASIBLE,
    "invalidProblem": Status.ERROR,
    "intermediateNonInteger": _LIMIT,
    "noSolution": Status.NO_SOLUTION,
    "solverFailure": Status.ERROR,
    "internalSolverError": Status.ERROR,
    "error": Status.ERROR,
    "other": _LIMIT,
    "unknown": _LIMIT,
}

# OR-Tools CP-SAT `CpSolverStatus` names.
CPSAT_STATUS: dict[str, Status | str] = {
    "OPTIMAL": Status.OPTIMAL,
    "FEASIBLE": Status.FEASIBLE,
    "INFEASIBLE": Status.INFEASIBLE,
    "MODEL_INVALID": Status.ERROR,
    "UNKNOWN": _LIMIT,
}


def _resolve(mapped: Status | str | None, has_solution: bool) -> Status:
    if mapped is None:
        return Status.FEASIBLE if has_solution else Status.ERROR
    if mapped == _LIMIT:
        return Status.FEASIBLE if has_solution else Status.NO_SOLUTION
    assert isinstance(mapped, Status)
    if mapped is Status.OPTIMAL and not has_solution:
        return Status.ERROR
    return mapped


def from_highs(model_status: str, has_solution: bool) -> Status:
    """Map a HiGHS model status name (e.g. 'kTimeLimit') and incumbent flag to a Status."""
    return _resolve(HIGHS_MODEL_STATUS.get(model_status), has_solution)


def from_pyomo(termination: str, has_solution: bool) -> Status:
    """Map a Pyomo termination condition name to a Status."""
    mapped = PYOMO_TERMINATION.get(termination, PYOMO_LEGACY_TERMINATION.get(termination))
    return _resolve(mapped, has_solution)


def from_cpsat(status_name: str, has_solution: bool) -> Status:
    """Map a CP-SAT status name (e.g. 'FEASIBLE') to a Status."""
    return _resolve(CPSAT_STATUS.get(status_name), has_solution)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap |objective - bound| / max(|objective|, 1e-9); None when either is unknown."""
    if objective is None or bound is None:
        return None
    import math

    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-9)
