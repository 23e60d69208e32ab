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
from models.inventory.milp import safety_start
from models.inventory.orders import pack_bound
from models.inventory.plan import Values, extract, net_position
from optimizer.core.plan import Plan

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


def _targets(s: Scenario, i: int) -> list[float]:
    """Net position the plan aims for at the end of each period.

    The safety stock from the first period a supplier can deliver; a soft one only as far as the
    demand still to come can use it up, since safety stock left at the horizon's end was bought for
    nothing while falling short of it in the last periods costs only their penalty.
    """
    item, n = s.items[i], s.n_periods
    start, demand = safety_start(s, i), s.demand[i]
    targets, to_come = [0.0] * n, 0.0
    for k in range(n - 1, -1, -1):
        if k >= start:
            targets[k] = item.safety_stock if item.safety_stock_policy == "hard" else min(item.safety_stock, to_come)
        to_come += demand[k]
    return targets


def _position_before(s: Scenario, i: int, t: int, stock: list[float], short: list[float]) -> float:
    """Net position at the start of period t: on hand less the backlog carried in (lost units are gone)."""
    if t == 0:
        return s.items[i].initial_stock
    lost = s.items[i].shortage_policy == "lost_sale"
    return stock[t - 1] - (0.0 if lost else short[t - 1])


def _running_shortfall(
    s: Scenario, i: int, t: int, last: int, arrivals: list[float], before: float, targets: list[float]
) -> list[float]:
    """For each k in t..last, the most units arriving in t needed so that the net position stays at target to k."""
    position, most, running = before, 0.0, []
    for k in range(t, last + 1):
        position += arrivals[k] + s.receipts[i][k] - s.demand[i][k]
        most = max(most, targets[k] - position)
        running.append(most)
    return running


def _shortfall(
    s: Scenario, i: int, t: int, last: int, arrivals: list[float], before: float, targets: list[float]
) -> float:
    """Most units arriving in t needed so that the net position stays at target from t to `last`."""
    return _running_shortfall(s, i, t, last, arrivals, before, targets)[-1]


def _cover_plan(s: Scenario, i: int, offers: tuple[int, ...], stock: list[float], short: list[float]) -> dict:
    """Arrival period -> (offer, last period covered): a Wagner-Whitin plan over offers, ignoring shared limits.

    Requirements are what must arrive by each period to hold the target; a cover from period a to
    b by offer o costs its order cost, price of the whole packs and holding to b. Shortfall that
    no offer can reach in time is left to the backlog, which the first possible arrival covers.
    """
    n = s.n_periods
    usable = [o for o in offers if s.offers[o].lead_time < n]
    if not usable:
        return {}
    first = min(s.offers[o].lead_time for o in usable)
    cumulative = [0.0] * (n + 1)  # cumulative[k]: arrivals needed in first..k-1
    before = _position_before(s, i, first, stock, short)
    cumulative[first + 1 :] = _running_shortfall(s, i, first, n - 1, [0.0] * n, before, _targets(s, i))
    running = [0.0] * (n + 2)  # running[k]: cumulative[0] + ... + cumulative[k - 1], for holding in O(1)
    for k in range(n + 1):
        running[k + 1] = running[k] + cumulative[k]
    holding = s.items[i].holding_cost
    best = [math.inf] * (n + 1)
    choice: list[tuple[int, int, int] | None] = [None] * (n + 1)
    best[first] = 0.0
    for a in range(first, n):
        if best[a] == math.inf:
            continue
        for o in usable:
            offer = s.offers[o]
            if offer.lead_time > a:
                continue
            for b in range(a, n):
                qty = cumulative[b + 1] - cumulative[a]
                if qty <= EPS:
                    cost = 0.0
                else:
                    qty = offer.pack_size * math.ceil(max(qty, offer.min_order_qty) / offer.pack_size - EPS)
                    if offer.max_order_qty is not None and qty > offer.max_order_qty + EPS:
                        break
                    held = (b - a + 1) * (qty + cumulative[a]) - (running[b + 2] - running[a + 1])
                    cost = offer.order_cost + offer.unit_price * qty + holding * held
                if best[a] + cost < best[b + 1] - 1e-9:
                    best[b + 1] = best[a] + cost
                    choice[b + 1] = (a, o, b) if qty > EPS else None
                    if qty <= EPS:
                        choice[b + 1] = (a, -1, b)
    plan: dict[int, tuple[int, int]] = {}
    k = n
    while k > first and choice[k] is not None:
        a, o, b = choice[k]  # type: ignore[misc]
        if o >= 0:
            plan[a] = (o, b, cumulative[b + 1] - cumulative[a])
        k = a
    return plan


def _budget_share(s: Scenario, plans: dict) -> list[float]:
    """Part of each planned order kept in its order period: 1, or budget / planned spend when oversubscribed.

    Every item planned alone; where their orders together would overspend a period's budget, each
    order is cut by the same factor (down to what its arrival period cannot do without), so that
    early items do not take the whole budget with long covers that could be ordered later.
    """
    spend = [0.0] * s.n_periods
    for plan in plans.values():
        for a, (o, _, qty) in plan.items():
            spend[a - s.offers[o].lead_time] += s.offers[o].unit_price * qty
    return [
        1.0 if budget is None or spend[t] <= budget else max(0.0, budget / spend[t])
        for t, budget in enumerate(s.purchasing_budget)
    ]


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
    ordered: dict[tuple[int, int], float] = {}
    stock_all: list[list[float]] = [[] for _ in s.items]
    short_all: list[list[float]] = [[] for _ in s.items]
    # hard safety stocks claim the shared limits first, then the items that cost most to run short
    ranking = sorted(
        range(len(s.items)),
        key=lambda i: (s.items[i].safety_stock_policy != "hard", -s.items[i].shortage_cost),
    )
    plans = {i: _cover_plan(s, i, s.offers_of[i], *baselines[i]) for i in ranking}
    share = _budget_share(s, plans)
    for i in ranking:
        item = s.items[i]
        arrivals = [0.0] * n
        stock, short = baselines[i]
        targets = _targets(s, i)
        planned = plans[i]
        for t in range(n):
            if t in planned:  # the cover plan's order, sized on the trajectory so far and fitted to the limits
                o, last, _ = planned[t]
                before = _position_before(s, i, t, stock, short)
                wanted = _shortfall(s, i, t, last, arrivals, before, targets)
                urgent = _shortfall(s, i, t, t, arrivals, before, targets)  # what this period cannot do without
                wanted = max(urgent, wanted * share[t - s.offers[o].lead_time])
                packs = math.ceil(max(wanted, s.offers[o].min_order_qty) / s.offers[o].pack_size - EPS)
                fitted = _fit(s, i, t, o, packs, limits, arrivals, stock) if wanted > EPS else None
                if fitted is not None:
                    stock, short = _place(s, i, t, o, fitted, limits, ordered, arrivals, stock)
            target = targets[t]
            position = stock[t] - short[t]  # units lost count as missing too: an order must cover them
            if position >= target - EPS:
                continue
            choice = _best_order(s, i, t, target - position, s.offers_of[i], limits, arrivals, stock)
            if choice is None:
                continue
            o, *fitted = choice
            stock, short = _place(s, i, t, o, fitted, limits, ordered, arrivals, stock)
        stock_all[i] = stock
        short_all[i] = short
    values = Values(ordered=ordered, placed={k: True for k in ordered}, stock=stock_all, short=short_all)
    for i, item in enumerate(s.items):
        if item.safety_stock_policy == "hard":
            if any(net_position(s, values, i, t) < item.safety_stock - 1e-6 for t in range(safety_start(s, i), n)):
                return None
    return values


def _fit(s: Scenario, i: int, t: int, o: int, packs: int, limits: _Limits, arrivals: list[float], stock: list[float]):
    """The largest order of at most `packs` packs of offer o arriving in t that fits every limit, or None."""
    offer = s.offers[o]
    order_period = t - offer.lead_time
    limit = pack_bound(s, o, order_period)  # already within max_order_qty and the supplier capacity
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
            return qty, new_stock, new_short
        packs = packs - max(1, packs // 4)
    return None


def _place(s, i, t, o, fitted, limits, ordered, arrivals, stock):
    """Record an order arriving in t, take its share of the shared limits; the item's new trajectory."""
    qty, new_stock, new_short = fitted
    order_period = t - s.offers[o].lead_time
    ordered[o, order_period] = ordered.get((o, order_period), 0.0) + qty
    limits.budget[order_period] -= qty * s.offers[o].unit_price
    limits.capacity[s.offers[o].supplier][order_period] -= qty
    for tau in range(s.n_periods):
        limits.room[tau] -= s.items[i].volume * (new_stock[tau] - stock[tau])
    arrivals[t] += qty
    return new_stock, new_short


def _best_order(s, i, t, deficit, offers, limits, arrivals, stock):
    """The cheapest per-unit order arriving in t that fits every limit, with the new trajectory."""
    best = None
    for o in offers:
        if t - s.offers[o].lead_time < 0:
            continue
        packs, unit = _silver_meal(s, i, t, deficit, o)
        fitted = _fit(s, i, t, o, packs, limits, arrivals, stock)
        if fitted is not None and (best is None or unit < best[0]):
            best = (unit, o, *fitted)
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


def quick_plan(s: Scenario) -> Plan | None:
    """The greedy plan, made without a model: the answer when the time limit is too short to build one."""
    values = greedy_plan(s)
    return None if values is None else extract(s, values)
