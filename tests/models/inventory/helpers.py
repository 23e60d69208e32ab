"""Tiny inventory scenarios written as a real CSV folder and solved through the real solve path.

`solve_case` takes the sheets as plain rows (dicts; None = blank cell), writes one .csv per sheet,
loads them with `optimizer.solve.load` and solves with `solve_loaded`, exactly like the CLI does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from models.inventory.data import Scenario
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.inventory.checker import check_plan

Rows = list[dict[str, Any]]


def period_ids(n: int) -> list[str]:
    return [f"P{t + 1}" for t in range(n)]


def item(
    item: str = "A", unit_cost: float = 10.0, holding_cost: float = 1.0, shortage_cost: float = 1000.0, **kw: Any
) -> dict:
    """An Items row; shortage is expensive unless a test says otherwise."""
    return {"item": item, "unit_cost": unit_cost, "holding_cost": holding_cost, "shortage_cost": shortage_cost, **kw}


def offer(item: str = "A", supplier: str = "S1", **kw: Any) -> dict:
    """An ItemSuppliers row (price defaults to the item's unit_cost, lead time 0, no order cost)."""
    return {"item": item, "supplier": supplier, **kw}


@dataclass
class Solved:
    scenario: Scenario
    result: Result

    @property
    def orders(self) -> pd.DataFrame:
        return self.result.plan.sheets["Orders"]

    @property
    def inventory(self) -> pd.DataFrame:
        return self.result.plan.sheets["Inventory"]

    def order_list(self) -> list[tuple[str, str, str, float]]:
        """(item, supplier, order_period, quantity) of every planned order, in sheet order."""
        return [(r.item, r.supplier, r.order_period, float(r.quantity)) for r in self.orders.itertuples()]

    def column(self, name: str, item: str = "A") -> list[float]:
        """One Inventory column of an item, in period order."""
        rows = self.inventory[self.inventory["item"] == item]
        return [float(x) for x in rows[name]]


def solve_case(
    folder: Path,
    *,
    periods: int | Rows,
    items: Rows,
    offers: Rows,
    demand: dict[str, list[float]],
    suppliers: Rows | None = None,
    open_orders: Rows | None = None,
    budget: Rows | None = None,
    seed: int = 0,
    expect: Status | None = Status.OPTIMAL,
    solver: str = "auto",
    time_limit: float = 20,
) -> Solved:
    """Write, load and solve a scenario; when it has a plan, check it and compare the cost with the objective."""
    period_rows = [{"period": p} for p in period_ids(periods)] if isinstance(periods, int) else periods
    labels = [str(r["period"]) for r in period_rows]
    if suppliers is None:
        suppliers = [{"supplier": s} for s in dict.fromkeys(o["supplier"] for o in offers)]
    demand_rows = [
        {"item": i, "period": labels[t], "quantity": q}
        for i, series in demand.items()
        for t, q in enumerate(series)
        if q
    ]
    sheets: dict[str, Rows] = {
        "Settings": [{"setting": "kind", "value": "inventory"}, {"setting": "name", "value": folder.name}],
        "Periods": period_rows,
        "Items": items,
        "Suppliers": suppliers,
        "ItemSuppliers": offers,
        "Demand": demand_rows or [{"item": items[0]["item"], "period": labels[0], "quantity": 0}],
    }
    if open_orders is not None:
        sheets["OpenOrders"] = open_orders
    if budget is not None:
        sheets["Budget"] = budget
    loaded = load(write_folder(folder, sheets))
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=time_limit, gap=0, seed=seed))
    if expect is not None:
        assert result.status is expect, f"status {result.status.value}, expected {expect.value} ({result.message})"
    if result.plan is not None:
        total = check_plan(loaded.scenario, result.plan)
        assert result.objective is not None
        assert abs(total - result.objective) <= 1e-6 * max(1.0, abs(total)), (total, result.objective)
    return Solved(loaded.scenario, result)
