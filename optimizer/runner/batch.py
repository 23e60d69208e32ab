"""Batch runs: one solve per input (and per what-if scenario), each in its own process.

A solve is native code: running each one as a separate `optimizer solve` process means a crash
or a leak ends that run only. The same job function runs on local processes or on the workers
of a Dask cluster; inputs travel as bytes and plans come back as bytes, so workers need no
shared file system.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONNECT_SECONDS = 10
GRACE_SECONDS = 60.0  # beyond the time limit, for loading and writing, before a run is ended as hung


@dataclass(frozen=True)
class BatchJob:
    """One solve of a batch: the input's files as bytes, the what-if scenario and the solve options."""

    label: str  # the run's name in the batch summary and its output file names
    source: str  # the input path as given
    input_name: str  # file or folder name of the input
    files: dict[str, bytes]  # relative path -> content ('' for a single file)
    what_if: str | None
    options: tuple[str, ...]  # extra solve options (--time-limit, --seed, --solver, ...)
    time_limit: float


@dataclass
class JobOutcome:
    """What one run gave: its summary document, plan bytes, exit code and error text."""

    label: str
    exit_code: int
    summary: dict[str, Any] = field(default_factory=dict)
    plan: bytes | None = None
    error: str = ""
    seconds: float = 0.0


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._+-]+", "-", text).strip("-") or "run"


def read_input_files(path: Path) -> dict[str, bytes]:
    """The bytes of an input file, or of every file of an input folder by relative path."""
    if path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return {"": path.read_bytes()}


def make_jobs(
    inputs: list[Path], options: tuple[str, ...], time_limit: float
) -> tuple[list[BatchJob], list[JobOutcome]]:
    """Jobs for every input and each what-if scenario it lists; unreadable inputs become failed outcomes."""
    from optimizer.core.errors import InputErrors, UsageError
    from optimizer.io.what_if import scenario_names
    from optimizer.solve import read_input

    jobs, failed = [], []
    labels: set[str] = set()
    for path in inputs:
        label = _unique(_slug(path.name if path.is_dir() else path.stem), labels)
        try:
            files = read_input_files(path) if path.exists() else None
            if files is None:
                raise FileNotFoundError(f"{path}: file or folder does not exist")
            tables, _ = read_input(path)
            names = scenario_names(tables)
        except (InputErrors, UsageError) as exc:
            failed.append((str(path), JobOutcome(label, 2, error=_first_lines(str(exc)))))
            continue
        except OSError as exc:
            failed.append((str(path), JobOutcome(label, 2, error=str(exc))))
            continue
        jobs.append(BatchJob(label, str(path), path.name, files, None, options, time_limit))
        for name in names:
            what_if_label = _unique(f"{label}--{_slug(name)}", labels)
            jobs.append(BatchJob(what_if_label, str(path), path.name, files, name, options, time_limit))
    return jobs, failed


def _unique(label: str, taken: set[str]) -> str:
    candidate, n = label, 2
    while candidate in taken:
        candidate, n = f"{label}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _first_lines(text: str, n: int = 20) -> str:
    """The first n problem lines of an error text (without the 'The input has ...' heading)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("The input has ")]
    return "\n".join(lines[:n] + ([f"... and {len(lines) - n} more lines"] if len(lines) > n else []))


def run_job(job: BatchJob, threads: int | None = None) -> JobOutcome:
    """Solve one job in a fresh `optimizer solve` process inside a scratch folder; never raises."""
    started = time.perf_counter()
    threads = threads or _threads_here()
    with tempfile.TemporaryDirectory(prefix="optimizer-batch-") as scratch:
        root = Path(scratch)
        source = root / "input" / job.input_name
        for relative, content in job.files.items():
            target = source / relative if relative else source
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        plan, summary = root / "plan.xlsx", root / "summary.json"
        command = [sys.executable, "-m", "optimizer", "solve", str(source), "-o", str(plan)]
        command += ["--summary", str(summary), "--quiet", "--threads", str(threads), *job.options]
        if job.what_if is not None:
            command += ["--what-if", job.what_if]
        env = dict(os.environ, OPTIMIZER_DB=f"sqlite:///{root / 'history.sqlite'}")  # the batch records runs itself
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=job.time_limit + GRACE_SECONDS, env=env, cwd=root
            )
        except subprocess.TimeoutExpired:
            return JobOutcome(job.label, 1, error="ended: no answer within the time limit", seconds=_since(started))
        outcome = JobOutcome(job.label, done.returncode, seconds=_since(started))
        if summary.exists():
            outcome.summary = json.loads(summary.read_text(encoding="utf-8"))
        if plan.exists():
            outcome.plan = plan.read_bytes()
        if done.returncode not in (0, 1):
            outcome.error = (
                _first_lines(done.stderr or done.stdout) or f"solve process ended with code {done.returncode}"
            )
        elif done.returncode == 1:
            outcome.error = outcome.summary.get("message", "no plan")
        return outcome


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _threads_here() -> int:
    """Solver threads for a job on a Dask worker: the machine's cores shared among the worker's slots."""
    try:
        from distributed import get_worker

        slots = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        slots = 1
    return max(1, (os.cpu_count() or 1) // max(1, slots))


def local_threads(workers: int, threads: int | None) -> tuple[int, str | None]:
    """Threads per solve so that workers x threads never exceed the cores, and a note when `threads` was cut."""
    cores = os.cpu_count() or 1
    fair = max(1, cores // workers)
    if threads is None:
        return fair, None
    if threads * workers > cores:
        return fair, f"--threads {threads} with {workers} workers is more than the {cores} cores; using {fair}"
    return threads, None


def run_local(
    jobs: list[BatchJob], workers: int, threads: int, on_done: Callable[[JobOutcome], None] | None = None
) -> list[JobOutcome]:
    """Run jobs on this machine, `workers` solve processes at a time, in input order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:  # threads only wait on the solve processes
        futures = [pool.submit(run_job, job, threads) for job in jobs]
        outcomes = []
        for future in futures:
            outcomes.append(future.result())
            if on_done is not None:
                on_done(outcomes[-1])
    return outcomes


def run_on_dask(
    jobs: list[BatchJob], scheduler: str, on_done: Callable[[JobOutcome], None] | None = None
) -> list[JobOutcome]:
    """Run jobs on the Dask cluster at `scheduler` (tcp://host:port); each job still solves in its own process."""
    from optimizer.core.errors import UsageError

    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'optimizer[distributed]'") from None
    try:
        client = Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS} s: {exc}") from None
    with client:
        futures = {
            client.submit(run_job, job, key=f"optimizer-{job.label}-{id(job)}", pure=False): i
            for i, job in enumerate(jobs)
        }
        results: list[JobOutcome | None] = [None] * len(jobs)
        for future in as_completed(futures):
            index = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # a worker lost mid-run: that job failed, the rest go on
                outcome = JobOutcome(jobs[index].label, 2, error=f"worker failed: {exc}")
            results[index] = outcome
            if on_done is not None:
                on_done(outcome)
    return [r for r in results if r is not None]
