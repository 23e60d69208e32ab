"""Large scenarios: fewer machine choices when the exact model would be too big, fast dispatching, checked plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.scheduling import cpsat
from models.scheduling.example import example_tables
from models.scheduling.heuristic import best_schedule, compact, dispatch, evaluate
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.kinds import get_kind
from optimizer.reports.template import write_scenario, write_template
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.scheduling.checker import check_schedule
from tests.models.scheduling.helpers import solve_case
from tests.models.scheduling.test_optima import random_shop


def test_a_small_scenario_keeps_every_machine_choice(tmp_path: Path) -> None:
    s = load(write_folder(tmp_path, random_shop(2, "blend"))).scenario
    options, k = cpsat.machine_options(s, best_schedule(s))
    assert k == 0 and options == [op.options for op in s.operations]


def test_over_the_budget_each_operation_keeps_its_start_machine_and_fewer_choices(tmp_path: Path, monkeypatch) -> None:
    write_template(get_kind("scheduling"), tmp_path / "big.xlsx", example=True, scale=60)
    s = load(tmp_path / "big.xlsx").scenario
    start = compact(s, best_schedule(s))
    full = [op.options for op in s.operations]
    monkeypatch.setattr(cpsat, "MODEL_BUDGET", cpsat.model_size(s, full) // 4)  # as 300 jobs are to the real one
    options, k = cpsat.machine_options(s, start)
    assert 1 <= k < max(len(o) for o in full)
    assert cpsat.model_size(s, options) <= cpsat.MODEL_BUDGET or k == 1
    for o, kept in enumerate(options):
        assert start.machine[o] in dict(kept) and len(kept) <= k and set(kept) <= set(full[o])


def test_a_restricted_model_still_gives_a_checked_plan_that_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(cpsat, "MODEL_BUDGET", 1)  # every scenario counts as large
    sheets = random_shop(3, "makespan")
    result = solve_case(tmp_path, sheets, expect=None)  # checked by the independent checker inside
    assert result.plan is not None
    notes = result.plan.diagnostics
    assert notes["message"].str.contains("large scenario: the search let each operation use only 1").any()
    # the restricted model's optimum proves nothing for every machine choice: never 'optimal', no bound
    assert result.status is Status.FEASIBLE and result.bound is None and result.gap is None


@pytest.mark.parametrize("rule", ["ect", "mwkr", "slack"])
def test_dispatching_a_large_shop_gives_a_complete_schedule(tmp_path: Path, rule: str) -> None:
    write_template(get_kind("scheduling"), tmp_path / "big.xlsx", example=True, scale=60)
    s = load(tmp_path / "big.xlsx").scenario
    sched = dispatch(s, rule)
    assert min(sched.machine) >= 0 and all(e > st for st, e in zip(sched.start, sched.end, strict=True))
    assert evaluate(s, compact(s, sched))[2] <= evaluate(s, sched)[2]


def test_a_large_shop_replan_keeps_each_started_operation_on_its_previous_machine(tmp_path: Path, monkeypatch) -> None:
    from optimizer.io.tables import read_workbook
    from optimizer.solve import ReplanRequest
    from tests.models.scheduling.test_replan import first_plan, sheets

    data = sheets()
    plan, before = first_plan(tmp_path, data)  # solved with every machine choice
    monkeypatch.setattr(cpsat, "MODEL_BUDGET", 1)  # the replan model keeps one choice per op, plus the previous one
    loaded = load(write_folder(tmp_path / "after", data))
    freeze = int(before["end"].max()) // 2
    result = solve_loaded(loaded, SolveParams(time_limit=10, gap=0), replan=ReplanRequest(read_workbook(plan), freeze))
    assert result.plan is not None, result.message
    check_schedule(data, result.plan.sheets["Schedule"])
    after = result.plan.sheets["Schedule"].set_index(["job", "operation"])
    for r in before[before["start"] < freeze].itertuples():
        assert (after.loc[(r.job, r.operation), "machine"], after.loc[(r.job, r.operation), "start"]) == (
            r.machine,
            r.start,
        )


def test_a_large_shop_keeps_every_machine_for_the_few_jobs_with_a_deadline(tmp_path: Path, monkeypatch) -> None:
    tables = example_tables(60)
    tables["Jobs"][5]["deadline"] = 10_000
    write_scenario(get_kind("scheduling"), tmp_path / "big.xlsx", tables)
    s = load(tmp_path / "big.xlsx").scenario
    full = [op.options for op in s.operations]
    monkeypatch.setattr(cpsat, "MODEL_BUDGET", cpsat.model_size(s, full) // 4)
    options, k = cpsat.machine_options(s, compact(s, best_schedule(s)))
    assert k >= 1
    for o, op in enumerate(s.operations):
        if op.job == 5:
            assert options[o] == op.options
        else:
            assert len(options[o]) <= k
