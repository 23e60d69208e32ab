"""Run HiGHS in a child process that is stopped for certain at the time limit.

HiGHS checks its time limit between cut rounds, and one root cut round on a large model took
minutes (measured: 2000 items, 300 s limit, 395 s wall). A child process can be killed; every
improving solution is sent to the parent as it is found, so a kill never loses the incumbent.
A crash of the native solver also stays in the child and becomes status 'error'.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from optimizer.backends.child import main_not_rerun
from optimizer.backends.outcome import Progress, ProgressCallback
from optimizer.core.memory import own_peak_kib, record_child_peak
from optimizer.core.status import relative_gap

ROWWISE = 2  # HiGHS MatrixFormat.kRowwise (kColwise is 1)
# HiGHS's own time limit ends this share of the run's limit (at most WRAP_UP_MAX s) before the child is killed, so it
# usually stops itself and sends its final bound; the kill at the limit is the guarantee (a cut round can overrun)
WRAP_UP_SHARE = 0.05
WRAP_UP_MAX = 1.0
# a child whose pipe has closed is ending: waited for this long, its exit code says how rather than "killed"
ENDING_SECONDS = 2.0


@dataclass
class LpArrays:
    """A HiGHS model as plain arrays, cheap to send to another process."""

    sense: int
    offset: float
    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix_format: int
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    integrality: np.ndarray
    cut_rows: int = 0  # the last rows are valid cuts (see cut_rows): the whole-model solve may leave them out

    def with_rows(self, upper: np.ndarray, start: np.ndarray, index: np.ndarray, value: np.ndarray) -> LpArrays:
        """These arrays with rows `sum <= upper` appended, given row-wise (start has one entry per row plus one)."""
        start_, index_, value_ = self.rowwise()
        return replace(
            self,
            row_lower=np.concatenate([self.row_lower, np.full(len(upper), -np.inf)]),
            row_upper=np.concatenate([self.row_upper, upper]),
            matrix_format=ROWWISE,
            start=np.concatenate([start_, start[1:] + len(index_)]).astype(np.int32),
            index=np.concatenate([index_, index]).astype(np.int32),
            value=np.concatenate([value_, value]),
            cut_rows=self.cut_rows + len(upper),
        )

    def without_cuts(self) -> LpArrays:
        """These arrays without their cut rows (views, no copy)."""
        keep = len(self.row_lower) - self.cut_rows
        start, index, value = self.rowwise()
        end = int(start[keep])
        return replace(
            self,
            row_lower=self.row_lower[:keep],
            row_upper=self.row_upper[:keep],
            matrix_format=ROWWISE,
            start=start[: keep + 1],
            index=index[:end],
            value=value[:end],
            cut_rows=0,
        )

    def rowwise(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, column, value) of the matrix stored row by row."""
        if self.matrix_format == ROWWISE:
            return self.start, self.index, self.value
        column = np.repeat(np.arange(len(self.col_cost), dtype=np.int32), np.diff(self.start))
        order = np.argsort(self.index, kind="stable")
        start = np.zeros(len(self.row_lower) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.index, minlength=len(self.row_lower)), out=start[1:])
        return start, column[order], self.value[order]

    def to_lp(self) -> Any:
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = len(self.col_cost)
        lp.num_row_ = len(self.row_lower)
        lp.sense_ = highspy.ObjSense(self.sense)
        lp.offset_ = self.offset
        lp.col_cost_ = self.col_cost
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = self.col_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat(self.matrix_format)
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = self.start
        lp.a_matrix_.index_ = self.index
        lp.a_matrix_.value_ = self.value
        if len(self.integrality):
            lp.integrality_ = [highspy.HighsVarType(int(v)) for v in self.integrality]
        return lp


BLOCK_BOUND_SHARE = 0.4  # most of the time limit the blocks' LP bound may take before the whole model runs
BOUND_ONLY_SHARE = 0.95  # when no whole-model MIP follows, the rest is kept for reporting back
# measured: inventory --scale 500 with its cuts (2.36M nonzeros), HiGHS's root LP ended after ~50 s (1 thread); at
# 2000 items (9.4M) it did not end within 300 s and its process held ~3 GB
ROOT_LP_NONZEROS_PER_SECOND = 45_000


def whole_model(arrays: LpArrays, seconds: float) -> LpArrays:
    """What the whole-model MIP solves: with the cut rows only if its root LP should take at most half the time left.

    A root LP that does not end in time gives neither a bound nor a plan; the cuts still strengthen the blocks' bound.
    """
    if arrays.cut_rows and len(arrays.value) / ROOT_LP_NONZEROS_PER_SECOND > seconds / 2:
        return arrays.without_cuts()
    return arrays


@dataclass
class ChildOutcome:
    """What the child reported: HiGHS's model status name, objective, bound and solution."""

    model_status: str
    objective: float | None
    bound: float | None
    values: np.ndarray | None
    killed: bool = False
    error: str = ""


class PlanOffers:
    """The latest plan the parent offers the child's MIP search, in shared memory: the parent never waits on the child.

    HiGHS asks for it at its user-solution callback (after setup, at the root and between dives), checks
    it and keeps it if it is feasible and cheaper; its search then prunes against it and dives from it.
    """

    def __init__(self, context: Any, n_columns: int) -> None:
        self.version = context.Value("q", 0)  # with its own lock, which also guards the values
        self.values = context.RawArray("d", n_columns)

    def offer(self, values: np.ndarray) -> None:
        """Parent: replace the offered plan."""
        with self.version.get_lock():
            np.frombuffer(self.values)[:] = values
            self.version.value += 1

    def take(self, seen: int) -> tuple[int, np.ndarray | None]:
        """Child: (version, values) of a plan newer than version `seen`, or (seen, None)."""
        with self.version.get_lock():
            if self.version.value == seen:
                return seen, None
            return self.version.value, np.frombuffer(self.values).copy()


def _take_offers(highs: Any, offers: PlanOffers) -> None:
    """Hand HiGHS each plan the parent offers, at its user-solution callback."""
    seen = [0]

    def offered(event: Any) -> None:
        seen[0], values = offers.take(seen[0])
        if values is not None:
            event.data_in.setSolution(values)

    highs.cbMipUserSolution.subscribe(offered)


def _send_done(conn: Any, *outcome: Any) -> None:
    """The child's last messages: its memory peak (the parent stops reading at 'done'), then its outcome."""
    conn.send(("memory", own_peak_kib()))
    conn.send(("done", *outcome))


def own_limit(deadline: float, limit: float) -> float:
    """HiGHS's time limit in the child: until `deadline` (time.time(), the run's limit of `limit` s, which the
    child's start and imports have already eaten into) less the wrap-up that lets it stop before it is killed."""
    return max(0.1, deadline - time.time() - min(WRAP_UP_MAX, WRAP_UP_SHARE * limit))


def _child(
    conn: Any,
    model: Any,
    options: dict[str, Any],
    deadline: float,
    bound_only: bool = False,
    offers: PlanOffers | None = None,
) -> None:
    """Child process body: read the model (arrays, start, linking rows, plan) from `model`, then solve until
    `deadline` (see own_limit), streaming progress and every improving solution (and taking the parent's offers)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # HiGHS prints a banner on creation; the parent owns the terminal
    arrays, start, linking, plan = model.recv()
    model.close()
    import highspy

    options = {**options, "time_limit": own_limit(deadline, float(options["time_limit"]))}
    try:
        if linking is not None and bool(np.any(arrays.integrality)):
            from optimizer.backends.highs_blocks import relaxation_bound

            share = (BOUND_ONLY_SHARE if bound_only else BLOCK_BOUND_SHARE) * float(options.get("time_limit", 60.0))
            began = time.perf_counter()
            gap = float(options.get("mip_rel_gap", 0.0))
            bound = relaxation_bound(
                arrays, linking, share, options.get("threads"), plan, gap, lambda b: conn.send(("bound", b))
            )
            if bound is not None:
                conn.send(("bound", bound))
            options = {**options, "time_limit": max(0.1, options["time_limit"] - (time.perf_counter() - began))}
        if bound_only:
            _send_done(conn, "kInterrupt", None, None, None)
            return
        highs = highspy.Highs()
        highs.setOptionValue("log_to_console", False)  # logging stays on: it drives the MIP logging callback
        for key, value in options.items():
            highs.setOptionValue(key, value)
        highs.passModel(whole_model(arrays, float(options["time_limit"])).to_lp())
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = start
            highs.setSolution(solution)

        def improving(event: Any) -> None:
            out = event.data_out
            conn.send(("incumbent", out.objective_function_value, np.asarray(out.mip_solution, dtype=float)))

        def logging(event: Any) -> None:
            out = event.data_out
            conn.send(("progress", out.running_time, out.mip_primal_bound, out.mip_dual_bound))
            conn.send(("memory", own_peak_kib()))  # kept by the parent even if this process is killed later

        highs.cbMipImprovingSolution.subscribe(improving)
        highs.cbMipLogging.subscribe(logging)
        if offers is not None:
            _take_offers(highs, offers)
        highs.run()
        info = highs.getInfo()
        has_solution = info.primal_solution_status == 2
        is_mip = bool(len(arrays.integrality)) and bool(np.any(arrays.integrality))
        values = np.asarray(highs.getSolution().col_value, dtype=float) if has_solution else None
        bound = info.mip_dual_bound if is_mip else None
        objective = info.objective_function_value if has_solution else None
        _send_done(conn, highs.getModelStatus().name, objective, bound, values)
    except Exception as exc:  # reported to the parent as status 'error'
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _finite(x: float | None) -> float | None:
    return x if x is not None and np.isfinite(x) and abs(x) < 1e30 else None


def _stronger(bound: float | None, floor: float | None) -> float | None:
    """The larger of two lower bounds, either of which may be missing."""
    if bound is None or floor is None:
        return floor if bound is None else bound
    return max(bound, floor)


@dataclass
class RunningChild:
    """A started child process and the pipe it reports on."""

    process: Any
    receive: Any
    began: float
    hard_stop: float  # the time limit: HiGHS stops itself just before (own_limit), or is killed here
    offers: PlanOffers | None = None  # plans for the child's search, when it takes them


def start_child(
    arrays: LpArrays,
    options: dict[str, Any],
    start: np.ndarray | None,
    time_limit: float,
    linking_rows: np.ndarray | None = None,
    bound_only: bool = False,
    plan: np.ndarray | None = None,
    takes_offers: bool = False,
) -> RunningChild:
    """Spawn the child (see solve_in_child); call from the main thread, before anything redirects its output.

    With `takes_offers`, the returned child's `offers` passes plans found here on to its MIP search.
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    model_in, model_out = context.Pipe(duplex=False)
    options = {**options, "time_limit": float(time_limit)}
    offers = PlanOffers(context, len(arrays.col_cost)) if takes_offers else None
    deadline = time.time() + time_limit  # wall clock: the child's own clock must read the same moment
    process = context.Process(target=_child, args=(send, model_in, options, deadline, bound_only, offers), daemon=True)
    began = time.perf_counter()
    with main_not_rerun():  # _child is all the child needs; the main script's imports would cost it ~1 s
        process.start()
    send.close()
    model_in.close()
    # The model goes after the start, on a pipe only the child reads: a child that dies before reading it breaks
    # the pipe. Passed to start() instead, it was written while this process held the pipe open: a dead child
    # left the write (past the pipe's 64 KB) waiting for good.
    try:
        model_out.send((arrays, start, linking_rows, plan))
    except OSError:  # the child has ended: collect says how
        pass
    finally:
        model_out.close()
    return RunningChild(process, receive, began, began + time_limit, offers)


def solve_in_child(
    arrays: LpArrays,
    options: dict[str, Any],
    start: np.ndarray | None,
    time_limit: float,
    progress: ProgressCallback | None,
    linking_rows: np.ndarray | None = None,
    bound_only: bool = False,
    plan: np.ndarray | None = None,
) -> ChildOutcome:
    """Solve in a spawned process; kill it at the time limit (HiGHS stops itself just before), keeping the best incumbent.

    With `linking_rows` (a minimisation whose other rows split into independent blocks), the child
    first sums the blocks' LP optima, a bound that holds whatever the whole model's solve reaches.
    With `bound_only` as well, that bound is all it computes (status kInterrupt, no solution); `plan`,
    the plan the caller already has, is what the bound's leftover time narrows the gap of (see highs_blocks).
    """
    running = start_child(arrays, options, start, time_limit, linking_rows, bound_only, plan)
    return collect(running, progress)


def collect(
    running: RunningChild,
    progress: ProgressCallback | None,
    stop: threading.Event | None = None,
    on_incumbent: Callable[[float, np.ndarray], None] | None = None,
) -> ChildOutcome:
    """Read the child's reports until it is done or its hard stop; setting `stop` (another thread) ends it early.

    `on_incumbent` is given each improving plan (objective, column values) as it comes.
    """
    process, receive, began, hard_stop = running.process, running.receive, running.began, running.hard_stop
    incumbent: tuple[float, np.ndarray] | None = None
    bound: float | None = None
    blocks_bound: float | None = None  # from the blocks' LPs: a floor under every later bound
    outcome: ChildOutcome | None = None
    while outcome is None:
        wait = hard_stop - time.perf_counter()
        if wait <= 0 or (stop is not None and stop.is_set()):
            break
        try:
            if not receive.poll(min(wait, 0.5)):
                if not process.is_alive() and not receive.poll(0):
                    break
                continue
            message = receive.recv()
        except (EOFError, OSError):  # the child's end is closed: it is ending, and the kernel may not say so yet
            process.join(timeout=min(ENDING_SECONDS, max(0.0, hard_stop - time.perf_counter())))
            break
        kind = message[0]
        if kind == "memory":
            record_child_peak(message[1])
        elif kind == "bound":
            blocks_bound = _finite(message[1])
            bound = blocks_bound
            if progress is not None:
                progress(Progress(time.perf_counter() - began, None, bound, None))
        elif kind == "incumbent":
            incumbent = (message[1], message[2])
            if on_incumbent is not None:
                on_incumbent(*incumbent)
        elif kind == "progress":
            primal, dual = _finite(message[2]), _finite(message[3])
            dual = _stronger(dual, blocks_bound)
            bound = dual if dual is not None else bound
            if progress is not None:
                progress(Progress(message[1], primal, dual, relative_gap(primal, dual)))
        elif kind == "done":
            _, status, objective, final_bound, values = message
            outcome = ChildOutcome(status, objective, _stronger(_finite(final_bound), blocks_bound), values)
        elif kind == "failed":
            outcome = ChildOutcome("kSolveError", None, None, None, error=message[1])
    killed = process.is_alive() and outcome is None
    if process.is_alive():
        process.kill()
    process.join(timeout=10)
    if outcome is not None:
        return outcome
    objective, values = incumbent if incumbent is not None else (None, None)
    if killed:
        return ChildOutcome("kTimeLimit", objective, bound, values, killed=True)
    return ChildOutcome(
        "kSolveError",
        objective,
        bound,
        values,
        error=f"the solver process ended unexpectedly (exit code {process.exitcode})",
    )
