"""Each routing rule alone, on a scenario where ignoring it would give a different plan, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.models.routing.helpers import SOLVERS, depot, solve_case, stop, vehicle


@pytest.mark.parametrize("solver", SOLVERS)
def test_capacity_splits_routes(tmp_path: Path, solver: str) -> None:
    """Four stops of 3 units, vans of 6: two routes; one van alone would carry 12."""
    stops = [stop(f"S{i}", x, y, demand=3) for i, (x, y) in enumerate([(10, 0), (11, 0), (-10, 0), (-11, 0)])]
    solved = solve_case(tmp_path, stops=stops, vehicles=[vehicle(count=3, capacity=6)], solver=solver)
    routes = solved.sequences()
    assert len(routes) == 2
    assert sorted(sorted(r) for r in routes.values()) == [["S0", "S1"], ["S2", "S3"]]
    assert solved.result.objective == pytest.approx(44.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_window_orders_the_route(tmp_path: Path, solver: str) -> None:
    """Near stop A may only be served late: the van goes to B first although A-B-depot is the same length."""
    stops = [stop("A", 10, 0, window_start=60, window_end=80), stop("B", 20, 0, window_end=25)]
    solved = solve_case(tmp_path, stops=stops, solver=solver)
    assert solved.sequences() == {"V": ["B", "A"]}
    visit = solved.stops.set_index("location")
    assert visit.loc["A", "arrival"] + visit.loc["A", "wait"] >= 60


@pytest.mark.parametrize("solver", SOLVERS)
def test_multi_depot_serves_each_cluster_from_its_depot(tmp_path: Path, solver: str) -> None:
    depots = [depot("WEST", -100, 0), depot("EAST", 100, 0)]
    vehicles = [vehicle("W", start="WEST"), vehicle("E", start="EAST")]
    stops = [stop("w1", -95, 3), stop("w2", -97, -4), stop("e1", 96, 2), stop("e2", 104, -1)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, depots=depots, solver=solver)
    routes = solved.sequences()
    assert sorted(routes["W"]) == ["w1", "w2"]
    assert sorted(routes["E"]) == ["e1", "e2"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_duration_needs_a_second_vehicle(tmp_path: Path, solver: str) -> None:
    """Two stops 30 apart on opposite sides: one route of 120 min is too long for a 70-minute limit."""
    stops = [stop("N", 0, 30), stop("S", 0, -30)]
    solved = solve_case(tmp_path, stops=stops, vehicles=[vehicle(count=2, max_duration=70)], solver=solver)
    assert len(solved.sequences()) == 2
    assert (solved.routes["duration"] <= 70 + 1e-9).all()


@pytest.mark.parametrize("solver", SOLVERS)
def test_max_distance(tmp_path: Path, solver: str) -> None:
    stops = [stop("N", 0, 30), stop("S", 0, -30)]
    solved = solve_case(tmp_path, stops=stops, vehicles=[vehicle(count=2, max_distance=80)], solver=solver)
    assert len(solved.sequences()) == 2


@pytest.mark.parametrize("solver", SOLVERS)
def test_optional_stop_left_when_its_penalty_is_low(tmp_path: Path, solver: str) -> None:
    stops = [stop("near", 5, 0), stop("far", 500, 0, penalty=50), stop("worth", 0, 40, penalty=500)]
    solved = solve_case(tmp_path, stops=stops, solver=solver)
    assert solved.unserved == ["far"]
    assert solved.result.plan.cost_by_category()["penalties"] == 50
    reason = solved.result.plan.sheets["Unserved"]["reason"].iloc[0]
    assert "penalty" in reason


@pytest.mark.parametrize("solver", SOLVERS)
def test_volume_is_a_second_capacity(tmp_path: Path, solver: str) -> None:
    """Light but bulky parcels: weight fits one van, volume needs two."""
    stops = [stop(f"S{i}", 10 + i, 0, demand=1, volume=0.6) for i in range(4)]
    vehicles = [vehicle(count=2, capacity=100, volume_capacity=1.5)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, solver=solver)
    assert len(solved.sequences()) == 2


@pytest.mark.parametrize("solver", SOLVERS)
def test_fixed_cost_and_cheaper_vehicle(tmp_path: Path, solver: str) -> None:
    """A cheap van and a dear truck: the van does the job; cost = fixed + distance + time."""
    vehicles = [
        vehicle("TRUCK", fixed_cost=100, cost_per_distance=2, cost_per_hour=36),
        vehicle("VAN", fixed_cost=20, cost_per_distance=1, cost_per_hour=36),
    ]
    solved = solve_case(tmp_path, stops=[stop("A", 30, 0), stop("B", 30, 40)], vehicles=vehicles, solver=solver)
    assert list(solved.sequences()) == ["VAN"]
    # 30 + 40 + 50 = 120 units = 120 minutes: 20 + 120 + 2 h x 36
    assert solved.result.objective == pytest.approx(20 + 120 + 72)
    costs = solved.result.plan.cost_by_category()
    assert costs == pytest.approx({"vehicles": 20, "distance": 120, "time": 72, "penalties": 0})


def test_break_is_taken_within_its_window(tmp_path: Path) -> None:
    """A 30-minute break between minute 50 and 70 on a 120-minute route, never during a service."""
    stops = [stop(f"S{i}", x, y, service_time=10) for i, (x, y) in enumerate([(20, 0), (20, 20), (0, 20)])]
    breaks = [{"vehicle": "V", "earliest_start": 50, "latest_start": 70, "duration": 30}]
    # back by 160: the route cannot start after the break window, so the break falls within it
    solved = solve_case(tmp_path, stops=stops, breaks=breaks, vehicles=[vehicle(shift_end=160)], solver="ortools")
    taken = solved.stops[solved.stops["activity"] == "break"]
    assert len(taken) == 1
    assert 50 <= taken["arrival"].iloc[0] <= 70
    assert solved.routes["duration"].iloc[0] >= 80 + 30 + 30


def test_pickup_before_delivery_on_one_vehicle(tmp_path: Path) -> None:
    """Q is on the way to P, yet P (where the goods are) must come first, on the same van."""
    stops = [stop("P", 20, 0, demand=5), stop("Q", 10, 0, pickup_from="P"), stop("X", 0, 10, demand=2)]
    solved = solve_case(tmp_path, stops=stops, vehicles=[vehicle(count=2, capacity=6)], solver="ortools")
    routes = solved.sequences()
    route = next(r for r in routes.values() if "P" in r)
    assert "Q" in route and route.index("P") < route.index("Q")


def test_skills_send_the_right_vehicle(tmp_path: Path) -> None:
    vehicles = [vehicle("VAN", fixed_cost=0), vehicle("FRIDGE", fixed_cost=50, skills="frozen; tail-lift")]
    stops = [stop("ice", 10, 0, skills="frozen"), stop("box", 10, 1)]
    solved = solve_case(tmp_path, stops=stops, vehicles=vehicles, solver="ortools")
    routes = solved.sequences()
    assert "ice" in routes["FRIDGE"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_second_time_window(tmp_path: Path, solver: str) -> None:
    """Windows 0-5 (unreachable: 50 away) and 100-120: service starts in the second one."""
    stops = [stop("A", 50, 0, window_start=0, window_end=5, more_windows="100-120"), stop("B", 10, 0)]
    solved = solve_case(tmp_path, stops=stops, solver=solver)
    row = solved.stops.set_index("location").loc["A"]
    assert 100 <= row["arrival"] + row["wait"] <= 120


def test_no_break_when_the_route_is_over_before_the_break_window(tmp_path: Path) -> None:
    """A 40-minute route with a break window from minute 100: no break, no stretched route."""
    breaks = [{"vehicle": "V", "earliest_start": 100, "latest_start": 120, "duration": 30}]
    solved = solve_case(tmp_path, stops=[stop("A", 20, 0)], breaks=breaks, solver="ortools")
    assert (solved.stops["activity"] != "break").all()
    assert solved.result.objective == pytest.approx(40)


@pytest.mark.parametrize("solver", SOLVERS)
def test_optional_stop_with_two_windows_counts_its_penalty_once(tmp_path: Path, solver: str) -> None:
    stops = [stop("A", 5, 0), stop("far", 400, 0, window_start=0, window_end=500, more_windows="600-700", penalty=30)]
    solved = solve_case(tmp_path, stops=stops, solver=solver)
    assert solved.unserved == ["far"]
    assert solved.result.objective == pytest.approx(10 + 30)
