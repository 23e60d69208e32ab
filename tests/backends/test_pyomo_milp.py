"""The Pyomo + HiGHS backend honours the time limit and returns the incumbent with its gap."""

from __future__ import annotations

import time
from pathlib import Path

from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.kinds import get_kind
from optimizer.reports.template import write_template
from optimizer.solve import load, solve_loaded


def test_a_hard_instance_stops_at_the_time_limit_with_a_plan_and_its_gap(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    write_template(get_kind("inventory"), path, scale=40, seed=3)  # with its cuts, 150 items left no time to solve
    loaded = load(path)
    started = time.perf_counter()
    result = solve_loaded(loaded, SolveParams(time_limit=6, gap=1e-6), started=started)
    wall = time.perf_counter() - started
    assert wall <= 6 + 0.05, f"took {wall:.1f} s for a 6 s limit"  # HiGHS stops itself, or its process is killed
    assert result.status is Status.FEASIBLE  # never 'optimal' when stopped by the limit
    assert result.objective is not None and result.bound is not None
    assert result.bound <= result.objective
    assert result.gap is not None and result.gap > 0
