"""Inventory plan extraction: solved model values to the neutral Orders / Inventory tables.

Extraction takes plain value arrays (`Values`) so that it knows no solver; `values_from_pyomo`
reads them off a solved Pyomo model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.inventory.data import Scenario
from models.inventory.milp import safety_start, shortage_rate
from models.inventory.orders import orderable
from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Plan


@dataclass
class Values:
    """Decision values: units ordered per (offer, period), stock and shortage per [item][period]."""

    ordered: dict[tuple[int, int], float]
    placed: dict[tuple[int, int], bool]
    stock: list[list[float]]
    short: list[list[float]]


def _clean(x: float | None) -> float:
    """Solver values to planner numbers: 1e-9 noise to 0, near-integers to integers."""
    if x is None:
        return 0.0
    r = round(x)
    return float(r) if abs(x - r) < 1e-6 else float(x)


def values_from_pyomo(s: Scenario, m: Any) -> Values:
    n_items, n = len(s.items), s.n_periods
    ordered = {}
    placed = {}
    for o, t in orderable(s):
        packs = _clean(m.packs[o, t].value)
        if packs > 0:
            ordered[o, t] = packs * s.offers[o].pack_size
            placed[o, t] = True
    stock = [[_clean(m.stock[i, t].value) for t in range(n)] for i in range(n_items)]
    short = [[_clean(m.short[i, t].value) for t in range(n)] for i in range(n_items)]
    return Values(ordered, placed, stock, short)


def net_position(s: Scenario, v: Values, i: int, t: int) -> float:
    """On hand less backlog at the end of period t (what counts against safety stock)."""
    lost = s.items[i].shortage_policy == "lost_sale"
    return v.stock[i][t] - (0.0 if lost else v.short[i][t])


def _orders(s: Scenario, v: Values) -> pd.DataFrame:
    rows = []
    for (o, t), qty in sorted(v.ordered.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        offer = s.offers[o]
        rows.append(
            {
                "item": s.items[offer.item].item,
                "supplier": s.suppliers[offer.supplier].supplier,
                "order_period": s.periods[t],
                "arrival_period": s.periods[t + offer.lead_time],
                "quantity": qty,
                "cost": qty * offer.unit_price + offer.order_cost,
            }
        )
    return pd.DataFrame(rows, columns=["item", "supplier", "order_period", "arrival_period", "quantity", "cost"])


def arrivals(s: Scenario, v: Values) -> list[list[float]]:
    """Units arriving per [item][period]: planned orders plus open orders."""
    out = [list(r) for r in s.receipts]
    for (o, t), qty in v.ordered.items():
        offer = s.offers[o]
        out[offer.item][t + offer.lead_time] += qty
    return out


def _inventory(s: Scenario, v: Values, arriving: list[list[float]]) -> pd.DataFrame:
    rows = []
    for i, item in enumerate(s.items):
        lost = item.shortage_policy == "lost_sale"
        for t, period in enumerate(s.periods):
            if t == 0:
                opening = item.initial_stock
            else:
                opening = v.stock[i][t - 1] - (0.0 if lost else v.short[i][t - 1])
            rows.append(
                {
                    "item": item.item,
                    "period": period,
                    "opening": opening,
                    "arrivals": arriving[i][t],
                    "demand": s.demand[i][t],
                    "closing": v.stock[i][t],
                    "shortage": v.short[i][t],
                }
            )
    return pd.DataFrame(rows, columns=["item", "period", "opening", "arrivals", "demand", "closing", "shortage"])


def _costs(s: Scenario, v: Values) -> pd.DataFrame:
    """Cost per category and period: purchasing and ordering when ordered, the rest when incurred."""
    amounts: dict[tuple[str, str], float] = {}

    def add(category: str, t: int, amount: float) -> None:
        if amount:
            key = (category, s.periods[t])
            amounts[key] = amounts.get(key, 0.0) + amount

    for (o, t), qty in v.ordered.items():
        add("purchasing", t, qty * s.offers[o].unit_price)
        add("ordering", t, s.offers[o].order_cost)
    for i, item in enumerate(s.items):
        start = safety_start(s, i)
        for t in range(s.n_periods):
            add("holding", t, item.holding_cost * v.stock[i][t])
            add("shortage", t, shortage_rate(s, i, t) * v.short[i][t])
            if item.safety_stock > 0 and item.safety_stock_policy == "soft" and t >= start:
                shortfall = item.safety_stock - net_position(s, v, i, t)
                add("safety_stock", t, s.safety_penalty(i) * max(0.0, shortfall))
    rows = [(c, p, a) for (c, p), a in amounts.items()]
    order = {p: k for k, p in enumerate(s.periods)}
    rows.sort(key=lambda r: (order[r[1]], r[0]))
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def _policy(s: Scenario, v: Values) -> pd.DataFrame:
    """Reorder point and order-up-to level per item, derived from demand, lead time and the plan.

    reorder_point = safety stock + mean demand over the main supplier's lead time (order when the
    stock position falls to it); order_up_to = reorder_point + the mean planned order quantity.
    """
    planned_of: list[list[tuple[int, float]]] = [[] for _ in s.items]
    for (o, _), q in v.ordered.items():
        planned_of[s.offers[o].item].append((o, q))
    rows = []
    for i, item in enumerate(s.items):
        offers = [(o, s.offers[o]) for o in s.offers_of[i]]
        planned = planned_of[i]
        if planned:
            counts: dict[int, float] = {}
            for o, q in planned:
                counts[o] = counts.get(o, 0.0) + q
            main = max(counts, key=lambda o: counts[o])
        elif offers:
            main = min(offers, key=lambda p: p[1].unit_price)[0]
        else:
            main = None
        mean_demand = sum(s.demand[i]) / max(s.n_periods, 1)
        lead = s.offers[main].lead_time if main is not None else 0
        reorder_point = item.safety_stock + mean_demand * max(lead, 1)
        mean_order = sum(q for _, q in planned) / len(planned) if planned else 0.0
        rows.append(
            {
                "item": item.item,
                "main_supplier": s.suppliers[s.offers[main].supplier].supplier if main is not None else "",
                "lead_time": lead,
                "mean_demand": round(mean_demand, 3),
                "safety_stock": item.safety_stock,
                "reorder_point": round(reorder_point, 3),
                "order_up_to": round(reorder_point + mean_order, 3),
                "planned_orders": len(planned),
            }
        )
    return pd.DataFrame(rows)


def _diagnostics(s: Scenario, v: Values) -> pd.DataFrame:
    rows = []
    for i, item in enumerate(s.items):
        prices = [s.offers[o].unit_price for o in s.offers_of[i]]
        if item.shortage_policy == "lost_sale" and prices and item.shortage_cost < min(prices):
            rows.append(
                {
                    "severity": "warning",
                    "location": s.item_cell(i, "shortage_cost"),
                    "message": f"item {item.item}: shortage_cost {item.shortage_cost:g} is below the cheapest price "
                    f"{min(prices):g}, so losing a sale costs less than buying; include the lost margin in shortage_cost",
                }
            )
        short_periods = [t for t in range(s.n_periods) if v.short[i][t] > 1e-6]
        if short_periods:
            worst = max(short_periods, key=lambda t: v.short[i][t])
            what = "lost" if item.shortage_policy == "lost_sale" else "backlogged"
            rows.append(
                {
                    "severity": "warning",
                    "location": s.item_cell(i),
                    "message": f"item {item.item} is short in {len(short_periods)} period(s), first "
                    f"{s.periods[short_periods[0]]}, worst {s.periods[worst]} with {v.short[i][worst]:g} units {what}",
                }
            )
        if item.safety_stock > 0 and item.safety_stock_policy == "soft":
            below = [
                t for t in range(safety_start(s, i), s.n_periods) if net_position(s, v, i, t) < item.safety_stock - 1e-6
            ]
            if below:
                rows.append(
                    {
                        "severity": "info",
                        "location": s.item_cell(i),
                        "message": f"item {item.item} ends {len(below)} period(s) below its safety stock "
                        f"{item.safety_stock:g}, first {s.periods[below[0]]}",
                    }
                )
    return pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS)


def _kpis(s: Scenario, v: Values) -> dict[str, float | int | str]:
    total_demand = sum(sum(d) for d in s.demand)
    lost = sum(sum(v.short[i]) for i, it in enumerate(s.items) if it.shortage_policy == "lost_sale")
    backlog_end = sum(v.short[i][-1] for i, it in enumerate(s.items) if it.shortage_policy == "backorder")
    unmet = lost + backlog_end
    return {
        "items": len(s.items),
        "periods": s.n_periods,
        "orders": len(v.ordered),
        "units_ordered": sum(v.ordered.values()),
        "demand": total_demand,
        "fill_rate": 1.0 - unmet / total_demand if total_demand else 1.0,
        "average_stock": sum(sum(r) for r in v.stock) / max(s.n_periods, 1),
        "items_with_shortage": sum(1 for r in v.short if any(x > 1e-6 for x in r)),
    }


def extract(s: Scenario, v: Values) -> Plan:
    """The plan of values `v`: Orders, Inventory, Reorder policy, costs, KPIs and diagnostics."""
    arriving = arrivals(s, v)
    return Plan(
        sheets={
            "Orders": _orders(s, v),
            "Inventory": _inventory(s, v, arriving),
            "Reorder policy": _policy(s, v),
        },
        costs=_costs(s, v),
        kpis=_kpis(s, v),
        diagnostics=_diagnostics(s, v),
    )
