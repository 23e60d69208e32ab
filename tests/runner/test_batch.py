"""`optimizer batch` on real inputs: one process per solve, broken inputs reported, what-ifs compared."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.runner.batch import local_threads
from optimizer.runner.history import History
from optimizer.solve import load, solve_loaded
from tests.builders import edit_cells, sha256, tiny_sheets, tiny_workbook

runner = CliRunner()
WHAT_IF = [
    ["scenario", "sheet", "column", "change", "value", "where"],
    ["demand +10%", "Demand", "quantity", "percent", 10, None],
    ["A dearer", "Items", "unit_cost", "add", 2, "item=A"],
]


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """One batch over a good input, a bad one, a missing one and one with two what-ifs (solved once for all tests)."""
    folder = tmp_path_factory.mktemp("batch")
    good = tiny_workbook(folder / "good.xlsx")
    bad = edit_cells(tiny_workbook(folder / "bad.xlsx"), {"Demand": {"C3": -5}})
    what_if = tiny_workbook(folder / "whatif.xlsx", Scenarios=WHAT_IF)
    before = {p: sha256(p) for p in (good, bad, what_if)}
    out_dir = folder / "out"
    db = f"sqlite:///{tmp_path_factory.mktemp('home') / 'history.sqlite'}"
    args = [
        "batch",
        good,
        bad,
        folder / "missing.xlsx",
        what_if,
        "--out-dir",
        out_dir,
        "--time-limit",
        "20",
        "--db",
        db,
    ]
    result = runner.invoke(app, [str(a) for a in args])
    return folder, out_dir, result, before, db


def test_every_input_is_reported_and_the_exit_code_says_one_failed(batch_run):
    _, out_dir, result, _, _ = batch_run
    assert result.exit_code == 2, result.output
    runs = pd.read_excel(out_dir / "batch-summary.xlsx", sheet_name="Runs", engine="calamine")
    assert list(runs["run"]) == ["good", "bad", "missing", "whatif", "whatif--demand-+10", "whatif--A-dearer"]
    status = dict(zip(runs["run"], runs["status"], strict=True))
    assert status["bad"] == status["missing"] == "bad_input"
    assert all(status[r] == "optimal" for r in ("good", "whatif", "whatif--demand-+10", "whatif--A-dearer"))
    errors = dict(zip(runs["run"], runs["error"], strict=True))
    assert errors["bad"] == "Demand!C3: quantity must be >= 0, got -5"
    assert "does not exist" in errors["missing"]


def test_each_run_writes_its_plan_and_summary_and_inputs_are_untouched(batch_run):
    folder, out_dir, _, before, _ = batch_run
    for run in ("good", "whatif", "whatif--demand-+10", "whatif--A-dearer"):
        assert (out_dir / f"{run}-plan.xlsx").exists()
        summary = json.loads((out_dir / f"{run}-summary.json").read_text())
        assert summary["status"] == "optimal" and summary["plan_file"] == str(out_dir / f"{run}-plan.xlsx")
    assert not (out_dir / "bad-plan.xlsx").exists()
    assert {p: sha256(p) for p in before} == before
    assert sorted(p.name for p in folder.iterdir()) == ["bad.xlsx", "good.xlsx", "out", "whatif.xlsx"]


def test_what_if_runs_match_solving_the_changed_workbook_directly(batch_run, tmp_path):
    _, out_dir, _, _, _ = batch_run
    sheets = tiny_sheets()
    sheets["Demand"] = [sheets["Demand"][0]] + [[i, p, q * 1.1] for i, p, q in sheets["Demand"][1:]]
    direct = solve_loaded(load(tiny_workbook(tmp_path / "peak.xlsx", Demand=sheets["Demand"])), SolveParams())
    batch = json.loads((out_dir / "whatif--demand-+10-summary.json").read_text())
    assert batch["objective"] == pytest.approx(direct.objective, rel=1e-3)
    assert batch["scenario"] == "tiny [demand +10%]"


def test_what_if_comparison_puts_scenarios_side_by_side(batch_run):
    _, out_dir, _, _, _ = batch_run
    frame = pd.read_excel(out_dir / "batch-summary.xlsx", sheet_name="What-if whatif", engine="calamine")
    assert list(frame.columns) == ["measure", "base", "demand +10%", "A dearer"]
    row = frame.set_index("measure").loc["kpi: demand"]
    assert row["demand +10%"] == pytest.approx(row["base"] * 1.1)
    purchasing = frame.set_index("measure").loc["cost: purchasing"]
    assert purchasing["A dearer"] > purchasing["base"]
    assert "variance: purchasing" in set(frame["measure"])


def test_every_run_is_in_the_history(batch_run):
    records = [r for r in History(batch_run[4]).recent(50) if r.command == "batch"]
    assert len(records) >= 6
    assert {"bad_input", "optimal"} <= {r.status for r in records}


def test_workers_times_threads_never_exceed_the_cores(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert local_threads(2, None) == (4, None)
    assert local_threads(3, 2) == (2, None)
    threads, note = local_threads(4, 4)
    assert threads == 2 and "more than the 8 cores" in note
    assert local_threads(16, None) == (1, None)


def test_out_dir_inside_an_input_folder_is_refused(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    result = runner.invoke(app, ["batch", str(folder), "--out-dir", str(folder / "out")])
    assert result.exit_code == 2 and "would write into the input" in result.output
    assert not (folder / "out").exists()


def test_a_clean_batch_exits_zero(tmp_path):
    good = tiny_workbook(tmp_path / "good.xlsx")
    result = runner.invoke(app, ["batch", str(good), "--out-dir", str(tmp_path / "o"), "-q", "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    assert Path(tmp_path / "o" / "good-plan.xlsx").exists()
