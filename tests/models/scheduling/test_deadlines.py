"""Hard deadlines: enforced with known optima, checked inputs, and infeasible shops explained row by row.

Each infeasible case has exactly one smallest set of conflicting rows (worked out by hand), next to
rows that play no part; the explanation must name exactly the conflicting cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models.scheduling import explain
from optimizer.core.errors import InputErrors
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.io.tables import column_letter
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.scheduling.helpers import brute_force, shop, solve_case
from tests.models.scheduling.test_optima import random_shop


def cell(sheet: str, rows: list[dict[str, Any]], index: int, column: str) -> str:
    """The CSV cell of rows[index][column], as the loader names it (header on line 1)."""
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    return f"{sheet}.csv!{column_letter(columns.index(column))}{index + 2}"


def named(result) -> set[str]:
    return {r["location"] for r in result.explanation if r["severity"] == "error" and r["location"]}


def test_a_deadline_changes_the_optimal_order(tmp_path: Path) -> None:
    # one machine; A first: B ends 6, 4 late (cost 4); B first: A ends 6, 2 late x 5 (cost 10)
    jobs = [{"job": "A", "due": 4, "weight": 5}, {"job": "B", "due": 2, "weight": 1}]
    ops = {"A": [{"M": 4}], "B": [{"M": 2}]}
    free = solve_case(tmp_path / "free", shop(jobs, ops, "weighted_tardiness"))
    assert free.objective == 4
    jobs[1]["deadline"] = 3  # B must end by 3: B goes first
    sheets = shop(jobs, ops, "weighted_tardiness")
    bound = solve_case(tmp_path / "bound", sheets)
    assert bound.objective == 10 == brute_force(sheets)
    frame = bound.plan.sheets["Schedule"]
    assert frame[frame["job"] == "B"]["end"].tolist() == [2]
    assert bound.plan.kpis["deadlines_met"] == 1 and bound.plan.kpis["jobs_with_deadline"] == 1
    assert bound.plan.sheets["Jobs"]["deadline"].tolist()[1] == 3


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_shops_with_deadlines_match_brute_force(tmp_path: Path, seed: int) -> None:
    sheets = random_shop(seed, "blend")
    for k, job in enumerate(sheets["Jobs"]):  # tight but mostly reachable ship dates
        job["deadline"] = job["release"] + 6 + 2 * k
    best = brute_force(sheets)
    if best == float("inf"):
        solve_case(tmp_path, sheets, expect=Status.INFEASIBLE)
    else:
        assert solve_case(tmp_path, sheets).objective == pytest.approx(best)


def test_a_deadline_behind_a_maintenance_stop_names_both_rows(tmp_path: Path) -> None:
    # M1 is down 0-10 and A's only operation needs M1 for 3: A cannot end by 8. M2's stop and B play no part.
    jobs = [{"job": "A", "deadline": 8}, {"job": "B", "deadline": 20}]
    calendar = [
        {"machine": "M2", "unavailable_from": 0, "unavailable_to": 4},
        {"machine": "M1", "unavailable_from": 0, "unavailable_to": 10},
    ]
    sheets = shop(jobs, {"A": [{"M1": 3}], "B": [{"M2": 2}, {"M1": 2}]}, Calendar=calendar)
    result = solve_case(tmp_path, sheets, expect=Status.INFEASIBLE)
    assert named(result) == {cell("Jobs", jobs, 0, "deadline"), cell("Calendar", calendar, 1, "unavailable_from")}
    messages = " ".join(r["message"] for r in result.explanation)
    assert "job A must end by 8 (deadline)" in messages and "machine M1 is unavailable from 0 to 10" in messages
    # without those two rows the best makespan is 8: A on M1 0-3; B on M2 after its stop (4-6), then M1 6-8
    assert "without the rules listed above, the best plan costs 8.00" in messages


def test_a_release_after_the_deadline_less_the_work_names_both_cells(tmp_path: Path) -> None:
    jobs = [{"job": "A", "release": 5, "deadline": 7}, {"job": "B", "release": 1, "deadline": 30}]
    sheets = shop(jobs, {"A": [{"M": 4}], "B": [{"M": 1}]})
    result = solve_case(tmp_path, sheets, expect=Status.INFEASIBLE)
    assert named(result) == {cell("Jobs", jobs, 0, "release"), cell("Jobs", jobs, 0, "deadline")}


def test_a_job_precedence_against_a_deadline_names_the_precedence_row(tmp_path: Path) -> None:
    # B (3 on M2) comes after A (5 on M1) and must end by 8: fine alone (A 0-5, B 5-8), but A also waits for C
    jobs = [{"job": "A"}, {"job": "B", "deadline": 8}, {"job": "C", "deadline": 9}]
    precedence = [{"before": "C", "after": "A"}, {"before": "A", "after": "B"}]
    sheets = shop(jobs, {"A": [{"M1": 5}], "B": [{"M2": 3}], "C": [{"M2": 1}]}, JobPrecedence=precedence)
    result = solve_case(tmp_path, sheets, expect=Status.INFEASIBLE)
    # C (0-1) then A (1-6) then B (6-9): both precedence rows and B's deadline are needed for the conflict
    assert named(result) == {
        cell("JobPrecedence", precedence, 0, "after"),
        cell("JobPrecedence", precedence, 1, "after"),
        cell("Jobs", jobs, 1, "deadline"),
    }


def test_explain_on_a_feasible_shop_finds_no_conflict(tmp_path: Path) -> None:
    sheets = shop([{"job": "A", "deadline": 10}], {"A": [{"M": 3}]})
    s = load(write_folder(tmp_path, sheets)).scenario
    rows = explain.explain(s, SolveParams(time_limit=5), 5.0)
    assert rows and rows[0]["message"].startswith("infeasible: ")  # nothing to name: the scenario has a plan


@pytest.mark.parametrize(
    ("value", "text"),
    [(2, "must not be before the release 5"), ("soon", "must be a whole number"), (-1, "must be >= 0")],
)
def test_bad_deadlines_are_reported_at_their_cell(tmp_path: Path, value: Any, text: str) -> None:
    jobs = [{"job": "A", "release": 5, "deadline": value}]
    sheets = shop(jobs, {"A": [{"M": 3}]})
    with pytest.raises(InputErrors) as caught:
        load(write_folder(tmp_path, sheets))
    found = [e for e in caught.value.errors if e.location == cell("Jobs", jobs, 0, "deadline")]
    assert found and text in found[0].message, [(e.location, e.message) for e in caught.value.errors]


def test_the_shipped_infeasible_example_exits_1_naming_the_rush_deadline_and_the_lathe_stop(tmp_path: Path) -> None:
    import openpyxl
    from typer.testing import CliRunner

    from models.scheduling.example import rush_order_tables
    from optimizer.cli import app

    path = Path(__file__).resolve().parents[3] / "scenarios" / "scheduling-infeasible.xlsx"
    tables = rush_order_tables()
    assert [j.job for j in load(path).scenario.jobs] == [r["job"] for r in tables["Jobs"]]  # made by example.py
    plan = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(app, ["solve", str(path), "-o", str(plan), "-q", "--time-limit", "8"])
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(plan, read_only=True)
    assert "Diagnostics" in book.sheetnames and "Schedule" not in book.sheetnames
    rows = [tuple(r) for r in book["Diagnostics"].iter_rows(values_only=True)]
    rush = 2 + next(i for i, r in enumerate(tables["Jobs"]) if r["job"] == "RUSH")  # header on row 1
    lathe = 1 + len(tables["Calendar"])  # the maintenance row is the last Calendar row
    errors = {r[1]: r[2] for r in rows if r[0] == "error" and r[1]}
    assert set(errors) == {f"Jobs!E{rush}", f"Calendar!B{lathe}"}
    assert "job RUSH must end by 180" in errors[f"Jobs!E{rush}"]
    assert "machine LATHE is unavailable from 0 to 240" in errors[f"Calendar!B{lathe}"]
    assert any("without the rules listed above, the best plan costs" in str(r[2]) for r in rows)
