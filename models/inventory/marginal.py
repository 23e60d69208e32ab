"""Marginal values of the inventory limits: what one more m3, euro of budget or unit of capacity saves.

After the MILP, which orders are placed is fixed, their quantities are left free (packs need not
be whole) and the LP that is left is solved; the value of each binding limit comes from its dual and a warm re-solve with one more unit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.inventory.data import Scenario
from optimizer.backends.fixed_lp import fixed_lp_values
from optimizer.core.plan import Plan

COLUMNS = ["limit", "period", "location", "limit_value", "used", "value_of_one_more_unit", "rate_per_unit", "meaning"]


def _limits(s: Scenario, m: Any) -> dict[tuple[str, Any], tuple[Any, str, str, float, str]]:
    """(group, index) -> (row, what, location, limit value, unit) for every limit row of the model."""
    out = {}
    for t in m.warehouse:
        out["warehouse", t] = (
            m.warehouse[t],
            "warehouse volume",
            s.cell("Periods", t, "warehouse_capacity"),
            s.warehouse_capacity[t],
            "m3",
        )
    for t in m.budget:
        out["budget", t] = (
            m.budget[t],
            "purchasing budget",
            s.cell("Periods", t, "purchasing_budget"),
            s.purchasing_budget[t],
            s.settings.currency,
        )
    for k, t in m.supplier_capacity:
        out["supplier", (k, t)] = (
            m.supplier_capacity[k, t],
            f"capacity of {s.suppliers[k].supplier}",
            s.cell("Suppliers", k, "capacity"),
            s.suppliers[k].capacity,
            "units",
        )
    return out


def marginal_values(s: Scenario, m: Any, plan: Plan, seconds: float) -> pd.DataFrame | None:
    """The Marginal values sheet: one row per limit and period, in planner words; None without limits."""
    import pyomo.environ as pyo

    limits = _limits(s, m)
    if not limits:
        return None
    limit_rows = {key: row for key, (row, *_rest) in limits.items()}
    values = fixed_lp_values(m, m.placed.values(), limit_rows, seconds=seconds, relaxed=m.packs.values())
    currency = s.settings.currency
    rows = []
    for key, (row, what, location, limit, unit) in limits.items():
        used = pyo.value(row.body)
        t = key[1] if key[0] != "supplier" else key[1][1]
        value = rate = None
        if values is None:
            meaning = "not computed: no time left, or the LP of the plan with its orders placed could not be solved"
        else:
            value, rate = round(values.one_more[key], 6), round(values.rate[key], 6)
            if value > 1e-9:
                meaning = (
                    f"one more {unit} of {what} in {s.periods[t]} would save {value:,.2f} {currency} "
                    "(same orders placed, quantities free)"
                )
            elif limit - used > 1e-6:
                meaning = f"not binding: {limit - used:,.2f} {unit} to spare"
            else:
                meaning = "fully used, but one more unit would save nothing with these orders"
        rows.append(
            {
                "limit": what,
                "period": s.periods[t],
                "location": location,
                "limit_value": limit,
                "used": round(used, 6),
                "value_of_one_more_unit": value,
                "rate_per_unit": rate,
                "meaning": meaning,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
