"""Tiny production scenarios written as a real CSV folder and solved through the real solve path.

`solve_case` takes the sheets as plain rows (dicts; None = blank cell), writes one .csv per sheet,
loads them with `optimizer.solve.load` and solves with `solve_loaded`, exactly like the CLI does;
every plan is checked by the independent checker and its recomputed cost compared with the objective.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from models.production.data import Scenario
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.production.checker import check_plan

Rows = list[dict[str, Any]]


def period_ids(n: int) -> list[str]:
    return [f"P{t + 1}" for t in range(n)]


def product(product: str = "A", holding_cost: float = 1.0, **kw: Any) -> dict:
    """A Products row."""
    return {"product": product, "holding_cost": holding_cost, **kw}


def resource(resource: str = "R1", capacity: float = 1000.0, **kw: Any) -> dict:
    """A Resources row with ample capacity unless a test says otherwise."""
    return {"resource": resource, "capacity": capacity, **kw}


def routing(product: str = "A", resource: str = "R1", hours_per_unit: float = 1.0, **kw: Any) -> dict:
    """A Routings row."""
    return {"product": product, "resource": resource, "hours_per_unit": hours_per_unit, **kw}


@dataclass
class Solved:
    scenario: Scenario
    result: Result

    @property
    def production(self) -> pd.DataFrame:
        return self.result.plan.sheets["Production"]

    def made(self, product: str = "A", resource: str | None = None) -> list[float]:
        """Units made per period of a product (on one resource or on all)."""
        rows = self.production[self.production["product"] == product]
        if resource is not None:
            rows = rows[rows["resource"] == resource]
        out = [0.0] * self.scenario.n_periods
        for r in rows.itertuples():
            out[self.scenario.periods.index(r.period)] += float(r.quantity)
        return out

    def column(self, sheet: str, name: str, key: str, value: str) -> list[float]:
        """One column of a plan sheet for one product or resource, in period order."""
        frame = self.result.plan.sheets[sheet]
        return [float(x) for x in frame[frame[key] == value][name]]


def solve_case(
    folder: Path,
    *,
    periods: int,
    products: Rows,
    routings: Rows,
    demand: dict[str, list[float]],
    resources: Rows | None = None,
    bom: Rows | None = None,
    capacity: Rows | None = None,
    settings: dict[str, Any] | None = None,
    budget: Rows | None = None,
    expect: Status | None = Status.OPTIMAL,
    solver: str = "auto",
    time_limit: float = 20,
) -> Solved:
    """Write, load and solve a scenario; when it has a plan, check it and compare the cost with the objective."""
    labels = period_ids(periods)
    if resources is None:
        resources = [resource(r) for r in dict.fromkeys(x["resource"] for x in routings)]
    demand_rows = [
        {"product": p, "period": labels[t], "quantity": q}
        for p, series in demand.items()
        for t, q in enumerate(series)
        if q
    ]
    settings_rows = [{"setting": "kind", "value": "production"}, {"setting": "name", "value": folder.name}]
    settings_rows += [{"setting": k, "value": v} for k, v in (settings or {}).items()]
    sheets: dict[str, Rows] = {
        "Settings": settings_rows,
        "Periods": [{"period": p} for p in labels],
        "Products": products,
        "Resources": resources,
        "Routings": routings,
        "Demand": demand_rows or [{"product": products[0]["product"], "period": labels[0], "quantity": 0}],
    }
    if bom is not None:
        sheets["BOM"] = bom
    if capacity is not None:
        sheets["ResourceCapacity"] = capacity
    if budget is not None:
        sheets["Budget"] = budget
    loaded = load(write_folder(folder, sheets))
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=time_limit, gap=0))
    if expect is not None:
        assert result.status is expect, f"status {result.status.value}, expected {expect.value} ({result.message})"
    if result.plan is not None:
        total = check_plan(loaded.scenario, result.plan)
        assert result.objective is not None
        assert abs(total - result.objective) <= 1e-6 * max(1.0, abs(total)), (total, result.objective)
    return Solved(loaded.scenario, result)
