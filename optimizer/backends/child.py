"""Run a native solver (CP-SAT, PyVRP, OR-Tools routing) in a child process, so a crash or a hang is a status.

A segfault or abort inside a native library kills its process; in a child it only ends the child,
and the parent turns it into status 'error' with the signal's name, then still writes the Summary.
A child that has not finished a few seconds after its time limit is killed; what it streamed so
far (progress, the last incumbent) is kept. The job is a module-level function, so only its name
and a picklable payload cross the boundary, and the job's result comes back pickled.

Start method: children are forked from a forkserver, a clean single-threaded process started once
per parent with the solver libraries imported. Forking the parent itself is unsafe once threads
exist (numpy's BLAS pool, the rich display, OR-Tools), and spawning costs the imports every time
(measured on this loaded 2-core machine: spawn + import of CP-SAT and PyVRP 1.3-1.9 s per solve;
forkserver 25 ms per solve after its first start, which `prepare` overlaps with loading and building;
end to end, the ft06 job shop through the CLI takes 0.1-0.3 s more than in process).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from optimizer.core.memory import own_peak_kib, record_child_peak

ISOLATE_ENV = "OPTIMIZER_ISOLATE"  # "0": solve in this process (for debugging with a native debugger)
FAULT_ENV = "OPTIMIZER_CHILD_FAULT"  # test-only: "segfault", "abort" or "hang": the child fails so before its job
# what the forkserver imports before it forks children, per backend family that runs natively (import seconds
# measured on this machine: CP-SAT's compiled helper 0.1, cp_model 0.6-1.6 as it imports pandas, PyVRP 0.4, OR-Tools
# routing 0.2); a family the running server did not preload still works, its child imports what it needs
PRELOAD: dict[str, tuple[str, ...]] = {
    "cpsat": ("optimizer.backends.cpsat_child", "ortools.sat.python.cp_model_helper"),
    "cpsat_lns": ("optimizer.backends.cpsat_lns", "ortools.sat.python.cp_model"),
    "chain": ("optimizer.backends.cpsat_lns", "ortools.sat.python.cp_model"),
    "pyvrp": ("optimizer.backends.pyvrp_solver", "pyvrp", "ortools.constraint_solver.pywrapcp"),
    "ortools_routing": ("optimizer.backends.ortools_routing", "ortools.constraint_solver.pywrapcp"),
}
STARTUP_SECONDS = 60.0  # how long a child may take to start (a loaded machine) before it is given up
INCUMBENT_EVERY = 1.0  # seconds between incumbents streamed to the parent (the last one is kept on a kill)
# Of a caller's limit, this share (at most WRAP_UP_MAX s) is kept for the child's stop and its answer's way back:
# CP-SAT on 100 jobs took about 0.1 s for them, which ran over a 5 s limit
WRAP_UP_SHARE = 0.03
WRAP_UP_MAX = 0.25

_in_child = False
_preload_set = False
_starting = threading.Lock()


def job_limit(limit: float, began: float) -> float:
    """The seconds a child's job may take of a caller's `limit` counted from `began` (a perf_counter reading): less
    what has gone since (e.g. writing the payload) and the wrap-up for the child's stop and its answer."""
    return max(0.01, limit - (time.perf_counter() - began) - min(WRAP_UP_MAX, WRAP_UP_SHARE * limit))


def grace(limit: float) -> float:
    """Seconds a child may run past its time limit before it is killed."""
    return 3.0 + 0.02 * limit


def failure(label: str, run: ChildRun, limit: float) -> str:
    """Why a child run ended without its result: its own error, or killed this long after its limit."""
    return run.error or f"the {label} process was still running {grace(limit):.0f} s after its time limit and was ended"


def enabled() -> bool:
    """True when native solves go to a child: not inside a child already, not a daemon process, not switched off."""
    if _in_child or os.environ.get(ISOLATE_ENV, "1").strip() == "0":
        return False
    return not multiprocessing.current_process().daemon  # daemonic processes may not have children


def _context(families: Iterable[str] = PRELOAD) -> Any:
    """The forkserver context; its preload (fixed when the server starts) is for these families."""
    global _preload_set
    context = multiprocessing.get_context("forkserver")
    modules = dict.fromkeys(m for f in families for m in PRELOAD.get(f, ()))
    context.set_forkserver_preload(["optimizer.backends.child", *modules])  # used when the server (re)starts
    _preload_set = True
    return context


def prepare(families: Iterable[str]) -> None:
    """Start the forkserver now for these backend families, so its imports overlap with loading and building."""
    families = [f for f in families if f in PRELOAD]
    if families and enabled() and not _preload_set:
        from multiprocessing import forkserver

        _context(families)
        forkserver.ensure_running()


class Channel:
    """The child's side of the pipe: progress reports and incumbents for the parent."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._last_incumbent = 0.0

    def progress(self, p: Any) -> None:
        """Send a Progress (or a (seconds, incumbent, bound, gap) tuple) to the parent's display."""
        self._conn.send(("progress", p))

    def due(self) -> bool:
        """True when an incumbent may be sent now (at most one every INCUMBENT_EVERY seconds)."""
        return time.perf_counter() - self._last_incumbent >= INCUMBENT_EVERY

    def incumbent(self, data: Any, force: bool = False) -> bool:
        """Send a partial result (kept by the parent if the child must be killed); throttled unless forced."""
        if not force and not self.due():
            return False
        self._last_incumbent = time.perf_counter()
        self._conn.send(("incumbent", data))
        return True


Job = Callable[[Any, float, Channel], Any]  # (payload, seconds left, channel) -> picklable result


def _fail_on_purpose(fault: str) -> None:
    """The test-only faults: a real native crash or a hang in the child."""
    if fault == "segfault":
        import ctypes

        ctypes.string_at(0)  # reads address 0: SIGSEGV
    elif fault == "abort":
        os.abort()
    elif fault == "hang":
        while True:
            time.sleep(1)


def _main(conn: Any, job: Job, payload: Any, limit: float, sent_at: float, fault: str) -> None:
    """Child process body: run the job and send its result (or its exception) to the parent."""
    global _in_child
    _in_child = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends the child
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # solver banners must not reach the parent's terminal or JSON output
    try:
        conn.send(("started",))
        _fail_on_purpose(fault)
        left = max(0.05, limit - (time.time() - sent_at))
        result = job(payload, left, Channel(conn))
        conn.send(("memory", own_peak_kib()))
        conn.send(("done", result))
    except BaseException as exc:  # noqa: BLE001  every failure goes back to the parent
        try:
            pickle.loads(pickle.dumps(exc))
            conn.send(("failed", exc))
        except Exception:  # an exception that cannot cross the boundary goes as text
            conn.send(("failed", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


@contextmanager
def main_not_rerun() -> Iterator[None]:
    """Start a child without it running the parent's main script again (the CLI's imports cost ~1 s a child).

    multiprocessing re-imports `__main__` in a child unless main was run as a module named `__main__`; the
    jobs are functions of importable modules, so the child does not need it. A script without a main guard
    would otherwise start its solve again in the child (which then dies: a spawned child may not start one).
    """
    with _starting:  # stages run side by side start their children from threads
        main = sys.modules["__main__"]
        saved = main.__dict__.get("__spec__")
        main.__spec__ = SimpleNamespace(name="__main__")  # type: ignore[assignment]
        try:
            yield
        finally:
            main.__spec__ = saved


@dataclass
class ChildRun:
    """How a child run ended: its job's result, or why there is none (with the last incumbent streamed)."""

    value: Any = None
    error: str = ""  # the process died or could not be started: said in planner words
    killed: bool = False  # still running after its limit: ended by the parent
    incumbent: Any = None  # the last partial result the job sent
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        return not self.error and not self.killed


def _progress(report: Any) -> Any:
    """A Progress from what a child sent: a Progress, or a (seconds, incumbent, bound, gap) tuple."""
    from optimizer.backends.outcome import Progress

    return Progress(*report) if isinstance(report, tuple) else report


def ended_how(label: str, exitcode: int | None) -> str:
    """Planner words for a child that ended without a result: the signal's name, or its exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"the {label} solver process ended with signal {-exitcode} ({name}); no plan was kept"
    return f"the {label} solver process ended unexpectedly (exit code {exitcode}); no plan was kept"


def run(label: str, job: Job, payload: Any, limit: float, progress: Callable[[Any], None] | None) -> ChildRun:
    """Run `job(payload, limit, channel)` in a child; kill it `grace(limit)` s after its limit.

    An exception raised by the job is raised again here, as if the job had run in this process.
    """
    context = multiprocessing.get_context("forkserver") if _preload_set else _context()
    receive, send = context.Pipe(duplex=False)
    fault = os.environ.get(FAULT_ENV, "")
    began = time.perf_counter()
    process = context.Process(
        target=_main, args=(send, job, payload, limit, time.time(), fault), daemon=True, name=f"{label} solver"
    )
    try:
        with main_not_rerun():
            process.start()
    except OSError as exc:  # no processes or sockets left to start one: said, not a traceback
        send.close()
        receive.close()
        hint = f"set {ISOLATE_ENV}=0 to solve in this process"
        return ChildRun(error=f"the {label} solver process could not be started ({exc}); {hint}")
    send.close()
    deadline = began + limit + grace(limit) + STARTUP_SECONDS  # until the child says it has started
    out = ChildRun()
    failure: BaseException | None = None
    done = False
    try:
        while not done:
            wait = deadline - time.perf_counter()
            if wait <= 0:
                out.killed = process.is_alive()
                break
            try:
                if not receive.poll(min(wait, 0.25)):
                    if not process.is_alive() and not receive.poll(0):
                        break
                    continue
                message = receive.recv()
            except (EOFError, OSError):
                break
            if message[0] == "started":
                deadline = time.perf_counter() + max(0.05, limit - (time.perf_counter() - began)) + grace(limit)
            elif message[0] == "progress" and progress is not None:
                progress(_progress(message[1]))
            elif message[0] == "incumbent":
                out.incumbent = message[1]
            elif message[0] == "memory":
                record_child_peak(message[1])
            elif message[0] == "done":
                out.value, done = message[1], True
            elif message[0] == "failed":
                failure, done = message[1], True
    finally:
        if process.is_alive():
            if not done:
                process.kill()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        process.join(timeout=5)
        receive.close()
    out.seconds = time.perf_counter() - began
    if failure is not None:
        raise failure
    if not done and not out.killed:
        out.error = ended_how(label, process.exitcode)
    return out


def _backend_job(
    payload: tuple[Callable[..., Any], Any, Any, bool, bool, tuple[str, ...]], limit: float, channel: Channel
):
    """In the child: a backend's in-process solve on the unpickled model; its outcome and what it set on the model."""
    solve_here, model, params, report, warm_start, keep = payload
    outcome = solve_here(model, params, limit, channel.progress if report else None, warm_start)
    return outcome, {name: getattr(model, name) for name in keep}


def solve_backend(
    label: str,
    solve_here: Callable[..., Any],
    model: Any,
    params: Any,
    limit: float,
    progress: Callable[[Any], None] | None,
    warm_start: bool,
    keep: tuple[str, ...],
) -> tuple[Any, ChildRun]:
    """Run `solve_here(model, params, limit, progress, warm_start)` (a module-level function) in a child.

    The model is pickled to the child; after the solve the model attributes named in `keep` (e.g. the
    solution) are copied back. Returns (the backend's outcome, or None when the child crashed or was
    killed, and how the child ended).
    """
    payload = (solve_here, model, params, progress is not None, warm_start, keep)
    run_ = run(label, _backend_job, payload, job_limit(limit, time.perf_counter()), progress)
    if not run_.finished:
        return None, run_
    outcome, attributes = run_.value
    for name, value in attributes.items():
        setattr(model, name, value)
    outcome.seconds = run_.seconds  # the solve as the run sees it, starting the process included
    return outcome, run_
