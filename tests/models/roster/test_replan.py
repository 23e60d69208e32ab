"""`optimizer replan` for rosters: published days stay, later changes cost, Changes says what moved.

Every replanned roster passes the independent checker, and the solver's objective is the
checker's objective plus the stability penalty the Changes sheet accounts for.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.roster.replan import CHANGE_COLUMNS
from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.core.plan import Plan
from optimizer.core.result import Result
from optimizer.io.tables import read_workbook
from optimizer.solve import ReplanRequest, load, solve_loaded
from tests.builders import write_folder
from tests.models.roster.checker import check_plan

runner = CliRunner()
Rows = list[dict[str, Any]]
SOLVERS = ("cpsat", "lns", "hybrid", "highs")

SHIFTS = [
    {"shift": "E", "start": "06:00", "length_minutes": 480},
    {"shift": "L", "start": "14:00", "length_minutes": 480},
]
STAFF = [
    {"employee": "A", "hourly_cost": 10, "max_consecutive_days": 3},
    {"employee": "B", "hourly_cost": 12, "max_consecutive_days": 3},
    {"employee": "C", "hourly_cost": 15, "max_consecutive_days": 3},
]


def ward(days: int = 5, weight: float = 50.0, staff: Rows | None = None, **extra: Rows) -> dict[str, Rows]:
    """Three nurses, early and late shifts each wanting one person, a few requests."""
    cover = [
        {"day": d, "shift": t, "preferred": 1, "minimum_policy": "soft", "under_weight": 500}
        for d in range(days)
        for t in ("E", "L")
    ]
    requests = [
        {"employee": "A", "day": 1, "shift": "L", "request": "on", "weight": 30},
        {"employee": "B", "day": 2, "request": "off", "weight": 40},
    ]
    tables: dict[str, Rows] = {
        "Settings": [
            {"setting": "kind", "value": "roster"},
            {"setting": "horizon_days", "value": days},
            {"setting": "stability_weight", "value": weight},
        ],
        "Employees": copy.deepcopy(staff or STAFF),
        "ShiftTypes": SHIFTS,
        "Cover": cover,
        "ShiftRequests": requests,
        "ForbiddenSuccessions": [{"shift": "L", "next_shift": "E"}],
    }
    for name, rows in extra.items():
        tables[name] = tables.get(name, []) + rows
    return tables


def first_plan(tmp_path: Path, data: dict[str, Rows], solver: str = "cpsat") -> tuple[Path, dict, float]:
    """Solve with the CLI; the written roster is checked. Returns the plan file, its roster and objective."""
    folder = write_folder(tmp_path / "before", data)
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "plan.json"
    args = ["solve", str(folder), "-o", str(plan), "-q", "--time-limit", "10", "--gap", "0", "--solver", solver]
    out = runner.invoke(app, [*args, "--summary", str(summary)])
    assert out.exit_code == 0, out.output
    sheet = pd.read_excel(plan, sheet_name="Roster", engine="calamine", dtype=str)
    objective = json.loads(summary.read_text())["objective"]
    assert check_plan(load(folder).scenario, Plan(sheets={"Roster": sheet}, costs=pd.DataFrame())) == pytest.approx(
        objective
    )
    return plan, roster(sheet), objective


def replan(tmp_path: Path, data: dict[str, Rows], previous: Path, freeze: int, solver: str = "cpsat") -> Result:
    """Replan through the real path; check the roster and that objective = checked objective + stability penalty."""
    loaded = load(write_folder(tmp_path / "after", data))
    request = ReplanRequest(read_workbook(previous), freeze)
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=10, gap=0), replan=request)
    assert result.plan is not None, result.message
    value = check_plan(loaded.scenario, result.plan)
    assert result.objective == pytest.approx(value + result.plan.kpis["stability_penalty"], abs=1e-6)
    assert list(result.plan.sheets["Changes"].columns) == CHANGE_COLUMNS
    return result


def roster(plan_or_sheet: Any) -> dict[tuple[str, str], str]:
    sheet = plan_or_sheet.sheets["Roster"] if hasattr(plan_or_sheet, "sheets") else plan_or_sheet
    return {(str(r.employee), str(r.day)): str(r.shift) for r in sheet.itertuples()}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("freeze", [0, 2])
def test_unchanged_data_changes_nothing_and_costs_nothing_more(tmp_path: Path, solver: str, freeze: int) -> None:
    data = ward()
    plan, before, objective = first_plan(tmp_path, data, solver)
    result = replan(tmp_path, data, plan, freeze, solver)
    assert roster(result.plan) == before
    assert result.plan.sheets["Changes"].empty
    assert result.objective == pytest.approx(objective)
    assert result.plan.kpis["stability_penalty"] == 0
    assert result.plan.kpis["share_changed_after_frozen_part"] == 0


@pytest.mark.parametrize("solver", ["cpsat", "highs"])
def test_frozen_days_stay_even_when_the_new_data_prefers_otherwise(tmp_path: Path, solver: str) -> None:
    data = ward(weight=0.0)
    plan, old, _ = first_plan(tmp_path, data, solver)
    working = sorted(who for (who, day) in old if day == "0")
    assert working
    wish = [{"employee": who, "day": 0, "request": "off", "weight": 5000} for who in working]
    changed = ward(weight=0.0, ShiftRequests=wish)
    free = replan(tmp_path / "free", changed, plan, 0, solver)
    assert not any((who, "0") in roster(free.plan) for who in working)  # unfrozen, the wishes are granted
    result = replan(tmp_path / "kept", changed, plan, 2, solver)
    new = roster(result.plan)
    assert {k: v for k, v in new.items() if k[1] in ("0", "1")} == {k: v for k, v in old.items() if k[1] in ("0", "1")}
    assert result.plan.kpis["shifts_changed_in_frozen_part"] == 0
    assert not result.plan.sheets["Changes"]["frozen"].any()


def two_nurses(request_weight: float | None, weight: float = 50.0, search: str = "repeatable") -> dict[str, Rows]:
    """One day, one shift that wants one person: A costs 80, B costs 160; A may ask for the day off."""
    tables: dict[str, Rows] = {
        "Settings": [
            {"setting": "kind", "value": "roster"},
            {"setting": "horizon_days", "value": 1},
            {"setting": "stability_weight", "value": weight},
            {"setting": "search", "value": search},
        ],
        "Employees": [{"employee": "A", "hourly_cost": 10}, {"employee": "B", "hourly_cost": 20}],
        "ShiftTypes": [{"shift": "D", "start": "08:00", "length_minutes": 480}],
        "Cover": [{"day": 0, "shift": "D", "preferred": 1, "minimum_policy": "soft", "under_weight": 1000}],
    }
    if request_weight is not None:
        tables["ShiftRequests"] = [{"employee": "A", "day": 0, "request": "off", "weight": request_weight}]
    return tables


@pytest.mark.parametrize("solver", [*SOLVERS, "hybrid-fastest"])
@pytest.mark.parametrize("request_weight", [150.0, 200.0, 260.0])
def test_a_change_is_made_only_when_it_pays_more_than_the_change_cost(
    tmp_path: Path, solver: str, request_weight: float
) -> None:
    solver, _, search = solver.partition("-")  # hybrid-fastest: the race of HiGHS and CP-SAT side by side
    plan, before, _ = first_plan(tmp_path, two_nurses(None, search=search or "repeatable"), solver)
    assert before == {("A", "0"): "D"}
    # by hand: keep A = 80 + the request's weight; hand the shift to B = 160 + two changes of 50 (A off, B on)
    keep, switch = 80 + request_weight, 160 + 2 * 50
    result = replan(tmp_path, two_nurses(request_weight, search=search or "repeatable"), plan, 0, solver)
    assert result.objective == pytest.approx(min(keep, switch))
    changes = result.plan.sheets["Changes"]
    if keep <= switch:
        assert roster(result.plan) == {("A", "0"): "D"} and changes.empty
    else:
        assert roster(result.plan) == {("B", "0"): "D"}
        assert sorted(zip(changes["employee"], changes["what"], changes["cost_effect"], strict=True)) == [
            ("A", "now off", 50.0),
            ("B", "now working", 50.0),
        ]
        assert result.plan.kpis["stability_penalty"] == 100.0


def test_a_vanished_employee_is_a_diagnostic_and_the_replan_goes_on(tmp_path: Path) -> None:
    plan, before, _ = first_plan(tmp_path, ward())
    gone = sorted({who for who, _ in before})[0]
    staff = [e for e in STAFF if e["employee"] != gone]
    data = ward(staff=staff)
    data["ShiftRequests"] = [r for r in data["ShiftRequests"] if r["employee"] != gone]
    result = replan(tmp_path, data, plan, 1)
    diagnostics = result.plan.diagnostics
    notes = diagnostics[diagnostics["message"].str.startswith(f"employee '{gone}' is no longer in Employees")]
    assert len(notes) == sum(1 for who, _ in before if who == gone)
    assert all(loc.startswith("previous plan Roster!A") for loc in notes["location"])
    changes = result.plan.sheets["Changes"]
    assert set(changes.loc[changes["employee"] == gone, "what"]) == {"no longer in Employees"}
    assert gone not in {who for who, _ in roster(result.plan)}


def test_a_frozen_shift_that_became_a_day_off_is_planned_afresh_with_a_diagnostic(tmp_path: Path) -> None:
    plan, before, _ = first_plan(tmp_path, ward())
    who = sorted(who for (who, day) in before if day == "0")[0]
    data = ward(FixedDaysOff=[{"employee": who, "day": 0}])
    result = replan(tmp_path, data, plan, 2)
    assert (who, "0") not in roster(result.plan)
    notes = result.plan.diagnostics[result.plan.diagnostics["message"].str.contains("now a fixed day off")]
    assert len(notes) == 1 and notes["location"].iloc[0].startswith("previous plan Roster!C")
    changes = result.plan.sheets["Changes"]
    row = changes[(changes["employee"] == who) & (changes["day"] == "0")].iloc[0]
    assert row["what"].endswith("(previous shift no longer possible)") and row["frozen"]
    assert pd.isna(row["cost_effect"])


def test_an_unknown_shift_type_in_the_previous_plan_is_a_diagnostic(tmp_path: Path) -> None:
    plan, _, _ = first_plan(tmp_path, ward())
    sheets = read_workbook(plan)
    table = next(t for n, t in sheets.items() if n == "Roster")
    table.rows[0][table.columns["shift"]] = "X"
    loaded = load(write_folder(tmp_path / "after", ward()))
    result = solve_loaded(loaded, SolveParams(time_limit=10, gap=0), replan=ReplanRequest(sheets, 1))
    check_plan(loaded.scenario, result.plan)
    messages = " ".join(result.plan.diagnostics["message"])
    assert "shift type 'X' is no longer in ShiftTypes" in messages


def test_replan_through_the_cli_with_previous_latest(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "ward", ward())
    plan = tmp_path / "plan.xlsx"
    first = runner.invoke(app, ["solve", str(folder), "-o", str(plan), "-q", "--time-limit", "10", "--gap", "0"])
    assert first.exit_code == 0, first.output
    out = tmp_path / "re.xlsx"
    args = ["replan", str(folder), "--previous", "latest", "--freeze", "2", "-o", str(out), "-q", "--time-limit", "10"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    book = pd.read_excel(out, sheet_name=None, engine="calamine", dtype=str)
    before = pd.read_excel(plan, sheet_name="Roster", engine="calamine", dtype=str)
    assert list(book["Changes"].columns) == CHANGE_COLUMNS and book["Changes"].empty
    assert roster(book["Roster"]) == roster(before)


def test_a_previous_plan_of_another_kind_is_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "ward", ward())
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"item": ["A"]}).to_excel(other, sheet_name="Orders", index=False)
    args = ["replan", str(folder), "--previous", str(other), "-o", str(tmp_path / "re.xlsx"), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "no Roster sheet" in result.output
    assert not (tmp_path / "re.xlsx").exists()


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_sick_day_in_the_published_days_reopens_them_at_a_higher_change_cost(tmp_path: Path, solver: str) -> None:
    """A works days 0-2; A is now off on day 1 and needs 2 days off in a row: a published shift of A must go too."""
    days = [{"day": d, "shift": "D", "preferred": 1, "minimum_policy": "soft", "under_weight": 1000} for d in range(3)]
    staff = [{"employee": "A", "hourly_cost": 10}, {"employee": "B", "hourly_cost": 20}]
    data = {
        "Settings": [
            {"setting": "kind", "value": "roster"},
            {"setting": "horizon_days", "value": 3},
            {"setting": "stability_weight", "value": 50},
        ],
        "Employees": staff,
        "ShiftTypes": [{"shift": "D", "start": "08:00", "length_minutes": 480}],
        "Cover": days,
    }
    plan, before, _ = first_plan(tmp_path, data, solver)
    assert before == {("A", "0"): "D", ("A", "1"): "D", ("A", "2"): "D"}
    sick = copy.deepcopy(data)
    sick["Employees"][0]["min_consecutive_days_off"] = 2
    sick["FixedDaysOff"] = [{"employee": "A", "day": 1}]
    result = replan(tmp_path, sick, plan, 3, solver)
    # by hand: A keeps one end day (80), B works the other two (320); B on day 1, B on the other day and A off
    # there are three published changes at 10 x 50 each: 400 + 1500 = 1900 (leaving a day short costs 1000 more)
    assert result.objective == pytest.approx(1900.0)
    assert result.plan.kpis["stability_penalty"] == 1500.0
    changes = result.plan.sheets["Changes"]
    priced = changes[changes["cost_effect"].notna()]
    assert len(priced) == 3 and (priced["cost_effect"] == 500.0).all() and priced["frozen"].all()
    messages = " ".join(result.plan.diagnostics["message"])
    assert "1 published shift(s) can no longer be worked (first: A on 1)" in messages
    assert "A on 1: it is now a fixed day off" in messages


def dated_ward(start: str, days: int = 5) -> dict[str, Rows]:
    """The ward with dated days from `start`, cover on every day of the horizon."""
    first = dt.date.fromisoformat(start)
    dates = [(first + dt.timedelta(days=d)).isoformat() for d in range(days)]
    data = ward(days)
    data["Settings"].append({"setting": "start_date", "value": start})
    data["Cover"] = [{**row, "day": dates[row["day"]]} for row in data["Cover"]]
    del data["ShiftRequests"]
    return data


def test_a_rolled_horizon_matches_days_by_date_and_ignores_the_past(tmp_path: Path) -> None:
    plan, before, _ = first_plan(tmp_path, dated_ward("2027-01-04"))
    result = replan(tmp_path, dated_ward("2027-01-05"), plan, 1)
    after = roster(result.plan)
    kept = {k: v for k, v in before.items() if k[1] == "2027-01-05"}
    assert {k: v for k, v in after.items() if k[1] == "2027-01-05"} == kept
    changes = result.plan.sheets["Changes"]
    new_day = changes[changes["day"] == "2027-01-09"]
    assert len(new_day) >= 1 and set(new_day["what"]) == {"not in the previous plan"}
    assert new_day["cost_effect"].isna().all()
    assert "2027-01-04" not in set(changes["day"])
    assert not any("2027-01-04" in m for m in result.plan.diagnostics["message"])
