"""A lower bound of a MILP that falls apart into blocks once a few linking rows are set aside.

Many plans are one small model per item (or product) tied together only by a few shared limits.
Dropping those rows is a relaxation, and so is dropping integrality: the sum over the blocks of
each block's LP optimum is a valid lower bound of the whole MILP. Each block's LP is tiny, so the
bound comes in seconds even when the whole model's root LP does not finish within the time limit.
Given a plan and time left over, each chunk's MIP bound (integrality kept, linking rows still set
aside) replaces its LP optimum, the chunks with the largest gap to the plan first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.backends.highs_threads import reset_scheduler

CHUNK_COLUMNS = 1000  # columns per LP solved at once: fewer calls (measured: 1000 beats 1 block, 4000 and 15000)
CHUNK_MIP_SECONDS = (0.5, 10.0)  # least and most time for one chunk's MIP bound; the time left is shared out


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


@dataclass
class _SolvedChunk:
    """A chunk whose LP was solved: its columns, its entries (sorted by row) and its LP optimum."""

    columns: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    lp_value: float


def _mip_bounds(
    highs: Any,
    arrays: Any,
    chunks: list[_SolvedChunk],
    plan: np.ndarray,
    total: float,
    deadline: float,
    gap: float,
    on_bound: Callable[[float], None],
) -> float:
    """The bound raised chunk by chunk with each chunk's MIP bound, until `gap` to the plan or the deadline."""
    import highspy

    objective = float(arrays.offset + arrays.col_cost @ plan)
    gaps = [float(arrays.col_cost[c.columns] @ plan[c.columns]) - c.lp_value for c in chunks]
    order = np.argsort(-np.asarray(gaps), kind="stable")
    least, most = CHUNK_MIP_SECONDS
    for k, position in enumerate(order):
        left = deadline - time.perf_counter()
        if left < least or objective - total <= gap * abs(objective):
            break
        chunk = chunks[position]
        lp = _block_lp(arrays, chunk.columns, chunk.values, chunk.rows, chunk.cols)
        lp.integrality_ = [highspy.HighsVarType(int(v)) for v in arrays.integrality[chunk.columns]]
        highs.clearModel()
        highs.setOptionValue("time_limit", min(left, max(least, min(most, left / (len(order) - k)))))
        highs.passModel(lp)
        highs.run()
        raised = highs.getInfo().mip_dual_bound - chunk.lp_value
        if np.isfinite(raised) and 0 < raised < 1e30:
            total += raised
            on_bound(total)
    return total


def relaxation_bound(
    arrays: Any,
    linking_rows: np.ndarray,
    seconds: float,
    threads: int | None = None,
    plan: np.ndarray | None = None,
    gap: float = 0.0,
    on_bound: Callable[[float], None] = lambda _: None,
) -> float | None:
    """Sum of the blocks' LP optima (plus the offset): a lower bound of the minimisation; None if not found.

    None when the model maximises or a block's LP ends neither optimal nor at the time limit. Blocks
    not solved within `seconds` count with their columns' own floor (weaker, still valid), so a slow
    machine still gets a bound. `threads` must be what the process's later HiGHS runs use: HiGHS
    fixes its thread pool at the first run. With a feasible `plan`, the time left within `seconds`
    raises the bound with the chunks' MIP bounds until it is within `gap` of the plan; `on_bound`
    gets each raised bound as it comes.
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
    solved: list[_SolvedChunk] = []
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
        chunk = _SolvedChunk(columns, rows[span][by_row], cols[span][by_row], values[span][by_row], 0.0)
        highs.clearModel()
        highs.setOptionValue("time_limit", left)
        highs.passModel(_block_lp(arrays, columns, chunk.values, chunk.rows, chunk.cols))
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            chunk.lp_value = highs.getInfo().objective_function_value
            total += chunk.lp_value
            if plan is not None:
                solved.append(chunk)
        elif status == highspy.HighsModelStatus.kTimeLimit:
            total += _column_floor(arrays, columns)
        else:
            return None
    if not np.isfinite(total):
        return None
    if plan is not None and solved:
        on_bound(total)
        total = _mip_bounds(highs, arrays, solved, plan, total, began + seconds, gap, on_bound)
    return total
