"""A quick feasible plan to warm-start the MILP and to fall back on when the solver finds none.

LP rounding, then lot merging: solve the LP relaxation and open a production run wherever the
LP makes anything; solve the LP again with those runs fixed (quantities, stock, backlog and
overtime are then exact). Then, in rounds, close the runs whose setup cost is larger than the
cost of making their quantity in the product's neighbouring run (holding it from an earlier run,
or letting it wait for a later one), re-solve the LP and keep the round if the plan got cheaper
(else retry with half of the closures). Rounding up only adds setup time: when that breaks
capacity the first fixed LP is infeasible and there is no warm start.

Given the seconds left before the solve, the start uses at most a share of them: it does not
begin when loading and solving one LP of the model's size would not fit, every LP solve stops
at what is left, and lot merging ends with the last accepted round.
"""

from __future__ import annotations

import time
from typing import Any

from models.production import cuts
from models.production.data import Scenario
from models.production.milp import structure
from optimizer.backends.highs_threads import reset_scheduler

LP_SECONDS = 60.0
MERGE_SECONDS = 30.0  # most time for the lot-merging rounds
MAX_ROUNDS = 100
CUT_ROUNDS = 10  # most rounds of (l,S) cuts on the LP relaxation
CUT_SHARE = 0.1  # of the start's time; at 200 products x 52 weeks one round takes 10-25 s for +0.03% of LP bound
CUT_GAIN = 5e-4  # stop when a round raises the LP bound by less than this share
SHARE = 0.5  # of the seconds left before the solve, at most this share for the start (the solver gets the rest)
SIZE_PER_SECOND = 10_000  # measured at 300 products: loading and one LP solve take a second per 10k rows + columns


def _set(v: Any, value: float) -> None:
    """Hold a relaxed run at 0 or 1 through its bounds: a bound change is a cheap update of the LP in place."""
    v.setlb(value)
    v.setub(value)
    v.set_value(value)


class _Lp:
    """One HiGHS instance reused across the LP solves (Pyomo updates it in place)."""

    def __init__(self, deadline: float) -> None:
        from pyomo.contrib.solver.solvers.highs import Highs

        self.deadline = deadline
        self.last = 0.0  # seconds the last solve took
        self.solver = Highs()
        self.solver.config.load_solutions = False
        self.solver.config.raise_exception_on_nonoptimal_result = False
        self.solver.config.solver_options["threads"] = 1
        self.solver.config.solver_options["output_flag"] = False

    def solve(self, m: Any) -> float | None:
        """Solve the model's current LP and load the values; its objective, or None when not optimal."""
        import pyomo.environ as pyo
        from pyomo.contrib.solver.common.results import TerminationCondition

        left = self.deadline - time.perf_counter()
        if left <= 0.05:
            return None
        self.solver.config.time_limit = min(LP_SECONDS, left)
        began = time.perf_counter()
        reset_scheduler()
        results = self.solver.solve(m)
        self.last = time.perf_counter() - began
        if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
            return None
        results.solution_loader.load_vars()
        return float(pyo.value(m.objective))


def _closures(s: Scenario, m: Any, open_runs: list[tuple[int, int]]) -> list[tuple[float, tuple[int, int]]]:
    """Open runs worth closing, best first: (estimated saving, run), at most one per routing and round.

    A run's quantity can move to the product's previous run (and be held), to its next run (and
    wait, where backlog is allowed) or to a run of another routing in the same period.
    """
    st = structure(s)
    by_routing: dict[int, list[int]] = {}
    by_product_period: dict[tuple[int, int], list[int]] = {}
    for k, t in open_runs:
        by_routing.setdefault(k, []).append(t)
        by_product_period.setdefault((s.routings[k].product, t), []).append(k)
    out = []
    for k, periods in by_routing.items():
        routing = s.routings[k]
        product = s.products[routing.product]
        periods.sort()
        best: tuple[float, tuple[int, int]] | None = None
        for j, t in enumerate(periods):
            qty = m.make[k, t].value or 0.0
            moves = []
            if j > 0:  # make it in the previous run and hold it
                moves.append(product.holding_cost * qty * (t - periods[j - 1]))
            if j + 1 < len(periods) and routing.product in st.backlog_products:  # or let it wait
                moves.append((product.backlog_cost or 0.0) * qty * (periods[j + 1] - t))
            for other in by_product_period[routing.product, t]:  # or make it on another resource
                if other != k:
                    moves.append(max(0.0, s.routings[other].unit_cost - routing.unit_cost) * qty)
            if moves and routing.setup_cost - min(moves) > 1e-6:
                saving = routing.setup_cost - min(moves)
                if best is None or saving > best[0]:
                    best = (saving, (k, t))
        if best is not None:
            out.append(best)
    out.sort(key=lambda x: -x[0])
    return out


def _merge(s: Scenario, m: Any, lp: _Lp, cost: float, deadline: float) -> float:
    """Close runs in rounds while the fixed LP gets cheaper; returns the final cost (values loaded)."""
    for _ in range(MAX_ROUNDS):
        open_runs = [key for key, v in m.run.items() if v.value > 0.5]
        candidates = _closures(s, m, open_runs)
        batch = len(candidates)
        improved = False
        while batch >= 1 and time.perf_counter() + 2 * lp.last < deadline:  # time for this and the final solve
            chosen = [key for _, key in candidates[:batch]]
            for key in chosen:
                _set(m.run[key], 0.0)
            new = lp.solve(m)
            if new is not None and new < cost - 1e-6:
                cost, improved = new, True
                break
            for key in chosen:
                _set(m.run[key], 1.0)
            batch //= 2
        if not improved:
            break
        for key, v in m.run.items():
            if v.value > 0.5 and (m.make[key].value or 0.0) <= 1e-7:
                _set(v, 0.0)  # a run that makes nothing only costs its setup
    final = lp.solve(m)  # reload the values of the last accepted round
    return cost if final is None else final


def _value(x: Any) -> float:
    """A Pyomo expression's value as a float."""
    import pyomo.environ as pyo

    return float(pyo.value(x))


def _strengthen(s: Scenario, m: Any, lp: _Lp, deadline: float) -> int:
    """Add rounds of violated (l,S) cuts to the model, re-solving its LP relaxation; the number of cuts added.

    The cuts stay in the model: the solver starts from the tighter relaxation, and the rounding
    below starts from its values.
    """
    added = 0
    bound = _value(m.objective)
    for _ in range(CUT_ROUNDS):
        if time.perf_counter() + 2 * lp.last > deadline:
            break
        found = cuts.separate(s, m.structure, m, m.cut_products)
        if not found:
            break
        cuts.add(s, m.structure, m, found)
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


def warm_start(s: Scenario, m: Any, seconds: float | None = None, merge_seconds: float = MERGE_SECONDS) -> bool:
    """Load an LP-rounding plan, improved by lot merging, within a share of `seconds`; False when there is none."""
    if not len(m.run):
        return False  # no runs: the MILP is an LP and needs no start
    budget = float("inf") if seconds is None else SHARE * seconds
    if budget < seconds_needed(m):
        return False  # not even the first LP would end in time: the solver gets all of it
    deadline = time.perf_counter() + budget
    runs = _relaxed(m)
    lp = _Lp(deadline)
    try:
        if lp.solve(m) is None:
            return False
        _strengthen(s, m, lp, time.perf_counter() + CUT_SHARE * (deadline - time.perf_counter()))
        for (k, t), v in m.run.items():
            _set(v, 1.0 if (m.make[k, t].value or 0.0) > 1e-7 else 0.0)
        cost = lp.solve(m)
        if cost is None:
            return False
        for key, v in m.run.items():
            if (m.make[key].value or 0.0) <= 1e-7:
                _set(v, 0.0)
        cost = lp.solve(m) or cost  # the same plan without the setups of empty runs
        if merge_seconds > 0:
            _merge(s, m, lp, cost, min(deadline, time.perf_counter() + merge_seconds))
        return True
    finally:
        _restore(runs)
