"""Fix-and-optimize on arrays: every plan it returns is feasible, never dearer, and a free-everything step is optimal.

The model is the 12-product example plant cut to its first 8 weeks (HiGHS proves its optimum in
seconds), compiled to HiGHS arrays; the start is a poor but feasible plan (the start heuristic
without lot merging, every run the LP touches kept open).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from models.production import heuristic, milp, neighbourhoods
from models.production.example import example_tables
from optimizer.backends.fix_and_optimize import improve, nearest_first, objective_of
from optimizer.backends.highs_process import collect, start_child
from optimizer.backends.pyomo_arrays import compile_model
from optimizer.backends.pyomo_beside import _columns, _short_of_the_whole
from optimizer.solve import load
from tests.arrays import assert_feasible, proven_optimum
from tests.builders import write_folder

WEEKS = 7  # the example's first seven weeks: HiGHS proves the whole model optimal in about 4 s


def first_weeks(tables: dict[str, list[dict]], n: int) -> dict[str, list[dict]]:
    """The example's sheets with only the rows of its first n periods."""
    kept = {row["period"] for row in tables["Periods"][:n]}
    return {
        name: [r for r in rows if "period" not in r or r["period"] in kept or r["period"] is None]
        for name, rows in tables.items()
    }


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    """(arrays, a poor feasible start, the production neighbourhoods' stages as column arrays, the first stage's held
    windows: one resource's products over a window, the decisions outside it held)."""
    tables = first_weeks(example_tables(None, 7), WEEKS)
    s = load(write_folder(tmp_path_factory.mktemp("plant") / "plant", tables)).scenario
    m = milp.build(s)
    assert heuristic.warm_start(s, m, merge_seconds=0.0)  # LP rounding only: every touched run open
    compiled = compile_model(m)
    stages = neighbourhoods.neighbourhoods(s, m)
    held = [g for g in stages[0] if _periods(g, m.run) == _periods(g, m.make)]  # not the windows of setups
    columns = _columns(compiled.variables, [*stages, held])
    return compiled.arrays, compiled.values(), columns[:-1], columns[-1]


def _periods(group: list, var) -> set[int]:
    """The periods of `group`'s variables of the indexed variable `var`."""
    return {v.index()[1] for v in group if v.parent_component() is var}


@pytest.fixture(scope="module")
def optimum(plant) -> float:
    """The whole model's proven optimum, from HiGHS on the same arrays."""
    return proven_optimum(plant[0])


def test_the_steps_find_a_cheaper_feasible_plan_and_report_each_one(plant, optimum):
    arrays, start, stages, _ = plant
    assert_feasible(arrays, start)
    seen = []
    best = improve(arrays, start, stages, time.perf_counter() + 30, on_better=lambda b: seen.append(b.objective))
    assert best.objective < objective_of(arrays, start) - 1.0  # the poor start is improved
    assert best.objective == pytest.approx(objective_of(arrays, best.values))
    assert_feasible(arrays, best.values)
    assert seen == sorted(seen, reverse=True) and seen[-1] == best.objective and len(seen) == best.improved
    assert best.objective >= optimum - 1e-6 * abs(best.objective)


def test_freeing_every_column_gives_the_whole_model_optimum(plant, optimum):
    arrays, start, *_ = plant
    everything = [[np.arange(len(arrays.col_cost))]]
    best = improve(arrays, start, everything, time.perf_counter() + 60, step_seconds=60)
    assert best.objective == pytest.approx(optimum, rel=1e-6)
    assert_feasible(arrays, best.values)


def test_beside_the_solver_no_neighbourhood_frees_every_integer_column(plant):
    arrays, _, stages, _ = plant
    integer = arrays.integrality > 0
    everything = np.arange(len(arrays.col_cost))
    all_integer = np.flatnonzero(integer)
    with_whole = [*stages, [everything], [stages[0][0], all_integer]]
    kept = _short_of_the_whole(with_whole, integer)
    assert [len(stage) for stage in kept] == [*(len(stage) for stage in stages), 1]  # the whole model's stage is gone
    assert kept[-1][0] is stages[0][0]  # and the whole-model group beside a window, not the window
    assert all(int(integer[free].sum()) < len(all_integer) for stage in kept for free in stage)


def test_a_stage_that_finds_nothing_cheaper_hands_over_to_the_next_and_the_first_comes_again(plant, optimum):
    arrays, start, *_ = plant
    nothing_to_move = np.flatnonzero(arrays.col_cost == 0)[:1]  # one column that costs nothing: no step can gain
    stages = [[nothing_to_move], [np.arange(len(arrays.col_cost))]]
    best = improve(arrays, start, stages, time.perf_counter() + 60, step_seconds=60)
    # the first stage's one step finds nothing; the second stage's first round gains and proves its plan the best of
    # its neighbourhood, so its second round has no step to take; the first stage comes again on the new plan and
    # finds nothing: every stage has, so the search ends
    assert best.steps == 3 and best.improved == 1
    assert best.objective == pytest.approx(optimum, rel=1e-6)
    assert_feasible(arrays, best.values)


def test_steps_cut_by_their_time_limit_get_twice_the_time_until_the_neighbourhood_is_searched(plant):
    """Nothing cheaper found by steps stopped at their limit is no local optimum: the steps get longer, not the end."""
    arrays, start, _, held = plant
    # one resource's products over the first window: HiGHS proves that step in a fraction of a second
    smallest = [[min(held, key=len)]]
    began = time.perf_counter()
    best = improve(arrays, start, smallest, began + 60, step_seconds=0.001)  # too short for HiGHS to prove anything
    assert time.perf_counter() - began < 60  # it ended by itself: the last round's step finished its search
    assert best.step_seconds >= 0.008  # doubled at least three times
    assert best.objective < objective_of(arrays, start) - 1.0
    assert_feasible(arrays, best.values)
    again = improve(arrays, best.values, smallest, time.perf_counter() + 60, step_seconds=60)
    assert again.improved == 0  # searched to its end: the neighbourhood holds nothing cheaper


def test_the_solvers_plans_come_as_found_and_a_cheaper_one_is_taken_to_go_on_from(plant, optimum):
    """The beside path hands fix-and-optimize each plan HiGHS finds; only a cheaper one replaces its own."""
    arrays, start, _, held = plant
    plans = []
    whole = {"threads": 1, "mip_rel_gap": 0.0}
    outcome = collect(start_child(arrays, whole, None, 30.0), None, on_incumbent=lambda *plan: plans.append(plan))
    assert plans and [cost for cost, _ in plans] == sorted((cost for cost, _ in plans), reverse=True)
    for cost, values in plans:
        assert objective_of(arrays, values) == pytest.approx(cost, rel=1e-9)
    assert plans[-1][0] == pytest.approx(outcome.objective, rel=1e-9) == pytest.approx(optimum, rel=1e-6)
    dearer = (objective_of(arrays, start) + 1.0, start)
    offers = iter([dearer, plans[-1]])  # then None: nothing new
    smallest = [[min(held, key=len)]]
    best = improve(arrays, start, smallest, time.perf_counter() + 60, outside=lambda: next(offers, None))
    assert best.taken == 1 and "1 of the solver's plans" in best.summary
    assert best.objective == pytest.approx(optimum, rel=1e-6)
    assert_feasible(arrays, best.values)


def test_it_stops_at_its_deadline_and_when_told(plant):
    arrays, start, stages, _ = plant
    began = time.perf_counter()
    best = improve(arrays, start, stages, began + 1.0)
    assert time.perf_counter() - began < 1.0 + 0.5  # a step is cut to the time left
    assert best.objective <= objective_of(arrays, start)
    stopped = improve(arrays, start, stages, time.perf_counter() + 60, stop=lambda: True)
    assert stopped.steps == 0 and np.array_equal(stopped.values, start)


def test_a_plan_with_no_neighbourhoods_comes_back_unchanged(plant):
    arrays, start, *_ = plant
    best = improve(arrays, start, [], time.perf_counter() + 10)
    assert best.steps == 0 and best.objective == pytest.approx(objective_of(arrays, start))


def test_a_plan_offered_to_the_solver_child_is_taken(plant, optimum):
    """The beside path offers each cheaper plan to HiGHS's search; stopped at its first plan, HiGHS shows which it took."""
    arrays, start, *_ = plant
    everything = [[np.arange(len(arrays.col_cost))]]
    best = improve(arrays, start, everything, time.perf_counter() + 60, step_seconds=60)
    first_plan_only = {"mip_max_improving_sols": 1, "threads": 1, "mip_rel_gap": 0.0}
    alone = collect(start_child(arrays, first_plan_only, None, 30.0), None)
    assert alone.objective > optimum + 1.0  # by itself, HiGHS's first plan is dearer
    running = start_child(arrays, first_plan_only, None, 30.0, takes_offers=True)
    running.offers.offer(best.values)  # before the child has even loaded HiGHS
    offered = collect(running, None)
    assert offered.objective == pytest.approx(optimum, rel=1e-9)
    assert_feasible(arrays, offered.values)


def test_a_neighbourhood_is_not_searched_twice_around_the_same_plan(plant):
    """A step around a plan it has searched to the end would find the same: only a new plan or more time runs it again."""
    arrays, start, _, held = plant
    smallest = [[min(held, key=len)]]
    proved = improve(arrays, start, smallest, time.perf_counter() + 60, step_seconds=60)
    # the one step gains and proves its plan the best of the neighbourhood: the round that follows has searched
    # around that plan already, so the search ends with no second step
    assert proved.steps == 1 and proved.improved == 1
    assert_feasible(arrays, proved.values)
    cut_short = improve(arrays, start, smallest, time.perf_counter() + 60, step_seconds=0.001)
    assert cut_short.steps > cut_short.improved and cut_short.step_seconds > 0.001  # a cut step runs again, longer


def test_a_round_starts_with_the_neighbourhoods_that_free_most_of_the_last_change():
    stage = [np.array([0, 1]), np.array([2, 3]), np.array([3, 4, 5]), np.array([6])]
    assert nearest_first(stage, np.array([3, 5])) == [2, 1, 0, 3]
    assert nearest_first(stage, np.array([], dtype=np.int64)) == [0, 1, 2, 3]
