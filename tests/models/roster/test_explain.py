"""Infeasible rosters explained: the input rows whose hard rules conflict, and the cost without them.

Each tiny case has exactly one smallest set of conflicting rows (found by hand), so the
explanation must name exactly those cells; every roster formulation carries the explanation.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.roster import KIND, explain
from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.io.tables import column_letter, read_workbook
from optimizer.solve import ReplanRequest, load, solve_loaded
from tests.builders import write_folder
from tests.models.roster.helpers import solve_case

runner = CliRunner()
SCENARIO = Path(__file__).resolve().parents[3] / "scenarios" / "roster-infeasible.xlsx"


def cell(sheet: str, rows: list[dict[str, Any]], index: int, column: str) -> str:
    """The CSV cell of rows[index][column], as the loader names it (header on line 1)."""
    return f"{sheet}.csv!{column_letter(list(rows[0]).index(column))}{index + 2}"


def errors(explanation: list[dict[str, str]]) -> set[str]:
    return {r["location"] for r in explanation if r["severity"] == "error" and r["location"]}


COVER = [
    {"day": 0, "shift": "D", "minimum": 1, "minimum_policy": "hard"},
    {"day": 1, "shift": "D", "minimum": 2, "minimum_policy": "hard"},
    {"day": 2, "shift": "D", "minimum": 1, "minimum_policy": "hard"},
]
DAYS_OFF = [{"employee": "B", "day": 0}, {"employee": "A", "day": 1}]


@pytest.mark.parametrize("solver", ["cpsat", "lns", "hybrid", "highs"])
def test_a_day_off_against_a_hard_minimum_names_exactly_those_two_rows(tmp_path: Path, solver: str) -> None:
    staff = [{"employee": "A", "hourly_cost": 10}, {"employee": "B", "hourly_cost": 10}]
    solved = solve_case(
        tmp_path,
        days=3,
        staff=staff,
        cover_rows=COVER,
        FixedDaysOff=DAYS_OFF,
        solver=solver,
        expect=Status.INFEASIBLE,
        time_limit=10,
    )
    # day 1 needs both nurses but A is off: relaxing either row makes a roster; B's day off on day 0 is harmless
    assert errors(solved.result.explanation) == {
        cell("Cover", COVER, 1, "minimum"),
        cell("FixedDaysOff", DAYS_OFF, 1, "day"),
    }


def test_a_contract_limit_against_two_days_of_cover_and_the_cost_without_them(tmp_path: Path) -> None:
    staff = [{"employee": "A", "hourly_cost": 10, "max_consecutive_days": 1}]
    cover = [
        {"day": 0, "shift": "D", "minimum": 1, "minimum_policy": "hard"},
        {"day": 1, "shift": "D", "minimum": 1, "minimum_policy": "hard"},
        {"day": 2, "shift": "D", "preferred": 0},
    ]
    solved = solve_case(
        tmp_path, days=3, staff=staff, cover_rows=cover, expect=Status.INFEASIBLE, solver="cpsat", time_limit=10
    )
    explanation = solved.result.explanation
    assert errors(explanation) == {
        cell("Cover", cover, 0, "minimum"),
        cell("Cover", cover, 1, "minimum"),
        cell("Employees", staff, 0, "max_consecutive_days"),
    }
    messages = " ".join(r["message"] for r in explanation)
    assert "A works at most 1 days in a row (max_consecutive_days)" in messages
    assert "at least 1 person on shift 'D' on 1 (hard minimum cover)" in messages
    # without those rules: A works both days (2 x 8 h x 10 = 160) rather than leave a day short (100 + 80)
    assert "the best roster costs 160.00 EUR" in messages


def test_every_roster_formulation_explains() -> None:
    assert all(f.explain is explain.explain for f in KIND.formulations.values())


def test_the_infeasible_example_is_explained_within_the_time_limit(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    started = time.perf_counter()
    result = runner.invoke(app, ["solve", str(SCENARIO), "-o", str(out), "-q", "--time-limit", "12"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1, result.output
    assert elapsed < 12 + 3
    book = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert set(book) == {"Summary", "Diagnostics"}
    locations = " ".join(str(x) for x in book["Diagnostics"]["location"])
    messages = " ".join(book["Diagnostics"]["message"])
    assert "Cover!D" in locations and "FixedDaysOff!B" in locations, messages
    assert "hard minimum cover" in messages and "fixed day off" in messages


def test_the_explanation_stops_at_its_limit() -> None:
    scenario = load(SCENARIO).scenario
    started = time.perf_counter()
    explain.build(scenario)
    build = time.perf_counter() - started
    started = time.perf_counter()
    rows = explain.explain(scenario, SolveParams(time_limit=3, threads=1), 2.0)
    assert time.perf_counter() - started < build + 2.0 + 1.5  # one build, then the solves within the limit
    assert rows and rows[0]["severity"] == "error"


def test_a_replan_whose_published_days_cannot_stay_names_them(tmp_path: Path) -> None:
    """A worked day 0 and B was off; day 0 now needs two people: the published day off of B is in the conflict."""
    staff = [{"employee": "A", "hourly_cost": 10}, {"employee": "B", "hourly_cost": 20}]
    tables = {
        "Settings": [{"setting": "kind", "value": "roster"}, {"setting": "horizon_days", "value": 2}],
        "Employees": staff,
        "ShiftTypes": [{"shift": "D", "start": "08:00", "length_minutes": 480}],
        "Cover": [{"day": 0, "shift": "D", "minimum": 1, "minimum_policy": "hard"}],
    }
    folder = write_folder(tmp_path / "before", tables)
    plan = tmp_path / "plan.xlsx"
    assert runner.invoke(app, ["solve", str(folder), "-o", str(plan), "-q", "--time-limit", "10"]).exit_code == 0
    cover = [{"day": 0, "shift": "D", "minimum": 2, "minimum_policy": "hard"}]
    loaded = load(write_folder(tmp_path / "after", {**tables, "Cover": cover}))
    request = ReplanRequest(read_workbook(plan), 1)
    result = solve_loaded(loaded, SolveParams(solver="cpsat", time_limit=10), replan=request)
    assert result.status is Status.INFEASIBLE
    assert errors(result.explanation) == {cell("Cover", cover, 0, "minimum"), "previous plan Roster grid (B)"}
    messages = " ".join(r["message"] for r in result.explanation)
    assert "B keeps the published day off on 0 (replan --freeze 1)" in messages


def test_no_time_left_says_so() -> None:
    scenario = load(SCENARIO).scenario
    rows = explain.explain(scenario, SolveParams(time_limit=1, threads=1), 0.1)
    assert [r["message"] for r in rows] == [
        "infeasible: no time was left to find which rules conflict; a longer --time-limit tells"
    ]
