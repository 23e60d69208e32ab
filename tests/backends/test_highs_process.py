"""HiGHS in a child process: a real small MILP solves; a broken model or a stuck solve never hangs."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from optimizer.backends.highs_process import LpArrays, solve_in_child, whole_model
from tests.processes import run_script


def knapsack(n: int = 3) -> LpArrays:
    """max 5a + 4b + 3c s.t. 2a + 3b + c <= 5, binaries, written as a minimisation."""
    return LpArrays(
        sense=1,
        offset=0.0,
        col_cost=np.array([-5.0, -4.0, -3.0]),
        col_lower=np.zeros(3),
        col_upper=np.ones(3),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([5.0]),
        matrix_format=1,  # column-wise
        start=np.array([0, 1, 2, 3], dtype=np.int32),
        index=np.array([0, 0, 0], dtype=np.int32),
        value=np.array([2.0, 3.0, 1.0]),
        integrality=np.ones(n, dtype=np.int8),
    )


def test_a_small_milp_solves_to_its_known_optimum() -> None:
    outcome = solve_in_child(knapsack(), {"mip_rel_gap": 0.0}, None, 10.0, None)
    assert outcome.model_status == "kOptimal"
    assert outcome.objective == -9.0  # a and b: weight 2 + 3 = 5, value 5 + 4
    assert list(np.round(outcome.values) + 0.0) == [1.0, 1.0, 0.0]
    assert outcome.bound == -9.0


def test_a_model_highs_rejects_is_an_error_not_a_hang() -> None:
    broken = knapsack()
    broken.index = np.array([0, 0, 7], dtype=np.int32)  # row 7 does not exist
    started = time.perf_counter()
    outcome = solve_in_child(broken, {}, None, 10.0, None)
    assert time.perf_counter() - started < 10
    assert outcome.values is None
    assert outcome.model_status != "kOptimal"


def test_cut_rows_are_appended_row_wise_and_left_out_of_a_whole_model_without_time_for_them() -> None:
    model = knapsack()
    cut = model.with_rows(np.array([1.0]), np.array([0, 2]), np.array([0, 1]), np.array([1.0, 1.0]))  # a + b <= 1
    assert cut.cut_rows == 1 and len(cut.row_lower) == 2
    start, column, value = cut.rowwise()
    assert start.tolist() == [0, 3, 5] and column.tolist() == [0, 1, 2, 0, 1] and value.tolist() == [2, 3, 1, 1, 1]
    plain = cut.without_cuts()
    assert plain.cut_rows == 0 and plain.start.tolist() == [0, 3] and plain.index.tolist() == [0, 1, 2]
    assert whole_model(cut, seconds=60.0) is cut  # 5 nonzeros: the root LP has all the time it needs
    assert whole_model(cut, seconds=1e-6).cut_rows == 0
    outcome = solve_in_child(cut, {"mip_rel_gap": 0.0}, None, 10.0, None)
    assert outcome.objective == -8.0  # with a + b <= 1: a and c (weight 3, value 8)


def test_bound_only_returns_the_blocks_bound_and_no_solution() -> None:
    # two knapsacks (a, b | c, d) joined by nothing: the bound is the sum of their LP optima
    blocks = LpArrays(
        sense=1,
        offset=0.0,
        col_cost=np.array([-5.0, -4.0, -3.0, -2.0]),
        col_lower=np.zeros(4),
        col_upper=np.ones(4),
        row_lower=np.array([-np.inf, -np.inf]),
        row_upper=np.array([4.0, 1.5]),
        matrix_format=2,  # row-wise: 2a + 3b <= 4, c + d <= 1.5
        start=np.array([0, 2, 4], dtype=np.int32),
        index=np.array([0, 1, 2, 3], dtype=np.int32),
        value=np.array([2.0, 3.0, 1.0, 1.0]),
        integrality=np.ones(4, dtype=np.int8),
    )
    linking = np.array([], dtype=np.int64)
    outcome = solve_in_child(blocks, {}, None, 10.0, None, linking, bound_only=True)
    assert outcome.model_status == "kInterrupt" and outcome.values is None and outcome.objective is None
    # LP optima: a = 1, b = 2/3 gives -5 - 8/3; c = 1, d = 1/2 gives -4; the MILP optimum (-5 - 3 = -8) is above
    assert outcome.bound == pytest.approx(-5 - 8 / 3 - 4)


DIES_AT_START = """
import os
with open("/proc/self/cmdline", "rb") as own:  # only the solver's spawned child, not the script that starts it
    if b"spawn_main" in own.read():
        os._exit(3)
"""

SOLVES_A_LARGE_MODEL = """
import pickle
import sys

import numpy as np

from optimizer.backends.highs_process import LpArrays, solve_in_child

if __name__ == "__main__":
    n = 20_000  # a knapsack whose arrays take far more than a pipe's 64 KB
    rng = np.random.default_rng(1)
    arrays = LpArrays(
        sense=1, offset=0.0, col_cost=-rng.uniform(1, 9, n), col_lower=np.zeros(n), col_upper=np.ones(n),
        row_lower=np.array([-np.inf]), row_upper=np.array([n / 4]), matrix_format=1,
        start=np.arange(n + 1, dtype=np.int32), index=np.zeros(n, dtype=np.int32), value=rng.uniform(1, 3, n),
        integrality=np.ones(n, dtype=np.int8),
    )
    assert len(pickle.dumps(arrays)) > 4 * 65536
    print(solve_in_child(arrays, {"threads": 1}, None, 30.0, None).error, flush=True)
"""


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="the child tells itself by /proc (Linux)")
def test_a_solver_process_that_dies_before_reading_its_model_is_an_error_not_a_hang(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(DIES_AT_START)  # Python runs it at every start, the child's too
    script = tmp_path / "solve_large.py"
    script.write_text(SOLVES_A_LARGE_MODEL)
    run = run_script(script, first_on_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "the solver process ended unexpectedly (exit code 3)"
