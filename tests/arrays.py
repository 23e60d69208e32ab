"""Helpers for tests on models compiled to HiGHS arrays: the proven optimum (by HiGHS in this process) and a
feasibility check of column values that does not trust any solver."""

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
    return _solved(arrays).getInfo().objective_function_value


def optimal_values(arrays: LpArrays) -> np.ndarray:
    """Column values of the arrays' proven optimum (the test fails if HiGHS does not prove it)."""
    return np.asarray(_solved(arrays).getSolution().col_value, dtype=float)


def assert_feasible(arrays: LpArrays, x: np.ndarray, tolerance: float = 1e-6) -> None:
    """Rows, column bounds and integrality hold at x (an independent check of a plan given as column values)."""
    start, index, value = arrays.rowwise()
    rows = np.repeat(np.arange(len(arrays.row_lower)), np.diff(start))
    activity = np.bincount(rows, weights=value * x[index], minlength=len(arrays.row_lower))
    scale = 1 + np.abs(activity)
    assert np.all(activity >= arrays.row_lower - tolerance * scale)
    assert np.all(activity <= arrays.row_upper + tolerance * scale)
    assert np.all(x >= arrays.col_lower - tolerance) and np.all(x <= arrays.col_upper + tolerance)
    integer = arrays.integrality == 1
    assert np.all(np.abs(x[integer] - np.round(x[integer])) <= tolerance)


def _solved(arrays: LpArrays) -> highspy.Highs:
    """HiGHS after solving the arrays' model to a proven optimum (gap 0)."""
    reset_scheduler()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.passModel(arrays.to_lp())
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return highs
