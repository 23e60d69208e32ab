"""A quick feasible plan to warm-start the MILP and to fall back on when the solver finds none.

Item by item, periods in order: when the net position would fall below safety stock (or below
zero), order from the offer that is cheapest per unit enough to cover the next few periods
(the Silver-Meal rule), clipped to every limit the MILP enforces: pack size, minimum and maximum
order, supplier capacity, purchasing budget and warehouse volume. What cannot be ordered becomes
shortage (a soft rule); if a hard safety stock cannot be met, there is no warm start.
"""

from __future__ import annotations

import math

from models.inventory.data import Scenario
from models.inventory.milp import pack_bound, safety_start
from models.inventory.plan import Values, net_position

EPS = 1e-9


def _trajectory(s: Scenario, i: int, arrivals: list[float]) -> tuple[list[float], list[float]]:
    """Closing on-hand stock and shortage per period for item i given its arrivals."""
    item = s.items[i]
    lost = item.shortage_policy == "lost_sale"
    position = item.initial_stock
    stock, short = [], []
    for t in range(s.n_periods):
        position += arrivals[t] + s.receipts[i][t] - s.demand[i][t]
        if position >= 0:
            stock.append(position)
            short.append(0.0)
        else:
            stock.append(0.0)
            short.append(-position)
            if lost:
                position = 0.0
    return stock, short


def _silver_meal(s: Scenario, i: int, t: int, deficit: float, o: int) -> tuple[int, float]:
    """Packs to order for arrival in t and their cost per unit, by the Silver-Meal rule.

    The order covers the deficit plus the next periods' demand for as long as the ordering and
    holding cost per period covered keeps falling.
    """
    offer = s.offers[o]
    holding = s.items[i].holding_cost
    best_packs, best_rate, best_total = 0, math.inf, math.inf
    for cover in range(1, s.n_periods - t + 1):
        wanted = deficit + sum(s.demand[i][t + 1 : t + cover])
        packs = math.ceil(max(wanted, offer.min_order_qty) / offer.pack_size - EPS)
        qty = packs * offer.pack_size
        held, carry = qty - deficit, 0.0
        for tau in range(t, min(s.n_periods, t + cover)):
            if tau > t:
                held -= s.demand[i][tau]
            carry += holding * max(0.0, held)
        rate = (offer.order_cost + carry) / cover
        if rate > best_rate + 1e-12:
            break
        best_packs, best_rate = packs, rate
        best_total = (offer.unit_price * qty + offer.order_cost + carry) / max(qty, EPS)
    return best_packs, best_total


class _Limits:
    """What is left of the shared limits while orders are added."""

    def __init__(self, s: Scenario, baseline_volume: list[float]):
        n = s.n_periods
        self.budget = [math.inf if b is None else b for b in s.purchasing_budget]
        self.capacity = [[math.inf if sup.capacity is None else sup.capacity] * n for sup in s.suppliers]
        self.room = [math.inf if w is None else w - baseline_volume[t] for t, w in enumerate(s.warehouse_capacity)]


def greedy_plan(s: Scenario) -> Values | None:
    """A plan satisfying every hard rule, or None when the greedy cannot meet a hard safety stock."""
    n = s.n_periods
    baselines = [_trajectory(s, i, [0.0] * n) for i in range(len(s.items))]
    volume = [sum(s.items[i].volume * baselines[i][0][t] for i in range(len(s.items))) for t in range(n)]
    limits = _Limits(s, volume)
    if any(r < -1e-6 for r in limits.room):
        return None
    offers_of: dict[int, list[int]] = {}
    for o, offer in enumerate(s.offers):
        offers_of.setdefault(offer.item, []).append(o)
    ordered: dict[tuple[int, int], float] = {}
    stock_all: list[list[float]] = [[] for _ in s.items]
    short_all: list[list[float]] = [[] for _ in s.items]
    # hard safety stocks claim the shared limits first, then the items that cost most to run short
    ranking = sorted(
        range(len(s.items)),
        key=lambda i: (s.items[i].safety_stock_policy != "hard", -s.items[i].shortage_cost),
    )
    for i in ranking:
        item = s.items[i]
        arrivals = [0.0] * n
        stock, short = baselines[i]
        start = safety_start(s, i)
        for t in range(n):
            target = item.safety_stock if t >= start else 0.0
            position = stock[t] - short[t]  # units lost count as missing too: an order must cover them
            if position >= target - EPS:
                continue
            choice = _best_order(s, i, t, target - position, offers_of.get(i, []), limits, arrivals, stock)
            if choice is None:
                continue
            o, qty, new_stock, new_short = choice
            order_period = t - s.offers[o].lead_time
            ordered[o, order_period] = ordered.get((o, order_period), 0.0) + qty
            limits.budget[order_period] -= qty * s.offers[o].unit_price
            limits.capacity[s.offers[o].supplier][order_period] -= qty
            for tau in range(n):
                limits.room[tau] -= item.volume * (new_stock[tau] - stock[tau])
            arrivals[t] += qty
            stock, short = new_stock, new_short
        stock_all[i] = stock
        short_all[i] = short
    values = Values(ordered=ordered, placed={k: True for k in ordered}, stock=stock_all, short=short_all)
    for i, item in enumerate(s.items):
        if item.safety_stock_policy == "hard":
            if any(net_position(s, values, i, t) < item.safety_stock - 1e-6 for t in range(safety_start(s, i), n)):
                return None
    return values


def _best_order(s, i, t, deficit, offers, limits, arrivals, stock):
    """The cheapest per-unit order arriving in t that fits every limit, with the new trajectory."""
    best = None
    for o in offers:
        offer = s.offers[o]
        order_period = t - offer.lead_time
        if order_period < 0:
            continue
        packs, unit = _silver_meal(s, i, t, deficit, o)
        limit = pack_bound(s, o, order_period)  # already within max_order_qty and the supplier's capacity
        spend = limits.budget[order_period]
        if offer.unit_price > 0 and spend < math.inf:
            limit = min(limit, math.floor(spend / (offer.unit_price * offer.pack_size) + EPS))
        capacity = limits.capacity[offer.supplier][order_period]
        if capacity < math.inf:
            limit = min(limit, math.floor(capacity / offer.pack_size + EPS))
        packs = min(packs, limit)
        min_packs = math.ceil(offer.min_order_qty / offer.pack_size - EPS)
        while packs >= max(min_packs, 1):
            qty = packs * offer.pack_size
            trial = list(arrivals)
            trial[t] += qty
            new_stock, new_short = _trajectory(s, i, trial)
            extra = [s.items[i].volume * (new_stock[tau] - stock[tau]) for tau in range(s.n_periods)]
            if all(extra[tau] <= limits.room[tau] + 1e-9 for tau in range(s.n_periods)):
                if best is None or unit < best[0]:
                    best = (unit, o, qty, new_stock, new_short)
                break
            packs = packs - max(1, packs // 4)
    return None if best is None else best[1:]


def warm_start(s: Scenario, m: object) -> bool:
    """Load the greedy plan into the model's variables; False when there is none."""
    values = greedy_plan(s)
    if values is None:
        return False
    for o, t in m.OT:  # type: ignore[attr-defined]
        qty = values.ordered.get((o, t), 0.0)
        m.packs[o, t].set_value(round(qty / s.offers[o].pack_size))  # type: ignore[attr-defined]
    for o, t in m.PT:  # type: ignore[attr-defined]
        m.placed[o, t].set_value(1 if values.ordered.get((o, t), 0.0) > 0 else 0)  # type: ignore[attr-defined]
    for i, t in m.IT:  # type: ignore[attr-defined]
        m.stock[i, t].set_value(values.stock[i][t])  # type: ignore[attr-defined]
        m.short[i, t].set_value(values.short[i][t])  # type: ignore[attr-defined]
    for i, t in m.SOFT:  # type: ignore[attr-defined]
        shortfall = s.items[i].safety_stock - net_position(s, values, i, t)
        m.safety_gap[i, t].set_value(max(0.0, shortfall))  # type: ignore[attr-defined]
    return True
