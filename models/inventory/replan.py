"""Replanning inventory against the previous plan: orders in frozen periods stay, later changes cost.

Decisions are the units ordered per item, supplier and order period. Periods are matched by id,
so a rolled horizon (last week gone, a new week added) lines up; orders of periods that are no
longer in the scenario are in the past and ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.inventory.data import Scenario
from models.inventory.heuristic import _trajectory
from models.inventory.orders import orderable
from optimizer.core.errors import InputError, InputErrors
from optimizer.core.plan import Plan
from optimizer.io.tables import RawTable

CHANGE_COLUMNS = ["what", "item", "supplier", "order_period", "old", "new", "change", "cost_effect", "frozen"]
EPS = 1e-6


@dataclass
class PreviousOrders:
    """Units per (offer, period) of the previous plan, with rows that no longer fit as diagnostics."""

    quantities: dict[tuple[int, int], float]
    diagnostics: list[dict[str, str]] = field(default_factory=list)


def _sheet(sheets: dict[str, RawTable], name: str) -> RawTable:
    found = next((t for n, t in sheets.items() if n.lower() == name.lower()), None)
    if found is None or not found.header:
        raise InputErrors([InputError(name, "the previous plan has no Orders sheet; is it an inventory plan?")])
    missing = [c for c in ("item", "supplier", "order_period", "quantity") if c not in found.columns]
    if missing:
        raise InputErrors([InputError(found.header_cell(), f"previous plan: missing column(s) {', '.join(missing)}")])
    return found


def read_previous(s: Scenario, sheets: dict[str, RawTable]) -> PreviousOrders:
    """The previous plan's orders as the new scenario's (offer, period) indices."""
    table = _sheet(sheets, "Orders")
    item_index = {row.item: i for i, row in enumerate(s.items)}
    supplier_index = {row.supplier: k for k, row in enumerate(s.suppliers)}
    offer_index = {(offer.item, offer.supplier): o for o, offer in enumerate(s.offers)}
    period_index = {p: t for t, p in enumerate(s.periods)}
    can_order = set(orderable(s))
    previous = PreviousOrders({})

    def note(index: int, column: str, message: str) -> None:
        previous.diagnostics.append(
            {"severity": "warning", "location": f"previous plan {table.cell(index, column)}", "message": message}
        )

    for index, record in enumerate(table.records()):
        item, supplier = str(record.get("item", "")), str(record.get("supplier", ""))
        period = _id(record.get("order_period"))
        quantity = record.get("quantity")
        if not isinstance(quantity, (int, float)) or quantity <= 0:
            note(index, "quantity", f"quantity {quantity!r} is not a positive number; row ignored")
            continue
        if period not in period_index:
            continue  # an order of a past period: already placed, outside the new horizon
        if item not in item_index:
            note(index, "item", f"item '{item}' is no longer in Items; its order of {quantity:g} is dropped")
            continue
        if supplier not in supplier_index or (item_index[item], supplier_index[supplier]) not in offer_index:
            note(index, "supplier", f"'{supplier}' no longer supplies '{item}'; its order of {quantity:g} is dropped")
            continue
        o, t = offer_index[item_index[item], supplier_index[supplier]], period_index[period]
        if (o, t) not in can_order:
            note(index, "order_period", f"an order in {period} would arrive after the horizon now; dropped")
            continue
        previous.quantities[o, t] = previous.quantities.get((o, t), 0.0) + float(quantity)
    return previous


def _id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def apply(s: Scenario, m: Any, previous: PreviousOrders, freeze: int) -> bool:
    """Fix orders of the first `freeze` periods, price later changes, and start from the previous plan."""
    import pyomo.environ as pyo

    weight = s.settings.stability_weight
    for o, t in m.OT:
        packs = _packs(s, o, previous.quantities.get((o, t), 0.0))
        if t < freeze:
            if packs > m.packs[o, t].ub:
                m.packs[o, t].setub(packs)  # an order already placed stands even above today's limits
            m.packs[o, t].fix(packs)
            if (o, t) in m.placed:
                m.placed[o, t].fix(1 if packs > 0 else 0)
    later = [(o, t) for o, t in m.OT if t >= freeze]
    m.CHANGED = pyo.Set(initialize=later, dimen=2, ordered=True)
    m.more = pyo.Var(m.CHANGED, domain=pyo.NonNegativeReals)
    m.less = pyo.Var(m.CHANGED, domain=pyo.NonNegativeReals)
    m.change_link = pyo.Constraint(
        m.CHANGED,
        rule=lambda m, o, t: (
            s.offers[o].pack_size * m.packs[o, t] - previous.quantities.get((o, t), 0.0) == m.more[o, t] - m.less[o, t]
        ),
    )
    m.cost_stability = pyo.Expression(expr=weight * sum(m.more[k] + m.less[k] for k in later))
    m.objective.deactivate()
    m.replan_objective = pyo.Objective(expr=m.objective.expr + m.cost_stability, sense=pyo.minimize)
    return _start_from(s, m, previous)


def _packs(s: Scenario, o: int, quantity: float) -> int:
    return max(0, math.ceil(quantity / s.offers[o].pack_size - EPS))


def _start_from(s: Scenario, m: Any, previous: PreviousOrders) -> bool:
    """Load the previous orders and the stock they lead to as the MIP start."""
    n = s.n_periods
    arrivals = [[0.0] * n for _ in s.items]
    for o, t in m.OT:
        packs = _packs(s, o, previous.quantities.get((o, t), 0.0))
        if not m.packs[o, t].fixed:
            m.packs[o, t].set_value(min(packs, m.packs[o, t].ub))
        if (o, t) in m.placed and not m.placed[o, t].fixed:
            m.placed[o, t].set_value(1 if m.packs[o, t].value > 0 else 0)
        arrivals[s.offers[o].item][t + s.offers[o].lead_time] += s.offers[o].pack_size * m.packs[o, t].value
    for i in range(len(s.items)):
        stock, short = _trajectory(s, i, arrivals[i])
        for t in range(n):
            m.stock[i, t].set_value(stock[t])
            m.short[i, t].set_value(short[t])
    for i, t in m.SOFT:
        net = m.stock[i, t].value - (0.0 if s.items[i].shortage_policy == "lost_sale" else m.short[i, t].value)
        m.safety_gap[i, t].set_value(max(0.0, s.items[i].safety_stock - net))
    for o, t in m.CHANGED:
        delta = s.offers[o].pack_size * m.packs[o, t].value - previous.quantities.get((o, t), 0.0)
        m.more[o, t].set_value(max(0.0, delta))
        m.less[o, t].set_value(max(0.0, -delta))
    return True


def changes(s: Scenario, previous: PreviousOrders, plan: Plan, freeze: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every order that differs from the previous plan, with its cost effect, and the churn KPIs."""
    offer_index = {(offer.item, offer.supplier): o for o, offer in enumerate(s.offers)}
    item_index = {row.item: i for i, row in enumerate(s.items)}
    supplier_index = {row.supplier: k for k, row in enumerate(s.suppliers)}
    period_index = {p: t for t, p in enumerate(s.periods)}
    new: dict[tuple[int, int], float] = {}
    for row in plan.sheets["Orders"].itertuples(index=False):
        key = (offer_index[item_index[row.item], supplier_index[row.supplier]], period_index[row.order_period])
        new[key] = new.get(key, 0.0) + float(row.quantity)
    rows = []
    decisions = {"inside": 0, "outside": 0}
    changed = {"inside": 0, "outside": 0}
    for o, t in sorted(set(new) | set(previous.quantities), key=lambda k: (k[1], k[0])):
        old_q, new_q = previous.quantities.get((o, t), 0.0), new.get((o, t), 0.0)
        zone = "inside" if t < freeze else "outside"
        decisions[zone] += 1
        if abs(new_q - old_q) <= EPS:
            continue
        changed[zone] += 1
        offer = s.offers[o]
        placed_effect = offer.order_cost * ((new_q > 0) - (old_q > 0))
        what = "new order" if old_q <= EPS else "order cancelled" if new_q <= EPS else "quantity changed"
        rows.append(
            {
                "what": what,
                "item": s.items[offer.item].item,
                "supplier": s.suppliers[offer.supplier].supplier,
                "order_period": s.periods[t],
                "old": old_q,
                "new": new_q,
                "change": new_q - old_q,
                "cost_effect": (new_q - old_q) * offer.unit_price + placed_effect,
                "frozen": t < freeze,
            }
        )
    moved = sum(abs(r["change"]) for r in rows if not r["frozen"])
    kpis = {
        "stability_penalty": s.settings.stability_weight * moved,
        "orders_changed_in_frozen_periods": changed["inside"],
        "orders_changed_after_frozen_periods": changed["outside"],
        "share_changed_in_frozen_periods": changed["inside"] / decisions["inside"] if decisions["inside"] else 0.0,
        "share_changed_after_frozen_periods": (
            changed["outside"] / decisions["outside"] if decisions["outside"] else 0.0
        ),
    }
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), kpis
