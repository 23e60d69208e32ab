"""Tiny routing scenarios written as real CSV folders and solved through the real load/solve path.

Scenarios are planar (euclidean, 60 units per hour so one unit of distance takes one minute)
with times in minutes, so a test can reason about them by hand. Every plan is checked by the
independent checker and its recomputed cost compared with the solver's objective.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.solve import Loaded, load, solve_loaded
from tests.builders import write_folder
from tests.models.routing.checker import check_plan

Rows = list[dict[str, Any]]
SOLVERS = ("pyvrp", "ortools")


def settings(**kw: Any) -> Rows:
    values = {"kind": "routing", "name": "test", "distances": "euclidean", "speed": 60, "rounding": "exact"}
    values.update({"time_format": "minutes", **kw})
    return [{"setting": k, "value": v} for k, v in values.items()]


def depot(name: str = "D", x: float = 0, y: float = 0) -> dict:
    return {"depot": name, "x": x, "y": y}


def vehicle(name: str = "V", count: int = 1, start: str = "D", **kw: Any) -> dict:
    return {"vehicle": name, "count": count, "start_depot": start, **kw}


def stop(name: str, x: float, y: float, **kw: Any) -> dict:
    return {"stop": name, "x": x, "y": y, **kw}


@dataclass
class Solved:
    loaded: Loaded
    result: Result

    @property
    def stops(self) -> pd.DataFrame:
        return self.result.plan.sheets["Stops"]

    @property
    def routes(self) -> pd.DataFrame:
        return self.result.plan.sheets["Routes"]

    @property
    def unserved(self) -> list[str]:
        return list(self.result.plan.sheets["Unserved"]["stop"])

    def sequences(self) -> dict[str, list[str]]:
        """Stop ids per vehicle in visiting order."""
        visits = self.stops[self.stops["activity"] == "stop"]
        return {v: list(g.sort_values("seq")["location"]) for v, g in visits.groupby("vehicle")}


def solve_case(
    folder: Path,
    *,
    stops: Rows,
    vehicles: Rows | None = None,
    depots: Rows | None = None,
    breaks: Rows | None = None,
    matrix: Rows | None = None,
    solver: str = "auto",
    time_limit: float = 1.0,
    seed: int = 0,
    expect: Status | None = Status.FEASIBLE,
    **setting: Any,
) -> Solved:
    """Write, load and solve; check every plan and compare its recomputed cost with the objective."""
    sheets: dict[str, Rows] = {
        "Settings": settings(**setting),
        "Depots": depots or [depot()],
        "Vehicles": vehicles or [vehicle()],
        "Stops": stops,
    }
    if breaks is not None:
        sheets["Breaks"] = breaks
    if matrix is not None:
        sheets["Matrix"] = matrix
    loaded = load(write_folder(folder, sheets))
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=time_limit, seed=seed))
    if expect is not None:
        assert result.status is expect, f"status {result.status.value}, expected {expect.value} ({result.message})"
    if result.plan is not None:
        total = check_plan(loaded.scenario, result.plan)
        assert result.objective is not None
        assert abs(total - result.objective) <= 1e-6 * max(1.0, abs(total)) + 1e-6, (total, result.objective)
    return Solved(loaded, result)
