"""Valid cuts given as arrays over a model's indexed variables instead of Pyomo constraints.

A Pyomo constraint and its hand-over to HiGHS cost about 2 kB and 50 us each; the million cuts of
a 2000-item inventory model made most of a 10 GiB run. A model lists such rows as
`model.cut_rows`: the HiGHS backend appends them to the matrix it sends the solver, other solvers
run without them. So they may only strengthen the LP relaxation, never cut off an integer plan,
and nothing reads them back (no values, no duals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Terms:
    """Matrix entries of cut rows on one indexed Pyomo variable: per entry, its row, element position and coefficient.

    `position` counts the variable's elements in their index order (`var.values()`).
    """

    var: Any
    row: np.ndarray
    position: np.ndarray
    coef: np.ndarray


@dataclass(frozen=True)
class CutRows:
    """Rows `sum(coef * var) <= upper`, one entry of `upper` per row, their entries in `terms`."""

    upper: np.ndarray
    terms: tuple[Terms, ...]

    def matrix(self, columns_of: Callable[[Any], np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, column, value) of the rows in row-wise sparse form; `columns_of(var)` gives each element's column."""
        # 32-bit indices and no copy left alive: at 2000 inventory items these are 11M entries
        row = np.concatenate([t.row.astype(np.int32, copy=False) for t in self.terms])
        column = np.concatenate([columns_of(t.var).astype(np.int32, copy=False)[t.position] for t in self.terms])
        value = np.concatenate([t.coef for t in self.terms]).astype(float, copy=False)
        nonzero = value != 0.0  # HiGHS drops explicit zeros with a warning
        if not nonzero.all():
            row, column, value = row[nonzero], column[nonzero], value[nonzero]
        del nonzero
        order = np.argsort(row, kind="stable")
        start = np.zeros(len(self.upper) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=len(self.upper)), out=start[1:])
        del row
        column = column[order]
        value = value[order]
        return start, column, value


def cut_matrix(
    cuts: list[CutRows], columns_of: Callable[[Any], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(upper, start, column, value) of all the cut families stacked, row-wise."""
    uppers, starts, columns, values = [], [np.zeros(1, dtype=np.int64)], [], []
    offset = 0
    for family in cuts:
        start, column, value = family.matrix(columns_of)
        uppers.append(np.asarray(family.upper, dtype=float))
        starts.append(start[1:] + offset)
        columns.append(column)
        values.append(value)
        offset += len(column)
    if not uppers:
        empty = np.zeros(0)
        return empty, np.zeros(1, dtype=np.int64), empty.astype(np.int64), empty
    return np.concatenate(uppers), np.concatenate(starts), np.concatenate(columns), np.concatenate(values)
