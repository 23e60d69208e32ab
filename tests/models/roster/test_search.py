"""Roster search modes: repeatable (work limits, the default) and fastest (HiGHS and CP-SAT racing)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from models.roster import strategy
from optimizer.backends.chain import ChainModel
from optimizer.backends.cpsat_lns import _Search
from optimizer.backends.highs_partner import HighsPartner, Offer, PartnerSpec
from optimizer.backends.highs_threads import reset_scheduler
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


def test_the_race_runs_highs_beside_the_rounds_and_keeps_the_best(tmp_path: Path) -> None:
    """The race: HiGHS and CP-SAT's rounds in one search, the kept roster passes the checker at the proven optimum."""
    out = solve_case(tmp_path / "ref", solver="highs", time_limit=20, **case_with(2, "fastest"))
    s = out.scenario
    race = strategy.build_race(s)
    assert isinstance(race, ChainModel) and [st.family for st in race.stages] == ["cpsat_lns"]
    result = backend_solve("chain", race, SolveParams(solver="hybrid", time_limit=8, gap=0, threads=2), 8)
    assert race.stages[0].model.partner is not None  # attached when the solve starts
    assert result.status is Status.OPTIMAL and result.objective == pytest.approx(out.result.objective)
    plan = strategy.extract_hybrid(s, race)
    assert check_plan(s, plan) == pytest.approx(out.result.objective)
    assert plan.kpis["backend won"] in ("highs", "cpsat") and "plan kept from highs+cpsat" in plan.kpis["backends"]


def _first_and_partner(tmp_path: Path) -> tuple:
    """A random roster's proven optimum (HiGHS) and the race's CP-SAT model with its HiGHS partner."""
    out = solve_case(tmp_path / "ref", solver="highs", time_limit=20, **case_with(3, "fastest"))
    lns = strategy.build_race(out.scenario).stages[0].model
    strategy._attach_partner(lns, SolveParams())
    return out, lns


def test_a_roster_of_the_rounds_handed_to_highs_keeps_its_cost(tmp_path: Path) -> None:
    """CP-SAT's roster, completed to every HiGHS column with the shifts fixed, costs the same in the MILP."""
    out, lns = _first_and_partner(tmp_path)
    cp = lns.cp
    backend_solve("cpsat", cp, SolveParams(time_limit=10, gap=0), 10)
    values = list(cp.solver.ResponseProto().solution)
    partner = HighsPartner(lns.partner, threads=1, seed=0, gap=0.0)
    objective = cp.solver.ObjectiveValue() * cp.objective_scale
    assert partner.give(objective, [values[i] for i in lns.partner.variables])
    arrays = lns.partner.arrays
    assert float(arrays.col_cost @ partner.pending + arrays.offset) == pytest.approx(out.result.objective)


def test_the_rounds_take_a_better_roster_of_highs(tmp_path: Path) -> None:
    """HiGHS's optimal roster replaces the rounds' first (worse) one, completed to every CP-SAT variable."""
    out, lns = _first_and_partner(tmp_path)
    cp = lns.cp
    cp.parameters.update(stop_after_first_solution=True, num_workers=1)
    backend_solve("cpsat", cp, SolveParams(time_limit=10, gap=0), 10)
    first = list(cp.solver.ResponseProto().solution)
    search = _Search(lns, first, SolveParams(time_limit=10), 10, time.perf_counter())
    partner = HighsPartner(lns.partner, threads=1, seed=0, gap=0.0)
    columns = solve_highs(lns.partner)
    partner.latest, partner.version = Offer(out.result.objective, columns[lns.partner.columns]), 1
    search.partner = partner
    search.take_partner(cp.model.Clone())
    assert search.best * cp.objective_scale == pytest.approx(out.result.objective) and search.found_by_partner
    taken = [search.values[i] for i in lns.partner.variables]
    assert taken == [round(v) for v in columns[lns.partner.columns]]  # HiGHS's shifts, unchanged


def solve_highs(spec: PartnerSpec) -> np.ndarray:
    """The MILP of a partner solved to optimality by HiGHS in this process: every column's value."""
    import highspy

    reset_scheduler()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.passModel(spec.arrays.to_lp())
    highs.run()
    return np.asarray(highs.getSolution().col_value)


def test_auto_says_which_search_it_runs(tmp_path: Path) -> None:
    """Benchmark files race (search = fastest); planners' workbooks are repeatable by default."""
    nrp = load(write(tmp_path, SMALL), "nrp").scenario
    assert nrp.settings.search == "fastest" and "HiGHS alone" in strategy.choose_solver(nrp)[1]
    case = case_with(1, "repeatable")
    planner = solve_case(tmp_path, solver="hybrid", time_limit=20, **case).scenario
    assert planner.settings.search == "repeatable" and "repeatable" in strategy.choose_solver(planner)[1]
