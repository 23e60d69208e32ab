"""Rosters through the command line: examples, the nrp format, import, infeasible and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests.models.roster.test_formats import INSTANCE1, SMALL, needs_instances

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def test_example_template_validates_and_solves_with_every_plan_sheet(tmp_path: Path) -> None:
    scenario = tmp_path / "ward.xlsx"
    assert run("template", "roster", "--scale", "6", "-o", scenario).exit_code == 0
    assert run("validate", scenario).exit_code == 0
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "plan.json"
    result = run("solve", scenario, "-o", plan, "--time-limit", "20", "--summary", summary, "--quiet")
    assert result.exit_code == 0, result.output
    doc = json.loads(summary.read_text())
    assert doc["kind"] == "roster" and doc["status"] in ("optimal", "feasible")
    assert {"penalty: cover_under", "cost: labour", "backend won"} <= set(doc["kpis"])
    sheets = openpyxl.load_workbook(plan, read_only=True).sheetnames
    assert {"Summary", "Roster", "Roster grid", "Cover", "Budget impact"} <= set(sheets)


def test_infeasible_scenario_exits_1(tmp_path: Path) -> None:
    result = run("solve", ROOT / "scenarios" / "roster-infeasible.xlsx", "-o", tmp_path / "p.xlsx", "--time-limit", "8")
    assert result.exit_code == 1, result.output


def test_bad_nrp_file_exits_2_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(SMALL.replace("0,D,1,100,1", "0,D,1,100"))
    result = run("solve", path, "--format", "nrp", "-o", tmp_path / "p.xlsx")
    assert result.exit_code == 2
    assert "bad.txt line 23" in result.output and not (tmp_path / "p.xlsx").exists()


@needs_instances
def test_nrp_instance_and_its_imported_workbook_give_607(tmp_path: Path) -> None:
    summary = tmp_path / "s.json"
    args = ("--time-limit", "30", "--summary", summary, "--quiet")
    assert run("solve", INSTANCE1, "--format", "nrp", "-o", tmp_path / "a.xlsx", *args).exit_code == 0
    assert json.loads(summary.read_text())["objective"] == pytest.approx(607)
    workbook = tmp_path / "Instance1.xlsx"
    assert run("import", "nrp", INSTANCE1, "-o", workbook).exit_code == 0
    assert run("solve", workbook, "-o", tmp_path / "b.xlsx", *args).exit_code == 0
    assert json.loads(summary.read_text())["objective"] == pytest.approx(607)
