"""HiGHS on the whole model in its child process while this process improves the start plan by fix-and-optimize.

HiGHS's search leaves the second core mostly idle; here fix-and-optimize over the kind's
neighbourhoods uses it, until the time limit or until a plan is within the gap of HiGHS's bound.
The cheaper of the two sides' plans is kept. A model small enough to take the start
(pyomo_milp.MIP_START_MAX_COLUMNS) gets it, made before, and every cheaper plan found here (see
highs_process.PlanOffers). Above that size HiGHS starts at once, spends its time on the bound and rarely
finds a plan as good as the engine's start, so the kind's start heuristic runs here, beside it.
The other way, each plan HiGHS finds that is cheaper than fix-and-optimize's becomes the plan its
steps go on from (collect's on_incumbent).

Measured (60 s, lot sizing X11219A): HiGHS alone 24,897.7 (2.48% gap), with fix-and-optimize beside it
24,750.9, offered its plans 24,655.0 (1.52%), with widening windows (models.production.neighbourhoods)
24,714-24,764 (steps are cut by their time limit, so plans vary from run to run). Production 200 products
x 52 weeks x 10 resources, 300 s: HiGHS gets 290 s instead of 250 s for its bound, and fix-and-optimize
takes about 0.14% off the start plan.

Threads (child_options): fix-and-optimize keeps one core busy, so HiGHS gets one thread fewer than the
run's `threads`. With both on 2 threads, HiGHS took about 1.2 cores and fix-and-optimize 0.77 of its
one: X11219A ended at 24,809-24,825 (60 s, 3 runs), with HiGHS on 1 thread at 24,664.6 (5 runs). HiGHS's
bound barely changed (24,272 against 24,279-24,285), and the 200 x 52 x 10 plant reached 1% at 197, 203
and 204 s with HiGHS on 1 thread, at 183 and 209 s on 2.

Going on from HiGHS's cheaper plans (60 s, X11219A, 2026-12-03): 24,566.5 (the best plan known here)
in 5 of 7 runs, else 24,644.9 and 24,681.0, where fix-and-optimize on its own plans had ended at 24,664.6
in 6 runs; X11119A stayed at 9,263.4 (5 runs).

HiGHS's heuristic effort (BESIDE_HEURISTIC_EFFORT, 2026-12-06, 60 s through the command line): at 0.3
X11119A ended at 9,250.9 in 4 of 6 runs (seeds 0, 1, 2; bench included), at 9,263.4 with the default 0.05
in every run (3 today, 7 on 2026-12-03); X11219A at 24,566.5, 24,651.9 and 24,567.5 with seeds 0, 1 and 2,
against 24,566.5, 24,792.6 and 24,567.5. At 0.5 X11119A stayed at 9,263.4. The six instances HiGHS proves
keep their times (1.3-7.3 s), and the 200 x 52 x 10 plant reached 1% at 151.1 s against 146.5 s at 0.05.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from optimizer.backends.beside import Beside
from optimizer.backends.fix_and_optimize import MIN_STEP_SECONDS, Improvement, improve, objective_of
from optimizer.backends.highs_process import ChildOutcome, PlanOffers
from optimizer.backends.outcome import Progress, ProgressCallback, SolverOutcome, finished
from optimizer.backends.pyomo_milp import (
    LOAD_START_SECONDS,
    MIN_CHILD_SECONDS,
    highs_options,
    highs_version,
    out_of_time,
    seconds_to_load,
)
from optimizer.core.params import SolveParams
from optimizer.core.status import Status, from_highs, relative_gap

MARGIN_SECONDS = 0.5  # fix-and-optimize ends this long before the limit, so the plan is chosen within it
# HiGHS's share of its search for heuristics (its default 0.05): beside fix-and-optimize, RINS and RENS start from the
# plans offered to it, so more of them pay (see the module docstring)
BESIDE_HEURISTIC_EFFORT = 0.3
# Setting fix-and-optimize up (the kind's neighbourhoods as column arrays) took 2.2 s at 300 products x 52 weeks
# (71,760 columns): a start made beside HiGHS leaves this much of its time for it, and with less left it is skipped
SETUP_SECONDS_PER_COLUMN = 4e-5


class _Race:
    """What each side knows of the other: HiGHS's bound and best plan, this process's best plan (under a lock).

    Progress goes on to the caller with the better of the two plans; a plan of this process within
    the gap of HiGHS's bound stops both. HiGHS's newest plan waits here until fix-and-optimize asks for
    it, and goes on from it when it is cheaper than its own.
    """

    def __init__(self, progress: ProgressCallback | None, gap: float) -> None:
        self.progress, self.gap = progress, gap
        self.lock = threading.Lock()
        self.began = time.perf_counter()
        self.bound: float | None = None
        self.theirs: float | None = None
        self.their_plan: tuple[float, np.ndarray] | None = None  # not yet taken by fix-and-optimize
        self.ours: float | None = None
        self.stop = threading.Event()
        self.gap_reached = False

    def from_highs(self, p: Progress) -> None:
        with self.lock:
            self.bound = p.bound if p.bound is not None else self.bound
            self.theirs = p.incumbent if p.incumbent is not None else self.theirs
            self._report()

    def plan_from_highs(self, objective: float, values: np.ndarray) -> None:
        """Keep HiGHS's newest plan for fix-and-optimize (the child sends only improving ones)."""
        with self.lock:
            self.their_plan = (objective, values)

    def their_new_plan(self) -> tuple[float, np.ndarray] | None:
        """HiGHS's latest plan (objective, column values) if it came since the last call, else None."""
        with self.lock:
            plan, self.their_plan = self.their_plan, None
            return plan

    def from_ours(self, objective: float) -> None:
        with self.lock:
            self.ours = objective
            self._report()

    def _report(self) -> None:
        best = min((x for x in (self.theirs, self.ours) if x is not None), default=None)
        gap = relative_gap(best, self.bound)
        if self.ours is not None and best == self.ours and gap is not None and gap <= self.gap:
            self.gap_reached = True
            self.stop.set()
        if self.progress is not None:
            self.progress(Progress(time.perf_counter() - self.began, best, self.bound, gap))


def child_options(model: Any, params: SolveParams) -> dict[str, Any]:
    """HiGHS's options in its child: more heuristic effort (unless the kind sets its own), then the run's, with one
    thread fewer (at least one) left to fix-and-optimize here."""
    effort = {"mip_heuristic_effort": BESIDE_HEURISTIC_EFFORT}
    return effort | highs_options(model, params) | {"threads": max(1, params.threads - 1)}


def _columns(variables: list[Any], stages: list[list[list[Any]]]) -> list[list[np.ndarray]]:
    """Each stage's groups of model variables as sorted arrays of their columns (variables not in the arrays left out)."""
    column = {id(v): k for k, v in enumerate(variables)}
    out = []
    for groups in stages:
        found = [np.unique(np.fromiter((column[id(v)] for v in g if id(v) in column), dtype=np.int64)) for g in groups]
        out.append([f for f in found if len(f)])
    return out


def _short_of_the_whole(stages: list[list[np.ndarray]], integer: np.ndarray) -> list[list[np.ndarray]]:
    """The stages without the neighbourhoods that free every integer column: such a step is the whole model again,
    which HiGHS beside is already solving (on the one-resource lot-sizing files, the window of the whole horizon:
    14 steps of 3 s over 8 runs of X11119A, none cheaper)."""
    whole = int(integer.sum())
    kept = [[free for free in stage if int(integer[free].sum()) < whole] for stage in stages]
    return [stage for stage in kept if stage]


def _start_here(beside: Beside, seconds: float) -> bool:
    """Run the kind's start heuristic in this process, unless it ran before the solver (and then found no plan)."""
    return not beside.start_first and beside.start(seconds)


def _our_plan(
    compiled: Any,
    beside: Beside,
    deadline: float,
    seed: int,
    race: _Race,
    solving: Future,
    start: np.ndarray | None,
    offers: PlanOffers | None,
) -> Improvement | None:
    """`start` (the plan HiGHS started from) or else the start heuristic's plan made here, improved by fix-and-optimize
    until `deadline`, each cheaper plan passed to `offers`; None when there is no start plan."""
    values = start
    setup = SETUP_SECONDS_PER_COLUMN * len(compiled.arrays.col_cost)
    if values is None and _start_here(beside, max(0.0, deadline - time.perf_counter() - setup)):
        values = compiled.values()
    if values is None:
        return None
    cost = objective_of(compiled.arrays, values)
    race.from_ours(cost)
    if deadline - time.perf_counter() < setup + MIN_STEP_SECONDS:  # no time to set the steps up: the start stands
        return Improvement(cost, values)
    stages = _short_of_the_whole(_columns(compiled.variables, beside.neighbourhoods()), compiled.arrays.integrality > 0)

    def stop() -> bool:
        return race.stop.is_set() or solving.done()

    def better(found: Improvement) -> None:
        race.from_ours(found.objective)
        if offers is not None:
            offers.offer(found.values)

    return improve(compiled.arrays, values, stages, deadline, seed, better, stop, outside=race.their_new_plan)


def _outcome_by(solving: Future, limit: float, race: _Race) -> ChildOutcome:
    """The child's outcome; HiGHS may overrun its own limit in a long cut round, so at `limit` it is stopped."""
    try:
        return solving.result(timeout=max(0.0, limit - time.perf_counter()))
    except TimeoutError:
        race.stop.set()
        return solving.result()


def _how_ours_was_found(ours: Improvement, gap_reached: bool) -> str:
    """The planner's sentence on where the kept plan, made here, came from."""
    if ours.steps or ours.taken:
        whose = "the engine's start plan" if not ours.taken else "the engine's start plan and the solver's own plans"
        return f"the plan is {whose}, improved beside the solver ({ours.summary})"
    why = "it was within the gap of the bound before any step" if gap_reached else "no time was left to improve it"
    return f"the plan is the engine's start plan, made beside the solver ({why})"


def solve_beside(
    model: Any,
    params: SolveParams,
    time_limit: float,
    progress: ProgressCallback | None,
    beside: Beside,
    has_start: bool = False,
) -> SolverOutcome:
    """HiGHS in its child, fix-and-optimize here (after the start heuristic, unless `has_start`); the better plan.

    With `has_start` (the model holds the start plan, made first), HiGHS starts from it and takes each cheaper plan.
    """
    from optimizer.backends.highs_process import collect, start_child
    from optimizer.backends.pyomo_arrays import compile_model

    began = time.perf_counter()
    if time_limit < seconds_to_load(model) - LOAD_START_SECONDS:  # no time for HiGHS: the start plan, if any
        made = has_start or _start_here(beside, max(0.0, time_limit - MARGIN_SECONDS))
        return out_of_time(model, began, made)
    compiled = compile_model(model)
    race = _Race(progress, params.gap)
    remaining = time_limit - (time.perf_counter() - began)
    if remaining < MIN_CHILD_SECONDS:  # reading the model took the time: the limit holds, no solver run past it
        return out_of_time(model, began, has_start)
    # A model small enough to take the start also takes each cheaper plan found here (larger ones: see MIP_START_MAX_COLUMNS)
    mip_start = compiled.values() if has_start else None
    running = start_child(compiled.arrays, child_options(model, params), mip_start, remaining, takes_offers=has_start)
    with ThreadPoolExecutor(max_workers=1) as pool:  # reads the child's reports while this thread works
        try:  # from the reader's start: leaving the pool waits for it, so it must have been told to stop
            solving = pool.submit(collect, running, race.from_highs, race.stop, race.plan_from_highs)
            deadline = began + time_limit - MARGIN_SECONDS
            ours = _our_plan(compiled, beside, deadline, params.seed, race, solving, mip_start, running.offers)
            child = _outcome_by(solving, began + time_limit, race)
        except BaseException:  # e.g. Ctrl-C, while either side works: the child is stopped at once, not at the limit
            race.stop.set()
            raise
    has_solution = child.values is not None
    status = from_highs(child.model_status, has_solution)
    objective, bound = child.objective, child.bound
    message = child.error or ("stopped at the time limit" if child.killed and not race.gap_reached else "")
    if has_solution:
        compiled.load(child.values)
    if (
        ours is not None
        and status is not Status.INFEASIBLE
        and (objective is None or ours.objective < objective - 1e-9)
    ):
        compiled.load(ours.values)
        objective = ours.objective
        if status in (Status.NO_SOLUTION, Status.ERROR):
            status = Status.FEASIBLE
        found = _how_ours_was_found(ours, race.gap_reached)
        message = f"{message}; {found}" if message else found
    if race.gap_reached and status is Status.FEASIBLE:  # stopped there: whichever side's plan is kept, it is within
        status = Status.OPTIMAL
        message = "the plan is within the gap of the solver's bound" + (f"; {message}" if message else "")
    seconds = time.perf_counter() - began
    return finished(status, objective, bound, seconds, "highs", highs_version(), child.model_status, message)
