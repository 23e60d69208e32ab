"""Realistic routing examples: a city delivery with two depots, a courier day with breaks and pickups.

`example_tables(None)` is the city delivery (60 stops around Lyon, delivery windows, two
depots, vans and trucks); `example_tables(N)` is the same kind of day with N stops over a
wider area (depots and fleet grow with N); `courier_tables()` adds driver breaks,
pickup-and-delivery pairs and a refrigerated stop (solved by OR-Tools).
"""

from __future__ import annotations

from typing import Any

import numpy as np

CENTRE = (45.76, 4.84)  # Lyon
DEPOTS = [("DEP-NORD", 45.80, 4.86), ("DEP-SUD", 45.71, 4.82)]
WINDOWS = [(8 * 60, 10 * 60), (9 * 60, 12 * 60), (13 * 60, 16 * 60), (14 * 60, 18 * 60), None, None]


def _settings(name: str) -> list[dict[str, Any]]:
    return [
        {"setting": "kind", "value": "routing"},
        {"setting": "name", "value": name},
        {"setting": "currency", "value": "EUR"},
        {"setting": "distances", "value": "haversine"},
        {"setting": "speed", "value": 25},
        {"setting": "rounding", "value": "exact"},
        {"setting": "distance_unit", "value": "km"},
        {"setting": "time_format", "value": "clock"},
    ]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _stops(rng: np.random.Generator, n: int, spread: float) -> list[dict[str, Any]]:
    rows = []
    for k in range(n):
        lat = CENTRE[0] + float(rng.normal(0, spread))
        lon = CENTRE[1] + float(rng.normal(0, spread * 1.4))
        window = WINDOWS[int(rng.integers(len(WINDOWS)))]
        rows.append(
            {
                "stop": f"C{k + 1:04d}",
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "demand": int(rng.integers(2, 25)),
                "volume": round(float(rng.uniform(0.05, 0.8)), 2),
                "service_time": int(rng.choice([5, 5, 8, 10, 15])),
                "window_start": _clock(window[0]) if window else None,
                "window_end": _clock(window[1]) if window else None,
                "penalty": 400 if k % 15 == 7 else None,  # a few low-priority drops may be left for tomorrow
            }
        )
    return rows


def _fleet(n_depots: int, vans: int, trucks: int) -> list[dict[str, Any]]:
    rows = []
    for d in range(n_depots):
        depot = DEPOTS[d][0] if d < len(DEPOTS) else f"DEP-{d + 1}"
        rows.append(
            {
                "vehicle": f"VAN-{depot[4:]}",
                "count": vans,
                "start_depot": depot,
                "capacity": 120,
                "volume_capacity": 6,
                "fixed_cost": 60,
                "cost_per_distance": 0.35,
                "cost_per_hour": 28,
                "shift_start": "07:00",
                "shift_end": "19:00",
                "max_duration": 600,
            }
        )
        rows.append(
            {
                "vehicle": f"TRUCK-{depot[4:]}",
                "count": trucks,
                "start_depot": depot,
                "capacity": 300,
                "volume_capacity": 14,
                "fixed_cost": 110,
                "cost_per_distance": 0.6,
                "cost_per_hour": 32,
                "shift_start": "07:00",
                "shift_end": "19:00",
                "max_duration": 600,
            }
        )
    return rows


def _depots(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    rows = [{"depot": d, "lat": lat, "lon": lon} for d, lat, lon in DEPOTS[:n]]
    for d in range(len(rows), n):
        angle = 2 * np.pi * d / n
        rows.append(
            {
                "depot": f"DEP-{d + 1}",
                "lat": round(CENTRE[0] + 0.08 * np.sin(angle), 5),
                "lon": round(CENTRE[1] + 0.11 * np.cos(angle), 5),
            }
        )
    return rows


def example_tables(scale: int | None, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """The 60-stop city delivery, or a synthetic day with `scale` stops."""
    rng = np.random.default_rng(seed)
    n = 60 if scale is None else scale
    n_depots = 2 if n <= 400 else min(8, 2 + n // 400)
    spread = 0.035 if scale is None else 0.035 * max(1.0, (n / 200) ** 0.5)
    vans = max(2, int(np.ceil(n * 13 / 120 / n_depots * 0.9)))
    trucks = max(1, vans // 3)
    return {
        "Settings": _settings("city delivery" if scale is None else f"city delivery, {n} stops"),
        "Depots": _depots(rng, n_depots),
        "Vehicles": _fleet(n_depots, vans, trucks),
        "Stops": _stops(rng, n, spread),
        "Budget": [
            {"category": "distance", "amount": 120.0 * n / 60},
            {"category": "time", "amount": 900.0 * n / 60},
            {"category": "vehicles", "amount": 600.0 * n / 60},
        ],
    }


def courier_tables(seed: int = 11) -> dict[str, list[dict[str, Any]]]:
    """A courier day: 30 deliveries, 6 pickup-and-delivery jobs, lunch breaks, one refrigerated van."""
    rng = np.random.default_rng(seed)
    stops = _stops(rng, 30, 0.03)
    for row in stops:
        row.pop("volume")
        row["penalty"] = None
    stops[3]["skills"] = "frozen"
    stops[4]["skills"] = "frozen"
    for j in range(6):
        lat, lon = CENTRE[0] + float(rng.normal(0, 0.03)), CENTRE[1] + float(rng.normal(0, 0.04))
        pickup = {
            "stop": f"P{j + 1:02d}",
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "demand": int(rng.integers(5, 20)),
            "service_time": 10,
            "window_start": "09:00",
            "window_end": "15:00",
        }
        lat, lon = CENTRE[0] + float(rng.normal(0, 0.03)), CENTRE[1] + float(rng.normal(0, 0.04))
        delivery = {
            "stop": f"D{j + 1:02d}",
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "service_time": 5,
            "pickup_from": f"P{j + 1:02d}",
            "window_start": "10:00",
            "window_end": "17:30",
        }
        stops += [pickup, delivery]
    stops[10].update(window_start="09:00", window_end="10:00", more_windows="16:00-17:00")
    vehicles = [
        {
            "vehicle": "VAN",
            "count": 4,
            "start_depot": "DEP-NORD",
            "capacity": 120,
            "fixed_cost": 60,
            "cost_per_distance": 0.35,
            "cost_per_hour": 28,
            "shift_start": "08:00",
            "shift_end": "18:00",
            "max_duration": 540,
        },
        {
            "vehicle": "FRIDGE",
            "count": 1,
            "start_depot": "DEP-SUD",
            "end_depot": "DEP-NORD",
            "capacity": 90,
            "fixed_cost": 80,
            "cost_per_distance": 0.45,
            "cost_per_hour": 30,
            "shift_start": "08:00",
            "shift_end": "18:00",
            "skills": "frozen",
        },
    ]
    breaks = [
        {"vehicle": "VAN", "earliest_start": "11:30", "latest_start": "13:30", "duration": 30},
        {"vehicle": "FRIDGE", "earliest_start": "11:30", "latest_start": "13:30", "duration": 30},
    ]
    return {
        "Settings": _settings("courier day with breaks and pickups"),
        "Depots": [{"depot": d, "lat": lat, "lon": lon} for d, lat, lon in DEPOTS],
        "Vehicles": vehicles,
        "Breaks": breaks,
        "Stops": stops,
    }


def infeasible_tables(seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """The city delivery with two orders no vehicle can serve: no plan keeps every rule (status infeasible).

    C0012 orders 360 (a bulk delivery beyond the 300 a truck carries) and C0025, a bakery, wants its
    delivery by 07:00, when the first vehicles only leave the depots; neither may be left unserved.
    """
    rows = example_tables(None, seed)
    rows["Stops"][11].update(demand=360, penalty=None)
    rows["Stops"][24].update(window_start="06:30", window_end="07:00", penalty=None)
    rows["Settings"] = [r for r in rows["Settings"] if r["setting"] != "name"]
    rows["Settings"].append({"setting": "name", "value": "city delivery, two orders no vehicle can serve"})
    return rows
