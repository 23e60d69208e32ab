"""`optimizer replan` for scheduling: operations started stay, later changes cost, Changes says what moved.

Every replanned schedule passes the independent checker, and the solver's objective is the
checker's objective plus the stability penalty the Changes sheet accounts for.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.io.tables import read_workbook
from optimizer.solve import ReplanRequest, load, solve_loaded
from tests.models.scheduling.checker import check_schedule
from tests.models.scheduling.helpers import Rows, shop, write_folder

runner = CliRunner()

JOBS = [{"job": j} for j in ("J1", "J2", "J3", "J4")]
OPS = {
    "J1": [{"M1": 3}, {"M2": 2, "M3": 3}, {"M3": 2}],
    "J2": [{"M2": 2}, {"M1": 4}, {"M3": 3, "M2": 4}],
    "J3": [{"M3": 3, "M1": 4}, {"M2": 3}, {"M1": 2}],
    "J4": [{"M1": 2, "M2": 2}, {"M3": 4}, {"M2": 1}],
}


def sheets(weight: float = 1.0, jobs: Rows | None = None, ops: dict | None = None, **extra: Rows) -> dict[str, Rows]:
    out = shop(copy.deepcopy(jobs or JOBS), copy.deepcopy(ops or OPS), **extra)
    out["Settings"].append({"setting": "stability_weight", "value": weight})
    return out


def first_plan(tmp_path: Path, data: dict[str, Rows]) -> tuple[Path, pd.DataFrame]:
    folder = write_folder(tmp_path / "before", data)
    plan = tmp_path / "plan.xlsx"
    result = runner.invoke(app, ["solve", str(folder), "-o", str(plan), "-q", "--time-limit", "10", "--gap", "0"])
    assert result.exit_code == 0, result.output
    schedule = pd.read_excel(plan, sheet_name="Schedule", engine="calamine")
    check_schedule(data, schedule)
    return plan, schedule


def replan(tmp_path: Path, data: dict[str, Rows], previous: Path, freeze: int) -> Result:
    """Replan through the real path; check the plan and that objective = checked objective + stability penalty."""
    loaded = load(write_folder(tmp_path / "after", data))
    request = ReplanRequest(read_workbook(previous), freeze)
    result = solve_loaded(loaded, SolveParams(time_limit=10, gap=0), replan=request)
    assert result.plan is not None, result.message
    value = check_schedule(data, result.plan.sheets["Schedule"])
    assert result.objective == pytest.approx(value + result.plan.kpis["stability_penalty"], abs=1e-6)
    return result


def by_op(schedule: pd.DataFrame) -> dict[tuple[str, str], tuple[str, int, int]]:
    return {(str(r.job), str(r.operation)): (str(r.machine), int(r.start), int(r.end)) for r in schedule.itertuples()}


@pytest.mark.parametrize("freeze", [0, 5])
def test_unchanged_data_changes_nothing_and_costs_nothing_more(tmp_path: Path, freeze: int) -> None:
    data = sheets()
    plan, before = first_plan(tmp_path, data)
    result = replan(tmp_path, data, plan, freeze)
    assert by_op(result.plan.sheets["Schedule"]) == by_op(before)
    assert result.plan.sheets["Changes"].empty
    assert result.objective == pytest.approx(before["end"].max())
    assert result.plan.kpis["stability_penalty"] == 0
    assert result.plan.kpis["share_changed_after_frozen_part"] == 0


def test_frozen_operations_stay_exactly_when_a_rush_job_arrives(tmp_path: Path) -> None:
    data = sheets(weight=0.0)
    plan, before = first_plan(tmp_path, data)
    rush = sheets(weight=0.0, jobs=[{"job": "R"}, *JOBS], ops={"R": [{"M1": 3}, {"M2": 3}, {"M3": 3}], **OPS})
    freeze = int(before["end"].max()) // 2
    result = replan(tmp_path, rush, plan, freeze)
    after = by_op(result.plan.sheets["Schedule"])
    frozen = {key: value for key, value in by_op(before).items() if value[1] < freeze}
    assert frozen and all(after[key] == value for key, value in frozen.items())
    changes = result.plan.sheets["Changes"]
    assert set(changes.loc[changes["what"] == "new operation", "job"]) == {"R"}
    assert not changes["frozen"].any()
    assert result.plan.kpis["operations_changed_in_frozen_part"] == 0


def test_a_breakdown_moves_only_what_it_must(tmp_path: Path) -> None:
    data = sheets(weight=100.0)
    plan, before = first_plan(tmp_path, data)
    last = before.sort_values(["start", "job"]).iloc[-1]  # the last operation to start: nothing waits for it
    breakdown = [{"machine": last.machine, "unavailable_from": int(last.start), "unavailable_to": int(last.start) + 1}]
    broken = sheets(weight=100.0, Calendar=breakdown)
    result = replan(tmp_path, broken, plan, int(last.start))
    changes = result.plan.sheets["Changes"]
    assert list(zip(changes["job"], changes["operation"], strict=True)) == [(last.job, last.operation)]
    assert changes.iloc[0]["old_start"] == last.start and not changes.iloc[0]["frozen"]
    assert result.plan.kpis["stability_penalty"] == 100.0
    assert result.plan.kpis["operations_changed_after_frozen_part"] == 1


def test_a_vanished_job_is_a_diagnostic_and_the_replan_goes_on(tmp_path: Path) -> None:
    data = sheets()
    plan, before = first_plan(tmp_path, data)
    ops = {job: steps for job, steps in OPS.items() if job != "J3"}
    result = replan(tmp_path, sheets(jobs=[j for j in JOBS if j["job"] != "J3"], ops=ops), plan, 3)
    diagnostics = result.plan.diagnostics
    gone = diagnostics[diagnostics["message"] == "job 'J3' is no longer in Jobs"]
    assert len(gone) == 3 and all(loc.startswith("previous plan Schedule!A") for loc in gone["location"])
    changes = result.plan.sheets["Changes"]
    assert (changes.loc[changes["job"] == "J3", "what"] == "no longer in the scenario").all()
    kept = {key: value for key, value in by_op(before).items() if key[0] != "J3" and value[1] < 3}
    after = by_op(result.plan.sheets["Schedule"])
    assert all(after[key] == value for key, value in kept.items())


def test_a_vanished_operation_is_a_diagnostic(tmp_path: Path) -> None:
    data = sheets()
    plan, before = first_plan(tmp_path, data)
    ops = copy.deepcopy(OPS)
    ops["J1"] = ops["J1"][:2]  # J1's third operation is cancelled
    result = replan(tmp_path, sheets(ops=ops), plan, 0)
    messages = set(result.plan.diagnostics["message"])
    assert "operation 'J1/op3' is no longer in Operations" in messages


def test_replan_through_the_cli_writes_a_changes_sheet(tmp_path: Path) -> None:
    data = sheets()
    plan, before = first_plan(tmp_path, data)
    last = before.sort_values(["start", "job"]).iloc[-1]
    broken = sheets(Calendar=[{"machine": last.machine, "unavailable_from": 0, "unavailable_to": int(last.end)}])
    folder = write_folder(tmp_path / "after", broken)
    out = tmp_path / "re.xlsx"
    args = ["replan", str(folder), "--previous", str(plan), "--freeze", "0", "-o", str(out), "-q", "--time-limit", "10"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    book = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert list(book["Changes"].columns) == [
        "what", "job", "operation", "old_machine", "new_machine", "old_start", "new_start", "frozen",
    ]  # fmt: skip
    assert len(book["Changes"]) >= 1
    check_schedule(broken, book["Schedule"])


def test_a_started_operation_its_machine_cannot_do_any_more_is_freed_with_a_diagnostic(tmp_path: Path) -> None:
    data = sheets()
    plan, before = first_plan(tmp_path, data)
    first = before.sort_values(["start", "job"]).iloc[0]
    down = [{"machine": first.machine, "unavailable_from": int(first.start), "unavailable_to": int(first.end)}]
    result = replan(tmp_path, sheets(Calendar=down), plan, int(first.end))
    diagnostics = result.plan.diagnostics
    message = (
        f"operation '{first.job}/{first.operation}' cannot stay as started: machine '{first.machine}' is unavailable"
    )
    assert diagnostics["message"].str.startswith(message).any()
    after = by_op(result.plan.sheets["Schedule"])
    assert after[first.job, first.operation] != (first.machine, first.start, first.end)


def test_started_operations_that_now_clash_are_freed_so_the_replan_stays_feasible(tmp_path: Path) -> None:
    data = sheets()
    plan, before = first_plan(tmp_path, data)
    ops = copy.deepcopy(OPS)
    for steps in ops.values():  # every first operation now takes 5 longer: started ones overlap what follows
        steps[0] = {machine: p + 5 for machine, p in steps[0].items()}
    slower = sheets(ops=ops)
    result = replan(tmp_path, slower, plan, int(before["end"].max()))
    assert result.plan.diagnostics["message"].str.contains("cannot stay as started").any()
    after = by_op(result.plan.sheets["Schedule"])
    kept = [key for key, value in by_op(before).items() if after[key][:2] == value[:2]]
    assert kept  # what still fits stays where it was
