"""The clsp benchmark reader: real Trigeiro files, a tiny hand-made file solved end to end, errors with lines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.production.formats import detect_clsp, read_clsp
from optimizer.core.errors import InputErrors
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.models.production.checker import check_plan

BENCHMARKS = Path(
    os.environ.get("OPTIMIZER_BENCHMARKS", Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks")
)
X11117A = BENCHMARKS / "lotsizing" / "X11117A.txt"

TINY = """ 2 3
 1
 10
 1.00 1.0 2. 30.
 1.00 2.0 1. 10.
 4 3
 5 0
 3 6

 notes the generator wrote
"""


@pytest.mark.skipif(not X11117A.exists(), reason="benchmark files are not on this machine")
def test_reads_a_trigeiro_file():
    loaded = load(X11117A, "clsp")
    s = loaded.scenario
    assert (len(s.products), s.n_periods, len(s.resources)) == (10, 20, 1)
    assert s.capacity[0] == (1332.0,) * 20
    assert s.routings[0].setup_time == 17 and s.routings[0].setup_cost == 37
    assert s.products[2].holding_cost == 1.2
    assert s.demand[1][0] == 115 and s.demand[0][3] == 113  # a line per period, a column per item
    assert not s.may_backlog(0)
    assert "not included" in s.settings.objective_note


def test_tiny_file_solves_to_its_hand_optimum(tmp_path):
    """Capacity 10 forces item1's P3 demand (3) partly ahead; the cheapest plan is found by enumeration below."""
    path = tmp_path / "tiny.txt"
    path.write_text(TINY)
    assert detect_clsp(path, TINY)
    loaded = load(path)  # detected from the content
    result = solve_loaded(loaded, SolveParams(time_limit=20, gap=0))
    assert result.status is Status.OPTIMAL
    assert check_plan(loaded.scenario, result.plan) == pytest.approx(result.objective)
    assert result.objective == pytest.approx(_enumerate())
    assert "constant production cost (1 per unit x 21 units = 21) is not included" in result.plan.kpis["objective_note"]


def _enumerate() -> float:
    """Cheapest setup + holding plan of TINY by trying every integer production plan."""
    import itertools

    demand = [[4, 5, 3], [3, 0, 6]]
    hold, setup_time, setup_cost = [1.0, 2.0], [2, 1], [30, 10]
    best = float("inf")
    ranges = [range(0, 11)] * 6
    for x in itertools.product(*ranges):
        plan = [x[0:3], x[3:6]]
        if any(plan[0][t] + plan[1][t] + sum(setup_time[i] for i in range(2) if plan[i][t]) > 10 for t in range(3)):
            continue
        cost, ok = 0.0, True
        for i in range(2):
            stock = 0
            for t in range(3):
                stock += plan[i][t] - demand[i][t]
                if stock < 0:
                    ok = False
                    break
                cost += hold[i] * stock + (setup_cost[i] if plan[i][t] else 0)
            if not ok:
                break
        if ok:
            best = min(best, cost)
    return best


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 3\n1\n", "expected at least 3 lines"),
        ("2 x\n1\n10\n", "line 1: expected a number, got 'x'"),
        ("2 3\n1\n10\n1 1 1\n1 1 1 1\n4 3\n5 0\n3 6\n", "line 4: expected 4 numbers, got 3"),
        ("2 3\n1\n10\n1 1 1 1\n1 1 1 1\n4 3\n5 0 1\n3 6\n", "line 7: expected 2 numbers, got 3"),
        ("2 3\n1\n10\n1 1 1 1\n1 1 1 1\n4 3\n", "only 3 more"),
        ("2.5 3\n1\n10\n", "whole number"),
        ("2 3\n1\n10\n1 -1 1 1\n1 1 1 1\n4 3\n5 0\n3 6\n", "holding_cost"),
    ],
)
def test_bad_files_name_the_line(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InputErrors) as info:
        load(path, "clsp")
    assert any(message in str(e) for e in info.value.errors), [str(e) for e in info.value.errors]
    assert all("bad.txt" in str(e) for e in info.value.errors)


def test_detect_rejects_other_layouts():
    assert not detect_clsp(Path("ft06.txt"), "6 6\n2 1 0 3 1 6 3 7 5 3 4 6\n")
    assert read_clsp  # the reader is importable without solving anything
