"""Helpers for tests on models compiled to HiGHS arrays: the proven optimum, by HiGHS in this process."""

from __future__ import annotations

from dataclasses import replace

import highspy
import numpy as np

from optimizer.backends.highs_process import LpArrays
from optimizer.backends.highs_threads import reset_scheduler


def proven_optimum(arrays: LpArrays, relax: bool = False) -> float:
    """Optimum of the arrays' model (gap 0), or of its LP relaxation; the test fails if HiGHS does not prove it."""
    if relax:
        arrays = replace(arrays, integrality=np.zeros_like(arrays.integrality))
    reset_scheduler()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.passModel(arrays.to_lp())
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return highs.getInfo().objective_function_value
