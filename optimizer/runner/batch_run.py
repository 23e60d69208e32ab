"""A whole batch: make the jobs, run them locally or on Dask, save every output, record the history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer import __version__
from optimizer.runner.batch import BatchJob, JobOutcome, local_threads, make_jobs, run_local, run_on_dask
from optimizer.runner.batch_report import comparison_frame, save_outcome, status_of, summary_frame, write_batch_summary
from optimizer.runner.history import RunRecord, record_quietly

SUMMARY_FILE = "batch-summary.xlsx"


@dataclass
class BatchResult:
    """The batch summary table, its workbook, the exit code and warnings for the caller to print."""

    summary: pd.DataFrame
    workbook: Path
    exit_code: int
    warnings: list[str]


def _exit_code(outcomes: list[JobOutcome]) -> int:
    """2 when any input was bad or any run failed, else 1 when any run found no plan, else 0."""
    codes = {o.exit_code for o in outcomes}
    if codes - {0, 1}:
        return 2
    return 1 if 1 in codes else 0


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    options: tuple[str, ...],
    time_limit: float,
    workers: int = 1,
    threads: int | None = None,
    scheduler: str | None = None,
    db: str | None = None,
    on_done: Callable[[JobOutcome], None] | None = None,
) -> BatchResult:
    """Solve every input (and its what-if scenarios) into out_dir; a broken input never stops the others."""
    warnings: list[str] = []
    jobs, failed = make_jobs(inputs, options, time_limit)
    for _, outcome in failed:
        if on_done is not None:
            on_done(outcome)
    if scheduler:
        outcomes = run_on_dask(jobs, scheduler, on_done)
    else:
        solve_threads, note = local_threads(workers, threads)
        if note:
            warnings.append(note)
        outcomes = run_local(jobs, workers, solve_threads, on_done)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[BatchJob | None, str, JobOutcome, Path | None]] = []
    for path, outcome in failed:
        rows.append((None, path, outcome, None))
        record = RunRecord("batch", str(Path(path).resolve()), status_of(outcome), scenario=outcome.label)
        record.message = outcome.error
        warnings += filter(None, [record_quietly(db, record)])
    for job, outcome in zip(jobs, outcomes, strict=True):
        plan = save_outcome(outcome, out_dir)
        rows.append((job, job.source, outcome, plan))
        warning = record_quietly(db, _record(job, outcome, plan))
        if warning:
            warnings.append(warning)
    order = {str(path): i for i, path in enumerate(inputs)}
    rows.sort(key=lambda row: order.get(row[1], len(order)))  # input order; what-ifs after their base run
    groups: dict[str, list[tuple[str, JobOutcome]]] = {}  # make_jobs lists each base run, then its what-ifs
    for job, outcome in zip(jobs, outcomes, strict=True):
        if job.what_if is None:
            base = groups[job.label] = [("base", outcome)]
        else:
            base.append((job.what_if, outcome))
    comparisons = {label: comparison_frame(runs) for label, runs in groups.items() if len(runs) > 1}
    summary = summary_frame(rows)
    workbook = out_dir / SUMMARY_FILE
    write_batch_summary(workbook, summary, comparisons)
    return BatchResult(summary, workbook, _exit_code([o for _, o in failed] + outcomes), warnings)


def _record(job: BatchJob, outcome: JobOutcome, plan: Path | None) -> RunRecord:
    s = outcome.summary
    return RunRecord(
        command="batch",
        input_path=str(Path(job.source).resolve()),
        input_sha256=s.get("input_sha256"),
        scenario=s.get("scenario") or job.label,
        kind=s.get("kind"),
        status=status_of(outcome),
        objective=s.get("objective"),
        gap=s.get("gap"),
        wall_seconds=outcome.seconds,
        solver=s.get("solver"),
        versions=f"{s.get('solver', '')} {s.get('solver_version', '')}; optimizer {__version__}".strip(),
        output_path=str(plan.resolve()) if plan else None,
        message=outcome.error or s.get("message"),
    )
