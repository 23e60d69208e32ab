"""The dispatching schedule that bounds the horizon and hints CP-SAT is itself feasible, and compaction never hurts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from models.scheduling.heuristic import best_schedule, compact, dispatch, evaluate
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.scheduling.checker import check_schedule
from tests.models.scheduling.test_optima import random_shop


def _frame(s, sched) -> pd.DataFrame:
    rows = [
        (s.jobs[op.job].job, op.operation, s.machines[sched.machine[o]], sched.start[o], sched.end[o])
        for o, op in enumerate(s.operations)
    ]
    return pd.DataFrame(rows, columns=["job", "operation", "machine", "start", "end"])


@pytest.mark.parametrize("seed", range(1, 9))
@pytest.mark.parametrize("rule", ["ect", "mwkr", "slack"])
def test_dispatch_schedules_pass_the_checker(tmp_path: Path, seed: int, rule: str) -> None:
    sheets = random_shop(seed, "blend")
    s = load(write_folder(tmp_path, sheets)).scenario
    sched = dispatch(s, rule)
    value = check_schedule(sheets, _frame(s, sched))
    assert value == pytest.approx(evaluate(s, sched)[2])
    tight = compact(s, sched)
    assert check_schedule(sheets, _frame(s, tight)) <= value + 1e-9
    assert check_schedule(sheets, _frame(s, best_schedule(s))) >= 0
