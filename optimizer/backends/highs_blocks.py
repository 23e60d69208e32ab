"""A lower bound of a MILP that falls apart into blocks once a few linking rows are set aside.

Many plans are one small model per item (or product) tied together only by a few shared limits.
Dropping those rows is a relaxation, and so is dropping integrality: the sum over the blocks of
each block's LP optimum is a valid lower bound of the whole MILP. Each block's LP is tiny, so the
bound comes in seconds even when the whole model's root LP does not finish within the time limit.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from optimizer.backends.highs_threads import reset_scheduler

CHUNK_COLUMNS = 1000  # columns per LP solved at once: fewer calls (measured: 1000 beats 1 block, 4000 and 15000)


def _entries(arrays: Any) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every matrix entry, whichever way the matrix is stored (32-bit: millions of entries)."""
    counts = np.diff(arrays.start)
    index = arrays.index.astype(np.int32, copy=False)
    if arrays.matrix_format == 1:  # HiGHS MatrixFormat.kColwise
        return index, np.repeat(np.arange(len(arrays.col_cost), dtype=np.int32), counts)
    return np.repeat(np.arange(len(arrays.row_lower), dtype=np.int32), counts), index


def blocks(n_col: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Block label of every column: columns sharing a row share a label (the smallest column index)."""
    label = np.arange(n_col)
    if len(rows) == 0:
        return label
    n_row = int(rows.max()) + 1
    while True:
        smallest = np.full(n_row, n_col)
        np.minimum.at(smallest, rows, label[cols])
        joined = label.copy()
        np.minimum.at(joined, cols, smallest[rows])
        joined = joined[joined]  # pointer jumping: follow labels to their own labels
        if np.array_equal(joined, label):
            return label
        label = joined


def _block_lp(arrays: Any, columns: np.ndarray, block_rows: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> Any:
    """The LP relaxation of one block as a HighsLp (rows given by their entries, sorted by row)."""
    import highspy

    local_col = np.full(len(arrays.col_cost), -1, dtype=np.int64)
    local_col[columns] = np.arange(len(columns))
    row_ids, local_row = np.unique(rows, return_inverse=True)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(row_ids)
    lp.col_cost_ = arrays.col_cost[columns]
    lp.col_lower_ = arrays.col_lower[columns]
    lp.col_upper_ = arrays.col_upper[columns]
    lp.row_lower_ = arrays.row_lower[row_ids]
    lp.row_upper_ = arrays.row_upper[row_ids]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_ = np.searchsorted(local_row, np.arange(len(row_ids) + 1)).astype(np.int32)
    lp.a_matrix_.index_ = local_col[cols].astype(np.int32)
    lp.a_matrix_.value_ = block_rows
    return lp


def _column_floor(arrays: Any, columns: np.ndarray) -> float:
    """Least cost the columns can have on their bounds alone (-inf if one is unbounded): a bound with no rows."""
    cost, lower, upper = arrays.col_cost[columns], arrays.col_lower[columns], arrays.col_upper[columns]
    best = np.where(cost >= 0, cost * np.where(cost == 0, 0.0, lower), cost * upper)
    return float(best.sum()) if np.all(np.isfinite(best)) else -np.inf


def relaxation_bound(arrays: Any, linking_rows: np.ndarray, seconds: float, threads: int | None = None) -> float | None:
    """Sum of the blocks' LP optima (plus the offset): a lower bound of the minimisation; None if not found.

    None when the model maximises or a block's LP ends neither optimal nor at the time limit. Blocks
    not solved within `seconds` count with their columns' own floor (weaker, still valid), so a slow
    machine still gets a bound. `threads` must be what the process's later HiGHS runs use: HiGHS
    fixes its thread pool at the first run.
    """
    import highspy

    began = time.perf_counter()
    if arrays.sense != 1:
        return None
    rows, cols = _entries(arrays)
    keep = ~np.isin(rows, linking_rows)
    rows, cols, values = rows[keep], cols[keep], arrays.value[keep]
    label = blocks(len(arrays.col_cost), rows, cols)
    in_rows = np.zeros(len(arrays.col_cost), dtype=bool)
    in_rows[cols] = True
    total = float(arrays.offset) + _column_floor(arrays, ~in_rows)  # columns in no row
    if not np.isfinite(total):
        return None
    order = np.lexsort((rows, label[cols]))  # entries by block, then row
    rows, cols, values = rows[order], cols[order], values[order]
    entry_block = label[cols]
    block_ids = np.unique(entry_block)
    bounds = np.searchsorted(entry_block, np.append(block_ids, len(arrays.col_cost)))
    column_order = np.argsort(label, kind="stable")
    column_block = label[column_order]
    reset_scheduler()  # this process's next runs may ask for other thread counts (see highs_threads)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    if threads is not None:
        highs.setOptionValue("threads", threads)
    first = 0
    while first < len(block_ids):  # blocks are solved a chunk at a time: one LP per block costs more in calls
        lo = np.searchsorted(column_block, block_ids[first])
        last = first
        while last < len(block_ids) and np.searchsorted(column_block, block_ids[last], "right") - lo < CHUNK_COLUMNS:
            last += 1
        last = max(last, first + 1)
        hi = np.searchsorted(column_block, block_ids[last - 1], "right")
        columns = column_order[lo:hi]
        columns = columns[in_rows[columns]]
        span = slice(bounds[first], bounds[last])
        first, left = last, seconds - (time.perf_counter() - began)
        if left <= 0:
            total += _column_floor(arrays, columns)
            continue
        by_row = np.argsort(rows[span], kind="stable")
        highs.clearModel()
        highs.setOptionValue("time_limit", left)
        highs.passModel(_block_lp(arrays, columns, values[span][by_row], rows[span][by_row], cols[span][by_row]))
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            total += highs.getInfo().objective_function_value
        elif status == highspy.HighsModelStatus.kTimeLimit:
            total += _column_floor(arrays, columns)
        else:
            return None
    return total if np.isfinite(total) else None
