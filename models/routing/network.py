"""Distances and travel times between locations, and the named rounding policies.

Solvers work in integer ticks. A rounding policy says how long one tick is and how a real
distance or time becomes ticks, so that a benchmark's own conventions are kept exactly:
`exact` (1/1000 distance unit, whole seconds), `nint` (nearest integer, TSPLIB / VRPLIB CVRP)
and `dimacs` (truncated to one decimal, the DIMACS VRPTW convention).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Rounding:
    """Ticks per distance unit and per minute, and how a real value is turned into ticks."""

    name: str
    distance_ticks: int  # ticks per distance unit
    time_ticks: int  # ticks per minute
    mode: str  # 'round' (nearest, halves up) or 'floor'
    description: str

    def ticks(self, values: np.ndarray, per_unit: int) -> np.ndarray:
        """Real values (units) to int64 ticks under this policy."""
        scaled = np.asarray(values, dtype=float) * per_unit
        if self.mode == "floor":
            return np.floor(scaled + 1e-7).astype(np.int64)
        return np.floor(scaled + 0.5).astype(np.int64)

    def distance(self, values: Any) -> np.ndarray:
        return self.ticks(values, self.distance_ticks)

    def minutes(self, values: Any) -> np.ndarray:
        return self.ticks(values, self.time_ticks)


ROUNDINGS = {
    "exact": Rounding("exact", 1000, 60, "round", "distances to 1/1000 of the distance unit, times to whole seconds"),
    "nint": Rounding(
        "nint", 1, 1, "round", "each arc's distance and time rounded to the nearest integer (TSPLIB nint)"
    ),
    "dimacs": Rounding("dimacs", 10, 10, "floor", "each arc's distance and time truncated to one decimal (DIMACS)"),
}


def euclidean(points: np.ndarray) -> np.ndarray:
    """Planar distances between (x, y) points."""
    diff = points[:, None, :] - points[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def great_circle(points: np.ndarray) -> np.ndarray:
    """Haversine distances in km between (lat, lon) points in degrees."""
    lat = np.radians(points[:, 0])[:, None]
    lon = np.radians(points[:, 1])[:, None]
    dlat = lat - lat.T
    dlon = lon - lon.T
    a = np.sin(dlat / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_ticks(
    distance_units: np.ndarray, distance_ticks: np.ndarray, speed: float, rounding: Rounding
) -> np.ndarray:
    """Travel time ticks at `speed` distance units per hour; at 60 per hour time equals distance exactly."""
    if speed == 60 and rounding.distance_ticks == rounding.time_ticks:
        return distance_ticks.copy()
    return rounding.minutes(distance_units * 60.0 / speed)


_CLOCK = re.compile(r"^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$")


def parse_clock(value: Any) -> Any:
    """'08:30', a time cell or a number of minutes to minutes (float); other values are left for the error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 60
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match:
            h, m, s = match.groups()
            return int(h) * 60 + int(m) + (int(s) if s else 0) / 60
        try:
            return float(value)
        except ValueError:
            return value
    return value


def parse_windows(text: str) -> list[tuple[float, float]]:
    """'13:00-15:00; 17:00-18:30' to minute pairs; ValueError with a planner message."""
    out = []
    for part in re.split(r"[;,]", text):
        if not part.strip():
            continue
        pieces = part.split("-")
        if len(pieces) != 2:
            raise ValueError(f"window {part.strip()!r} must look like 13:00-15:00")
        start, end = parse_clock(pieces[0].strip()), parse_clock(pieces[1].strip())
        if not isinstance(start, float | int) or not isinstance(end, float | int):
            raise ValueError(f"window {part.strip()!r} must look like 13:00-15:00")
        if end < start:
            raise ValueError(f"window {part.strip()!r} ends before it starts")
        out.append((float(start), float(end)))
    return out


def clock_text(minutes: float) -> str:
    """Minutes since midnight as 'HH:MM' ('26:15' past midnight), to the nearest minute."""
    total = int(math.floor(minutes + 0.5))
    return f"{total // 60:02d}:{total % 60:02d}"
