"""Fix-and-optimize on a MILP given as arrays: free one neighbourhood of columns, fix the rest, re-solve.

Each step holds every column outside the neighbourhood at the incumbent's value and solves what
is left (HiGHS's presolve removes the fixed part, so a step is a small MIP) from the incumbent.
Any solution of a step is a plan of the whole model, so a cheaper one becomes the incumbent.
Used where the whole-model search is too slow to improve the engine's start plan (production at
200 products x 52 weeks: HiGHS found nothing better than the start in 250 s).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.backends.highs_process import LpArrays
from optimizer.backends.highs_threads import reset_scheduler

# Seconds per step at first (doubled once every stage has gone quiet with steps cut by it, see improve). Measured at
# 200 products x 52 weeks (one resource's products over 12 weeks): HiGHS's root cut rounds close a step's gap in
# 3-6 s and its better plan comes at their end; 2, 3 and 8 s steps took 0.09%, 0.10% and 0.09% off the plan in 120 s,
# 3 s steps 0.14% in 200 s
STEP_SECONDS = 3.0
MIN_STEP_SECONDS = 0.5  # less time than this left: no further step
# A step's objective is the whole plan's cost: its gap must be absolute-sized, not HiGHS's default 0.01% of the total
STEP_REL_GAP = 1e-7


@dataclass
class Improvement:
    """The best plan found (column values and objective) and how the steps went."""

    objective: float
    values: np.ndarray
    steps: int = 0
    improved: int = 0  # steps that found a cheaper plan
    step_seconds: float = STEP_SECONDS  # each step's time limit when the search ended (it doubles, see improve)
    taken: int = 0  # cheaper plans taken from outside (the whole-model solver's), to go on from

    @property
    def summary(self) -> str:
        took = f"; it went on from {self.taken} of the solver's plans" if self.taken else ""
        return f"{self.improved} of {self.steps} fix-and-optimize steps found a cheaper plan{took}"


def objective_of(arrays: LpArrays, values: np.ndarray) -> float:
    """The model's objective at column values `values`."""
    return float(arrays.col_cost @ values + arrays.offset)


def improve(
    arrays: LpArrays,
    values: np.ndarray,
    stages: Sequence[Sequence[np.ndarray]],
    deadline: float,
    seed: int = 0,
    on_better: Callable[[Improvement], None] | None = None,
    stop: Callable[[], bool] | None = None,
    step_seconds: float = STEP_SECONDS,
    outside: Callable[[], tuple[float, np.ndarray] | None] | None = None,
) -> Improvement:
    """Steps over each stage's neighbourhoods (arrays of column indices), round after round, until `deadline`.

    `values` must be a feasible plan of the model. A round of a stage with no improvement in any
    step moves on to the next stage (each neighbourhood is then optimal around the incumbent, or as
    good as its step time allows); after the last stage the first comes again, on the plan the later
    ones changed. When every stage in turn has had a round with nothing cheaper on the same plan, the
    search ends if no step of those rounds was cut by its time limit (the plan is then optimal in every
    neighbourhood); else the steps get twice the time and the stages go round again. Each round starts with
    the neighbourhoods nearest the last step's change (see nearest_first), and skips those already searched
    around the same plan (see _Searched). `on_better` is
    told of every cheaper plan; `stop` returning True ends the search. `outside`, asked before each
    step, may give a plan found elsewhere (objective, column values): when it is cheaper, the steps go
    on from it.
    """
    import highspy

    best = Improvement(objective_of(arrays, values), np.asarray(values, dtype=float).copy(), step_seconds=step_seconds)
    if not any(len(stage) for stage in stages) or arrays.sense != 1:  # minimisation only (every model that uses it)
        return best
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", seed)
    highs.setOptionValue("mip_rel_gap", STEP_REL_GAP)
    highs.passModel(arrays.to_lp())
    steps = _Steps(highs, arrays, np.arange(len(arrays.col_cost), dtype=np.int32), deadline, on_better, stop, outside)
    # A stage that changed the plan hands on to the next, not back to the first: going back (variable neighbourhood
    # descent) gained nothing at 60 s on the lot-sizing files (benchmarks/LOTSIZING.md)
    quiet = 0  # stages in a row whose last round found nothing cheaper on the current plan
    cut_while_quiet = False  # a step of those rounds was stopped by its time limit
    in_turn = itertools.cycle(enumerate(stages))
    while True:
        if quiet == len(stages):
            if not cut_while_quiet:
                return best
            best.step_seconds *= 2
            quiet, cut_while_quiet = 0, False
        ran = steps.rounds(best, *next(in_turn))
        if ran is None:
            return best
        gained, cut = ran
        quiet, cut_while_quiet = (1, cut) if gained else (quiet + 1, cut_while_quiet or cut)


@dataclass(frozen=True)
class _Searched:
    """A neighbourhood's last step: around which plan (the incumbent's number, see _Steps.plan), how long it was
    given and whether its time limit cut it. A step that ran to its end proved nothing cheaper lies there; one
    cut would, given the same time again, stop where it did. So it runs again around a new plan, or after a cut
    with more time. On X11119A (seed 1) the round after a cheaper plan repeated, around that plan, every step of
    the round before: 8 s of the 60."""

    plan: int
    seconds: float
    cut: bool

    def covers(self, plan: int, seconds: float) -> bool:
        """A step around `plan` given `seconds` would repeat this one."""
        return self.plan == plan and (not self.cut or self.seconds >= seconds)


@dataclass
class _Steps:
    """What every step of one search shares: HiGHS with the whole model loaded, its arrays, every column's index
    and which columns are integer (made once), the deadline and the caller's hooks (see improve)."""

    highs: Any
    arrays: LpArrays
    columns: np.ndarray
    deadline: float
    on_better: Callable[[Improvement], None] | None
    stop: Callable[[], bool] | None
    outside: Callable[[], tuple[float, np.ndarray] | None] | None
    integer: np.ndarray = field(init=False)
    # integer columns changed by the last step that found a cheaper plan: the next round starts near them
    last_changed: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    plan: int = 0  # the incumbent's number: one more at every cheaper plan
    searched: dict[tuple[int, int], _Searched] = field(default_factory=dict)  # by (stage, neighbourhood)

    def __post_init__(self) -> None:
        self.integer = self.arrays.integrality > 0

    def rounds(self, best: Improvement, number: int, stage: Sequence[np.ndarray]) -> tuple[bool, bool] | None:
        """Rounds of steps over the neighbourhoods of stage `number`, `best` updated, until a round finds nothing
        cheaper: (whether the plan changed, whether a step of that last round was cut by its time limit); None when
        the deadline is near or `stop` says so."""
        gained = False
        improved_in_round = True
        while improved_in_round:
            improved_in_round = cut_in_round = False
            for k in nearest_first(stage, self.last_changed):
                left = self.deadline - time.perf_counter()
                if left < MIN_STEP_SECONDS or (self.stop is not None and self.stop()):
                    return None
                if self.take(best):
                    improved_in_round = gained = True
                seconds = min(best.step_seconds, left)
                before = self.searched.get((number, k))
                if before is not None and before.covers(self.plan, seconds):
                    cut_in_round |= before.cut
                    continue
                around = self.plan
                found, cut = self.step(best.values, stage[k], seconds)
                best.steps += 1
                cut_in_round |= cut
                cheaper = found is not None and self.better(best, found)
                # a step that ran to its end proved its plan the best of the neighbourhood: a search around that plan
                self.searched[number, k] = _Searched(around if cut else self.plan, seconds, cut)
                improved_in_round |= cheaper
                gained |= cheaper
        return gained, cut_in_round

    def take(self, best: Improvement) -> bool:
        """Make the plan `outside` offers (objective, column values) the incumbent if it is cheaper, its integer columns
        rounded (a step holds the columns it does not free at exactly these values); whether it was."""
        plan = self.outside() if self.outside is not None else None
        if plan is None or not _cheaper(plan[0], best.objective):
            return False
        values = np.asarray(plan[1], dtype=float).copy()
        values[self.integer] = np.round(values[self.integer])
        cost = objective_of(self.arrays, values)
        if not _cheaper(cost, best.objective):
            return False
        self._become(best, cost, values)
        best.taken += 1
        return True

    def better(self, best: Improvement, found: np.ndarray) -> bool:
        """Make `found` the incumbent if it is cheaper (and tell `on_better`); whether it was."""
        cost = objective_of(self.arrays, found)
        if not _cheaper(cost, best.objective):
            return False
        self.last_changed = np.flatnonzero(self.integer & (np.abs(found - best.values) > 0.5))
        self._become(best, cost, found)
        best.improved += 1
        if self.on_better is not None:
            self.on_better(best)
        return True

    def _become(self, best: Improvement, cost: float, values: np.ndarray) -> None:
        """Make `values` (costing `cost`) the incumbent, under a new number (what _Searched records steps around)."""
        best.objective, best.values = cost, values
        self.plan += 1

    def step(self, incumbent: np.ndarray, free: np.ndarray, seconds: float) -> tuple[np.ndarray | None, bool]:
        """The plan HiGHS finds in `seconds` with only the columns `free` left to move from `incumbent` (None if it
        finds none), and whether the time limit stopped it before it proved that plan the best of the neighbourhood.
        """
        import highspy

        lower, upper = incumbent.copy(), incumbent.copy()
        lower[free], upper[free] = self.arrays.col_lower[free], self.arrays.col_upper[free]
        self.highs.changeColsBounds(len(self.columns), self.columns, lower, upper)
        start = highspy.HighsSolution()
        start.col_value = incumbent
        self.highs.setSolution(start)
        self.highs.setOptionValue("time_limit", seconds)
        reset_scheduler()
        self.highs.run()
        cut = self.highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        if self.highs.getInfo().primal_solution_status != 2:  # no plan (a numerically infeasible step): skip it
            return None, cut
        return np.asarray(self.highs.getSolution().col_value, dtype=float), cut


def nearest_first(stage: Sequence[np.ndarray], changed: np.ndarray) -> list[int]:
    """The order of `stage`'s neighbourhoods in a round: those that free more of the integer columns `changed` (by
    the last step that found a cheaper plan) first, else their own: a change opens the way to others near it, and a
    stage's round would otherwise reach them only after every neighbourhood before them (benchmarks/LOTSIZING.md)."""
    if not len(changed):
        return list(range(len(stage)))
    near = [int(np.isin(changed, free).sum()) for free in stage]
    return sorted(range(len(stage)), key=lambda k: -near[k])


def _cheaper(cost: float, than: float) -> bool:
    """`cost` is below `than` by more than rounding noise (a millionth, or a 1e-10 share of large objectives)."""
    return cost < than - max(1e-6, 1e-10 * abs(than))
