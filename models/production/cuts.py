"""(l,S) cuts separated from an LP solution, for single-level products the build covers only in part.

The build adds (l,S) rows for one period t and short windows t..l only (all of them would be
too many at scale). The full family, for a product i, a last period l and any set S of periods
up to l, with x = made, y = runs (summed over the product's routings), s = stock, b = backlog:

    sum_{t in S} (x_t - d(t..l) y_t - b_(t-1)) <= s_l

is valid: if t* is the first period of S with a run, everything made in S from t* on is at most
what is made in t*..l, which is d(t*..l) + s_l - b_l - (s_(t*-1) - b_(t*-1)) <= d(t*..l) y_t* +
s_l + b_(t*-1); periods of S before t* make nothing. Given LP values, the most violated set for
(i, l) takes the periods whose term is positive, so separation is a few array operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.production.data import Scenario
from models.production.milp import Structure

TOLERANCE = 1e-4  # a cut is added when violated by more than this share of the product's total demand (plus one unit)
MAX_CUTS = 20_000  # per round, the most violated first


def _values(s: Scenario, st: Structure, m: Any, products: list[int]) -> tuple[np.ndarray, ...]:
    """LP values as arrays [product][period]: made, runs, backlog of the period before, stock."""
    n = s.n_periods
    backlog = set(st.backlog_products)
    made = np.zeros((len(products), n))
    runs = np.zeros((len(products), n))
    waiting = np.zeros((len(products), n))
    stock = np.zeros((len(products), n))
    for j, i in enumerate(products):
        for t in range(n):
            made[j, t] = sum(m.make[k, t].value or 0.0 for k in st.routes_of[i])
            runs[j, t] = sum(m.run[k, t].value or 0.0 for k in st.routes_of[i])
            stock[j, t] = m.stock[i, t].value or 0.0
            if i in backlog and t > 0:
                waiting[j, t] = m.backlog[i, t - 1].value or 0.0
    return made, runs, waiting, stock


def separate(s: Scenario, st: Structure, m: Any, products: list[int]) -> list[tuple[int, int, tuple[int, ...]]]:
    """Violated (l,S) cuts at the model's current values: (product, last period, periods of S), most violated first."""
    if not products:
        return []
    n = s.n_periods
    made, runs, waiting, stock = _values(s, st, m, products)
    demand = np.asarray([s.demand[i] for i in products], dtype=float)
    cum = np.concatenate([np.zeros((len(products), 1)), np.cumsum(demand, axis=1)], axis=1)
    # window[j, t, l] = d(t..l) for t <= l
    window = cum[:, None, 1:] - cum[:, :-1, None]
    upper = np.triu(np.ones((n, n), dtype=bool))
    term = made[:, :, None] - window * runs[:, :, None] - waiting[:, :, None]
    positive = np.where(upper[None, :, :] & (term > 0), term, 0.0)
    violation = positive.sum(axis=1) - stock
    tolerance = TOLERANCE * (1.0 + cum[:, -1:])
    found = np.argwhere(violation > tolerance)
    order = np.argsort(-(violation[found[:, 0], found[:, 1]] / tolerance[found[:, 0], 0]), kind="stable")
    out = []
    for j, last in found[order[:MAX_CUTS]]:
        chosen = tuple(int(t) for t in np.flatnonzero(positive[j, : last + 1, last] > 0))
        out.append((products[j], int(last), chosen))
    return out


def add(s: Scenario, st: Structure, m: Any, cuts: list[tuple[int, int, tuple[int, ...]]]) -> None:
    """Add cuts to the model's `ls_cuts` constraint list."""
    backlog = set(st.backlog_products)
    for i, last, chosen in cuts:
        d = s.demand[i]
        lhs = 0.0
        for t in chosen:
            window = sum(d[t : last + 1])
            lhs += sum(m.make[k, t] - window * m.run[k, t] for k in st.routes_of[i])
            if i in backlog and t > 0:
                lhs -= m.backlog[i, t - 1]
        m.ls_cuts.add(lhs <= m.stock[i, last])
