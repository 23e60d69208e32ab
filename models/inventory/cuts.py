"""The (l, S) cover and run cuts of the inventory MILP, built as arrays (see optimizer/backends/cut_rows).

Both families are implied by the balance rows for every integer plan but cut off the fractional
`placed` values of the big-M order link. They are two thirds of the rows at scale and nothing reads
them back, so they are never Pyomo constraints: the HiGHS backend appends them to the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from models.inventory.data import Scenario
from models.inventory.orders import needs_placed, pack_bound
from optimizer.backends.cut_rows import CutRows, Terms

# periods after an arrival with a cover cut: on --scale 200 the LP bound gains 0.29% at 3; on --scale 500 (run window
# 4), 8 instead of 3 lifts the blocks' bound by 0.023% (start plan's gap 1.022% -> 1.000%) for 0.9M more nonzeros
COVER_WINDOW = 8
# longest run of arrival periods per cut: on --scale 200 the LP bound gains 0.34% over the cover cuts at 4; on
# --scale 500, 8 instead of 4 gains 0.03% more but doubles the nonzeros (6.4M), and memory with them
RUN_WINDOW = 4
TOL = 1e-9


@dataclass(frozen=True)
class Orders:
    """The (offer, period) pairs that may place an order, with where each one's variables sit in the model."""

    offer: np.ndarray
    period: np.ndarray
    item: np.ndarray
    arrival: np.ndarray
    pack_size: np.ndarray
    packs_position: np.ndarray  # element of m.packs (indexed by milp.orderable)
    placed_position: np.ndarray  # element of m.placed (the pairs of offers needing an order indicator)

    @classmethod
    def of(cls, s: Scenario) -> Orders:
        n = s.n_periods
        offer, period, packs_position, position = [], [], [], 0
        for o, row in enumerate(s.offers):
            count = max(0, n - row.lead_time)
            if needs_placed(s, o):
                offer += [o] * count
                period += range(count)
                packs_position += range(position, position + count)
            position += count
        offer_, period_ = np.asarray(offer, dtype=np.int64), np.asarray(period, dtype=np.int64)
        return cls(
            offer=offer_,
            period=period_,
            item=np.asarray([row.item for row in s.offers], dtype=np.int64)[offer_],
            arrival=period_ + np.asarray([row.lead_time for row in s.offers], dtype=np.int64)[offer_],
            pack_size=np.asarray([row.pack_size for row in s.offers], dtype=float)[offer_],
            packs_position=np.asarray(packs_position, dtype=np.int64),
            placed_position=np.arange(len(offer_), dtype=np.int64),  # m.placed holds exactly these pairs, in order
        )


def _cumulative_demand(s: Scenario) -> np.ndarray:
    """Demand of item i in periods before t at [i, t] (t = 0 .. n)."""
    demand = np.asarray(s.demand, dtype=float).reshape(len(s.items), s.n_periods)
    return np.concatenate([np.zeros((len(s.items), 1)), np.cumsum(demand, axis=1)], axis=1)


class _Family:
    """A cut family as arrays with one entry per cut."""

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))


@dataclass(frozen=True)
class CoverCuts(_Family):
    """One cover cut per entry: order pair (index into Orders), last period l, demand from arrival to l."""

    pair: np.ndarray
    last: np.ndarray
    covered: np.ndarray


def cover_cuts(s: Scenario, window: int = COVER_WINDOW, orders: Orders | None = None) -> CoverCuts:
    """The (l, S) cover cuts worth adding, by order pair then l.

    The cut: an order arriving in a period is at most the demand up to l when it is placed, plus
    what is still in stock at l, plus the backlog it may fill. Cuts whose demand is not below the
    link's own bound add nothing and are left out.
    """
    orders = Orders.of(s) if orders is None else orders
    demand = np.asarray(s.demand, dtype=float).reshape(len(s.items), s.n_periods)
    most = orders.pack_size * np.asarray(
        [pack_bound(s, int(o), int(t)) for o, t in zip(orders.offer, orders.period, strict=True)], dtype=float
    )
    pairs, lasts, covers = [], [], []
    covered = np.zeros(len(orders.offer))
    for k in range(window):
        last = orders.arrival + k
        inside = last < s.n_periods
        covered = covered + np.where(inside, demand[orders.item, np.minimum(last, s.n_periods - 1)], 0.0)
        keep = inside & (covered < most - TOL)  # demand is never negative: once covered, later l are too
        pairs.append(np.flatnonzero(keep))
        lasts.append(last[keep])
        covers.append(covered[keep])
    pair, last, cover = np.concatenate(pairs), np.concatenate(lasts), np.concatenate(covers)
    order = np.lexsort((last, pair))
    return CoverCuts(pair[order], last[order], cover[order])


@dataclass(frozen=True)
class RunCuts(_Family):
    """One run cut per entry: item, first and last period of the run of arrival periods."""

    item: np.ndarray
    first: np.ndarray
    last: np.ndarray


def _arriving(s: Scenario, orders: Orders) -> np.ndarray:
    """Count of order pairs arriving per item (rows) and period (columns)."""
    count = np.zeros((len(s.items), s.n_periods), dtype=np.int64)
    np.add.at(count, (orders.item, orders.arrival), 1)
    return count


def run_cuts(s: Scenario, window: int = RUN_WINDOW, orders: Orders | None = None) -> RunCuts:
    """The (l, S) cuts over runs k..l of arrival periods with more than one order pair, by item, l, then k.

    The cut: all placed orders arriving in k..l bring at most, for each period, the demand from
    there to l if placed, plus the stock left at l and the backlog carried into the run. The cover
    cuts bound each order alone, these bound several together; a run with one pair is its cover cut.
    """
    orders = Orders.of(s) if orders is None else orders
    count = np.concatenate(
        [np.zeros((len(s.items), 1), dtype=np.int64), np.cumsum(_arriving(s, orders), axis=1)], axis=1
    )
    items, firsts, lasts = [], [], []
    item, last = np.divmod(np.arange(len(s.items) * s.n_periods), s.n_periods)
    for length in range(1, window + 1):
        first = last - length + 1
        ok = first >= 0
        ok[ok] = count[item[ok], last[ok] + 1] - count[item[ok], first[ok]] > 1
        items.append(item[ok])
        firsts.append(first[ok])
        lasts.append(last[ok])
    item_, first_, last_ = np.concatenate(items), np.concatenate(firsts), np.concatenate(lasts)
    order = np.lexsort((first_, last_, item_))
    return RunCuts(item_[order], first_[order], last_[order])


def _spans(begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, value) of every integer in each range begin[r] .. end[r] - 1, range by range."""
    length = np.maximum(end - begin, 0)
    owner = np.repeat(np.arange(len(begin)), length)
    offset = np.repeat(np.cumsum(length) - length, length)
    return owner, np.arange(len(owner)) - offset + begin[owner]


def _backlog_carried(s: Scenario, item: np.ndarray) -> np.ndarray:
    """True where the item carries a backlog from period to period (not lost sales)."""
    backorder = np.asarray([row.shortage_policy != "lost_sale" for row in s.items], dtype=bool)
    return backorder[item]


def cover_rows(s: Scenario, m: Any, cuts: CoverCuts, orders: Orders) -> CutRows:
    """packs * pack - covered * placed - stock[l] - backlog into the arrival period <= 0, one row per cover cut."""
    n, rows = s.n_periods, np.arange(len(cuts))
    item, arrival = orders.item[cuts.pair], orders.arrival[cuts.pair]
    backlog = (arrival > 0) & _backlog_carried(s, item)
    return CutRows(
        upper=np.zeros(len(cuts)),
        terms=(
            Terms(m.packs, rows, orders.packs_position[cuts.pair], orders.pack_size[cuts.pair]),
            Terms(m.placed, rows, orders.placed_position[cuts.pair], -cuts.covered),
            Terms(m.stock, rows, item * n + cuts.last, -np.ones(len(cuts))),
            Terms(m.short, rows[backlog], item[backlog] * n + arrival[backlog] - 1, -np.ones(int(backlog.sum()))),
        ),
    )


def run_rows(s: Scenario, m: Any, cuts: RunCuts, orders: Orders) -> CutRows:
    """Packs of every placed order arriving in k..l less the demand from arrival to l per placed order,
    the stock at l and the backlog carried into the run: <= 0, one row per run cut."""
    n = s.n_periods
    by_arrival = np.lexsort((orders.arrival, orders.item))  # pairs by (item, arrival); stable keeps model order
    key = orders.item[by_arrival] * n + orders.arrival[by_arrival]
    begin = np.searchsorted(key, cuts.item * n + cuts.first)
    end = np.searchsorted(key, cuts.item * n + cuts.last, side="right")
    row, member = _spans(begin, end)
    pair = by_arrival[member]
    cumulative = _cumulative_demand(s)
    still = cumulative[cuts.item[row], cuts.last[row] + 1] - cumulative[cuts.item[row], orders.arrival[pair]]
    carried = _backlog_carried(s, cuts.item)
    backlog_row, backlog_period = _spans(np.maximum(0, cuts.first - 1), np.where(carried, cuts.last, 0))
    rows = np.arange(len(cuts))
    return CutRows(
        upper=np.zeros(len(cuts)),
        terms=(
            Terms(m.packs, row, orders.packs_position[pair], orders.pack_size[pair]),
            Terms(m.placed, row, orders.placed_position[pair], -still),
            Terms(m.stock, rows, cuts.item * n + cuts.last, -np.ones(len(cuts))),
            Terms(m.short, backlog_row, cuts.item[backlog_row] * n + backlog_period, -np.ones(len(backlog_row))),
        ),
    )


def cut_rows(s: Scenario, m: Any, cover_window: int, run_window: int) -> list[CutRows]:
    """Both cut families of model `m` for the given windows (a window of 0 leaves its family out)."""
    orders = Orders.of(s)
    families = []
    if cover_window > 0:
        families.append(cover_rows(s, m, cover_cuts(s, cover_window, orders), orders))
    if run_window > 0:
        families.append(run_rows(s, m, run_cuts(s, run_window, orders), orders))
    return families


# building rate of the cut families as arrays, measured on this machine (--scale 2000: 614k cover and 366k run
# cuts in 1.2 s, busy cores); the cuts may take at most CUT_SHARE of the time limit, so a short limit on a big
# scenario keeps time to solve
COVER_CUTS_PER_SECOND = 1_000_000
RUN_CUTS_PER_SECOND = 500_000
CUT_SHARE = 0.1


def cut_windows(s: Scenario, time_limit: float) -> tuple[int, int]:
    """(cover window, run window) whose cuts fit CUT_SHARE of the limit: run cuts go first, then cover cuts."""
    budget = CUT_SHARE * time_limit
    cover_seconds = len(cover_cuts(s, COVER_WINDOW)) / COVER_CUTS_PER_SECOND
    if cover_seconds > budget:
        return 0, 0
    run_seconds = len(run_cuts(s, RUN_WINDOW)) / RUN_CUTS_PER_SECOND
    return COVER_WINDOW, RUN_WINDOW if cover_seconds + run_seconds <= budget else 0
