"""A stop that must be served but that no vehicle can serve: status infeasible, its cell, and the cost of relaxing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.status import Status
from tests.builders import write_folder
from tests.models.routing.helpers import SOLVERS, depot, settings, solve_case, stop, vehicle

# Planar, one unit of distance = one minute. B at (6, 8) is 10 from the depot: D-B-D costs 20 at 1 a unit.
SERVABLE = stop("B", 6, 8)
REST_COST = 20.0


def _diagnostics(result) -> list[dict]:
    return [dict(r) for r in result.explanation]


@pytest.mark.parametrize("solver", ["auto", "ortools"])  # PyVRP does not model skills
def test_a_skill_no_vehicle_has_is_infeasible_at_the_stops_skills_cell(tmp_path: Path, solver: str) -> None:
    stops = [stop("A", 3, 4, skills="frozen"), SERVABLE]
    solved = solve_case(tmp_path, stops=stops, solver=solver, expect=Status.INFEASIBLE, time_limit=3)
    rows = _diagnostics(solved.result)
    assert rows[0]["location"] == "Stops.csv!D2"  # columns stop, x, y, skills: the skills of the first stop
    assert "stop A must be served" in rows[0]["message"] and "V: lacks the skills frozen" in rows[0]["message"]
    assert "give a vehicle the skills frozen" in rows[0]["message"]
    assert f"best plan found costs {REST_COST:,.2f} EUR" in rows[-1]["message"]
    assert solved.result.plan is None and "proven infeasible" in solved.result.message


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_demand_above_every_capacity_names_the_demand_cell_and_the_capacities(tmp_path: Path, solver: str) -> None:
    stops = [SERVABLE, stop("A", 3, 4, demand=50)]
    vehicles = [vehicle("Van", capacity=20), vehicle("Truck", capacity=40)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, solver=solver, expect=Status.INFEASIBLE, time_limit=3)
    rows = _diagnostics(solved.result)
    assert rows[0]["location"] == "Stops.csv!D3"  # columns stop, x, y, demand: the demand of the second stop
    assert "Van: capacity 20, the stop needs 50; Truck: capacity 40, the stop needs 50" in rows[0]["message"]
    assert "capacity 50 or more" in rows[0]["message"]
    # without A, one vehicle serves B: 20; the loads fit
    assert f"costs {REST_COST:,.2f} EUR" in rows[-1]["message"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_window_no_vehicle_can_reach_in_time_says_the_earliest_arrival(tmp_path: Path, solver: str) -> None:
    # A is 40 minutes away; the vehicle leaves at minute 480, so it arrives at 520 at the earliest; A closes at 500
    stops = [stop("A", 40, 0, window_start=480, window_end=500), SERVABLE]
    vehicles = [vehicle(shift_start=480)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, solver=solver, expect=Status.INFEASIBLE, time_limit=3)
    rows = _diagnostics(solved.result)
    assert rows[0]["location"] == "Stops.csv!E2"  # columns stop, x, y, window_start, window_end
    assert "V: earliest arrival minute 520 leaving D" in rows[0]["message"]
    assert "window closes at minute 500" in rows[0]["message"] and "open until minute 520" in rows[0]["message"]
    assert f"costs {REST_COST:,.2f} EUR" in rows[-1]["message"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_an_optional_stop_no_vehicle_can_serve_is_left_unserved_with_its_penalty(tmp_path: Path, solver: str) -> None:
    stops = [stop("A", 3, 4, demand=50, penalty=7), SERVABLE]
    solved = solve_case(tmp_path, stops=stops, vehicles=[vehicle(capacity=20)], solver=solver)
    assert solved.unserved == ["A"]
    assert solved.result.objective == pytest.approx(REST_COST + 7)


def test_a_stop_one_vehicle_type_can_serve_is_not_blamed(tmp_path: Path) -> None:
    """Van cannot carry A, Truck can: the scenario solves, Truck serves A (D-A-D 10) and B (20): 30 at best."""
    stops = [stop("A", 3, 4, demand=30), SERVABLE]
    vehicles = [vehicle("Van", capacity=20), vehicle("Truck", capacity=40)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, solver="ortools", time_limit=2)
    assert solved.result.objective == pytest.approx(20.0)  # A lies on the way to B: D-A-B-D = 5 + 5 + 10


def test_the_command_line_exits_1_with_summary_and_diagnostics(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "in",
        {
            "Settings": settings(),
            "Depots": [depot()],
            "Vehicles": [vehicle(capacity=20)],
            "Stops": [stop("A", 3, 4, demand=50), SERVABLE],
        },
    )
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "summary.json"
    result = CliRunner().invoke(
        app, ["solve", str(folder), "-o", str(plan), "--summary", str(summary), "-q", "--time-limit", "5"]
    )
    assert result.exit_code == 1, result.output
    assert json.loads(summary.read_text())["status"] == "infeasible"
    import openpyxl

    book = openpyxl.load_workbook(plan, read_only=True)
    assert "Diagnostics" in book.sheetnames and "Stops" not in book.sheetnames
    text = " ".join(str(c) for row in book["Diagnostics"].iter_rows(values_only=True) for c in row)
    assert "Stops.csv!D2" in text and "stop A must be served" in text


def test_the_shipped_infeasible_example_names_both_orders_and_prices_the_rest(tmp_path: Path) -> None:
    from models.routing.example import infeasible_tables
    from optimizer.core.params import SolveParams
    from optimizer.solve import load, solve_loaded

    path = Path(__file__).resolve().parents[3] / "scenarios" / "routing-infeasible.xlsx"
    loaded = load(path)
    tables = infeasible_tables()
    assert [s.stop for s in loaded.scenario.stops] == [r["stop"] for r in tables["Stops"]]  # made by example.py
    result = solve_loaded(loaded, SolveParams(time_limit=4))
    assert result.status is Status.INFEASIBLE and result.status.exit_code == 1
    rows = {r["location"]: r["message"] for r in result.explanation}
    assert "capacity 300, the stop needs 360" in rows["Stops!F13"]  # C0012's demand, beyond a truck's 300
    assert "after the window closes at 07:00" in rows["Stops!J26"]  # C0025's window_end, before anyone arrives
    assert "leaving stop(s) C0012, C0025 unserved, the best plan found costs" in rows[""]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_fleet_too_small_for_the_stops_that_must_be_served_is_infeasible(tmp_path: Path, solver: str) -> None:
    """Two vans of 10 cannot carry 3 x 8; with stops optional, the best plan serves A (D-A-D 10) and B (20): 30."""
    stops = [stop("A", 3, 4, demand=8), stop("B", 6, 8, demand=8), stop("C", 0, 20, demand=8)]
    vehicles = [vehicle(count=2, capacity=10)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, solver=solver, expect=Status.INFEASIBLE, time_limit=3)
    rows = _diagnostics(solved.result)
    assert rows[0]["location"] == "Vehicles"
    assert "need 24 of demand, but the whole fleet carries 20 (V 2 x 10)" in rows[0]["message"]
    assert "serves 2 of the 3 stops that must be served, at 30.00 EUR before penalties" in rows[1]["message"]


# A depot typed thousands of units away (a sign dropped from a coordinate): its vehicles can serve no stop at all.
FAR_DEPOTS = [depot(), depot("F", 5000, 0)]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_vehicle_that_can_serve_no_stop_is_named_at_its_depot_cell_and_left_unused(
    tmp_path: Path, solver: str
) -> None:
    """Far leaves from F, 5000 minutes from every stop, in a shift of 600: Near serves A and B (D-A-B-D 20)."""
    stops = [stop("A", 3, 4), SERVABLE]
    vehicles = [vehicle("Near", shift_end=600), vehicle("Far", start="F", shift_end=600)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, depots=FAR_DEPOTS, solver=solver, time_limit=2)
    assert set(solved.routes["vehicle"]) == {"Near"} and solved.result.objective == pytest.approx(20.0)
    rows = solved.result.plan.diagnostics
    far = rows[rows["location"] == "Vehicles.csv!C3"]  # columns vehicle, count, start_depot: Far's depot
    assert list(far["severity"]) == ["warning"]
    message = far["message"].iloc[0]
    assert message.startswith("vehicle Far can serve none of the 2 stops, even on a route of its own")
    assert "cannot serve it and be back by the end of the shift at minute 600" in message


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_fleet_short_without_its_idle_vehicles_is_proven_infeasible_without_a_search(
    tmp_path: Path, solver: str
) -> None:
    """Far (100) could carry both 8s but reaches neither; Near carries 10: infeasible, said without searching."""
    stops = [stop("A", 3, 4, demand=8), stop("B", 6, 8, demand=8)]
    vehicles = [vehicle("Near", capacity=10, shift_end=600), vehicle("Far", start="F", capacity=100, shift_end=600)]
    solved = solve_case(
        tmp_path,
        stops=stops,
        vehicles=vehicles,
        depots=FAR_DEPOTS,
        solver=solver,
        expect=Status.INFEASIBLE,
        time_limit=5,
    )
    assert "proven infeasible: the stops that must be served need 16 load units, the fleet carries 10" in (
        solved.result.message
    )
    rows = _diagnostics(solved.result)
    assert rows[0]["location"] == "Vehicles.csv!C3" and rows[0]["message"].startswith("vehicle Far can serve none")
    assert "need 16 of demand, but the vehicles that can serve a stop carry 10 (Near 1 x 10)" in rows[1]["message"]
