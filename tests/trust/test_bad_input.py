"""Bad input, for every kind: corrupted copies of each kind's example never crash the engine.

Hypothesis picks a kind, a kind of mistake and where to make it; the workbook goes through the
real command line. Whatever the mistake: exit 2, every problem located (sheet and cell, or sheet
and row), no traceback, no output written, and the input byte for byte as it was.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.kinds import available_kinds, get_kind
from optimizer.reports.template import _base_type, _bounds
from tests.builders import sha256

runner = CliRunner()
KINDS = available_kinds()
MISTAKES = ["text_in_number", "negative", "huge", "nan", "blank", "duplicate", "drop_sheet", "drop_column", "dangling"]
# A problem line names where it is: 'Demand!C7: ...', 'Demand!row 7: ...', 'Demand: ...' or 'Demand.csv ...'
LOCATED = re.compile(r"^\s+[^\s:!][^:!]*(![A-Z]+\d+|!row \d+)?: \S")


def example_rows(kind: str) -> dict[str, list[dict[str, Any]]]:
    """The kind's example as `template --example` writes it (the template adds the kind row to Settings)."""
    rows = dict(get_kind(kind).example_tables(None, 7))
    settings = [dict(r) for r in rows.get("Settings", [])]
    if not any(str(r.get("setting")).lower() == "kind" for r in settings):
        settings.insert(0, {"setting": "kind", "value": kind})
    rows["Settings"] = settings
    return rows


def numeric_fields(spec) -> list[tuple[str, Any]]:
    return [(n, f) for n, f in spec.row.model_fields.items() if _base_type(f.annotation) in (int, float)]


def candidates(kind: str, mistake: str, rows: dict) -> list[tuple[str, str | None]]:
    """(table, column) pairs where `mistake` is surely a mistake in this kind's example."""
    out = []
    for spec in get_kind(kind).tables:
        data = rows.get(spec.name) or []
        if not data:
            continue
        if mistake in ("text_in_number", "nan"):
            out += [(spec.name, n) for n, _ in numeric_fields(spec)]
        elif mistake == "negative":
            out += [(spec.name, n) for n, f in numeric_fields(spec) if (_bounds(f)[0] or -1) >= 0]
        elif mistake == "huge":
            out += [(spec.name, n) for n, f in numeric_fields(spec) if _bounds(f)[1] is not None]
        elif mistake == "blank":
            columns = spec.columns
            if len(columns) > 1:
                out += [(spec.name, n) for n in spec.required_columns]
        elif mistake == "duplicate" and spec.key:
            out.append((spec.name, None))
        elif mistake == "drop_sheet" and spec.required:
            out.append((spec.name, None))
        elif mistake == "drop_column":
            out += [(spec.name, n) for n in spec.required_columns]
        elif mistake == "dangling":
            out += [(spec.name, n) for n in spec.references]
    return out


def corrupt(rows: dict, mistake: str, table: str, column: str | None, pick: int) -> dict:
    rows = {name: [dict(r) for r in data] for name, data in rows.items()}
    data = rows[table]
    index = pick % len(data)
    if mistake == "text_in_number":
        data[index][column] = "lots"
    elif mistake == "negative":
        data[index][column] = -5
    elif mistake == "huge":
        data[index][column] = 1e300
    elif mistake == "nan":
        data[index][column] = "NaN"
    elif mistake == "blank":
        data[index][column] = None
        if all(v in (None, "") for v in data[index].values()):
            data[index][next(iter(data[index]))] = "x"
    elif mistake == "duplicate":
        data.append(dict(data[index]))
    elif mistake == "drop_sheet":
        del rows[table]
    elif mistake == "drop_column":
        for row in data:
            row.pop(column, None)
    elif mistake == "dangling":
        data[index][column] = "ZZ-not-anywhere"
    return rows


def write(path: Path, rows: dict) -> Path:
    book = openpyxl.Workbook(write_only=True)
    for name, data in rows.items():
        ws = book.create_sheet(name)
        columns = list(dict.fromkeys(c for r in data for c in r)) or ["setting", "value"]
        ws.append(columns)
        for r in data:
            ws.append([r.get(c) for c in columns])
    book.save(path)
    return path


def assert_refused(path: Path, out_dir: Path) -> list[str]:
    before = sha256(path)
    plan, summary = out_dir / "plan.xlsx", out_dir / "summary.json"
    result = runner.invoke(app, ["solve", str(path), "-o", str(plan), "--summary", str(summary), "--time-limit", "5"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert not plan.exists() and not summary.exists()
    assert sha256(path) == before
    problems = [line for line in result.output.splitlines()[1:] if line.strip()]
    assert problems, result.output
    unlocated = [line for line in problems if not LOCATED.match(line)]
    assert not unlocated, unlocated
    return problems


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_example_is_valid_to_start_with(kind, tmp_path):
    path = write(tmp_path / f"{kind}.xlsx", example_rows(kind))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), mistake=st.sampled_from(MISTAKES), choice=st.integers(0, 10_000))
def test_a_corrupted_example_is_refused_with_every_problem_located(tmp_path_factory, kind, mistake, choice):
    rows = example_rows(kind)
    spots = candidates(kind, mistake, rows)
    if not spots:
        return  # this kind has no place for this mistake (e.g. no reference columns)
    table, column = spots[choice % len(spots)]
    folder = tmp_path_factory.mktemp("bad")
    path = write(folder / "bad.xlsx", corrupt(rows, mistake, table, column, choice // max(1, len(spots))))
    problems = assert_refused(path, folder)
    assert any(table in line for line in problems), (mistake, table, column, problems)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.xlsx", b"", "is not a readable Excel workbook"),
        ("notes.xlsx", b"just some text, not a workbook", "is not a readable Excel workbook"),
        ("image.png", b"\x89PNG\r\n\x1a\n\0\0", "is not a scenario"),
        ("empty.txt", b"", "is not a scenario"),
    ],
)
def test_files_that_are_not_scenarios_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    problems = assert_refused(path, tmp_path)
    assert message in problems[0]


def test_a_missing_file_is_refused(tmp_path):
    result = runner.invoke(app, ["solve", str(tmp_path / "nowhere.xlsx"), "-o", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "p.xlsx").exists()


def test_nan_is_not_a_number_here():
    assert math.isnan(float("NaN"))  # the corruption 'nan' writes the text NaN, which Excel users do type
