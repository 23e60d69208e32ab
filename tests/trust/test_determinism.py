"""Determinism, for every kind: the same input, seed and threads give the same plan."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer.core.params import SolveParams
from optimizer.kinds import available_kinds, get_kind
from optimizer.reports.template import write_template
from optimizer.solve import load, solve_loaded


def plan_frames(path, seed: int) -> dict[str, pd.DataFrame]:
    result = solve_loaded(load(path), SolveParams(time_limit=20, gap=0.05, threads=2, seed=seed))
    assert result.plan is not None, result.message
    return {name: frame.reset_index(drop=True) for name, frame in result.plan.sheets.items()}


NOT_REPEATABLE: dict[str, str] = {}  # kind -> why its runs differ (open work in the issues)
KINDS = [
    pytest.param(k, marks=pytest.mark.xfail(run=False, strict=True, reason=NOT_REPEATABLE[k]))
    if k in NOT_REPEATABLE
    else k
    for k in available_kinds()
]


@pytest.mark.parametrize("kind", KINDS)
def test_same_input_seed_and_threads_give_the_same_plan(kind, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    write_template(get_kind(kind), path, example=True)
    first, second = plan_frames(path, 11), plan_frames(path, 11)
    assert list(first) == list(second)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], obj=f"{kind} sheet {name}")
