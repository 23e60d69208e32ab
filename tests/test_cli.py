"""The command-line contract of DESIGN.md, through typer's CliRunner on real files in tmp_path."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import psutil
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests.builders import SUMMARY_KEYS, edit_cells, files_in, sha256, tiny_workbook
from tests.models.production.test_formats import BENCHMARKS

runner = CliRunner()
PLAN_SHEETS = ["Summary", "Orders", "Inventory", "Reorder policy", "Budget impact", "Diagnostics"]


def run(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args])
    # an uncaught exception is never an answer: the CLI must turn every failure into a message and an exit code
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def tiny(tmp_path) -> Path:
    return tiny_workbook(tmp_path / "tiny.xlsx")


@pytest.fixture
def bad(tmp_path) -> Path:
    """Three mistakes in sheets nobody refers to, so exactly three errors."""
    return edit_cells(
        tiny_workbook(tmp_path / "bad.xlsx"),
        {"Demand": {"C7": -5, "A4": "X9"}, "ItemSuppliers": {"C3": "soon"}},
    )


BAD_ERRORS = [
    "Demand!A4: item 'X9' is not in Items",
    "Demand!C7: quantity must be >= 0, got -5",
    "ItemSuppliers!C3: lead_time must be a whole number, got 'soon'",
]


# --- template ----------------------------------------------------------------------------------------------------


def test_template_example_is_accepted_by_validate(tmp_path):
    path = tmp_path / "example.xlsx"
    result = run("template", "inventory", "-o", path, "--example")
    assert result.exit_code == 0, result.output
    assert path.is_file()
    checked = run("validate", path)
    assert checked.exit_code == 0, checked.output
    assert "valid inventory scenario 'retail-example'" in checked.stdout


def test_blank_template_has_every_sheet_plus_help(tmp_path):
    path = tmp_path / "blank.xlsx"
    assert run("template", "inventory", "--output", path).exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames == [
        "Settings",
        "Periods",
        "Items",
        "Suppliers",
        "ItemSuppliers",
        "Demand",
        "OpenOrders",
        "Budget",
        "Help",
    ]
    # blank means not yet a scenario: validate says what is missing, without a traceback
    result = run("validate", path)
    assert result.exit_code == 2
    assert "Items: table is empty" in result.output


def test_template_scale(tmp_path):
    path = tmp_path / "scaled.xlsx"
    assert run("template", "inventory", "-o", path, "--scale", "3").exit_code == 0
    assert openpyxl.load_workbook(path)["Items"].max_row == 4
    assert run("validate", path).exit_code == 0


@pytest.mark.parametrize("kind,message", [("bakery", "unknown kind 'bakery'")])
def test_template_of_unknown_or_unavailable_kind_exits_2_and_writes_nothing(tmp_path, kind, message):
    result = run("template", kind, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert message in result.output
    assert files_in(tmp_path) == set()


# --- validate ----------------------------------------------------------------------------------------------------


def test_validate_lists_every_error_with_its_location(bad):
    result = run("validate", bad)
    assert result.exit_code == 2
    assert "The input has 3 problem(s); nothing was written" in result.output
    for error in BAD_ERRORS:
        assert error in result.output
    assert result.stdout == ""  # errors go to stderr


@pytest.mark.parametrize("content", [b"", b"not a workbook at all", b"PK\x03\x04garbage"])
def test_validate_of_a_damaged_file_exits_2(tmp_path, content):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(content)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "damaged.xlsx: is not a readable Excel workbook (.xlsx)" in result.output


def test_validate_of_a_missing_file_exits_2(tmp_path):
    result = run("validate", tmp_path / "missing.xlsx")
    assert result.exit_code == 2
    assert "missing.xlsx: file or folder does not exist" in result.output


def test_validate_unknown_format_exits_2(tiny):
    result = run("validate", tiny, "--format", "pdf")
    assert result.exit_code == 2
    assert "unknown format 'pdf'" in result.output


def test_file_names_with_brackets_are_printed_as_given(tmp_path):
    """Paths and user text are not console markup: 'Q3 [final].xlsx' must not be shown as 'Q3 .xlsx'."""
    path = tiny_workbook(tmp_path / "Q3 [final].xlsx")
    result = run("validate", path)
    assert result.exit_code == 0
    assert "Q3 [final].xlsx: valid inventory scenario" in result.stdout
    result = run("solve", path, "--time-limit", "5")
    assert result.exit_code == 0
    assert (tmp_path / "Q3 [final]-plan.xlsx").is_file()
    assert "Q3 [final]-plan.xlsx" in result.stdout


def test_user_text_in_usage_errors_is_not_console_markup(tiny):
    result = run("validate", tiny, "--format", "[/]")
    assert result.exit_code == 2
    assert "unknown format '[/]'" in result.output


# --- solve: bad input --------------------------------------------------------------------------------------------


def test_solve_of_a_bad_workbook_exits_2_writes_nothing_and_keeps_the_input(tmp_path, bad):
    before_files = files_in(tmp_path)
    before = sha256(bad)
    result = run(
        "solve", bad, "-o", tmp_path / "plan.xlsx", "--summary", tmp_path / "summary.json", "--time-limit", "5"
    )
    assert result.exit_code == 2
    for error in BAD_ERRORS:
        assert error in result.output
    assert files_in(tmp_path) == before_files  # no plan, no summary, no temporary file
    assert sha256(bad) == before


def test_solve_default_output_is_not_written_for_a_bad_workbook(tmp_path, bad):
    result = run("solve", bad, "--time-limit", "5")
    assert result.exit_code == 2
    assert not (tmp_path / "bad-plan.xlsx").exists()


def test_solve_with_output_equal_to_input_exits_2_and_keeps_the_input(tmp_path, tiny):
    before = sha256(tiny)
    for target in (tiny, tmp_path / "." / "tiny.xlsx"):
        result = run("solve", tiny, "-o", target, "--time-limit", "5")
        assert result.exit_code == 2
        assert "would overwrite the input" in result.output
        assert sha256(tiny) == before
    result = run("solve", tiny, "-o", tmp_path / "plan.xlsx", "--summary", tiny, "--time-limit", "5")
    assert result.exit_code == 2
    assert sha256(tiny) == before
    assert files_in(tmp_path) == {"tiny.xlsx"}


def test_an_output_named_for_another_file_type_exits_2_and_writes_nothing(tmp_path, tiny):
    """A workbook named plan.csv, or the JSON summary named .xlsx (arguments swapped), would not open in Excel."""
    result = run("solve", tiny, "-o", tmp_path / "plan.csv", "--time-limit", "5")
    assert result.exit_code == 2 and "give a name ending in .xlsx" in result.output
    result = run("solve", tiny, "-o", tmp_path / "plan.xlsx", "--summary", tmp_path / "s.xlsx", "--time-limit", "5")
    assert result.exit_code == 2 and "the summary is written as .json" in result.output
    result = run("template", "inventory", "-o", tmp_path / "inventory.csv")
    assert result.exit_code == 2
    assert files_in(tmp_path) == {"tiny.xlsx"}
    assert run("solve", tiny, "-o", tmp_path / "PLAN.XLSX", "--time-limit", "5").exit_code == 0


def test_an_output_that_cannot_be_written_exits_2_before_the_solve(tmp_path, tiny):
    """A file where the output's folder should be: said at once (not as a traceback after the solve), nothing written."""
    (tmp_path / "notes.txt").write_text("mine")
    result = run("solve", tiny, "-o", tmp_path / "notes.txt" / "plan.xlsx", "--time-limit", "5")
    assert result.exit_code == 2 and "notes.txt is a file, not a folder" in result.output
    summary = tmp_path / "notes.txt" / "deeper" / "s.json"
    result = run("solve", tiny, "-o", tmp_path / "plan.xlsx", "--summary", summary, "--time-limit", "5")
    assert result.exit_code == 2 and "is a file, not a folder" in result.output
    assert files_in(tmp_path) == {"tiny.xlsx", "notes.txt"}
    assert run("solve", tiny, "-o", tmp_path / "new" / "plan.xlsx", "--time-limit", "5").exit_code == 0


def test_solve_never_overwrites_the_input_through_a_path_via_a_new_folder(tmp_path, tiny):
    """`new/../tiny.xlsx` is the input too, even though the folder `new` does not exist yet."""
    before = sha256(tiny)
    result = run("solve", tiny, "-o", tmp_path / "new" / ".." / "tiny.xlsx", "--time-limit", "5")
    assert result.exit_code == 2
    assert sha256(tiny) == before


def test_solve_never_overwrites_the_input_with_the_summary_via_a_new_folder(tmp_path, tiny):
    before = sha256(tiny)
    result = run(
        "solve",
        tiny,
        "-o",
        tmp_path / "plan.xlsx",
        "--summary",
        tmp_path / "new" / ".." / "tiny.xlsx",
        "--time-limit",
        "5",
    )
    assert result.exit_code == 2
    assert sha256(tiny) == before


def test_solve_with_an_uninstalled_solver_exits_2_with_a_clear_message(tmp_path, tiny):
    import pyomo.environ as pyo

    if pyo.SolverFactory("baron").available(exception_flag=False):
        pytest.skip("baron is installed here")
    result = run("solve", tiny, "-o", tmp_path / "plan.xlsx", "--summary", tmp_path / "s.json", "--solver", "baron")
    assert result.exit_code == 2
    assert "solver 'baron' is not installed on this machine" in result.output
    assert files_in(tmp_path) == {"tiny.xlsx"}


def test_solve_with_a_made_up_solver_name_prints_no_traceback(tmp_path, tiny):
    """A real process, so that what Pyomo logs on its own stderr handler is seen as a user sees it."""
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "optimizer",
            "solve",
            str(tiny),
            "-o",
            str(tmp_path / "plan.xlsx"),
            "--solver",
            "nosuchsolver",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert "unknown solver 'nosuchsolver'" in process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    assert files_in(tmp_path) == {"tiny.xlsx"}


def test_the_time_limit_holds_for_the_whole_command_its_imports_and_writing_included(tmp_path):
    """The retail example's HiGHS search is cut by a 3 s limit (it ran 4.5 s of solving before the child was stopped at
    the limit rather than 2 s after it); the command's imports (about 0.5 s) count against the limit too."""
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "summary.json"
    source = Path(__file__).parents[1] / "scenarios" / "inventory-retail.xlsx"
    command = [sys.executable, "-m", "optimizer", "solve", str(source), "-o", str(plan), "--summary", str(summary)]
    started = time.perf_counter()
    process = subprocess.run([*command, "--time-limit", "3", "--quiet"], capture_output=True, text=True, timeout=60)
    took = time.perf_counter() - started
    doc = json.loads(summary.read_text())
    assert process.returncode == 0 and doc["status"] == "feasible", process.stderr
    assert doc["wall_seconds"] <= 3.0 + 0.05
    stages = ("load_seconds", "build_seconds", "start_seconds", "solve_seconds", "write_seconds")
    assert doc["wall_seconds"] > sum(doc[key] for key in stages) + 0.1  # the imports before the load are counted
    assert took <= 3.0 + 0.6, f"{took:.1f} s for a 3 s limit"  # the interpreter's start and exit on top


def test_solve_with_output_naming_a_folder_exits_2_with_a_message(tmp_path, tiny):
    """A usage mistake: exit 2 and a sentence, not a traceback and exit 1 (which would mean 'no plan')."""
    folder = tmp_path / "plans"
    folder.mkdir()
    result = run("solve", tiny, "-o", folder, "--time-limit", "5", "--quiet")
    assert result.exit_code == 2
    assert "plans" in result.output
    assert files_in(tmp_path) == {"tiny.xlsx"}


@pytest.mark.parametrize("option", [["--time-limit", "0"], ["--gap", "2"], ["--threads", "0"], ["--seed", "-1"]])
def test_solve_rejects_out_of_range_options_with_exit_2(tmp_path, tiny, option):
    result = run("solve", tiny, "-o", tmp_path / "plan.xlsx", *option)
    assert result.exit_code == 2
    assert files_in(tmp_path) == {"tiny.xlsx"}


# --- solve: a real tiny solve ------------------------------------------------------------------------------------


def test_solve_tiny_writes_the_plan_and_the_summary(tmp_path, tiny):
    before = sha256(tiny)
    plan = tmp_path / "out" / "plan.xlsx"
    summary = tmp_path / "out" / "summary.json"
    result = run("solve", tiny, "-o", plan, "--summary", summary, "--time-limit", "5")
    assert result.exit_code == 0, result.output
    assert "tiny: optimal" in result.stdout
    assert sha256(tiny) == before
    assert files_in(tmp_path) == {"tiny.xlsx", "out/plan.xlsx", "out/summary.json"}

    book = openpyxl.load_workbook(plan)
    assert book.sheetnames == PLAN_SHEETS
    assert [c.value for c in book["Orders"][1]] == [
        "item",
        "supplier",
        "order_period",
        "arrival_period",
        "quantity",
        "cost",
    ]
    assert [c.value for c in book["Inventory"][1]] == [
        "item",
        "period",
        "opening",
        "arrivals",
        "demand",
        "closing",
        "shortage",
    ]
    assert [c.value for c in book["Budget impact"][1]] == [
        "category",
        "period",
        "planned",
        "budget",
        "variance",
        "variance %",
    ]
    assert book["Orders"].freeze_panes == "A2"

    doc = json.loads(summary.read_text())
    assert SUMMARY_KEYS <= set(doc)
    assert doc["kind"] == "inventory"
    assert doc["scenario"] == "tiny"
    assert doc["status"] == "optimal"
    assert doc["solver"] == "highs"
    assert doc["errors"] == []
    assert doc["plan_file"] == str(plan)
    assert doc["objective"] == pytest.approx(doc["bound"], rel=1e-6)
    assert doc["gap"] == pytest.approx(0.0, abs=1e-6)
    assert sum(doc["costs"].values()) == pytest.approx(doc["objective"], rel=1e-6)
    for key in ("load_seconds", "build_seconds", "start_seconds", "solve_seconds", "write_seconds", "wall_seconds"):
        assert doc[key] >= 0, key
    stages = ("load_seconds", "build_seconds", "start_seconds", "solve_seconds", "write_seconds")
    assert doc["wall_seconds"] + 0.005 >= sum(doc[key] for key in stages)  # the stages do not overlap (rounded)
    assert doc["input_sha256"] == before

    summary_sheet = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary_sheet["status"] == "optimal"
    assert summary_sheet["objective"] == pytest.approx(doc["objective"])
    # Budget impact agrees with the Orders sheet and the summary's costs
    impact = {(r[0].value, r[1].value): [c.value for c in r[2:]] for r in book["Budget impact"].iter_rows(min_row=2)}
    unit_cost = {"A": 10, "B": 4}
    bought_w1 = sum(
        r[4].value * unit_cost[r[0].value] for r in book["Orders"].iter_rows(min_row=2) if r[2].value == "W1"
    )
    planned, budget, variance, _ = impact[("purchasing", "W1")]
    assert (planned, budget) == (pytest.approx(bought_w1), 100)
    assert variance == pytest.approx(planned - 100)
    planned, budget, variance, _ = impact[("holding", "all periods")]
    assert (planned, budget) == (pytest.approx(doc["costs"]["holding"], abs=0.01), 10)


def test_solve_stopped_by_the_time_limit_is_feasible_with_its_gap_never_optimal(tmp_path):
    """A synthetic scenario HiGHS cannot close in 2 s: the best plan is written, exit 0, status feasible."""
    scenario = tmp_path / "scaled.xlsx"
    assert run("template", "inventory", "-o", scenario, "--scale", "8", "--seed", "3").exit_code == 0
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "summary.json"
    result = run("solve", scenario, "-o", plan, "--summary", summary, "--time-limit", "2", "--quiet")
    doc = json.loads(summary.read_text())
    assert doc["status"] == "feasible", doc["message"]
    assert result.exit_code == 0
    assert doc["gap"] > 0
    assert doc["bound"] < doc["objective"]
    assert doc["gap"] == pytest.approx((doc["objective"] - doc["bound"]) / doc["objective"])
    assert doc["wall_seconds"] <= 2 + 0.05  # the limit is for the whole run, writing included
    book = openpyxl.load_workbook(plan)
    assert book.sheetnames == PLAN_SHEETS
    assert {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}["status"] == "feasible"


def test_solve_default_output_name_and_quiet(tmp_path, tiny):
    result = run("solve", tiny, "--time-limit", "5", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "tiny-plan.xlsx").is_file()


def test_solve_infeasible_exits_1_with_summary_and_diagnostics_only(tmp_path):
    """A lost-sale item with a hard safety stock and no supply can never hold its safety stock."""
    path = tiny_workbook(
        tmp_path / "infeasible.xlsx",
        Items=[
            [
                "item",
                "unit_cost",
                "holding_cost",
                "shortage_cost",
                "shortage_policy",
                "safety_stock",
                "safety_stock_policy",
            ],
            ["A", 10, 0.5, 5, "lost_sale", 10, "hard"],
            ["B", 4, 0.2, 3, "backorder", 0, "soft"],
            ["C", 2, 0.1, 1, "backorder", 0, "soft"],
        ],
        Suppliers=[["supplier", "capacity"], ["S1", 0]],
    )
    plan = tmp_path / "plan.xlsx"
    summary = tmp_path / "summary.json"
    result = run("solve", path, "-o", plan, "--summary", summary, "--time-limit", "5")
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(plan)
    assert book.sheetnames == ["Summary", "Diagnostics"]
    diagnostics = [[c.value for c in row] for row in book["Diagnostics"].iter_rows(min_row=2)]
    assert diagnostics[0][0] == "error" and diagnostics[0][2].startswith("no plan: infeasible")
    # supplier capacity 0 is a variable bound here, so the hard safety stock of A is what bends
    assert {row[1] for row in diagnostics[1:-1]} == {"Items!F2"}
    doc = json.loads(summary.read_text())
    assert doc["status"] == "infeasible"
    assert doc["objective"] is None and doc["costs"] == {} and doc["kpis"] == {}


def test_solve_csv_folder(tmp_path):
    from tests.builders import tiny_sheets
    from tests.test_solve import write_csv_folder

    folder = write_csv_folder(tmp_path / "scenario", tiny_sheets())
    plan = tmp_path / "plan.xlsx"
    result = run("solve", folder, "-o", plan, "--time-limit", "5", "--quiet")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(plan).sheetnames == PLAN_SHEETS


# --- help --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["template", "validate", "solve"])
def test_help_of_each_command(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_top_level_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("template", "validate", "solve"):
        assert command in result.output


def _solver_process(command, within: float):
    """The command's solver process (a spawned child) once it has started, or None after `within` seconds."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        for child in command.children(recursive=True):
            try:
                if any("spawn_main" in part for part in child.cmdline()):
                    return child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.1)
    return None


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_run_ends_at_once_with_its_solver_processes_and_writes_nothing(tmp_path, stop):
    """A scheduler's kill (SIGTERM) or Ctrl-C while HiGHS works: exit 130 in seconds, no process left, no file."""
    source = BENCHMARKS / "lotsizing" / "X11119A.txt"  # HiGHS does not prove it optimal in 60 s
    plan = tmp_path / "plan.xlsx"
    command = [sys.executable, "-m", "optimizer", "solve", str(source), "--format", "clsp", "-o", str(plan), "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        solver = _solver_process(psutil.Process(process.pid), within=30.0)
        assert solver is not None, "the solver runs in a process of its own"
        time.sleep(2.0)  # HiGHS loaded and at work in it
        children = psutil.Process(process.pid).children(recursive=True)
        stopped = time.perf_counter()
        process.send_signal(stop)
        code = process.wait(timeout=60)
        waited = time.perf_counter() - stopped
        _, alive = psutil.wait_procs(children, timeout=5)
    finally:
        process.kill()
    assert code == 130 and waited < 10.0
    assert "interrupted: nothing was written" in process.stderr.read()
    assert not alive and not plan.exists()
