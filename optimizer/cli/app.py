"""The typer app, its consoles, the options several commands share, and how failures end a command."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from optimizer.core.errors import InputErrors, UsageError

app = typer.Typer(
    help="Optimal plans from planning spreadsheets: make a template, check it, solve it into a plan workbook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
_began: list[float] = []  # when the `optimizer` process began (perf_counter), set once by optimizer.cli.main


def command_began_at(moment: float) -> None:
    """Date this process's command from `moment` (a perf_counter reading) rather than from when it is called."""
    _began[:] = [moment]


def run_began() -> float:
    """When the run a time limit is for began: the process's start for the `optimizer` command (taken once), else now
    (a command called in this process, as tests do)."""
    return _began.pop() if _began else time.perf_counter()


out = Console(highlight=False, soft_wrap=True)

EXIT_PLAN, EXIT_NO_PLAN, EXIT_BAD_INPUT = 0, 1, 2
BENCHMARK_FORMATS = "vrplib, solomon, jobshop, fjs, nrp, clsp"
DB_VARIABLE = "OPTIMIZER_DB"

InputArg = Annotated[Path, typer.Argument(help="scenario workbook (.xlsx), folder of .csv files or benchmark file")]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help=f"input format: xlsx, csv, {BENCHMARK_FORMATS} (default: from the file)"),
]
SolverOpt = Annotated[
    str,
    typer.Option(
        "--solver",
        help="solver: auto (the kind's best), or one the kind offers (highs, cpsat, pyvrp, ortools, glpk...)",
    ),
]
TimeLimitOpt = Annotated[
    float,
    typer.Option("--time-limit", min=0.1, help="seconds for the whole run; the best plan found by then is returned"),
]
GapOpt = Annotated[
    float,
    typer.Option(
        "--gap", min=0.0, max=1.0, help="stop when the plan is proven within this fraction of the best (0.01 = 1%)"
    ),
]
ThreadsOpt = Annotated[int, typer.Option("--threads", min=1, max=256, help="solver threads")]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="random seed: same input, seed and threads give the same plan")
]
SummaryOpt = Annotated[Path | None, typer.Option("--summary", help="also write a JSON summary here")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but errors")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="run history database (SQLAlchemy URL); default $OPTIMIZER_DB or SQLite under $OPTIMIZER_HOME"
    ),
]


def history_url(db: str | None) -> str | None:
    return db or os.environ.get(DB_VARIABLE)


def fail_input(errors: InputErrors) -> NoReturn:
    err.print(f"[bold red]The input has {len(errors.errors)} problem(s); nothing was written:[/]")
    for e in errors.errors:
        err.print(f"  {e}", markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def fail_usage(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(EXIT_BAD_INPUT)


def load_or_exit(input: Path, format: str | None, what_if: str | None = None):
    """The validated scenario, or exit 2 listing every problem."""
    from optimizer.solve import load

    try:
        return load(input, format, what_if)
    except InputErrors as exc:
        fail_input(exc)
    except UsageError as exc:
        fail_usage(str(exc))


def atomic_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def same_file(a: Path, b: Path) -> bool:
    """True when b names the file a, also through '..', links or a folder not yet made."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_outputs(input: Path, outputs: list[Path | None]) -> None:
    """Refuse outputs that would overwrite the input or that name a folder; nothing is written."""
    for path in outputs:
        if path is None:
            continue
        if same_file(input, path) or (input.is_dir() and input.resolve() in path.resolve().parents):
            fail_usage(f"{path} would overwrite the input; choose another output path")
        if path.is_dir():
            fail_usage(f"{path} is a folder; give a file name for the output")


def check_new_file(path: Path | None, suffix: str, what: str) -> None:
    """Refuse an output before anything is solved or written: a name that says another file type than what is
    written (a workbook named plan.csv, or the JSON summary named .xlsx: Excel then refuses to open it), or a folder
    that cannot take a file (read-only, a file in the way). The test file is gone at once; folders still to make are
    tested at the first that exists."""
    if path is None:
        return
    if path.suffix.lower() != suffix:
        fail_usage(f"{path}: the {what} is written as {suffix}; give a name ending in {suffix}")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        fail_usage(f"{path}: {folder} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        fail_usage(f"{path}: cannot write in {folder} ({exc.strerror or exc})")
