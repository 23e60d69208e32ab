"""Commands about scenario files: template, validate, import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from optimizer.cli.app import (
    BENCHMARK_FORMATS,
    FormatOpt,
    InputArg,
    app,
    check_new_file,
    check_outputs,
    fail_input,
    fail_usage,
    load_or_exit,
    out,
)
from optimizer.core.errors import InputErrors, UsageError
from optimizer.kinds import KIND_NAMES, get_kind

ForceOpt = Annotated[bool, typer.Option("--force", help="replace the file if it exists")]


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
    force: ForceOpt = False,
) -> None:
    """Write a scenario workbook to fill in: every sheet, its columns, a Help sheet, and checks on entries."""
    from optimizer.reports.template import write_template

    try:
        definition = get_kind(kind)
    except UsageError as exc:
        fail_usage(str(exc))
    target = output or Path(f"{kind}.xlsx")
    if target.is_dir():
        fail_usage(f"{target} is a folder; give a file name for the template")
    check_new_file(target, ".xlsx", "template (an Excel workbook)")
    if target.exists() and not force:
        fail_usage(f"{target} exists; use --force to replace it or -o to choose another name")
    write_template(definition, target, example=example, scale=scale, seed=seed)
    out.print(f"wrote {escape(str(target))}")


@app.command()
def validate(input: InputArg, format: FormatOpt = None) -> None:
    """Check a scenario and list every problem with its sheet, row and column. Exit 0 valid, 2 invalid."""
    loaded = load_or_exit(input, format)
    out.print(escape(f"{input}: valid {loaded.kind.name} scenario '{loaded.name}'"))


@app.command("import")
def import_(
    format: Annotated[str, typer.Argument(help=f"benchmark format: {BENCHMARK_FORMATS}")],
    file: Annotated[Path, typer.Argument(help="the benchmark file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="scenario workbook to write")],
    force: ForceOpt = False,
) -> None:
    """Turn a standard benchmark file into a scenario workbook a planner can read and edit."""
    from optimizer.io.schema import validate
    from optimizer.kinds import find_format
    from optimizer.reports.template import write_scenario

    try:
        kind, benchmark = find_format(format)
    except UsageError as exc:
        fail_usage(str(exc))
    check_outputs(file, [output])
    check_new_file(output, ".xlsx", "scenario (an Excel workbook)")
    if output.exists() and not force:
        fail_usage(f"{output} exists; use --force to replace it or -o to choose another name")
    try:
        tables = benchmark.read(file)
        validate(tables, kind.tables, kind.settings)
    except InputErrors as exc:
        fail_input(exc)
    rows = {name: table.records() for name, table in tables.items()}
    write_scenario(kind, output, rows)
    out.print(escape(f"wrote {output} ({kind.name} scenario from {format} file {file.name})"))
