"""A chain of backends on one problem: each stage gets a share of the time and the previous stage's plan.

Kind-agnostic: a kind builds one model per stage (e.g. a MILP for HiGHS, then a CP-SAT model)
and a `handoff(previous_model, next_model) -> bool` that passes the previous plan on as a start
(a hint). The chain stops early when a stage proves optimality or infeasibility; it keeps the
best plan found (minimisation) and the best bound of all stages, and says which stage won.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optimizer.backends.outcome import ProgressCallback, SolverOutcome, finished
from optimizer.core.params import SolveParams
from optimizer.core.status import Status


@dataclass
class Stage:
    """One backend run: its family, its model, its share of the time left and how it takes a start."""

    name: str
    family: str
    model: Any
    share: float = 1.0  # fraction of the time left when the stage starts (the last stage takes all)
    handoff: Callable[[Any, Any], bool] | None = None  # (previous solved model, this model) -> start given
    solver: str | None = None  # params.solver for this stage ('highs' for a Pyomo stage), None = unchanged


@dataclass
class ChainModel:
    """Stages run in order; after solving, `winner` is the index of the stage whose plan is kept."""

    stages: list[Stage]
    winner: int | None = None
    outcomes: list[SolverOutcome] = field(default_factory=list)

    @property
    def best(self) -> Any:
        """The model holding the kept plan."""
        return None if self.winner is None else self.stages[self.winner].model

    def report(self) -> str:
        """One line per stage for the Summary: what each found, and which plan was kept."""
        parts = []
        for stage, out in zip(self.stages, self.outcomes, strict=False):
            found = "no plan" if out.objective is None else f"{out.objective:g}"
            bound = "" if out.bound is None else f", bound {out.bound:g}"
            parts.append(f"{stage.name}: {found}{bound} in {out.seconds:.1f} s ({out.status.value})")
        kept = "none" if self.winner is None else self.stages[self.winner].name
        return "; ".join(parts) + f"; plan kept from {kept}"


def solve(
    chain: ChainModel,
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
) -> SolverOutcome:
    """Run the stages in order within `limit` seconds; the best plan and the best bound are the result."""
    from optimizer.backends.registry import backend_solve

    started = time.perf_counter()
    best: float | None = None
    bound: float | None = None
    statuses: list[Status] = []
    previous: Any = None
    for k, stage in enumerate(chain.stages):
        left = limit - (time.perf_counter() - started)
        if left <= 0.2:
            break
        share = left if k == len(chain.stages) - 1 else max(0.2, stage.share * left)
        has_start = warm_start if k == 0 else False
        if previous is not None and stage.handoff is not None:
            has_start = stage.handoff(previous, stage.model)
        stage_params = params if stage.solver is None else params.model_copy(update={"solver": stage.solver})
        out = backend_solve(stage.family, stage.model, stage_params, share, progress, has_start)
        chain.outcomes.append(out)
        statuses.append(out.status)
        if out.bound is not None:
            bound = out.bound if bound is None else max(bound, out.bound)
        if out.objective is not None and out.status.has_plan and (best is None or out.objective < best - 1e-9):
            best, chain.winner = out.objective, k
        if out.status.has_plan:
            previous = stage.model
        if out.status in (Status.OPTIMAL, Status.INFEASIBLE):
            break
    seconds = time.perf_counter() - started
    if best is not None:
        proven = Status.OPTIMAL in statuses or (bound is not None and bound >= best - 1e-6 * max(1.0, abs(best)))
        status = Status.OPTIMAL if proven else Status.FEASIBLE
    elif Status.INFEASIBLE in statuses:
        status = Status.INFEASIBLE
    elif statuses and all(s is Status.ERROR for s in statuses):
        status = Status.ERROR
    else:
        status = Status.NO_SOLUTION
    if status is Status.OPTIMAL:
        bound = best
    solver = "+".join(o.solver for o in chain.outcomes)
    version = ", ".join(f"{o.solver} {o.solver_version}" for o in chain.outcomes)
    raw = ", ".join(o.raw_status for o in chain.outcomes)
    return finished(status, best, bound, seconds, solver, version, raw, chain.report())
