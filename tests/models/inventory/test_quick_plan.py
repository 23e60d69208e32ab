"""A time limit too short to build the inventory model: the start heuristic's plan, checked, and said to be one."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from models.inventory import heuristic, milp
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.kinds import get_kind
from optimizer.reports.template import write_template
from optimizer.solve import QUICK_PLAN_SHARE, Loaded, _too_short_to_build, load, solve_loaded
from tests.models.inventory.checker import check_plan
from tests.models.inventory.helpers import item, offer, solve_case


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Loaded:
    path = tmp_path_factory.mktemp("quick") / "inventory.xlsx"
    write_template(get_kind("inventory"), path, scale=40)
    return load(path)


def test_the_limit_alone_decides_whether_the_model_is_built(example):
    formulation = get_kind("inventory").formulations["highs"]
    estimate = milp.build_estimate(example.scenario)
    assert estimate > 0
    assert _too_short_to_build(formulation, example.scenario, 0.99 * estimate / QUICK_PLAN_SHARE) == estimate
    assert _too_short_to_build(formulation, example.scenario, 1.01 * estimate / QUICK_PLAN_SHARE) is None


def test_a_limit_too_short_to_build_gives_the_greedy_plan_checked_and_says_so(example):
    limit = milp.build_estimate(example.scenario)  # the build alone would take the whole limit
    result = solve_loaded(example, SolveParams(time_limit=limit))
    assert result.status is Status.FEASIBLE
    assert result.solver == "start heuristic"
    assert result.bound is None and result.gap is None  # no bound: the message says so instead of a gap
    assert "too short to build the model" in result.message and "no bound" in result.message
    assert result.timings.build_seconds == 0 and result.timings.solve_seconds == 0
    assert check_plan(example.scenario, result.plan) == pytest.approx(result.objective, rel=1e-9)


def test_the_quick_plan_costs_what_the_model_charges_for_it(example):
    # the same greedy plan loaded as the MILP's start: the model's objective is the quick plan's cost
    s = example.scenario
    quick = heuristic.quick_plan(s)
    model = milp.build(s, 0, 0)
    assert heuristic.warm_start(s, model)
    assert pyo.value(model.objective) == pytest.approx(float(quick.costs["amount"].sum()), rel=1e-9)


def test_no_quick_plan_and_no_time_to_build_is_no_solution_said_plainly(tmp_path):
    # a hard safety stock of 50 the only supplier (20 a period) cannot build up: the greedy finds no plan
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(safety_stock=50, safety_stock_policy="hard")],
        suppliers=[{"supplier": "S1", "capacity": 20}],
        offers=[offer()],
        demand={"A": [10, 10, 10]},
        expect=Status.NO_SOLUTION,
        time_limit=1e-5,
    )
    assert solved.result.plan is None
    assert "too short to build the model" in solved.result.message
    assert "found no plan" in solved.result.message
