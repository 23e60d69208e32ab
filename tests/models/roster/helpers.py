"""Tiny roster scenarios written as a real CSV folder and solved through the real load/solve path.

`solve_case` takes the sheets as plain rows, writes one .csv per sheet, loads them with
`optimizer.solve.load` and solves with `solve_loaded` like the CLI does; every plan is checked
by the independent checker, whose recomputed objective must equal the solver's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.roster.data import Scenario
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.roster.checker import check_plan

Rows = list[dict[str, Any]]
SOLVERS = ("cpsat", "highs")


def employees(n: int = 2, **kw: Any) -> Rows:
    """Employees A, B, ... with the same contract columns."""
    return [{"employee": chr(65 + i), **kw} for i in range(n)]


def cover(day: int | str, shift: str, preferred: int, **kw: Any) -> dict:
    return {"day": day, "shift": shift, "preferred": preferred, "minimum_policy": "soft", **kw}


@dataclass
class Solved:
    scenario: Scenario
    result: Result

    @property
    def roster(self) -> list[tuple[str, str, str]]:
        """(employee, day, shift) rows of the Roster sheet."""
        return [(str(r.employee), str(r.day), str(r.shift)) for r in self.result.plan.sheets["Roster"].itertuples()]


def solve_case(
    folder: Path,
    *,
    days: int,
    staff: Rows,
    shifts: Rows | None = None,
    cover_rows: Rows | None = None,
    settings: dict[str, Any] | None = None,
    solver: str = "cpsat",
    expect: Status | None = Status.OPTIMAL,
    time_limit: float = 20,
    **sheets: Rows,
) -> Solved:
    """Write, load and solve; a plan is checked and its recomputed objective compared with the solver's."""
    settings_rows = [{"setting": "kind", "value": "roster"}, {"setting": "horizon_days", "value": days}]
    settings_rows += [{"setting": k, "value": v} for k, v in (settings or {}).items()]
    tables: dict[str, Rows] = {
        "Settings": settings_rows,
        "Employees": staff,
        "ShiftTypes": shifts or [{"shift": "D", "start": "08:00", "length_minutes": 480}],
        "Cover": cover_rows or [],
    }
    tables.update(sheets)
    if not tables["Cover"]:
        tables["Cover"] = [{"day": 0, "shift": tables["ShiftTypes"][0]["shift"], "preferred": 0}]
    loaded = load(write_folder(folder / solver, tables))
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=time_limit, gap=0, seed=0))
    if expect is not None:
        assert result.status is expect, f"{solver}: status {result.status.value}, expected {expect.value}"
    if result.plan is not None:
        total = check_plan(loaded.scenario, result.plan)
        assert result.objective is not None
        assert abs(total - result.objective) <= 1e-6 * max(1.0, abs(total)), (solver, total, result.objective)
    return Solved(loaded.scenario, result)


def optimum(folder: Path, **case: Any) -> float:
    """The optimum found by both backends, asserted equal."""
    values = [solve_case(folder, solver=solver, **case).result.objective for solver in SOLVERS]
    assert abs(values[0] - values[1]) <= 1e-6 * max(1.0, abs(values[0])), values
    return values[0]
