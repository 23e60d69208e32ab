"""The LP-rounding warm start gives plans the independent checker accepts, never better than the optimum."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from models.production import cuts, heuristic, milp, plan
from models.production.example import example_tables
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.production.cases import CASES
from tests.models.production.checker import check_plan
from tests.models.production.helpers import solve_case


@pytest.mark.parametrize("name", list(CASES))
def test_warm_start_is_feasible_and_not_below_the_optimum(tmp_path, name):
    solved = solve_case(tmp_path, **CASES[name])
    s = solved.scenario
    m = milp.build(s)
    assert heuristic.warm_start(s, m)
    start = pyo.value(m.objective)
    assert check_plan(s, plan.extract(s, plan.values_from_pyomo(s, m))) == pytest.approx(start)
    assert start >= solved.result.objective - 1e-6


def test_warm_start_on_the_example(tmp_path):
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    assert heuristic.warm_start(s, m)
    assert check_plan(s, plan.extract(s, plan.values_from_pyomo(s, m))) == pytest.approx(pyo.value(m.objective))


def test_lot_merging_keeps_the_plan_feasible_and_never_worse(tmp_path):
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    assert heuristic.warm_start(s, m, merge_seconds=0)
    start = pyo.value(m.objective)
    m = milp.build(s)
    assert heuristic.warm_start(s, m)
    merged = pyo.value(m.objective)
    assert merged <= start + 1e-6
    assert check_plan(s, plan.extract(s, plan.values_from_pyomo(s, m))) == pytest.approx(merged)


def _fresh_lp(m) -> float:
    """The model's LP relaxation (at its current bounds) solved from scratch by Pyomo's own HiGHS interface."""
    from pyomo.contrib.solver.solvers.highs import Highs

    results = Highs().solve(m)
    return results.incumbent_objective


def test_in_place_resolves_match_fresh_solves_of_the_same_lp(tmp_path):
    """The start re-solves HiGHS in place (run bounds, cut rows added); each value equals a fresh solve of that LP."""
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    relaxed = heuristic._relaxed(m)
    lp = heuristic._Lp(float("inf"))
    assert lp.solve(m) == pytest.approx(_fresh_lp(m), rel=1e-9)
    found = cuts.separate(s, m.structure, m, m.echelons)
    assert found
    cuts.add(m.structure, m, found)
    with_cuts = lp.solve(m)
    assert with_cuts == pytest.approx(_fresh_lp(m), rel=1e-9)
    runs = heuristic._Runs(m, lp)
    is_open = runs.made(lp.x) > heuristic.MADE
    runs.set(np.arange(len(runs.keys)), is_open)
    rounded = lp.solve(m)
    for key, value in zip(runs.keys, is_open, strict=True):  # the same runs held through Pyomo's bounds
        m.run[key].fix(float(value))
    assert rounded == pytest.approx(_fresh_lp(m), rel=1e-9)
    assert rounded >= with_cuts - 1e-6
    heuristic._restore(relaxed)


def test_a_solve_afresh_gives_the_same_lp_value(tmp_path):
    """Dropping the basis (as before the first fixed LP) changes the path, not the value."""
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    relaxed = heuristic._relaxed(m)
    lp = heuristic._Lp(float("inf"))
    lp.solve(m)
    runs = heuristic._Runs(m, lp)
    runs.set(np.arange(len(runs.keys)), runs.made(lp.x) > heuristic.MADE)
    in_place = lp.solve(m, load=False)
    lp.forget_basis()
    assert lp.solve(m, load=False) == pytest.approx(in_place, rel=1e-9)
    heuristic._restore(relaxed)


def test_every_solve_gets_its_own_time_limit(tmp_path, monkeypatch):
    """HiGHS's clock runs on across solves of one instance; later solves must not stop at once at the limit."""
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    relaxed = heuristic._relaxed(m)
    lp = heuristic._Lp(float("inf"))
    first = lp.solve(m)
    monkeypatch.setattr(heuristic, "LP_SECONDS", max(lp.last, 1e-3) * 5)
    highs = lp._solver._solver_model
    values = []
    while highs.getRunTime() < 3 * heuristic.LP_SECONDS and len(values) < 500:
        lp.forget_basis()
        values.append(lp.solve(m, load=False))
    assert highs.getRunTime() >= 3 * heuristic.LP_SECONDS  # the clock ran past the limit many times over
    assert values == pytest.approx([first] * len(values), rel=1e-9)
    heuristic._restore(relaxed)
