"""Inventory reorder as a MILP on Pyomo: order packs per item, supplier and period.

Decisions: packs[o, t] (whole packs of offer o ordered in period t, arriving t + lead time),
placed[o, t] (an order is placed: fixed cost, minimum quantity), stock, shortage and the
safety-stock gap per item and period. Pyomo is imported inside `build` so that importing
the model costs nothing.
"""

from __future__ import annotations

import math
from typing import Any

from models.inventory.data import Scenario


def orderable(s: Scenario) -> list[tuple[int, int]]:
    """(offer, period) pairs whose arrival falls inside the horizon."""
    return [(o, t) for o, offer in enumerate(s.offers) for t in range(s.n_periods - offer.lead_time)]


def pack_bound(s: Scenario, o: int, t: int) -> float:
    """Most packs worth ordering: the demand left after arrival plus safety stock, or the MOQ."""
    offer = s.offers[o]
    arrival = t + offer.lead_time
    item = s.items[offer.item]
    need = sum(s.demand[offer.item][arrival:]) + item.safety_stock
    if item.shortage_policy == "backorder":  # an order may also fill the backlog built up before it arrives
        need += max(
            0.0, sum(s.demand[offer.item][:arrival]) - item.initial_stock - sum(s.receipts[offer.item][:arrival])
        )
    packs = math.ceil(max(need, offer.min_order_qty) / offer.pack_size - 1e-9)
    if offer.max_order_qty is not None:
        packs = min(packs, math.floor(offer.max_order_qty / offer.pack_size + 1e-9))
    capacity = s.suppliers[offer.supplier].capacity
    if capacity is not None:
        packs = min(packs, math.floor(capacity / offer.pack_size + 1e-9))
    return max(packs, 0)


def min_packs(s: Scenario, o: int) -> int:
    offer = s.offers[o]
    return math.ceil(offer.min_order_qty / offer.pack_size - 1e-9)


def needs_placed(s: Scenario, o: int) -> bool:
    """An order indicator is needed only for a fixed order cost or a minimum quantity."""
    offer = s.offers[o]
    return offer.order_cost > 0 or offer.min_order_qty > 0


def safety_start(s: Scenario, i: int) -> int:
    """First period the safety stock applies: when the fastest supplier can first deliver."""
    leads = [o.lead_time for o in s.offers if o.item == i]
    return min(leads) if leads else s.n_periods


def shortage_rate(s: Scenario, i: int, t: int) -> float:
    """Cost per unit short in period t; backlog left at the horizon's end must still be bought."""
    item = s.items[i]
    if item.shortage_policy == "backorder" and t == s.n_periods - 1:
        return item.shortage_cost + item.unit_cost
    return item.shortage_cost


COVER_WINDOW = 3  # periods after an arrival with a cover cut; on --scale 200 the LP bound gains 0.29% (8: 0.30%, 16: 0.33%, at 2-5x the rows)


def cover_cuts(s: Scenario, window: int = COVER_WINDOW) -> list[tuple[int, int, int, float]]:
    """(offer, order period, last period l, demand from arrival to l) of the (l, S) cuts worth adding.

    The cut: an order arriving in a period is at most the demand up to l when it is placed, plus
    what is still in stock at l, plus the backlog it may fill. It is implied by the balance rows
    for every integer plan, but cuts off the fractional `placed` values of the big-M link.
    Cuts whose demand is not below the link's own bound add nothing and are left out.
    """
    cuts = []
    for o, offer in enumerate(s.offers):
        if not needs_placed(s, o):
            continue
        demand = s.demand[offer.item]
        for t in range(s.n_periods - offer.lead_time):
            arrival = t + offer.lead_time
            most = offer.pack_size * pack_bound(s, o, t)
            covered = 0.0
            for last in range(arrival, min(s.n_periods, arrival + window)):
                covered += demand[last]
                if covered >= most - 1e-9:
                    break
                cuts.append((o, t, last, covered))
    return cuts


RUN_WINDOW = 4  # longest run of arrival periods per cut; on --scale 200 the LP bound gains 0.34% over the cover cuts


def run_cuts(s: Scenario, window: int = RUN_WINDOW) -> list[tuple[int, int, int]]:
    """(item, first period k, last period l) of the (l, S) cuts over runs of arrival periods k..l.

    The cut: all placed orders arriving in k..l bring at most, for each period, the demand from
    there to l if placed, plus the stock left at l and the backlog carried into the run. The
    first period of the run with an order placed brings at most its demand to l plus what is left;
    the cover cuts bound each order alone, these bound several together.
    A run of one period is left out when a single offer arrives then (a cover cut is the same).
    """
    arriving: dict[tuple[int, int], int] = {}
    for o, offer in enumerate(s.offers):
        if needs_placed(s, o):
            for t in range(s.n_periods - offer.lead_time):
                key = (offer.item, t + offer.lead_time)
                arriving[key] = arriving.get(key, 0) + 1
    cuts = []
    for i in range(len(s.items)):
        for last in range(s.n_periods):
            for first in range(max(0, last - window + 1), last + 1):
                count = sum(arriving.get((i, k), 0) for k in range(first, last + 1))
                if count > 1 and (first < last or arriving.get((i, first), 0) > 1):
                    cuts.append((i, first, last))
    return cuts


# building rate of the cut families measured on this machine (--scale 300: 93k cover cuts 0.8 s, 55k run cuts
# 2.4 s); the cuts may take at most CUT_SHARE of the time limit, so a short limit on a big scenario keeps time to solve
COVER_CUTS_PER_SECOND = 100_000
RUN_CUTS_PER_SECOND = 20_000
CUT_SHARE = 0.1


def cut_windows(s: Scenario, time_limit: float) -> tuple[int, int]:
    """(cover window, run window) whose cuts fit CUT_SHARE of the limit: run cuts go first, then cover cuts."""
    budget = CUT_SHARE * time_limit
    cover_seconds = len(cover_cuts(s, COVER_WINDOW)) / COVER_CUTS_PER_SECOND
    if cover_seconds > budget:
        return 0, 0
    run_seconds = len(run_cuts(s, RUN_WINDOW)) / RUN_CUTS_PER_SECOND
    return COVER_WINDOW, RUN_WINDOW if cover_seconds + run_seconds <= budget else 0


def build_for_limit(s: Scenario, time_limit: float) -> Any:
    """The model with as many cut families as the time limit affords (see cut_windows)."""
    return build(s, *cut_windows(s, time_limit))


def build(s: Scenario, cover_window: int = COVER_WINDOW, run_window: int = RUN_WINDOW) -> Any:
    """The Pyomo model of scenario `s`; objective = purchasing + ordering + holding + shortage + safety."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    m = pyo.ConcreteModel(name=s.settings.name)
    n_items, n = len(s.items), s.n_periods
    pairs = orderable(s)
    placed_pairs = [(o, t) for (o, t) in pairs if needs_placed(s, o)]
    soft = [
        (i, t)
        for i, item in enumerate(s.items)
        if item.safety_stock > 0 and item.safety_stock_policy == "soft"
        for t in range(safety_start(s, i), n)
    ]
    hard = [
        (i, t)
        for i, item in enumerate(s.items)
        if item.safety_stock > 0 and item.safety_stock_policy == "hard"
        for t in range(safety_start(s, i), n)
    ]
    lost = [i for i, item in enumerate(s.items) if item.shortage_policy == "lost_sale"]
    lost_set = set(lost)

    m.IT = pyo.Set(initialize=[(i, t) for i in range(n_items) for t in range(n)], dimen=2, ordered=True)
    m.OT = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    m.PT = pyo.Set(initialize=placed_pairs, dimen=2, ordered=True)
    m.SOFT = pyo.Set(initialize=soft, dimen=2, ordered=True)
    m.HARD = pyo.Set(initialize=hard, dimen=2, ordered=True)

    m.packs = pyo.Var(m.OT, domain=pyo.NonNegativeIntegers, bounds=lambda _, o, t: (0, pack_bound(s, o, t)))
    m.placed = pyo.Var(m.PT, domain=pyo.Binary)
    m.stock = pyo.Var(m.IT, domain=pyo.NonNegativeReals)
    m.short = pyo.Var(
        m.IT,
        domain=pyo.NonNegativeReals,
        bounds=lambda _, i, t: (0, s.demand[i][t] if i in lost_set else None),
    )
    m.safety_gap = pyo.Var(m.SOFT, domain=pyo.NonNegativeReals)  # net position below safety stock

    inflow: dict[tuple[int, int], list[tuple[float, Any]]] = {(i, t): [] for i in range(n_items) for t in range(n)}
    for o, t in pairs:
        offer = s.offers[o]
        inflow[offer.item, t + offer.lead_time].append((offer.pack_size, m.packs[o, t]))

    def balance(m, i, t):
        """Net stock moves by arrivals and open orders less demand; shortage is backlog or lost."""
        arrivals = sum(c * v for c, v in inflow[i, t]) + s.receipts[i][t] - s.demand[i][t]
        if t == 0:
            before = s.items[i].initial_stock
        elif i in lost_set:
            before = m.stock[i, t - 1]
        else:
            before = m.stock[i, t - 1] - m.short[i, t - 1]
        return m.stock[i, t] - m.short[i, t] == before + arrivals

    m.balance = pyo.Constraint(m.IT, rule=balance)

    def order_link(m, o, t):
        """Packs only when an order is placed."""
        return m.packs[o, t] <= pack_bound(s, o, t) * m.placed[o, t]

    def order_minimum(m, o, t):
        """A placed order is at least the minimum order quantity."""
        return m.packs[o, t] >= min_packs(s, o) * m.placed[o, t]

    m.order_link = pyo.Constraint(m.PT, rule=order_link)
    m.order_minimum = pyo.Constraint([(o, t) for (o, t) in placed_pairs if min_packs(s, o) > 0], rule=order_minimum)

    cuts = cover_cuts(s, cover_window)

    def cover(m, k):
        """(l, S) cut: packs arriving in a period cover demand up to l when placed, or sit in stock at l."""
        o, t, last, covered = cuts[k]
        i, arrival = s.offers[o].item, t + s.offers[o].lead_time
        coefs = [s.offers[o].pack_size, -covered, -1.0]
        terms = [m.packs[o, t], m.placed[o, t], m.stock[i, last]]
        if arrival > 0 and i not in lost_set:  # the backlog carried into the arrival period
            coefs.append(-1.0)
            terms.append(m.short[i, arrival - 1])
        return LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=terms) <= 0

    m.cover = pyo.Constraint(range(len(cuts)), rule=cover)

    placed_arriving: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for o, t in placed_pairs:
        placed_arriving.setdefault((s.offers[o].item, t + s.offers[o].lead_time), []).append((o, t))
    runs = run_cuts(s, run_window)

    def run(m, k):
        """(l, S) cut over a run of arrival periods: several placed orders together, stock at l counted once."""
        i, first, last = runs[k]
        demand = s.demand[i]
        members = [(tau, o, t) for tau in range(first, last + 1) for o, t in placed_arriving.get((i, tau), [])]
        coefs = [s.offers[o].pack_size for _, o, _ in members] + [-sum(demand[tau : last + 1]) for tau, _, _ in members]
        terms = [m.packs[o, t] for _, o, t in members] + [m.placed[o, t] for _, o, t in members]
        coefs.append(-1.0)
        terms.append(m.stock[i, last])
        if i not in lost_set:
            backlog = range(max(0, first - 1), last)
            coefs += [-1.0] * len(backlog)
            terms += [m.short[i, j] for j in backlog]
        return LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=terms) <= 0  # brought <= covered + left

    m.run = pyo.Constraint(range(len(runs)), rule=run)

    by_supplier_period: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for o, t in pairs:
        by_supplier_period.setdefault((s.offers[o].supplier, t), []).append((o, t))
    capped = [
        key
        for key, members in by_supplier_period.items()
        if s.suppliers[key[0]].capacity is not None and len(members) > 1
    ]

    def supplier_capacity(m, sup, t):
        """Units shipped by a supplier in a period stay within its capacity."""
        members = by_supplier_period[sup, t]
        return sum(s.offers[o].pack_size * m.packs[o, tt] for o, tt in members) <= s.suppliers[sup].capacity

    m.supplier_capacity = pyo.Constraint(capped, rule=supplier_capacity)

    bulky = [i for i, item in enumerate(s.items) if item.volume > 0]
    limited = [t for t in range(n) if s.warehouse_capacity[t] is not None]

    def warehouse(m, t):
        """Stored volume at the end of a period fits the warehouse."""
        if not bulky:
            return pyo.Constraint.Skip
        return sum(s.items[i].volume * m.stock[i, t] for i in bulky) <= s.warehouse_capacity[t]

    m.warehouse = pyo.Constraint(limited, rule=warehouse)

    by_period: dict[int, list[tuple[int, int]]] = {}
    for o, t in pairs:
        by_period.setdefault(t, []).append((o, t))
    budgeted = [t for t in range(n) if s.purchasing_budget[t] is not None]

    def budget(m, t):
        """Spending on orders placed in a period stays within its purchasing budget."""
        members = by_period.get(t, [])
        if not members:
            return pyo.Constraint.Skip
        return (
            sum(s.offers[o].unit_price * s.offers[o].pack_size * m.packs[o, tt] for o, tt in members)
            <= s.purchasing_budget[t]
        )

    m.budget = pyo.Constraint(budgeted, rule=budget)

    def net(m, i, t):
        """Stock net of backlog: stock held against open backlog does not count as safety stock."""
        return m.stock[i, t] if i in lost_set else m.stock[i, t] - m.short[i, t]

    m.safety_hard = pyo.Constraint(m.HARD, rule=lambda m, i, t: net(m, i, t) >= s.items[i].safety_stock)
    m.safety_soft = pyo.Constraint(
        m.SOFT, rule=lambda m, i, t: net(m, i, t) + m.safety_gap[i, t] >= s.items[i].safety_stock
    )

    m.cost_purchasing = pyo.Expression(
        expr=sum(s.offers[o].unit_price * s.offers[o].pack_size * m.packs[o, t] for o, t in pairs)
    )
    m.cost_ordering = pyo.Expression(expr=sum(s.offers[o].order_cost * m.placed[o, t] for o, t in placed_pairs))
    m.cost_holding = pyo.Expression(expr=sum(s.items[i].holding_cost * m.stock[i, t] for i, t in m.IT))
    m.cost_shortage = pyo.Expression(expr=sum(shortage_rate(s, i, t) * m.short[i, t] for i, t in m.IT))
    m.cost_safety = pyo.Expression(expr=sum(s.safety_penalty(i) * m.safety_gap[i, t] for i, t in soft))
    # the only rows shared by items: the engine bounds the rest item by item (optimizer/backends/highs_blocks.py)
    m.linking_constraints = [m.supplier_capacity, m.warehouse, m.budget]
    m.objective = pyo.Objective(
        expr=m.cost_purchasing + m.cost_ordering + m.cost_holding + m.cost_shortage + m.cost_safety,
        sense=pyo.minimize,
    )
    return m
