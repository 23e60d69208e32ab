"""A chain of backends on one problem: each stage gets a share of the time and the previous stage's plan.

Kind-agnostic: a kind builds one model per stage (e.g. a MILP for HiGHS, then a CP-SAT model)
and a `handoff(previous_model, next_model) -> bool` that passes the previous plan on as a start
(a hint). The chain stops early when a stage proves optimality or infeasibility; it keeps the
best plan found (minimisation) and the best bound of all stages, and says which stage won.
With `together`, the stages instead run side by side for the whole time, each on its own
threads (e.g. HiGHS on one core, CP-SAT on the other), and the best plan of any is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optimizer.backends.outcome import Progress, ProgressCallback, SolverOutcome, finished
from optimizer.core.params import SolveParams
from optimizer.core.status import Status, relative_gap

TOGETHER_MARGIN = (
    1.0  # seconds kept back from stages run together (measured: the roster race overran 60 s by 0.1-1.3 s)
)

NO_STAGE_RAN = "no time left to run a solver after building the model; give a longer time limit"


@dataclass
class Stage:
    """One backend run: its family, its model, its share of the time left and how it takes a start."""

    name: str
    family: str
    model: Any
    share: float = 1.0  # fraction of the time left when the stage starts (the last stage takes all)
    handoff: Callable[[Any, Any], bool] | None = None  # (previous solved model, this model) -> start given
    solver: str | None = None  # params.solver for this stage ('highs' for a Pyomo stage), None = unchanged
    threads: int | None = None  # together: threads of this stage; None = the threads the other stages leave
    prepare: Callable[[Any, SolveParams], None] | None = None  # (this model, the run's params) before it solves


@dataclass
class ChainModel:
    """Stages run in order; after solving, `winner` is the index of the stage whose plan is kept."""

    stages: list[Stage]
    together: bool = False  # run the stages side by side for the whole time instead of one after another
    winner: int | None = None
    outcomes: list[SolverOutcome] = field(default_factory=list)

    @property
    def best(self) -> Any:
        """The model holding the kept plan."""
        return None if self.winner is None else self.stages[self.winner].model

    def report(self) -> str:
        """One line per stage for the Summary: what each found, and which plan was kept (or that none ran)."""
        if not self.outcomes:  # the limit was spent before the first stage (the roster examples at --time-limit 1)
            return NO_STAGE_RAN
        parts = []
        for stage, out in zip(self.stages, self.outcomes, strict=False):
            found = "no plan" if out.objective is None else f"{out.objective:g}"
            bound = "" if out.bound is None else f", bound {out.bound:g}"
            parts.append(f"{stage.name}: {found}{bound} in {out.seconds:.1f} s ({out.status.value})")
        kept = "none" if self.winner is None else self.stages[self.winner].name
        return "; ".join(parts) + f"; plan kept from {kept}"


def _stage_params(stage: Stage, params: SolveParams, threads: int | None = None) -> SolveParams:
    update: dict[str, Any] = {}
    if stage.solver is not None:
        update["solver"] = stage.solver
    if threads is not None:
        update["threads"] = threads
    return params.model_copy(update=update) if update else params


def _in_order(
    chain: ChainModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> None:
    """Stages one after another, each handing its plan to the next; stop once one proves optimality."""
    from optimizer.backends.registry import backend_solve

    started = time.perf_counter()
    previous: Any = None
    for k, stage in enumerate(chain.stages):
        left = limit - (time.perf_counter() - started)
        if left <= 0.2:
            break
        share = left if k == len(chain.stages) - 1 else max(0.2, stage.share * left)
        has_start = warm_start if k == 0 else False
        if previous is not None and stage.handoff is not None:
            has_start = stage.handoff(previous, stage.model)
        if stage.prepare is not None:
            stage.prepare(stage.model, params)  # e.g. a work limit from params.time_limit, the same every run
        out = backend_solve(stage.family, stage.model, _stage_params(stage, params), share, progress, has_start)
        chain.outcomes.append(out)
        if out.status.has_plan:
            previous = stage.model
        if out.status in (Status.OPTIMAL, Status.INFEASIBLE):
            break


def _together(
    chain: ChainModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> None:
    """Every stage in its own thread for the whole limit; progress reports the best incumbent and bound of all."""
    from optimizer.backends.registry import backend_solve

    stage_limit = max(0.2, limit - TOGETHER_MARGIN)
    fixed = sum(stage.threads or 0 for stage in chain.stages)
    rest = max(1, params.threads - fixed)
    outcomes: list[SolverOutcome | None] = [None] * len(chain.stages)
    errors: list[BaseException] = []
    lock = threading.Lock()
    best: list[float | None] = [None, None]  # incumbent, bound of all stages so far

    def report(p: Progress) -> None:
        with lock:
            if p.incumbent is not None and (best[0] is None or p.incumbent < best[0]):
                best[0] = p.incumbent
            if p.bound is not None and (best[1] is None or p.bound > best[1]):
                best[1] = p.bound
            if progress is not None:
                progress(Progress(p.seconds, best[0], best[1], relative_gap(best[0], best[1])))

    def run(k: int, stage: Stage) -> None:
        stage_params = _stage_params(stage, params, stage.threads or rest)
        try:
            outcomes[k] = backend_solve(stage.family, stage.model, stage_params, stage_limit, report, warm_start)
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k, st), daemon=True) for k, st in enumerate(chain.stages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    chain.outcomes.extend(out for out in outcomes if out is not None)


def solve(
    chain: ChainModel,
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
) -> SolverOutcome:
    """Run the stages (in order, or together) within `limit` seconds; the best plan and the best bound are the result."""
    started = time.perf_counter()
    (_together if chain.together else _in_order)(chain, params, limit, progress, warm_start)
    best: float | None = None
    bound: float | None = None
    statuses = [out.status for out in chain.outcomes]
    for k, out in enumerate(chain.outcomes):
        if out.bound is not None:
            bound = out.bound if bound is None else max(bound, out.bound)
        if out.objective is not None and out.status.has_plan and (best is None or out.objective < best - 1e-9):
            best, chain.winner = out.objective, k
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
    # with no stage run (no time left), the solvers the chain would have run
    solver = "+".join(o.solver for o in chain.outcomes) or "+".join(stage.name for stage in chain.stages)
    version = ", ".join(f"{o.solver} {o.solver_version}" for o in chain.outcomes)
    raw = ", ".join(o.raw_status for o in chain.outcomes)
    return finished(status, best, bound, seconds, solver, version, raw, chain.report())
