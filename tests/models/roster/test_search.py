"""Roster search modes: repeatable (work limits, the default) and fastest (HiGHS and CP-SAT racing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.roster import strategy
from optimizer.backends.chain import ChainModel
from optimizer.backends.registry import backend_solve
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load
from tests.models.roster.checker import check_plan
from tests.models.roster.helpers import solve_case
from tests.models.roster.test_backends_agree import random_case
from tests.models.roster.test_formats import SMALL, write


def case_with(seed: int, search: str) -> dict:
    case = random_case(seed)
    case["settings"] = {**case["settings"], "search": search}
    return case


def test_repeatable_lns_gives_the_same_roster_twice(tmp_path: Path) -> None:
    """The first solve, the proving solve and the rounds all stop at work limits: two runs agree exactly."""
    case = case_with(4, "repeatable")
    first = solve_case(tmp_path / "a", solver="lns", expect=None, time_limit=10, **case)
    second = solve_case(tmp_path / "b", solver="lns", expect=None, time_limit=10, **case)
    assert first.result.status.has_plan and first.roster == second.roster
    assert first.result.objective == second.result.objective
    if first.result.status is Status.FEASIBLE:  # the proof may come first on a small roster
        assert "repeatable work limit" in first.result.message


@pytest.mark.parametrize("seed", [1, 5])
def test_repeatable_and_fastest_hybrid_reach_the_optimum_of_highs(tmp_path: Path, seed: int) -> None:
    values = {}
    for search in ("repeatable", "fastest"):
        out = solve_case(tmp_path / search, solver="hybrid", time_limit=20, **case_with(seed, search))
        values[search] = out.result.objective
        assert out.result.plan.kpis["search"].startswith(search)  # HiGHS proves these: no clock stopped a stage
    best = solve_case(tmp_path / "highs", solver="highs", time_limit=20, **case_with(seed, "repeatable"))
    assert values["repeatable"] == pytest.approx(best.result.objective)
    assert values["fastest"] == pytest.approx(best.result.objective)


def test_the_race_runs_highs_and_cpsat_side_by_side_and_keeps_the_best(tmp_path: Path) -> None:
    """The race: both backends report, the kept roster passes the checker at the proven optimum."""
    out = solve_case(tmp_path / "ref", solver="highs", time_limit=20, **case_with(2, "fastest"))
    s = out.scenario
    race = strategy.build_race(s)
    assert isinstance(race, ChainModel) and race.together and [st.threads for st in race.stages] == [2, 1]
    result = backend_solve("chain", race, SolveParams(solver="hybrid", time_limit=8, gap=0, threads=2), 8)
    assert [o.solver for o in race.outcomes] == ["highs", "cpsat"]
    assert result.status is Status.OPTIMAL and result.objective == pytest.approx(out.result.objective)
    name, _ = strategy._winning(race)
    assert name in ("highs", "cpsat")
    plan = strategy.extract_hybrid(s, race)
    assert check_plan(s, plan) == pytest.approx(out.result.objective)
    assert plan.kpis["backend won"] == name and "plan kept from" in plan.kpis["backends"]


def test_auto_says_which_search_it_runs(tmp_path: Path) -> None:
    """Benchmark files race (search = fastest); planners' workbooks are repeatable by default."""
    nrp = load(write(tmp_path, SMALL), "nrp").scenario
    assert nrp.settings.search == "fastest" and "side by side" in strategy.choose_solver(nrp)[1]
    case = case_with(1, "repeatable")
    planner = solve_case(tmp_path, solver="hybrid", time_limit=20, **case).scenario
    assert planner.settings.search == "repeatable" and "repeatable" in strategy.choose_solver(planner)[1]
