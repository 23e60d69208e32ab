"""HiGHS beside CP-SAT's neighbourhood rounds in one process, the two handing each other their best plans.

A race of two separate solvers keeps the better plan but neither learns from the other: HiGHS's
tree search finds good plans on mid-sized models, CP-SAT's rounds improve any plan they are given,
and a better incumbent lets HiGHS prune more. Here HiGHS runs in a thread of the LNS process; each
of its improving plans is offered to the rounds, and each better plan of the rounds, completed to
every HiGHS column, is given to HiGHS through its user-solution callback. The plans cross as the
values of the `shared` variables (the same decisions in both models, e.g. who works which shift).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.backends.highs_process import LpArrays
from optimizer.backends.highs_threads import reset_scheduler

TOLERANCE = 1e-6  # objective difference below which two plans are equally good (both models in the same units)


@dataclass
class PartnerSpec:
    """The MILP as arrays and where the shared variables are: column `columns[k]` is CP-SAT variable `variables[k]`."""

    arrays: LpArrays
    columns: list[int]
    variables: list[int]
    options: dict[str, Any] = field(default_factory=dict)  # extra HiGHS options (threads, gap, seed come from params)


@dataclass
class Offer:
    """A plan of one side: its objective (model units) and the shared variables' values."""

    objective: float
    shared: np.ndarray


class HighsPartner:
    """HiGHS solving in a thread; `latest` is its newest incumbent, `give` hands it a better plan of the rounds."""

    def __init__(self, spec: PartnerSpec, threads: int, seed: int, gap: float) -> None:
        self.spec, self.threads, self.seed, self.gap = spec, threads, seed, gap
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.done = threading.Event()
        self.latest: Offer | None = None  # HiGHS's best plan so far
        self.version = 0  # bumped at each HiGHS improvement
        self.pending: np.ndarray | None = None  # a complete plan of the rounds waiting for HiGHS's callback
        self.given = 0  # plans of the rounds HiGHS took
        self.bound: float | None = None
        self.status = "not run"
        self.thread: threading.Thread | None = None

    def start(self, limit: float) -> None:
        self.thread = threading.Thread(target=self._run, args=(limit,), daemon=True)
        self.thread.start()

    def proven(self) -> bool:
        """True when HiGHS has ended proving its plan optimal (within the gap)."""
        return self.done.is_set() and self.status == "kOptimal"

    def finish(self) -> None:
        """Stop HiGHS and wait for its thread."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def _highs(self, options: dict[str, Any]) -> Any:
        import highspy

        highs = highspy.Highs()
        highs.setOptionValue("log_to_console", False)
        for key, value in options.items():
            highs.setOptionValue(key, value)
        highs.passModel(self.spec.arrays.to_lp())
        return highs

    def _run(self, limit: float) -> None:
        options = {"threads": self.threads, "random_seed": self.seed, "mip_rel_gap": self.gap, "time_limit": limit}
        reset_scheduler()  # a pool of this thread count, shared with the completions of `give` (see highs_threads)
        highs = self._highs({**options, **self.spec.options})
        columns = np.asarray(self.spec.columns, dtype=np.int64)

        def improving(event: Any) -> None:
            out = event.data_out
            values = np.asarray(out.mip_solution, dtype=float)
            with self.lock:
                if self.latest is None or out.objective_function_value < self.latest.objective - TOLERANCE:
                    self.latest = Offer(out.objective_function_value, np.rint(values[columns]).astype(np.int64))
                    self.version += 1

        def user_solution(event: Any) -> None:
            with self.lock:
                plan, self.pending = self.pending, None
            if plan is not None:
                event.data_in.setSolution(plan)
                self.given += 1

        def interrupt(event: Any) -> None:
            if self.stop.is_set():
                event.interrupt()

        highs.cbMipImprovingSolution.subscribe(improving)
        highs.cbMipUserSolution.subscribe(user_solution)
        highs.cbMipInterrupt.subscribe(interrupt)
        try:
            highs.run()
            self.status = highs.getModelStatus().name
            self.bound = float(highs.getInfo().mip_dual_bound)
        finally:
            self.done.set()

    def give(self, objective: float, shared: np.ndarray, seconds: float = 2.0) -> bool:
        """Hand HiGHS a plan of the rounds better than its own: completed to every column by HiGHS with the
        shared variables fixed, then taken at HiGHS's next user-solution callback. True when queued."""
        with self.lock:
            if self.done.is_set() or (self.latest is not None and objective >= self.latest.objective - TOLERANCE):
                return False
        if self.thread is None:
            reset_scheduler()  # no run of ours has set the pool's thread count yet
        fixed = self._highs({"threads": self.threads, "time_limit": seconds})
        for column, value in zip(self.spec.columns, shared, strict=True):
            fixed.changeColBounds(int(column), float(value), float(value))
        fixed.run()
        if fixed.getInfo().primal_solution_status != 2:
            return False
        with self.lock:
            self.pending = np.asarray(fixed.getSolution().col_value, dtype=float)
        return True
