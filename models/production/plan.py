"""Production plan extraction: solved values to the neutral Production / Inventory / Capacity tables.

Extraction takes plain value arrays (`Values`) so that it knows no solver; `values_from_pyomo`
reads them off a solved Pyomo model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.production.data import Scenario
from models.production.milp import Structure, backlog_rate, consumption, structure
from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Plan

PRODUCTION_COLUMNS = ["product", "resource", "period", "quantity", "setup"]
INVENTORY_COLUMNS = ["product", "period", "opening", "produced", "demand", "closing", "backlog", "used_by_parents"]
CAPACITY_COLUMNS = ["resource", "period", "available", "used", "overtime", "max_overtime", "utilisation"]


@dataclass
class Values:
    """Decision values: make and run per [routing][period], stock and backlog per [product][period], overtime."""

    make: list[list[float]]
    run: list[list[bool]]
    stock: list[list[float]]
    backlog: list[list[float]]
    overtime: list[list[float]]  # [resource][period]


def clean(x: float | None) -> float:
    """Solver values to planner numbers: 1e-9 noise to 0, near-integers to integers."""
    if x is None:
        return 0.0
    r = round(x)
    return float(r) if abs(x - r) < 1e-6 else float(x)


def values_from_pyomo(s: Scenario, m: Any) -> Values:
    n = s.n_periods
    make = [[clean(m.make[k, t].value) for t in range(n)] for k in range(len(s.routings))]
    run = [[False] * n for _ in s.routings]
    for k, t in m.RUN:
        run[k][t] = (m.run[k, t].value or 0.0) > 0.5
    for k in range(len(s.routings)):
        for t in range(n):
            if make[k][t] > 0:
                run[k][t] = True
    stock = [[clean(m.stock[i, t].value) for t in range(n)] for i in range(len(s.products))]
    backlog = [[0.0] * n for _ in s.products]
    for i, t in m.BT:
        backlog[i][t] = clean(m.backlog[i, t].value)
    overtime = [[0.0] * n for _ in s.resources]
    for r, t in m.OT:
        overtime[r][t] = clean(m.overtime[r, t].value)
    return Values(make, run, stock, backlog, overtime)


def produced(s: Scenario, st: Structure, v: Values) -> list[list[float]]:
    """Units made per [product][period] over all its routings."""
    return [[sum(v.make[k][t] for k in st.routes_of[i]) for t in range(s.n_periods)] for i in range(len(s.products))]


def component_use(s: Scenario, st: Structure, v: Values) -> list[list[float]]:
    """Units of each product used by parents' production per [product][period]."""
    used = consumption(s, st)
    return [
        [sum(q * v.make[k][tau] for q, k, tau in used[i][t]) for t in range(s.n_periods)]
        for i in range(len(s.products))
    ]


def hours_used(s: Scenario, v: Values) -> list[list[float]]:
    """Production and setup hours per [resource][period]."""
    out = [[0.0] * s.n_periods for _ in s.resources]
    for k, r in enumerate(s.routings):
        for t in range(s.n_periods):
            out[r.resource][t] += r.hours_per_unit * v.make[k][t] + (r.setup_time if v.run[k][t] else 0.0)
    return out


def _production(s: Scenario, v: Values) -> pd.DataFrame:
    rows = []
    for t, period in enumerate(s.periods):
        for k, r in enumerate(s.routings):
            if v.make[k][t] > 0 or v.run[k][t]:
                rows.append(
                    {
                        "product": s.products[r.product].product,
                        "resource": s.resources[r.resource].resource,
                        "period": period,
                        "quantity": v.make[k][t],
                        "setup": "yes" if v.run[k][t] else "no",
                    }
                )
    return pd.DataFrame(rows, columns=PRODUCTION_COLUMNS)


def _inventory(s: Scenario, made: list[list[float]], use: list[list[float]], v: Values) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(s.products):
        for t, period in enumerate(s.periods):
            opening = p.initial_stock if t == 0 else v.stock[i][t - 1] - v.backlog[i][t - 1]
            rows.append(
                {
                    "product": p.product,
                    "period": period,
                    "opening": opening,
                    "produced": made[i][t],
                    "demand": s.demand[i][t] + use[i][t],
                    "closing": v.stock[i][t],
                    "backlog": v.backlog[i][t],
                    "used_by_parents": use[i][t],
                }
            )
    return pd.DataFrame(rows, columns=INVENTORY_COLUMNS)


def _capacity(s: Scenario, hours: list[list[float]], v: Values) -> pd.DataFrame:
    rows = []
    for r, res in enumerate(s.resources):
        for t, period in enumerate(s.periods):
            available = s.capacity[r][t]
            rows.append(
                {
                    "resource": res.resource,
                    "period": period,
                    "available": available,
                    "used": round(hours[r][t], 6),
                    "overtime": v.overtime[r][t],
                    "max_overtime": s.max_overtime[r][t],
                    "utilisation": round(hours[r][t] / available, 4) if available > 0 else None,
                }
            )
    return pd.DataFrame(rows, columns=CAPACITY_COLUMNS)


def _costs(s: Scenario, st: Structure, v: Values) -> pd.DataFrame:
    """Cost per category and period, when incurred; backlog left at the end also costs its production."""
    amounts: dict[tuple[str, int], float] = {}

    def add(category: str, t: int, amount: float) -> None:
        if amount:
            amounts[category, t] = amounts.get((category, t), 0.0) + amount

    for k, r in enumerate(s.routings):
        for t in range(s.n_periods):
            add("production", t, r.unit_cost * v.make[k][t])
            if v.run[k][t]:
                add("setup", t, r.setup_cost)
    for r, res in enumerate(s.resources):
        for t in range(s.n_periods):
            add("overtime", t, res.overtime_cost * v.overtime[r][t])
    for i, p in enumerate(s.products):
        for t in range(s.n_periods):
            add("holding", t, p.holding_cost * v.stock[i][t])
            if p.backlog_cost is not None:
                add("backlog", t, backlog_rate(s, st, i, t) * v.backlog[i][t])
            if p.safety_penalty is not None and p.safety_stock > 0:
                net = v.stock[i][t] - v.backlog[i][t]
                add("safety_stock", t, p.safety_penalty * max(0.0, p.safety_stock - net))
    rows = [(c, s.periods[t], a) for (c, t), a in sorted(amounts.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def _diagnostics(s: Scenario, st: Structure, v: Values, hours: list[list[float]]) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(s.products):
        if not st.routes_of[i] and (any(s.demand[i]) or st.parents_of[i]):
            rows.append(
                {
                    "severity": "info",
                    "location": s.product_cell(i),
                    "message": f"product {p.product} has no routing: it can only come from its initial stock",
                }
            )
        late = [t for t in range(s.n_periods) if v.backlog[i][t] > 1e-6]
        if late:
            worst = max(late, key=lambda t: v.backlog[i][t])
            rows.append(
                {
                    "severity": "warning",
                    "location": s.product_cell(i),
                    "message": f"product {p.product} is late in {len(late)} period(s), first {s.periods[late[0]]}, "
                    f"worst {s.periods[worst]} with {v.backlog[i][worst]:g} units waiting"
                    + (f"; {v.backlog[i][-1]:g} still waiting at the end" if v.backlog[i][-1] > 1e-6 else ""),
                }
            )
        if p.safety_stock > 0 and p.safety_penalty is not None:
            below = [t for t in range(s.n_periods) if v.stock[i][t] - v.backlog[i][t] < p.safety_stock - 1e-6]
            if below:
                rows.append(
                    {
                        "severity": "info",
                        "location": s.product_cell(i),
                        "message": f"product {p.product} ends {len(below)} period(s) below its safety stock "
                        f"{p.safety_stock:g}, first {s.periods[below[0]]}",
                    }
                )
    for r, res in enumerate(s.resources):
        over = [t for t in range(s.n_periods) if v.overtime[r][t] > 1e-6]
        if over:
            rows.append(
                {
                    "severity": "info",
                    "location": s.resource_cell(r, "max_overtime"),
                    "message": f"resource {res.resource} works {sum(v.overtime[r]):g} overtime hours in "
                    f"{len(over)} period(s), first {s.periods[over[0]]}",
                }
            )
    return pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS)


def _kpis(s: Scenario, v: Values, made: list[list[float]], hours: list[list[float]]) -> dict[str, Any]:
    total_demand = sum(sum(d) for d in s.demand)
    late_units = sum(sum(b) for b in v.backlog)
    regular = sum(sum(c) for c in s.capacity)
    kpis: dict[str, Any] = {
        "products": len(s.products),
        "resources": len(s.resources),
        "periods": s.n_periods,
        "production_runs": sum(sum(1 for x in row if x) for row in v.run),
        "units_made": sum(sum(row) for row in made),
        "demand": total_demand,
        "on_time_rate": 1.0
        - sum(min(b, d) for bs, ds in zip(v.backlog, s.demand, strict=True) for b, d in zip(bs, ds, strict=True))
        / total_demand
        if total_demand
        else 1.0,
        "unit_periods_late": late_units,
        "backlog_at_end": sum(b[-1] for b in v.backlog) if s.n_periods else 0.0,
        "overtime_hours": sum(sum(o) for o in v.overtime),
        "utilisation": sum(sum(h) for h in hours) / regular if regular else 0.0,
    }
    if s.settings.objective_note:
        kpis["objective_note"] = s.settings.objective_note
    return kpis


def extract(s: Scenario, v: Values) -> Plan:
    """The plan of values `v`: Production, Inventory, Capacity, costs, KPIs and diagnostics."""
    st = structure(s)
    made = produced(s, st, v)
    use = component_use(s, st, v)
    hours = hours_used(s, v)
    sheets = {
        "Production": _production(s, v),
        "Inventory": _inventory(s, made, use, v),
        "Capacity": _capacity(s, hours, v),
    }
    return Plan(
        sheets=sheets,
        costs=_costs(s, st, v),
        kpis=_kpis(s, v, made, hours),
        diagnostics=_diagnostics(s, st, v, hours),
    )
