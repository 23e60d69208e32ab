"""Commands that make a plan: solve, and replan against the previous plan."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from optimizer import __version__
from optimizer.cli.app import (
    DbOpt,
    FormatOpt,
    GapOpt,
    InputArg,
    QuietOpt,
    SeedOpt,
    SolverOpt,
    SummaryOpt,
    ThreadsOpt,
    TimeLimitOpt,
    app,
    atomic_json,
    check_new_file,
    check_outputs,
    err,
    fail_input,
    fail_usage,
    history_url,
    load_or_exit,
    out,
    run_began,
)
from optimizer.core.errors import InputErrors, UsageError
from optimizer.core.memory import peak_memory_mb
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.reports.summary import RunInfo, summary_json

if TYPE_CHECKING:
    from optimizer.solve import ReplanRequest

OutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="plan workbook to write (default INPUT-plan.xlsx)")
]


@app.command()
def solve(
    input: InputArg,
    output: OutputOpt = None,
    format: FormatOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = 60.0,
    gap: GapOpt = 1e-3,
    threads: ThreadsOpt = 2,
    seed: SeedOpt = 0,
    summary: SummaryOpt = None,
    quiet: QuietOpt = False,
    db: DbOpt = None,
    what_if: Annotated[
        str | None, typer.Option("--what-if", help="apply the named changes of the workbook's Scenarios sheet")
    ] = None,
) -> None:
    """Solve a scenario into a plan workbook (Summary, plan sheets, Budget impact, Diagnostics).

    Exit 0: a plan was written. Exit 1: no plan (infeasible or none found in time); the workbook
    then holds Summary and Diagnostics. Exit 2: bad input; every problem is listed, nothing written.
    """
    params = SolveParams(solver=solver, time_limit=time_limit, gap=gap, threads=threads, seed=seed)
    _run("solve", input, output, format, params, summary, quiet, db, what_if=what_if)


@app.command()
def replan(
    input: InputArg,
    previous: Annotated[
        str,
        typer.Option("--previous", help="the previous plan workbook, or 'latest' for the newest plan in the history"),
    ],
    freeze: Annotated[
        int, typer.Option("--freeze", min=0, help="leading periods kept exactly as in the previous plan")
    ] = 1,
    output: OutputOpt = None,
    format: FormatOpt = None,
    solver: SolverOpt = "auto",
    time_limit: TimeLimitOpt = 60.0,
    gap: GapOpt = 1e-3,
    threads: ThreadsOpt = 2,
    seed: SeedOpt = 0,
    summary: SummaryOpt = None,
    quiet: QuietOpt = False,
    db: DbOpt = None,
) -> None:
    """Plan again with fresh data: keep the first --freeze periods as they were, change later ones only where it pays.

    The plan gets a Changes sheet (every decision that moved, with its cost effect) and churn KPIs.
    Two runs of the same scenario never overlap: the second stops at once (exit 2).
    """
    params = SolveParams(solver=solver, time_limit=time_limit, gap=gap, threads=threads, seed=seed)
    _run("replan", input, output, format, params, summary, quiet, db, previous=previous, freeze=freeze)


def _previous_plan(previous: str, input: Path, scenario: str, db: str | None) -> Path:
    """The previous plan's path: as given, or the newest good plan of this scenario in the run history."""
    if previous != "latest":
        return Path(previous)
    from optimizer.runner.history import History

    record = History(history_url(db)).latest_plan(input, scenario)
    if record is None or record.output_path is None:
        fail_usage(f"the run history has no plan of {input} ('{scenario}') yet; solve it first or give --previous PLAN")
    return Path(record.output_path)


def _replan_request(previous: Path, freeze: int):
    from optimizer.io.tables import read_workbook
    from optimizer.solve import ReplanRequest

    if not previous.is_file():
        fail_usage(f"previous plan {previous} does not exist")
    try:
        sheets = read_workbook(previous)
    except InputErrors as exc:
        fail_input(exc)
    return ReplanRequest(sheets, freeze)


def _other_scenario_note(request: ReplanRequest, scenario: str) -> str | None:
    """A note when the previous plan's Summary names another scenario than this one: most often the wrong file (its
    rows then match little and the replan keeps little); a renamed scenario is the other case, so it is not refused."""
    summary = next((t for name, t in request.previous_sheets.items() if name.strip().lower() == "summary"), None)
    if summary is None:
        return None
    named = {str(r.get("item", "")).strip().lower(): r.get("value") for r in summary.records()}
    theirs = named.get("scenario")
    if theirs is None or str(theirs).strip() == scenario:
        return None
    return f"the previous plan is of scenario '{theirs}', not '{scenario}': check it is the plan you meant"


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While a plan is made, SIGTERM (a scheduler's stop, `kill`) ends the run as Ctrl-C does.

    The solver processes are stopped and nothing is written (exit 130); by default the parent would die
    at once and leave its solver process running to the time limit.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(
    command: str,
    input: Path,
    output: Path | None,
    format: str | None,
    params: SolveParams,
    summary: Path | None,
    quiet: bool,
    db: str | None,
    what_if: str | None = None,
    previous: str | None = None,
    freeze: int = 0,
) -> None:
    """Load, (re)plan, write the plan workbook and summary, record the run; one run per scenario at a time."""
    from optimizer.progress import live_progress
    from optimizer.runner.lock import scenario_lock
    from optimizer.solve import solve_loaded

    started = run_began()
    target = output or input.with_name(f"{input.stem}-plan.xlsx")
    check_outputs(input, [target, summary])
    check_new_file(target, ".xlsx", "plan (an Excel workbook)")
    check_new_file(summary, ".json", "summary")
    try:
        with scenario_lock(input):
            loaded = load_or_exit(input, format, what_if)
            request = None
            if previous is not None:
                previous_path = _previous_plan(previous, input, loaded.name, db)
                check_outputs(previous_path, [target])  # the previous plan is an input too
                request = _replan_request(previous_path, freeze)
            try:
                with _terminate_as_interrupt(), live_progress(loaded.name, enabled=not quiet) as progress:
                    result = solve_loaded(loaded, params, progress, started, request)
            except (UsageError, InputErrors):
                raise
            except KeyboardInterrupt:
                err.print("interrupted: nothing was written")
                raise typer.Exit(130) from None
            except Exception as exc:  # a solver or engine failure is reported as status 'error', never a traceback
                result = Result(status=Status.ERROR, message=f"{type(exc).__name__}: {exc}")
            if request is not None and (note := _other_scenario_note(request, loaded.name)):
                result.notes.append(note)  # in the Summary; said here too unless quiet
                if not quiet:
                    err.print(f"warning: {escape(note)}")
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
            _finish(result, info, loaded, target, summary, started, quiet, command, db)
    except UsageError as exc:
        fail_usage(str(exc))
    except InputErrors as exc:
        fail_input(exc)


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
    """Write the plan workbook and JSON summary, record the run, print one line, exit with the status's code."""
    from optimizer.reports.plan_workbook import write_plan_workbook
    from optimizer.runner.history import RunRecord, record_quietly

    result.timings.wall_seconds = time.perf_counter() - started
    result.timings.peak_memory_mb = peak_memory_mb()
    scenario = loaded.scenario
    try:  # the folders were checked before the solve; a disk that fills up or a folder removed since is said plainly
        write_plan_workbook(
            target,
            result,
            info,
            budget=getattr(scenario, "budget", ()),
            periods=list(getattr(scenario, "periods", [])),
            extra_diagnostics=result.explanation,
        )
        result.timings.wall_seconds = time.perf_counter() - started
        if summary is not None:
            atomic_json(summary, summary_json(result, info))
    except OSError as exc:
        fail_usage(f"cannot write {exc.filename or target}: {exc.strerror or exc}")
    warning = record_quietly(
        history_url(db),
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
                f"{info.scenario}: {result.status.value}, objective {objective}, gap {gap}, "
                f"{result.timings.wall_seconds:.1f} s -> {target}"
            )
        )
        if result.status.has_plan and result.gap is None and result.message:  # no gap to show: say why
            out.print(escape(f"note: {result.message}"))
    raise typer.Exit(result.status.exit_code)
