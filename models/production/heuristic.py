"""A quick feasible plan to warm-start the MILP and to fall back on when the solver finds none.

LP rounding, then lot merging: solve the LP relaxation and open a production run wherever the
LP makes anything; solve the LP again with those runs fixed (quantities, stock, backlog and
overtime are then exact). Then, in rounds, close the runs whose setup cost is larger than the
cost of making their quantity in the product's neighbouring run (holding it from an earlier run,
or letting it wait for a later one), re-solve the LP and keep the round if the plan got cheaper
(else retry with half of the closures). Rounding up only adds setup time: when that breaks
capacity the first fixed LP is infeasible and there is no warm start.

Given the seconds it may use (the caller's share: half the time left before the solver, or all of
it beside the solver), it does not begin when loading and solving one LP of the model's size would
not fit, every LP solve stops at what is left, and lot merging ends with the last accepted round
(its values are kept, so no final re-solve is needed).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from models.production import cuts
from models.production.data import Scenario
from optimizer.backends.highs_threads import reset_scheduler

LP_SECONDS = 60.0
MERGE_SECONDS = 30.0  # most time for the lot-merging rounds
MAX_ROUNDS = 100
CUT_ROUNDS = 10  # most rounds of (l,S) cuts on the LP relaxation
CUT_SHARE = 0.1  # of the start's time
CUT_MAX_SIZE = 50_000  # rows + columns; above it no cut rounds (200 products x 52 weeks, 100k: 2 rounds cost 15 s, lower final bound)
CUT_GAIN = 5e-4  # stop when a round raises the LP bound by less than this share
SIZE_PER_SECOND = 10_000  # measured at 300 products: loading and one LP solve take a second per 10k rows + columns
MADE = 1e-7  # a run making more than this many units stays open


class _Lp:
    """The model's LP loaded into HiGHS once, then re-solved in place: run bounds and new cut rows change.

    Pyomo loads the model; after that HiGHS is driven directly with arrays, because Pyomo's own
    re-solve checks every constraint for changes and reads every value back (measured at 200
    products x 52 weeks: 40 of the 57 s the start took).
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.last = 0.0  # seconds the last solve took
        self.x = np.zeros(0)  # column values of the last optimal solve
        self._solver: Any = None  # Pyomo's HiGHS interface, made at the first solve
        self._variables: list[Any] = []
        self._columns = np.zeros(0, dtype=np.int64)
        self._cuts_loaded = 0

    def _load_model(self, m: Any) -> None:
        import pyomo.environ as pyo
        from pyomo.contrib.solver.solvers.highs import Highs

        self._solver = Highs()
        self._solver.set_instance(m)
        highs = self._solver._solver_model
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        self._variables = [v for v in m.component_data_objects(pyo.Var, descend_into=True) if id(v) in self.column_of]
        self._columns = self.columns(self._variables)
        self._cuts_loaded = len(m.ls_cuts)

    @property
    def column_of(self) -> dict[int, int]:
        """HiGHS column of each Pyomo variable, by the variable's id (Pyomo's own map)."""
        return self._solver._pyomo_var_to_solver_var_map

    def columns(self, variables: Any) -> np.ndarray:
        """HiGHS columns of the given Pyomo variables, in their order."""
        column_of = self.column_of
        return np.fromiter((column_of[id(v)] for v in variables), dtype=np.int64)

    def fix(self, columns: np.ndarray, values: np.ndarray) -> None:
        """Hold relaxed runs at 0 or 1 through their bounds: a cheap change of the LP in place."""
        values = np.asarray(values, dtype=float)
        self._solver._solver_model.changeColsBounds(len(columns), columns, values, values)

    def forget_basis(self) -> None:
        """Solve the next LP afresh, with presolve: after thousands of bound changes that beats the old basis.

        Measured at 200 products x 52 weeks: the first fixed LP took 31 s from the relaxation's basis, 1.3 s afresh.
        """
        self._solver._solver_model.clearSolver()

    def solve(self, m: Any, load: bool = True) -> float | None:
        """Solve the model's current LP; its objective, or None when not optimal. `load`: values into the model."""
        import highspy

        if self.deadline - time.perf_counter() <= 0.05:
            return None
        if self._solver is None:
            self._load_model(m)
        elif len(m.ls_cuts) > self._cuts_loaded:  # cuts added to the model since the last solve
            self._solver.add_constraints(list(m.ls_cuts.values())[self._cuts_loaded :])
            self._cuts_loaded = len(m.ls_cuts)
        left = self.deadline - time.perf_counter()  # loading the model took its part (seconds at 300 products)
        if left <= 0.05:
            return None
        highs = self._solver._solver_model
        # HiGHS's clock runs on over every solve of one instance: the limit counts from its time so far
        highs.setOptionValue("time_limit", highs.getRunTime() + min(LP_SECONDS, left))
        began = time.perf_counter()
        reset_scheduler()
        highs.run()
        self.last = time.perf_counter() - began
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        self.x = np.asarray(highs.getSolution().col_value, dtype=float)
        if load:
            self.load(self.x)
        return float(highs.getInfo().objective_function_value)

    def load(self, x: np.ndarray) -> None:
        """Set every variable HiGHS was given from column values `x`."""
        for var, value in zip(self._variables, x[self._columns].tolist(), strict=True):
            var.set_value(value, skip_validation=True)


class _Runs:
    """The runs of a rounded plan: which are open, held in the LP through their bounds."""

    def __init__(self, m: Any, lp: _Lp) -> None:
        self.keys = list(m.run.keys())
        self.index = {key: j for j, key in enumerate(self.keys)}
        self.columns = lp.columns(m.run[key] for key in self.keys)
        self.make_columns = lp.columns(m.make[key] for key in self.keys)
        self.open = np.zeros(len(self.keys), dtype=bool)
        self.lp = lp

    def set(self, chosen: np.ndarray, is_open: bool | np.ndarray) -> None:
        """Open or close the runs at positions `chosen` (the LP's bounds follow)."""
        self.open[chosen] = is_open
        self.lp.fix(self.columns[chosen], self.open[chosen])

    def made(self, x: np.ndarray) -> np.ndarray:
        """Units each run makes in column values `x`."""
        return x[self.make_columns]

    def close_empty(self, x: np.ndarray) -> int:
        """Close open runs that make nothing in `x` (they only cost their setup); how many."""
        empty = np.flatnonzero(self.open & (self.made(x) <= MADE))
        self.set(empty, False)
        return len(empty)


def _closures(s: Scenario, runs: _Runs, x: np.ndarray) -> list[tuple[float, int]]:
    """Open runs worth closing, best first: (estimated saving, position in `runs`), at most one per routing and round.

    A run's quantity can move to the product's previous run (and be held), to its next run (and
    wait, where backlog is allowed) or to a run of another routing in the same period.
    """
    made = runs.made(x)
    by_routing: dict[int, list[int]] = {}
    by_product_period: dict[tuple[int, int], list[int]] = {}
    for j in np.flatnonzero(runs.open).tolist():
        k, t = runs.keys[j]
        by_routing.setdefault(k, []).append(t)
        by_product_period.setdefault((s.routings[k].product, t), []).append(k)
    out = []
    for k, periods in by_routing.items():
        routing = s.routings[k]
        product = s.products[routing.product]
        periods.sort()
        best: tuple[float, int] | None = None
        for j, t in enumerate(periods):
            qty = float(made[runs.index[k, t]])
            moves = []
            if j > 0:  # make it in the previous run and hold it
                moves.append(product.holding_cost * qty * (t - periods[j - 1]))
            if j + 1 < len(periods) and s.may_backlog(routing.product):  # or let it wait
                moves.append((product.backlog_cost or 0.0) * qty * (periods[j + 1] - t))
            for other in by_product_period[routing.product, t]:  # or make it on another resource
                if other != k:
                    moves.append(max(0.0, s.routings[other].unit_cost - routing.unit_cost) * qty)
            if moves and routing.setup_cost - min(moves) > 1e-6:
                saving = routing.setup_cost - min(moves)
                if best is None or saving > best[0]:
                    best = (saving, runs.index[k, t])
        if best is not None:
            out.append(best)
    out.sort(key=lambda x: -x[0])
    return out


def _merge(
    s: Scenario, m: Any, lp: _Lp, runs: _Runs, best: tuple[float, np.ndarray], deadline: float
) -> tuple[float, np.ndarray]:
    """Close runs in rounds while the fixed LP gets cheaper; the cheapest (cost, column values) found."""
    for _ in range(MAX_ROUNDS):
        candidates = _closures(s, runs, best[1])
        batch = len(candidates)
        improved = False
        while batch >= 1 and time.perf_counter() + lp.last < deadline:
            chosen = np.asarray([j for _, j in candidates[:batch]], dtype=np.int64)
            runs.set(chosen, False)
            new = lp.solve(m, load=False)
            if new is not None and new < best[0] - 1e-6:
                best, improved = (new, lp.x), True
                break
            runs.set(chosen, True)
            batch //= 2
        if not improved:
            break
        runs.close_empty(best[1])  # the values stay those of `best`: its empty runs made nothing
    return best


def _strengthen(s: Scenario, m: Any, lp: _Lp, bound: float, deadline: float) -> int:
    """Add rounds of violated (l,S) cuts to the model, re-solving its LP relaxation (of value `bound`); cuts added.

    The cuts stay in the model: the solver starts from the tighter relaxation, and the rounding
    below starts from its values.
    """
    added = 0
    for _ in range(CUT_ROUNDS):
        if time.perf_counter() + 2 * lp.last > deadline:
            break
        found = cuts.separate(s, m.structure, m, m.echelons)
        if not found:
            break
        cuts.add(m.structure, m, found)
        added += len(found)
        new = lp.solve(m)
        if new is None or new - bound < CUT_GAIN * abs(bound):
            break
        bound = new
    return added


def _relaxed(m: Any) -> list[Any]:
    """Runs as continuous columns for LP solves; `_restore` makes them binary again."""
    import pyomo.environ as pyo

    runs = list(m.run.values())
    for v in runs:
        v.domain = pyo.UnitInterval
    return runs


def _restore(runs: list[Any]) -> None:
    import pyomo.environ as pyo

    for v in runs:
        v.domain = pyo.Binary
        v.setlb(None)
        v.setub(None)


def seconds_needed(m: Any) -> float:
    """About how long loading the model into HiGHS and solving its LP relaxation once take."""
    return (m.nvariables() + m.nconstraints()) / SIZE_PER_SECOND


def _without_empty_runs(m: Any, lp: _Lp, runs: _Runs, best: tuple[float, np.ndarray]) -> tuple[float, np.ndarray]:
    """Close the runs that make nothing in `best` and re-solve: the same plan without their setups (else `best`)."""
    if not runs.close_empty(best[1]):
        return best
    cost = lp.solve(m, load=False)
    return (cost, lp.x) if cost is not None and cost <= best[0] + 1e-6 else best


def _rounded(s: Scenario, m: Any, lp: _Lp, merge_seconds: float) -> tuple[float, np.ndarray] | None:
    """From the LP values: runs open where the LP makes anything, then lot merging; (cost, column values) or None."""
    runs = _Runs(m, lp)
    runs.set(np.arange(len(runs.keys)), runs.made(lp.x) > MADE)
    lp.forget_basis()
    cost = lp.solve(m, load=False)
    if cost is None:
        return None
    best = _without_empty_runs(m, lp, runs, (cost, lp.x))
    if merge_seconds > 0:
        best = _merge(s, m, lp, runs, best, min(lp.deadline, time.perf_counter() + merge_seconds))
        best = _without_empty_runs(m, lp, runs, best)
    return best


def warm_start(s: Scenario, m: Any, seconds: float | None = None, merge_seconds: float = MERGE_SECONDS) -> bool:
    """Load an LP-rounding plan, improved by lot merging, within `seconds`; False when there is none."""
    if not len(m.run):
        return False  # no runs: the MILP is an LP and needs no start
    budget = float("inf") if seconds is None else seconds
    if budget < seconds_needed(m):
        return False  # not even the first LP would end in time: the solver gets all of it
    deadline = time.perf_counter() + budget
    relaxed = _relaxed(m)
    lp = _Lp(deadline)
    try:
        bound = lp.solve(m)
        if bound is None:
            return False
        if m.nvariables() + m.nconstraints() <= CUT_MAX_SIZE:
            _strengthen(s, m, lp, bound, time.perf_counter() + CUT_SHARE * (deadline - time.perf_counter()))
        best = _rounded(s, m, lp, merge_seconds)
        if best is None:
            return False
        lp.load(best[1])
        return True
    finally:
        _restore(relaxed)
