"""Routing input checks: every problem reported with its cell, nothing solved; settings and choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.routing.vrp import choose_solver
from optimizer.core.errors import InputErrors, UsageError
from optimizer.core.params import SolveParams
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.routing.helpers import depot, settings, stop, vehicle


def _load(folder: Path, **sheets):
    base = {"Settings": settings(), "Depots": [depot()], "Vehicles": [vehicle()], "Stops": [stop("A", 1, 1)]}
    base.update(sheets)
    return load(write_folder(folder, base))


def _errors(folder: Path, **sheets) -> str:
    with pytest.raises(InputErrors) as caught:
        _load(folder, **sheets)
    return str(caught.value)


def test_row_errors_are_located(tmp_path: Path) -> None:
    stops = [
        stop("A", 1, 1, window_start="10:00", window_end="09:00"),
        stop("B", 1, 1, more_windows="noon"),
        stop("C", 1, 1, pickup_from="C"),
    ]
    text = _errors(tmp_path, Stops=stops)
    assert "Stops.csv!E2: window_end 540 is before window_start 600" in text
    assert "Stops.csv!F3: window 'noon' must look like 13:00-15:00" in text
    assert "Stops.csv!G4: a stop cannot be its own pickup" in text


def test_location_ids_are_unique_over_depots_and_stops(tmp_path: Path) -> None:
    assert "Stops.csv!A3: 'D' is also a depot id" in _errors(tmp_path, Stops=[stop("A", 1, 1), stop("D", 1, 1)])


def test_coordinates_needed_for_the_distance_source(tmp_path: Path) -> None:
    text = _errors(tmp_path, Settings=settings(distances="haversine"))
    assert "lat is needed" in text and "Depots.csv!" in text and "Stops.csv!" in text


def test_pairs_are_well_formed(tmp_path: Path) -> None:
    stops = [
        stop("P", 1, 1, demand=2),
        stop("Q", 2, 2, pickup_from="P", demand=3),
        stop("R", 3, 3, pickup_from="Q"),
        stop("U", 4, 4, pickup_from="P"),
    ]
    text = _errors(tmp_path, Stops=stops)
    assert "leave demand and volume blank" in text
    assert "itself a delivery" in text


def test_matrix_must_be_complete(tmp_path: Path) -> None:
    matrix = [{"origin": "D", "destination": "A", "distance": 5}, {"origin": "A", "destination": "X", "distance": 1}]
    text = _errors(
        tmp_path, Settings=settings(distances="matrix"), Stops=[stop("A", 1, 1), stop("B", 2, 2)], Matrix=matrix
    )
    assert "'X' is not a depot or stop id" in text
    assert "no distance for" in text and "D->B" in text


def test_matrix_distances_and_reverse_pairs(tmp_path: Path) -> None:
    matrix = [
        {"origin": "D", "destination": "A", "distance": 5, "duration": 12},
        {"origin": "A", "destination": "D", "distance": 7},
    ]
    s = _load(tmp_path, Settings=settings(distances="matrix", speed=30), Matrix=matrix).scenario
    assert s.distance.tolist() == [[0, 5000], [7000, 0]]
    assert s.duration.tolist() == [[0, 12 * 60], [14 * 60, 0]]  # 7 units at 30 per hour = 14 minutes


def test_clock_times_and_rounding_policies(tmp_path: Path) -> None:
    s = _load(tmp_path / "a", Stops=[stop("A", 3.3, 4.4, window_start="08:30", window_end="9:15")]).scenario
    assert s.stops[0].windows() == ((510.0, 555.0),)
    assert s.distance[0, 1] == 5500  # exact: 5.5 units in thousandths
    nint = _load(tmp_path / "b", Settings=settings(rounding="nint"), Stops=[stop("A", 3.3, 4.4)]).scenario
    assert nint.distance[0, 1] == 6  # 5.5 rounds half up (TSPLIB nint)
    dimacs = _load(tmp_path / "c", Settings=settings(rounding="dimacs"), Stops=[stop("A", 1, 1)]).scenario
    assert dimacs.distance[0, 1] == 14  # sqrt(2) = 1.414... truncated to 1.4


def test_auto_picks_pyvrp_unless_a_feature_needs_ortools(tmp_path: Path) -> None:
    plain = _load(tmp_path / "a").scenario
    assert choose_solver(plain)[0] == "pyvrp"
    breaks = [{"vehicle": "V", "earliest_start": 60, "latest_start": 90, "duration": 15}]
    with_breaks = _load(tmp_path / "b", Breaks=breaks)
    name, reason = choose_solver(with_breaks.scenario)
    assert name == "ortools" and "driver breaks" in reason
    with pytest.raises(UsageError, match="PyVRP backend cannot model driver breaks"):
        solve_loaded(with_breaks, SolveParams(solver="pyvrp", time_limit=1))
    skills = _load(tmp_path / "c", Stops=[stop("A", 1, 1, skills="x")], Vehicles=[vehicle(skills="x")]).scenario
    assert choose_solver(skills) == ("ortools", "the scenario uses required skills, which only OR-Tools routing models")


def test_great_circle_distance_and_speed(tmp_path: Path) -> None:
    """Lyon Part-Dieu to Paris Gare de Lyon is about 392 km as the crow flies; at 60 km/h 392 minutes."""
    depots = [{"depot": "LYS", "lat": 45.7606, "lon": 4.8593}]
    stops = [{"stop": "PAR", "lat": 48.8443, "lon": 2.3744}]
    s = _load(
        tmp_path,
        Settings=settings(distances="haversine", speed=60),
        Depots=depots,
        Stops=stops,
        Vehicles=[vehicle(start="LYS")],
    ).scenario
    assert s.distance[0, 1] / 1000 == pytest.approx(392, abs=2)
    assert s.duration[0, 1] == pytest.approx(s.distance[0, 1] * 60 / 1000, abs=1)  # seconds at 1 km per minute
