"""Why a CP-SAT model has no solution: the rule groups that cannot all hold, and the cost without them.

Each kind switches its groups of hard rules on with literals (CpsatModel.rule). To explain an
infeasible scenario the literals become assumptions: CP-SAT returns a set of them that is enough
for infeasibility, the set is shrunk by dropping one at a time while it stays infeasible, and a
last solve without those rules prices the plan they stand in the way of.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from optimizer.backends.cpsat import CpsatModel, run_model
from optimizer.core.params import SolveParams


@dataclass
class Conflict:
    """Rule groups (location, message) that cannot hold together, and the best cost without them."""

    found: bool
    rules: list[tuple[str, str]]
    cost: float | None
    message: str = ""


class SearchFailed(Exception):
    """The CP-SAT process of an explaining solve crashed or was ended."""


def _solver(params: SolveParams, seconds: float):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = 1  # the assumption core comes from the sequential search
    solver.parameters.random_seed = params.seed
    return solver


def _model_parameters(solver, built: CpsatModel) -> None:
    """The CP-SAT parameters the kind's builder asked for (e.g. a stronger LP), except workers and time."""
    for name, value in built.parameters.items():
        if name not in ("num_workers", "max_time_in_seconds", "random_seed"):
            setattr(solver.parameters, name, value)


def _infeasible_with(build: Callable[[], CpsatModel], keep: list[int], params: SolveParams, seconds: float):
    """Solve with only the rules in `keep` assumed (the others free); returns (status name, core positions).

    The solve runs in a child process like every CP-SAT solve; a crash there raises SearchFailed.
    """
    from ortools.sat.python import cp_model

    built = build()
    built.set_rules(on=None)
    built.model.ClearObjective()
    built.model.AddAssumptions([built.rules[k][0] for k in keep])
    solver = _solver(params, seconds)
    _model_parameters(solver, built)
    solver, failure = run_model(built.model, solver.parameters, label="CP-SAT explanation")
    if failure:
        raise SearchFailed(failure)
    code = solver.ResponseProto().status
    if code != cp_model.INFEASIBLE:
        return solver.StatusName(code), []
    index_of = {built.rules[k][0].Index(): k for k in keep}
    core = [index_of[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in index_of]
    return "INFEASIBLE", core


def explain_conflict(build: Callable[[], CpsatModel], params: SolveParams, limit: float) -> Conflict:
    """A small set of rule groups that cannot all hold (shrunk while time allows) and the cost without them."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    probe = build()
    everything = list(range(len(probe.rules)))
    if not everything:
        return Conflict(False, [], None, "this model names no rule groups to explain with")
    try:
        status, core = _infeasible_with(build, everything, params, limit / 3)
    except SearchFailed as failed:
        return Conflict(False, [], None, f"the search for the conflict failed: {failed}")
    if status == "UNKNOWN":
        return Conflict(False, [], None, "no conflict between rules was found in the time left; a longer limit may")
    if status != "INFEASIBLE" or not core:
        return Conflict(False, [], None, "the conflict lies in the data itself, not in rules that can be relaxed")
    for position in list(core):  # deletion filter: drop a rule if the rest still conflict
        left = limit * 2 / 3 - (time.perf_counter() - started)
        if left <= 0.2 or len(core) == 1:
            break
        trial = [k for k in core if k != position]
        try:
            status, smaller = _infeasible_with(build, trial, params, min(left, limit / 6))
        except SearchFailed:
            break  # keep the conflict found so far
        if status == "INFEASIBLE":
            core = [k for k in trial if k in set(smaller)] or trial
    built = build()
    built.set_rules(on=True, off=set(core))
    solver = _solver(params, max(0.1, limit - (time.perf_counter() - started)))
    _model_parameters(solver, built)
    solver.parameters.num_workers = max(1, params.threads)
    solver, failure = run_model(built.model, solver.parameters, label="CP-SAT explanation")
    code = solver.ResponseProto().status
    cost = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and built.model.has_objective():
        cost = solver.ObjectiveValue() * built.objective_scale
    rules = [(probe.rules[k][1], probe.rules[k][2]) for k in core]
    note = failure or ("" if code == cp_model.OPTIMAL else "cost of the best plan found in the time left")
    return Conflict(True, rules, cost, note)


def explain_rows(build: Callable[[], CpsatModel], params: SolveParams, limit: float) -> list[dict[str, str]]:
    """Diagnostics rows for an infeasible CP-SAT scenario: the conflicting rules and the cost without them."""
    conflict = explain_conflict(build, params, limit)
    if not conflict.found:
        return [{"severity": "error", "location": "", "message": f"infeasible: {conflict.message}"}]
    rows = [
        {"severity": "error", "location": where, "message": f"cannot hold together with the rules below: {text}"}
        for where, text in conflict.rules
    ]
    if conflict.cost is not None:
        note = f" ({conflict.message})" if conflict.message else ""
        rows.append(
            {
                "severity": "info",
                "location": "",
                "message": f"without the rules listed above, the best plan costs {conflict.cost:,.2f}{note}",
            }
        )
    return rows
