"""The scheduling kind through the command line: example workbook, plan sheets, and bad input with locations."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from optimizer.cli import app
from optimizer.core.errors import InputErrors
from optimizer.solve import load
from tests.models.scheduling.checker import check_schedule
from tests.models.scheduling.helpers import shop, write_folder


def _cli(*args: str) -> int:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, list(args))
    return result.exit_code


def _sheet_rows(path: Path, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def test_example_solves_into_a_checked_plan_with_a_gantt_view(tmp_path: Path) -> None:
    scenario, plan = tmp_path / "shop.xlsx", tmp_path / "plan.xlsx"
    assert _cli("template", "scheduling", "--example", "-o", str(scenario)) == 0
    assert _cli("solve", str(scenario), "-o", str(plan), "--time-limit", "5", "--quiet") == 0
    book = openpyxl.load_workbook(plan, read_only=True)
    assert {"Schedule", "Jobs", "Machines", "Gantt", "Gantt chart", "Budget impact"} <= set(book.sheetnames)
    sheets = {name: _sheet_rows(scenario, name) for name in ("Settings", "Jobs", "Operations", "Eligible", "Setups")}
    sheets["Calendar"] = _sheet_rows(scenario, "Calendar")
    sheets["JobPrecedence"] = _sheet_rows(scenario, "JobPrecedence")
    import pandas as pd

    schedule = pd.DataFrame(_sheet_rows(plan, "Schedule"))
    assert list(schedule.columns) == ["job", "operation", "machine", "start", "end"]
    check_schedule(sheets, schedule)


def _errors(tmp_path: Path, sheets: dict) -> str:
    with pytest.raises(InputErrors) as caught:
        load(write_folder(tmp_path, sheets))
    return str(caught.value)


def test_cross_table_problems_are_listed_with_their_cells(tmp_path: Path) -> None:
    sheets = shop([{"job": "A", "family": "red"}, {"job": "B"}], {"A": [{"M": 3}], "B": [{"M": 2}]})
    sheets["Operations"].append({"job": "B", "operation": "paint", "sequence": 2})
    sheets["Eligible"].append({"job": "A", "operation": "drill", "machine": "M", "processing_time": 1})
    sheets["Setups"] = [{"machine": "M", "from_family": "red", "to_family": "green", "time": 4}]
    sheets["Calendar"] = [{"machine": "M", "unavailable_from": 5, "unavailable_to": 5}]
    sheets["JobPrecedence"] = [{"before": "A", "after": "B"}, {"before": "B", "after": "A"}]
    text = _errors(tmp_path, sheets)
    assert "Calendar.csv!C2: unavailable_to 5 must be after unavailable_from 5" in text
    sheets.pop("Calendar")
    text = _errors(tmp_path / "2", sheets)
    assert "Operations.csv!B4: operation 'paint' of job 'B' has no machine in Eligible" in text
    assert "Eligible.csv!B4: job 'A' has no operation 'drill' in Operations" in text
    assert "Setups.csv!C2: to_family 'green' is neither a family nor a job id in Jobs" in text
    assert "job precedences form a cycle: A -> B -> A" in text


def test_fractional_times_are_refused(tmp_path: Path) -> None:
    sheets = shop([{"job": "A"}], {"A": [{"M": 2.5}]})
    assert "Eligible.csv!D2" in _errors(tmp_path, sheets)
