"""Peak memory counts this process and its largest solver child once each, not this process twice."""

from __future__ import annotations

import numpy as np

from optimizer.backends.highs_process import solve_in_child
from optimizer.core import memory
from tests.backends.test_highs_process import knapsack


def test_a_child_reports_its_own_peak_not_the_parents_copy(monkeypatch) -> None:
    monkeypatch.setattr(memory, "_largest_child_kib", 0)  # children of earlier tests do not count here
    ballast = np.ones(400 * 2**20 // 8)  # 400 MiB resident in this process when the child is started
    own = memory.own_peak_kib() / 1024
    assert own >= 400
    outcome = solve_in_child(knapsack(), {"mip_rel_gap": 0.0}, None, 10.0, None)
    assert outcome.objective == -9.0
    child = memory.peak_memory_mb() - memory.own_peak_kib() / 1024
    # the child (Python, numpy and HiGHS) is far smaller than the 400 MiB it was forked beside
    assert 10 < child < 300
    del ballast
