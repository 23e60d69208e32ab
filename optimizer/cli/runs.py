"""Commands over many runs: batch (local or Dask) and the run history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from optimizer.cli.app import DbOpt, QuietOpt, app, err, fail_usage, history_url, out, same_file
from optimizer.core.errors import UsageError


@app.command()
def batch(
    inputs: Annotated[list[Path], typer.Argument(help="scenario workbooks, CSV folders or benchmark files")],
    out_dir: Annotated[Path, typer.Option("--out-dir", help="folder for the plans and batch-summary.xlsx")],
    workers: Annotated[int, typer.Option("--workers", min=1, max=256, help="solves at the same time")] = 1,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:port); default local")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="seconds per solve")] = 60.0,
    solver: Annotated[str, typer.Option("--solver", help="solver for every run (default: auto)")] = "auto",
    gap: Annotated[float, typer.Option("--gap", min=0.0, max=1.0, help="relative gap per solve")] = 1e-3,
    threads: Annotated[
        int | None, typer.Option("--threads", min=1, help="solver threads per run (default: cores / workers)")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="random seed of every run")] = 0,
    db: DbOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Solve many scenarios, each in its own process: one plan per input and per what-if, plus a batch summary.

    Exit 0: every run has a plan. Exit 1: some run found no plan. Exit 2: some input was bad or a run failed.
    """
    from optimizer.runner.batch_run import run_batch

    for path in inputs:
        if same_file(path, out_dir) or (path.is_dir() and path.resolve() in out_dir.resolve().parents):
            fail_usage(f"--out-dir {out_dir} would write into the input {path}; choose another folder")
    if out_dir.exists() and not out_dir.is_dir():
        fail_usage(f"--out-dir {out_dir} is a file; give a folder")
    options = ("--time-limit", str(time_limit), "--solver", solver, "--gap", str(gap), "--seed", str(seed))

    def report(outcome) -> None:
        if not quiet:
            status = outcome.summary.get("status") or ("bad input" if outcome.exit_code == 2 else "error")
            detail = f" ({outcome.error.splitlines()[0]})" if outcome.error else ""
            out.print(escape(f"{outcome.label}: {status}, {outcome.seconds:.1f} s{detail}"))

    try:
        result = run_batch(inputs, out_dir, options, time_limit, workers, threads, scheduler, history_url(db), report)
    except UsageError as exc:
        fail_usage(str(exc))
    except OSError as exc:  # an unreachable scheduler or an unwritable out-dir
        fail_usage(f"batch could not run: {exc}")
    for warning in result.warnings:
        err.print(f"warning: {escape(warning)}")
    if not quiet:
        out.print(escape(f"{len(result.summary)} run(s) -> {result.workbook}"))
    raise typer.Exit(result.exit_code)


@app.command()
def history(
    limit: Annotated[int, typer.Option("--limit", min=1, help="how many of the newest runs to list")] = 20,
    db: DbOpt = None,
) -> None:
    """List the newest runs: when, what, outcome and where the plan went."""
    from rich.table import Table

    from optimizer.runner.history import History

    try:
        records = History(history_url(db)).recent(limit)
    except Exception as exc:  # a bad URL or unreachable server is a usage problem, not a traceback
        fail_usage(f"cannot read the run history: {exc}")
    header = ["id", "started_utc", "command", "scenario", "kind", "status", "objective", "gap", "seconds", "plan"]
    rows = [
        [
            str(r.id),
            r.started_at,
            r.command,
            r.scenario or "",
            r.kind or "",
            r.status,
            "" if r.objective is None else f"{r.objective:.2f}",
            "" if r.gap is None else f"{r.gap:.4f}",
            "" if r.wall_seconds is None else f"{r.wall_seconds:.1f}",
            r.output_path or "",
        ]
        for r in records
    ]
    if not out.is_terminal:  # scripts and cron logs get tab-separated lines
        for row in [header, *rows]:
            out.print("\t".join(row), markup=False)
        return
    table = Table(*header)
    for row in rows:
        table.add_row(*(escape(v) for v in row))
    out.print(table)
