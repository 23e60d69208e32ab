"""Known optima on tiny instances, found by brute force in the test, reached by both backends; and the
two backends agree on small mixed instances."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from tests.models.routing.helpers import SOLVERS, depot, solve_case, stop, vehicle


def _partitions(items: list[int], blocks: int):
    """Every partition of `items` into at most `blocks` non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest, blocks):
        for k in range(len(part)):
            yield part[:k] + [[first, *part[k]]] + part[k + 1 :]
        if len(part) < blocks:
            yield [[first], *part]


def brute_force(points, demand, capacity, vehicles, windows=None, service=0.0) -> float:
    """Least total distance (rounded to 1/1000 per arc as 'exact'), one unit of distance per minute."""

    def dist(a, b) -> float:
        return math.floor(math.hypot(a[0] - b[0], a[1] - b[1]) * 1000 + 0.5) / 1000

    depot_xy = (0.0, 0.0)
    best_route: dict[tuple, float] = {}

    def route_cost(block: tuple[int, ...]) -> float:
        if block in best_route:
            return best_route[block]
        best = math.inf
        if sum(demand[i] for i in block) <= capacity:
            for order in itertools.permutations(block):
                t, here, total = 0.0, depot_xy, 0.0
                ok = True
                for i in order:
                    d = dist(here, points[i])
                    total += d
                    t = max(t + dist(here, points[i]), windows[i][0] if windows else 0.0)
                    if windows and t > windows[i][1] + 1e-9:
                        ok = False
                        break
                    t += service
                    here = points[i]
                if ok:
                    best = min(best, total + dist(here, depot_xy))
        best_route[block] = best
        return best

    return min(
        sum(route_cost(tuple(sorted(b))) for b in part) for part in _partitions(list(range(len(points))), vehicles)
    )


def _instance(seed: int, n: int, with_windows: bool):
    rng = np.random.default_rng(seed)
    points = [(float(rng.integers(-20, 21)), float(rng.integers(-20, 21))) for _ in range(n)]
    demand = [int(rng.integers(1, 5)) for _ in range(n)]
    windows = None
    if with_windows:
        windows = []
        for _ in range(n):
            a = float(rng.integers(0, 60))
            windows.append((a, a + float(rng.integers(15, 40))))
    return points, demand, windows


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("seed", "with_windows"), [(1, False), (2, True)])
def test_tiny_optimum(tmp_path: Path, solver: str, seed: int, with_windows: bool) -> None:
    points, demand, windows = _instance(seed, 6, with_windows)
    optimum = brute_force(points, demand, 7, 3, windows, service=2.0)
    stops = []
    for i, (x, y) in enumerate(points):
        row = stop(f"S{i + 1}", x, y, demand=demand[i], service_time=2)
        if windows:
            row.update(window_start=windows[i][0], window_end=windows[i][1])
        stops.append(row)
    solved = solve_case(tmp_path, stops=stops, vehicles=[vehicle(count=3, capacity=7)], solver=solver)
    assert solved.result.objective == pytest.approx(optimum, abs=1e-6)


def _mixed(seed: int):
    rng = np.random.default_rng(seed)
    depots = [depot("N", 0, 20), depot("S", 0, -20)]
    vehicles = [
        vehicle("VAN", count=2, start="N", capacity=10, fixed_cost=20, cost_per_hour=36, shift_start=0, shift_end=300),
        vehicle("TRUCK", count=1, start="S", end_depot="N", capacity=25, fixed_cost=45, cost_per_distance=1.5),
    ]
    stops = []
    for i in range(9):
        a = int(rng.integers(0, 120))
        stops.append(
            stop(
                f"C{i}",
                int(rng.integers(-30, 31)),
                int(rng.integers(-30, 31)),
                demand=int(rng.integers(1, 6)),
                service_time=5,
                window_start=a,
                window_end=a + 60,
                penalty=None if i % 4 else 150,
            )
        )
    return depots, vehicles, stops


@pytest.mark.parametrize("seed", [3, 4])
def test_backends_agree(tmp_path: Path, seed: int) -> None:
    """Two depots, mixed fleet with fixed, distance and time costs, windows and optional stops."""
    depots, vehicles, stops = _mixed(seed)
    costs = []
    for solver in SOLVERS:
        solved = solve_case(
            tmp_path / solver, stops=stops, vehicles=vehicles, depots=depots, solver=solver, time_limit=2
        )
        costs.append(solved.result.objective)
    assert costs[0] == pytest.approx(costs[1], rel=1e-9)


def test_same_seed_same_plan(tmp_path: Path) -> None:
    depots, vehicles, stops = _mixed(5)
    plans = [
        solve_case(tmp_path / str(k), stops=stops, vehicles=vehicles, depots=depots, solver="pyvrp", seed=7).stops
        for k in range(2)
    ]
    assert plans[0].equals(plans[1])
