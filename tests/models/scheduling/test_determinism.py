"""Repeatable scheduling solves: the example shop solved twice with the same seed and threads gives the same plan.

The example stops before it is proven optimal, so this holds only because the default `search`
setting (repeatable) runs CP-SAT's interleaved search under a deterministic work limit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.core.params import SolveParams
from optimizer.kinds import get_kind
from optimizer.reports.template import write_template
from optimizer.solve import load, solve_loaded

REPEATABLE = "stopped at the repeatable work limit with a plan (the same input, seed and threads give the same plan)"


def test_two_solves_of_the_example_give_identical_schedules(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    write_template(get_kind("scheduling"), path, example=True)
    results = [solve_loaded(load(path), SolveParams(time_limit=20, gap=0, threads=2, seed=3)) for _ in range(2)]
    assert all(r.plan is not None for r in results), results[0].message
    first, second = (r.plan.sheets["Schedule"].reset_index(drop=True) for r in results)
    pd.testing.assert_frame_equal(first, second)
    assert results[0].objective == results[1].objective
    assert results[0].message in (REPEATABLE, "proven optimal"), results[0].message
