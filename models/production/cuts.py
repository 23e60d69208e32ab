"""(l,S) cuts separated from an LP solution, for the products the build covers only in part.

The build adds (l,S) rows for one period t and short windows t..l only (all of them would be
too many at scale). The full family, for a product i, a last period l and any set T of periods
up to l, with x = made, y = runs (summed over the product's routings), D' = net echelon demand,
S = echelon stock and B = echelon backlog (models.production.echelon, where it is proved valid;
for a product without parents D' is its net demand, S its stock and B its backlog):

    sum_{t in T} (x_t - D'(t..l) y_t - B(t-1)) <= S(l)

Given LP values, the most violated set for (i, l) takes the periods whose term is positive, so
separation is a few array operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.production.data import Scenario
from models.production.echelon import Echelon, Term, held
from models.production.milp import Structure

TOLERANCE = 1e-4  # a cut is added when violated by more than this share of the product's total demand (plus one unit)
MAX_CUTS = 20_000  # per round, the most violated first


def _held(terms: tuple[Term, ...], var: Any) -> float:
    """Value of sum(coef * var[product, period]) at the model's current values."""
    return sum(coef * (var[j, u].value or 0.0) for coef, j, u in terms)


def _values(s: Scenario, st: Structure, m: Any, found: list[Echelon]) -> tuple[np.ndarray, ...]:
    """LP values as arrays [echelon][period]: made, runs, echelon backlog of the period before, echelon stock."""
    n = s.n_periods
    made = np.zeros((len(found), n))
    runs = np.zeros((len(found), n))
    waiting = np.zeros((len(found), n))
    stock = np.zeros((len(found), n))
    for j, e in enumerate(found):
        for t in range(n):
            made[j, t] = sum(m.make[k, t].value or 0.0 for k in st.routes_of[e.product])
            runs[j, t] = sum(m.run[k, t].value or 0.0 for k in st.routes_of[e.product])
            stock[j, t] = _held(e.stock[t], m.stock)
            waiting[j, t] = _held(e.waiting[t], m.backlog)
    return made, runs, waiting, stock


def separate(s: Scenario, st: Structure, m: Any, found: list[Echelon]) -> list[tuple[Echelon, int, tuple[int, ...]]]:
    """Violated (l,S) cuts at the model's current values: (echelon, last period, periods of T), most violated first."""
    if not found:
        return []
    n = s.n_periods
    made, runs, waiting, stock = _values(s, st, m, found)
    cum = np.concatenate([np.zeros((len(found), 1)), np.asarray([e.cum for e in found], dtype=float)], axis=1)
    # window[j, t, l] = D'(t..l) for t <= l
    window = cum[:, None, 1:] - cum[:, :-1, None]
    upper = np.triu(np.ones((n, n), dtype=bool))
    term = made[:, :, None] - window * runs[:, :, None] - waiting[:, :, None]
    positive = np.where(upper[None, :, :] & (term > 0), term, 0.0)
    violation = positive.sum(axis=1) - stock
    tolerance = TOLERANCE * (1.0 + cum[:, -1:])
    hits = np.argwhere(violation > tolerance)
    order = np.argsort(-(violation[hits[:, 0], hits[:, 1]] / tolerance[hits[:, 0], 0]), kind="stable")
    out = []
    for j, last in hits[order[:MAX_CUTS]]:
        chosen = tuple(int(t) for t in np.flatnonzero(positive[j, : last + 1, last] > 0))
        out.append((found[j], int(last), chosen))
    return out


def add(st: Structure, m: Any, cuts: list[tuple[Echelon, int, tuple[int, ...]]]) -> None:
    """Add cuts to the model's `ls_cuts` constraint list."""
    for e, last, chosen in cuts:
        lhs = 0.0
        for t in chosen:
            lhs += sum(m.make[k, t] - e.demand(t, last) * m.run[k, t] for k in st.routes_of[e.product])
            lhs -= held(e.waiting[t], m.backlog)
        m.ls_cuts.add(lhs <= held(e.stock[last], m.stock))
