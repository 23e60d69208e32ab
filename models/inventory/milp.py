"""Inventory reorder as a MILP on Pyomo: order packs per item, supplier and period.

Decisions: packs[o, t] (whole packs of offer o ordered in period t, arriving t + lead time),
placed[o, t] (an order is placed: fixed cost, minimum quantity), stock, shortage and the
safety-stock gap per item and period. Pyomo is imported inside `build` so that importing
the model costs nothing.
"""

from __future__ import annotations

from typing import Any

from models.inventory.cuts import COVER_WINDOW, RUN_WINDOW, cut_rows, cut_windows
from models.inventory.data import Scenario
from models.inventory.orders import min_packs, needs_placed, orderable, pack_bound

# Measured 2026-12-02 on the 2-core machine: 300 items x 52 weeks (108k columns, no cuts) built in 4.0 s
BUILD_COLUMNS_PER_SECOND = 25_000


def build_estimate(s: Scenario) -> float:
    """Estimated seconds to build the model without cuts, from its column count; cheap, no model is made."""
    order_columns = sum(max(0, s.n_periods - offer.lead_time) for offer in s.offers)  # packs (and placed) per pair
    return (2 * order_columns + 3 * len(s.items) * s.n_periods) / BUILD_COLUMNS_PER_SECOND


def safety_start(s: Scenario, i: int) -> int:
    """First period the safety stock applies: when the fastest supplier can first deliver."""
    leads = [s.offers[o].lead_time for o in s.offers_of[i]]
    return min(leads) if leads else s.n_periods


def shortage_rate(s: Scenario, i: int, t: int) -> float:
    """Cost per unit short in period t; backlog left at the horizon's end must still be bought."""
    item = s.items[i]
    if item.shortage_policy == "backorder" and t == s.n_periods - 1:
        return item.shortage_cost + item.unit_cost
    return item.shortage_cost


def build_for_limit(s: Scenario, time_limit: float) -> Any:
    """The model with as many cut families as the time limit affords (see cut_windows)."""
    return build(s, *cut_windows(s, time_limit))


def build(s: Scenario, cover_window: int = COVER_WINDOW, run_window: int = RUN_WINDOW) -> Any:
    """The Pyomo model of scenario `s`; objective = purchasing + ordering + holding + shortage + safety."""
    import pyomo.environ as pyo

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

    most = {(o, t): pack_bound(s, o, t) for o, t in pairs}  # found once: the bounds and the order links use it
    m.packs = pyo.Var(m.OT, domain=pyo.NonNegativeIntegers, bounds=lambda _, o, t: (0, most[o, t]))
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
        return m.packs[o, t] <= most[o, t] * m.placed[o, t]

    def order_minimum(m, o, t):
        """A placed order is at least the minimum order quantity."""
        return m.packs[o, t] >= min_packs(s, o) * m.placed[o, t]

    m.order_link = pyo.Constraint(m.PT, rule=order_link)
    m.order_minimum = pyo.Constraint([(o, t) for (o, t) in placed_pairs if min_packs(s, o) > 0], rule=order_minimum)

    m.cut_rows = cut_rows(s, m, cover_window, run_window)  # valid cuts, as arrays for the HiGHS backend only

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
