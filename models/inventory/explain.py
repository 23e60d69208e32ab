"""Why an inventory scenario has no plan: which hard rules to relax, tied to their input cells.

The hard rules that can make a scenario infeasible are the hard safety stocks, supplier
capacities, warehouse volumes and purchasing budgets; the elastic re-solve bends them as little
as possible and reports each bent one with the cell to change and the cost of the plan it allows.
"""

from __future__ import annotations

from typing import Any

from models.inventory.data import Scenario
from models.inventory.milp import build
from optimizer.backends.elastic import RuleGroup, explain_infeasible
from optimizer.core.params import SolveParams


def _groups(s: Scenario) -> list[RuleGroup]:
    currency = s.settings.currency

    def safety(index: Any, amount: float) -> tuple[str, str]:
        i, t = index
        item = s.items[i]
        return (
            s.item_cell(i, "safety_stock"),
            f"item {item.item} cannot hold its hard safety stock of {item.safety_stock:g} at the end of "
            f"{s.periods[t]}: {amount:g} units short. Lower safety_stock, make safety_stock_policy soft, "
            "or give it a faster or larger supplier",
        )

    def supplier(index: Any, amount: float) -> tuple[str, str]:
        k, t = index
        row = s.suppliers[k]
        return (
            s.cell("Suppliers", k, "capacity"),
            f"supplier {row.supplier} would need {amount:g} units more capacity than {row.capacity:g} in "
            f"{s.periods[t]}",
        )

    def warehouse(index: Any, amount: float) -> tuple[str, str]:
        t = index
        return (
            s.cell("Periods", t, "warehouse_capacity"),
            f"the warehouse would need {amount:g} m3 more than {s.warehouse_capacity[t]:g} at the end of "
            f"{s.periods[t]}",
        )

    def budget(index: Any, amount: float) -> tuple[str, str]:
        t = index
        return (
            s.cell("Periods", t, "purchasing_budget"),
            f"orders placed in {s.periods[t]} would need {amount:,.2f} {currency} more than the purchasing budget "
            f"of {s.purchasing_budget[t]:,.2f}",
        )

    return [
        RuleGroup("safety_hard", 1.0, safety),
        RuleGroup("supplier_capacity", 1.0, supplier),
        RuleGroup("warehouse", 1.0, warehouse),
        RuleGroup("budget", 1.0, budget),
    ]


def explain(s: Scenario, params: SolveParams, limit: float) -> list[dict[str, str]]:
    """Diagnostics rows: each hard rule to relax (location, by how much) and what the plan would then cost."""
    relaxation = explain_infeasible(build(s), _groups(s), params, limit)
    if not relaxation.found:
        return [{"severity": "error", "location": "", "message": f"infeasible: {relaxation.message}"}]
    rows = [{"severity": "error", "location": where, "message": text} for where, text in relaxation.bent]
    if relaxation.cost is not None:
        note = f" ({relaxation.message})" if relaxation.message else ""
        rows.append(
            {
                "severity": "info",
                "location": "",
                "message": f"relaxed as listed above, the cheapest plan would cost {relaxation.cost:,.2f} "
                f"{s.settings.currency}{note}",
            }
        )
    return rows
