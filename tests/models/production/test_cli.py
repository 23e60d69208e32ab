"""Production through the command line: template, solve, import and validate on real files."""

from __future__ import annotations

import json

import openpyxl
from typer.testing import CliRunner

from optimizer.cli import app
from tests.models.production.test_formats import TINY

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_example_solves_to_a_full_plan_workbook(tmp_path):
    example, plan, summary = tmp_path / "example.xlsx", tmp_path / "plan.xlsx", tmp_path / "plan.json"
    assert run("template", "production", "--example", "-o", example).exit_code == 0
    result = run("solve", example, "-o", plan, "--time-limit", "20", "--gap", "0.02", "--summary", summary, "--quiet")
    assert result.exit_code == 0, result.output
    sheets = openpyxl.load_workbook(plan, read_only=True).sheetnames
    for name in ("Summary", "Production", "Inventory", "Capacity", "Marginal values", "Budget impact", "Diagnostics"):
        assert name in sheets
    data = json.loads(summary.read_text())
    assert data["kind"] == "production" and data["status"] in ("optimal", "feasible")
    assert set(data["costs"]) <= {"production", "setup", "overtime", "holding", "backlog", "safety_stock"}
    assert data["kpis"]["products"] == 12


def test_clsp_import_and_solve_with_objective_note(tmp_path):
    source, scenario, summary = tmp_path / "tiny.txt", tmp_path / "tiny.xlsx", tmp_path / "s.json"
    source.write_text(TINY)
    assert run("import", "clsp", source, "-o", scenario).exit_code == 0
    result = run("solve", source, "--format", "clsp", "-o", tmp_path / "p.xlsx", "--summary", summary, "--gap", "0")
    assert result.exit_code == 0, result.output
    data = json.loads(summary.read_text())
    assert data["status"] == "optimal"
    assert "is not included" in data["kpis"]["objective_note"]
    again = run("solve", scenario, "-o", tmp_path / "p2.xlsx", "--summary", tmp_path / "s2.json", "--gap", "0")
    assert again.exit_code == 0
    assert json.loads((tmp_path / "s2.json").read_text())["objective"] == data["objective"]


def test_bad_clsp_file_exits_2_with_its_line(tmp_path):
    source = tmp_path / "bad.txt"
    source.write_text("2 3\n1\n10\n1 1 1\n")
    result = run("validate", source, "--format", "clsp")
    assert result.exit_code == 2
    assert "bad.txt line 4" in result.output
