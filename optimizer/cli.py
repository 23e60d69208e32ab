"""The `optimizer` command: template, validate, solve (names and flags are a public contract).

Exit codes: 0 a plan was written; 1 no plan (infeasible, nothing found in time); 2 bad input or
usage, nothing written.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from optimizer import __version__
from optimizer.core.errors import InputErrors, UsageError
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.kinds import KIND_NAMES, get_kind
from optimizer.reports.summary import RunInfo, summary_json

app = typer.Typer(
    help="Optimal plans from planning spreadsheets: make a template, check it, solve it into a plan workbook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXIT_PLAN, EXIT_NO_PLAN, EXIT_BAD_INPUT = 0, 1, 2
BENCHMARK_FORMATS = "vrplib, solomon, jobshop, fjs, nrp, clsp"
DB_VARIABLE = "OPTIMIZER_DB"
DB_OPTION = typer.Option(
    "--db", help="run history database (SQLAlchemy URL); default $OPTIMIZER_DB or SQLite under $OPTIMIZER_HOME"
)


def _fail_input(errors: InputErrors) -> None:
    err.print(f"[bold red]The input has {len(errors.errors)} problem(s); nothing was written:[/]")
    for e in errors.errors:
        err.print(f"  {e}", markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def _fail_usage(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(EXIT_BAD_INPUT)


def _load_or_exit(input: Path, format: str | None, what_if: str | None = None):
    """The validated scenario, or exit 2 listing every problem."""
    from optimizer.solve import load

    try:
        return load(input, format, what_if)
    except InputErrors as exc:
        _fail_input(exc)
    except UsageError as exc:
        _fail_usage(str(exc))


def _atomic_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _same_file(a: Path, b: Path) -> bool:
    """True when b names the file a, also through '..', links or a folder not yet made."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _check_outputs(input: Path, outputs: list[Path | None]) -> None:
    """Refuse outputs that would overwrite the input or that name a folder; nothing is written."""
    for path in outputs:
        if path is None:
            continue
        if _same_file(input, path) or (input.is_dir() and input.resolve() in path.resolve().parents):
            _fail_usage(f"{path} would overwrite the input; choose another output path")
        if path.is_dir():
            _fail_usage(f"{path} is a folder; give a file name for the output")


def _peak_memory_mb() -> float:
    import resource

    # the solver runs in a child process: count both peaks (an upper bound of the run's footprint)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


@app.command()
def template(
    kind: Annotated[str, typer.Argument(help=f"what to plan: {', '.join(KIND_NAMES)}")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="workbook to write (default KIND.xlsx)")] = None,
    example: Annotated[bool, typer.Option("--example", help="fill in a small realistic example")] = False,
    scale: Annotated[
        int | None,
        typer.Option(
            "--scale", min=1, max=100_000, help="a synthetic example with N items, products, stops, employees or jobs"
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="random seed of the synthetic example")] = 7,
    force: Annotated[bool, typer.Option("--force", help="replace the file if it exists")] = False,
) -> None:
    """Write a scenario workbook to fill in: every sheet, its columns, a Help sheet, and checks on entries."""
    from optimizer.reports.template import write_template

    try:
        definition = get_kind(kind)
    except UsageError as exc:
        _fail_usage(str(exc))
    target = output or Path(f"{kind}.xlsx")
    if target.is_dir():
        _fail_usage(f"{target} is a folder; give a file name for the template")
    if target.exists() and not force:
        _fail_usage(f"{target} exists; use --force to replace it or -o to choose another name")
    write_template(definition, target, example=example, scale=scale, seed=seed)
    out.print(f"wrote {escape(str(target))}")


@app.command()
def validate(
    input: Annotated[Path, typer.Argument(help="scenario workbook (.xlsx), folder of .csv files or benchmark file")],
    format: Annotated[
        str | None,
        typer.Option("--format", help="input format: xlsx, csv, " + BENCHMARK_FORMATS + " (default: from the file)"),
    ] = None,
) -> None:
    """Check a scenario and list every problem with its sheet, row and column. Exit 0 valid, 2 invalid."""
    loaded = _load_or_exit(input, format)
    out.print(escape(f"{input}: valid {loaded.kind.name} scenario '{loaded.name}'"))


@app.command()
def solve(
    input: Annotated[Path, typer.Argument(help="scenario workbook (.xlsx), folder of .csv files or benchmark file")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="plan workbook to write (default INPUT-plan.xlsx)")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="input format: xlsx, csv, " + BENCHMARK_FORMATS + " (default: from the file)"),
    ] = None,
    solver: Annotated[
        str,
        typer.Option(
            "--solver", help="solver: auto (the kind's best), highs, or an installed Pyomo solver (cbc, glpk, gurobi)"
        ),
    ] = "auto",
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="seconds for the whole run; the best plan found by then is returned with its gap",
        ),
    ] = 60.0,
    gap: Annotated[
        float,
        typer.Option(
            "--gap",
            min=0.0,
            max=1.0,
            help="stop when the plan is proven within this fraction of the best possible (0.01 = 1%)",
        ),
    ] = 1e-3,
    threads: Annotated[int, typer.Option("--threads", min=1, max=256, help="solver threads")] = 2,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="random seed: same input, seed and threads give the same plan")
    ] = 0,
    summary: Annotated[Path | None, typer.Option("--summary", help="also write a JSON summary here")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
    db: Annotated[str | None, DB_OPTION] = None,
    what_if: Annotated[
        str | None, typer.Option("--what-if", help="apply the named changes of the workbook's Scenarios sheet")
    ] = None,
) -> None:
    """Solve a scenario into a plan workbook (Summary, plan sheets, Budget impact, Diagnostics).

    Exit 0: a plan was written. Exit 1: no plan (infeasible or none found in time); the workbook
    then holds Summary and Diagnostics. Exit 2: bad input; every problem is listed, nothing written.
    """
    from optimizer.progress import live_progress
    from optimizer.solve import solve_loaded

    started = time.perf_counter()
    params = SolveParams(solver=solver, time_limit=time_limit, gap=gap, threads=threads, seed=seed)
    target = output or input.with_name(f"{input.stem}-plan.xlsx")
    _check_outputs(input, [target, summary])
    loaded = _load_or_exit(input, format, what_if)
    try:
        with live_progress(loaded.name, enabled=not quiet) as progress:
            result = solve_loaded(loaded, params, progress, started)
    except UsageError as exc:
        _fail_usage(str(exc))
    except KeyboardInterrupt:
        err.print("interrupted: nothing was written")
        raise typer.Exit(130) from None
    except Exception as exc:  # a solver or engine failure is reported as status 'error', never a traceback
        result = Result(status=Status.ERROR, message=f"{type(exc).__name__}: {exc}")
    info = RunInfo(
        kind=loaded.kind.name,
        scenario=loaded.name,
        input_path=str(input),
        input_sha256=loaded.sha256,
        params=params,
        plan_file=str(target),
        objective_note=loaded.kind.objective_note,
        notes=list(result.notes),
    )
    _finish(result, info, loaded, target, summary, started, quiet, command="solve", db=db)


@app.command("import")
def import_(
    format: Annotated[str, typer.Argument(help=f"benchmark format: {BENCHMARK_FORMATS}")],
    file: Annotated[Path, typer.Argument(help="the benchmark file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="scenario workbook to write")],
    force: Annotated[bool, typer.Option("--force", help="replace the file if it exists")] = False,
) -> None:
    """Turn a standard benchmark file into a scenario workbook a planner can read and edit."""
    from optimizer.io.schema import validate
    from optimizer.kinds import find_format
    from optimizer.reports.template import write_scenario

    try:
        kind, benchmark = find_format(format)
    except UsageError as exc:
        _fail_usage(str(exc))
    _check_outputs(file, [output])
    if output.exists() and not force:
        _fail_usage(f"{output} exists; use --force to replace it or -o to choose another name")
    try:
        tables = benchmark.read(file)
        validate(tables, kind.tables, kind.settings)
    except InputErrors as exc:
        _fail_input(exc)
    rows = {name: table.records() for name, table in tables.items()}
    write_scenario(kind, output, rows)
    out.print(escape(f"wrote {output} ({kind.name} scenario from {format} file {file.name})"))


def _finish(
    result: Result,
    info: RunInfo,
    loaded,
    target: Path,
    summary: Path | None,
    started: float,
    quiet: bool,
    command: str,
    db: str | None,
) -> None:
    from optimizer.reports.plan_workbook import write_plan_workbook
    from optimizer.runner.history import RunRecord, record_quietly

    result.timings.wall_seconds = time.perf_counter() - started
    result.timings.peak_memory_mb = _peak_memory_mb()
    scenario = loaded.scenario
    write_plan_workbook(
        target, result, info, budget=getattr(scenario, "budget", ()), periods=list(getattr(scenario, "periods", []))
    )
    result.timings.wall_seconds = time.perf_counter() - started
    if summary is not None:
        _atomic_json(summary, summary_json(result, info))
    warning = record_quietly(
        db or os.environ.get(DB_VARIABLE),
        RunRecord(
            command=command,
            input_path=str(Path(info.input_path).resolve()),
            input_sha256=info.input_sha256,
            scenario=info.scenario,
            kind=info.kind,
            status=result.status.value,
            objective=result.objective,
            gap=result.gap,
            wall_seconds=round(result.timings.wall_seconds, 3),
            solver=result.solver,
            versions=f"{result.solver} {result.solver_version}; optimizer {__version__}",
            output_path=str(target.resolve()),
            message=result.message,
        ),
    )
    if warning:
        err.print(f"warning: {escape(warning)}")
    if not quiet:
        gap = "-" if result.gap is None else f"{result.gap:.2%}"
        objective = "-" if result.objective is None else f"{result.objective:,.2f}"
        out.print(
            escape(
                f"{info.scenario}: {result.status.value}, cost {objective}, gap {gap}, "
                f"{result.timings.wall_seconds:.1f} s -> {target}"
            )
        )
    raise typer.Exit(result.status.exit_code)


@app.command()
def history(
    limit: Annotated[int, typer.Option("--limit", min=1, help="how many of the newest runs to list")] = 20,
    db: Annotated[str | None, DB_OPTION] = None,
) -> None:
    """List the newest runs: when, what, outcome and where the plan went."""
    from rich.table import Table

    from optimizer.runner.history import History

    try:
        records = History(db or os.environ.get(DB_VARIABLE)).recent(limit)
    except Exception as exc:  # a bad URL or unreachable server is a usage problem, not a traceback
        _fail_usage(f"cannot read the run history: {exc}")
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
    db: Annotated[str | None, DB_OPTION] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")] = False,
) -> None:
    """Solve many scenarios, each in its own process: one plan per input and per what-if, plus a batch summary.

    Exit 0: every run has a plan. Exit 1: some run found no plan. Exit 2: some input was bad or a run failed.
    """
    from optimizer.runner.batch_run import run_batch

    for path in inputs:
        if _same_file(path, out_dir) or (path.is_dir() and path.resolve() in out_dir.resolve().parents):
            _fail_usage(f"--out-dir {out_dir} would write into the input {path}; choose another folder")
    if out_dir.exists() and not out_dir.is_dir():
        _fail_usage(f"--out-dir {out_dir} is a file; give a folder")
    options = ("--time-limit", str(time_limit), "--solver", solver, "--gap", str(gap), "--seed", str(seed))

    def report(outcome) -> None:
        if not quiet:
            status = outcome.summary.get("status") or ("bad input" if outcome.exit_code == 2 else "error")
            detail = f" ({outcome.error.splitlines()[0]})" if outcome.error else ""
            out.print(escape(f"{outcome.label}: {status}, {outcome.seconds:.1f} s{detail}"))

    try:
        result = run_batch(
            inputs, out_dir, options, time_limit, workers, threads, scheduler, db or os.environ.get(DB_VARIABLE), report
        )
    except UsageError as exc:
        _fail_usage(str(exc))
    except OSError as exc:  # an unreachable scheduler or an unwritable out-dir
        _fail_usage(f"batch could not run: {exc}")
    for warning in result.warnings:
        err.print(f"warning: {escape(warning)}")
    if not quiet:
        out.print(escape(f"{len(result.summary)} run(s) -> {result.workbook}"))
    raise typer.Exit(result.exit_code)
