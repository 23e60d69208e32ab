"""Fix-and-optimize: improve a feasible plan by small MILPs, each freeing the runs of a few periods.

LP rounding and lot merging leave plans a few percent above the optimum on tight capacities
(setup times); HiGHS started from such a plan spends most of a short limit finding better ones.
Here each step frees the run decisions of a window of consecutive periods (every routing), fixes
all others at the plan's values, and lets HiGHS solve that small MILP from the plan; a cheaper
answer becomes the plan. Windows slide over the horizon, half overlapping, until a pass improves
nothing or the time is used. Steps stop at a node limit (the same input gives the same plan),
the time only guards the whole. Measured on Trigeiro's CLSP X11119A: the quick plan 9,267.0 -> 9,245.2
in 28 s. Not yet the kind's default start (`warm_start` here): at 60 s it was not measured to help
on every lot-sizing instance (X11218A and X11219A came out worse in one disturbed run).
"""

from __future__ import annotations

import time
from typing import Any

from models.production import heuristic
from models.production.data import Scenario
from optimizer.backends.highs_threads import reset_scheduler

SHARE = 0.5  # of the seconds left before the solve, the start (rounding, merging, then these steps) takes at most this
MOST_SECONDS = 15.0  # and at most this long: HiGHS from the better plan needs the rest
WINDOW = 6  # periods freed per step: 60 runs at 10 products, a sub-MILP of well under a second
MAX_RUNS = 2_000  # only for models up to this many run decisions (the steps re-solve the whole model)
STEP_NODES = 500  # node limit of one step, so the result does not depend on the machine's speed


def _windows(n_periods: int, window: int) -> list[range]:
    """Windows of `window` periods, each starting half a window after the previous, the last ending at the horizon."""
    if n_periods <= window:
        return [range(n_periods)]
    step = max(1, window // 2)
    starts = list(range(0, n_periods - window, step)) + [n_periods - window]
    return [range(a, a + window) for a in starts]


class _SubMilp:
    """The model in one in-process HiGHS, its run columns fixed or freed by bounds between steps."""

    def __init__(self, m: Any) -> None:
        import numpy as np
        import pyomo.environ as pyo
        from pyomo.contrib.solver.solvers.highs import Highs

        self.m = m
        self.pyomo = Highs()
        self.pyomo.set_instance(m)
        self.highs = self.pyomo._solver_model
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("mip_max_nodes", STEP_NODES)
        self.columns = self.pyomo._pyomo_var_to_solver_var_map
        self.variables = list(m.component_data_objects(pyo.Var, active=True, descend_into=True))
        self.run_keys = list(m.run.keys())
        self.run_columns = np.asarray([self.columns[id(m.run[key])] for key in self.run_keys], dtype=np.int32)
        self.values = np.zeros(self.highs.getNumCol())
        for var in self.variables:
            self.values[self.columns[id(var)]] = float(var.value or 0.0)

    def cost(self, values: Any) -> float:
        lp = self.highs.getLp()
        return float(lp.offset_ + values @ lp.col_cost_)

    def step(self, free: set[tuple[int, int]], seconds: float) -> Any | None:
        """Solve with the runs outside `free` fixed at the plan's values; the new column values, or None."""
        import highspy
        import numpy as np

        fixed = np.round(self.values[self.run_columns])
        is_free = np.asarray([key in free for key in self.run_keys])
        lower = np.where(is_free, 0.0, fixed)
        upper = np.where(is_free, 1.0, fixed)
        self.highs.changeColsBounds(len(self.run_columns), self.run_columns, lower, upper)
        start = highspy.HighsSolution()
        start.col_value = list(self.values)
        start.value_valid = True
        self.highs.setSolution(start)
        self.highs.setOptionValue("time_limit", max(0.01, seconds))
        reset_scheduler()
        self.highs.run()
        if self.highs.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        return np.asarray(self.highs.getSolution().col_value)

    def load(self) -> None:
        """The plan's values into the Pyomo model's variables."""
        for var in self.variables:
            var.set_value(float(self.values[self.columns[id(var)]]), skip_validation=True)


def improve(m: Any, n_periods: int, deadline: float, window: int = WINDOW) -> float | None:
    """Improve the feasible plan loaded in `m` until `deadline` (perf_counter); its cost, or None when not run."""
    if not len(m.run) or len(m.run) > MAX_RUNS or time.perf_counter() >= deadline:
        return None
    sub = _SubMilp(m)
    best = sub.cost(sub.values)
    windows = _windows(n_periods, window)
    improved = True
    while improved:
        improved = False
        for periods in windows:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            free = {key for key in sub.run_keys if key[1] in periods}
            values = sub.step(free, left)
            if values is not None and sub.cost(values) < best - 1e-6 * max(1.0, abs(best)):
                sub.values, best, improved = values, sub.cost(values), True
    sub.load()
    return best


def warm_start(s: Scenario, m: Any, seconds: float | None = None) -> bool:
    """The quick plan (LP rounding, lot merging), then improved by fix-and-optimize; False when there is none."""
    began = time.perf_counter()
    if not heuristic.warm_start(s, m, seconds):
        return False
    budget = MOST_SECONDS if seconds is None else min(MOST_SECONDS, SHARE * seconds)
    improve(m, s.n_periods, began + budget)
    return True
