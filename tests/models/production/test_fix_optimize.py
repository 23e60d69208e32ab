"""Fix-and-optimize: plans the independent checker accepts, never worse than the quick plan, never below the optimum."""

from __future__ import annotations

import time

import pyomo.environ as pyo
import pytest

from models.production import fix_optimize, heuristic, milp, plan
from models.production.example import example_tables
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.production.cases import CASES
from tests.models.production.checker import check_plan
from tests.models.production.helpers import solve_case


def _checked_cost(s, m) -> float:
    """The plan loaded in `m`, checked against the input; its cost recomputed from the input."""
    return check_plan(s, plan.extract(s, plan.values_from_pyomo(s, m)))


def test_windows_cover_the_horizon_half_overlapping():
    assert fix_optimize._windows(20, 6) == [range(a, a + 6) for a in (0, 3, 6, 9, 12, 14)]
    assert fix_optimize._windows(4, 6) == [range(4)]
    for n in range(1, 30):
        assert set().union(*fix_optimize._windows(n, 5)) == set(range(n))


@pytest.mark.parametrize("name", list(CASES))
def test_improved_start_is_feasible_between_the_optimum_and_the_quick_plan(tmp_path, name):
    solved = solve_case(tmp_path, **CASES[name])
    s = solved.scenario
    quick = milp.build(s)
    assert heuristic.warm_start(s, quick)
    m = milp.build(s)
    assert fix_optimize.warm_start(s, m)
    cost = pyo.value(m.objective)
    assert _checked_cost(s, m) == pytest.approx(cost)
    assert solved.result.objective - 1e-6 <= cost <= pyo.value(quick.objective) + 1e-6


def test_improve_on_the_example_keeps_a_checked_plan_and_never_gets_worse(tmp_path):
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    assert heuristic.warm_start(s, m)
    start = pyo.value(m.objective)
    cost = fix_optimize.improve(m, s.n_periods, time.perf_counter() + 20, window=2)
    assert cost is not None and cost <= start + 1e-6
    assert pyo.value(m.objective) == pytest.approx(cost)
    assert _checked_cost(s, m) == pytest.approx(cost)


def test_improve_is_not_run_past_its_deadline(tmp_path):
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    assert heuristic.warm_start(s, m)
    start = pyo.value(m.objective)
    assert fix_optimize.improve(m, s.n_periods, time.perf_counter() - 1) is None
    assert pyo.value(m.objective) == start
