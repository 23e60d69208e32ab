"""The examples: the city delivery (PyVRP) and the courier day with breaks and pairs (OR-Tools) solve to checked plans."""

from __future__ import annotations

from pathlib import Path

from models.routing.example import courier_tables, example_tables
from optimizer.core.params import SolveParams
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.routing.checker import check_plan


def _solve(folder: Path, tables: dict, limit: float):
    tables = dict(tables)
    tables["Settings"] = [r for r in tables["Settings"] if r["setting"] != "time_format"]
    tables["Settings"].append({"setting": "time_format", "value": "minutes"})  # numbers for the checker
    loaded = load(write_folder(folder, tables))
    result = solve_loaded(loaded, SolveParams(time_limit=limit))
    assert result.plan is not None, result.message
    total = check_plan(loaded.scenario, result.plan)
    assert abs(total - result.objective) <= 1e-4 * total  # rates per second are rounded to 1e-6 of the currency
    return result


def test_city_example_two_depots_with_pyvrp(tmp_path: Path) -> None:
    result = _solve(tmp_path, example_tables(None, 7), 3)
    assert result.solver == "pyvrp"
    starts = set(result.plan.sheets["Routes"]["start_depot"])
    assert starts == {"DEP-NORD", "DEP-SUD"}
    assert result.plan.charts and result.plan.charts[0].type == "route"


def test_courier_example_with_ortools(tmp_path: Path) -> None:
    result = _solve(tmp_path, courier_tables(), 4)
    assert result.solver == "ortools"
    stops = result.plan.sheets["Stops"]
    # at most one break per route; a route over before the break window needs none (test_constraints checks breaks)
    assert (stops["activity"] == "break").sum() <= result.plan.kpis["vehicles"]
    assert result.plan.kpis["stops_unserved"] == 0


def test_scaled_example_validates(tmp_path: Path) -> None:
    scenario = load(write_folder(tmp_path, example_tables(500, 3))).scenario
    assert len(scenario.stops) == 500 and len(scenario.depots) == 3


def test_cli_solves_the_courier_workbook_with_ortools_and_says_why(tmp_path: Path) -> None:
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from optimizer.cli import app

    scenario = Path(__file__).resolve().parents[3] / "scenarios" / "routing-courier.xlsx"
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "plan.json"
    args = ["solve", str(scenario), "-o", str(plan), "--time-limit", "3", "--summary", str(summary), "--quiet"]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(summary.read_text())
    assert data["solver"] == "ortools" and data["gap"] is None
    assert set(data["costs"]) == {"vehicles", "distance", "time", "penalties"}
    sheets = pd.read_excel(plan, sheet_name=None, engine="calamine")
    assert {"Stops", "Routes", "Unserved", "Summary"} <= set(sheets)
    assert list(sheets["Stops"].columns[:7]) == ["vehicle", "route", "seq", "location", "arrival", "departure", "load"]
    notes = " ".join(str(v) for v in sheets["Summary"].to_numpy().ravel())
    assert "driver breaks" in notes and "dimacs" not in notes and "exact" in notes
