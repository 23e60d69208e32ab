"""Cross-sheet checks of a routing scenario and its distance/time matrices, each error with its cell.

These are the rules a single row cannot check: location ids unique over Depots and Stops,
coordinates present for the distance source, a complete Matrix and well-formed pickup-delivery
pairs. A stop that must be served but that no vehicle can serve (skills, capacity, time window) is
not an input error: the solve proves the scenario infeasible and explains it (explain.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.routing.network import Rounding, euclidean, great_circle, travel_ticks
from optimizer.core.errors import InputError, InputErrors
from optimizer.io.schema import Validated

MAX_LISTED = 10  # a missing matrix lists this many pairs, then a count


def _coordinates(validated: Validated, settings: Any, errors: list[InputError]) -> None:
    if settings.distances == "matrix":
        return
    columns = ("lat", "lon") if settings.distances == "haversine" else ("x", "y")
    for name in ("Depots", "Stops"):
        table = validated.tables[name]
        for i, row in enumerate(table.rows):
            for c in columns:
                if getattr(row, c) is None:
                    errors.append(InputError(table.location(i, c), f"{c} is needed: distances = {settings.distances}"))


def _pairs(validated: Validated, stops: tuple, errors: list[InputError]) -> tuple[tuple[int, int], ...]:
    table = validated.tables["Stops"]
    index = {s.stop: i for i, s in enumerate(stops)}
    delivery_of: dict[int, int] = {}
    pairs = []
    for d, s in enumerate(stops):
        if s.pickup_from is None:
            continue
        p = index[s.pickup_from]
        where = table.location(d, "pickup_from")
        if stops[p].pickup_from is not None:
            errors.append(InputError(where, f"stop {s.pickup_from!r} is itself a delivery; a pickup cannot be both"))
        elif p in delivery_of:
            first = stops[delivery_of[p]].stop
            errors.append(InputError(where, f"pickup {s.pickup_from!r} already goes to {first!r}; one delivery each"))
        elif s.demand or s.volume:
            errors.append(
                InputError(
                    table.location(d, "demand"), "leave demand and volume blank: it carries what the pickup collected"
                )
            )
        elif (s.penalty is None) != (stops[p].penalty is None):
            errors.append(
                InputError(table.location(d, "penalty"), "a pickup and its delivery are both required or both optional")
            )
        else:
            delivery_of[p] = d
            pairs.append((p, d))
    return tuple(pairs)


def check_scenario(validated: Validated, settings: Any, depots: tuple, vehicles: tuple, stops: tuple) -> tuple:
    """Raise InputErrors for every cross-sheet problem; return the pickup-delivery pairs."""
    errors: list[InputError] = []
    depot_ids = {d.depot for d in depots}
    table = validated.tables["Stops"]
    for i, s in enumerate(stops):
        if s.stop in depot_ids:
            errors.append(
                InputError(table.location(i, "stop"), f"{s.stop!r} is also a depot id; location ids must be unique")
            )
    _coordinates(validated, settings, errors)
    pairs = _pairs(validated, stops, errors)
    if settings.distances == "matrix" and "Matrix" not in validated.tables:
        errors.append(InputError("Matrix", "sheet Matrix is missing; it is needed when distances = matrix"))
    if errors:
        raise InputErrors(errors)
    return pairs


def _matrix_sheet(validated: Validated, ids: list[str], speed: float) -> tuple[np.ndarray, np.ndarray]:
    """Distances and minutes from the Matrix sheet; a missing pair takes its reverse, else it is an error."""
    table = validated.tables["Matrix"]
    index = {x: i for i, x in enumerate(ids)}
    n = len(ids)
    dist = np.full((n, n), np.nan)
    mins = np.full((n, n), np.nan)
    errors: list[InputError] = []
    for r, row in enumerate(table.rows):
        for c in ("origin", "destination"):
            if getattr(row, c) not in index:
                errors.append(InputError(table.location(r, c), f"{getattr(row, c)!r} is not a depot or stop id"))
        if row.origin in index and row.destination in index:
            a, b = index[row.origin], index[row.destination]
            dist[a, b] = row.distance
            mins[a, b] = row.distance * 60.0 / speed if row.duration is None else row.duration
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(mins, 0.0)
    dist = np.where(np.isnan(dist), dist.T, dist)
    mins = np.where(np.isnan(mins), mins.T, mins)
    missing = np.argwhere(np.isnan(dist))
    if len(missing):
        shown = ", ".join(f"{ids[a]}->{ids[b]}" for a, b in missing[:MAX_LISTED])
        more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
        errors.append(InputError(table.raw.label if table.raw else "Matrix", f"no distance for {shown}{more}"))
    if errors:
        raise InputErrors(errors)
    return dist, mins


def matrices(
    validated: Validated, settings: Any, rounding: Rounding, depots: tuple, stops: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance and duration ticks between locations (depots then stops), and plotting coordinates."""
    rows = list(depots) + list(stops)
    ids = [d.depot for d in depots] + [s.stop for s in stops]
    if settings.distances == "matrix":
        dist, mins = _matrix_sheet(validated, ids, settings.speed)
        coords = np.array([[r.x or r.lon or 0.0, r.y or r.lat or 0.0] for r in rows], dtype=float)
        return rounding.distance(dist), rounding.minutes(mins), coords
    if settings.distances == "haversine":
        coords = np.array([[r.lon, r.lat] for r in rows], dtype=float)
        dist = great_circle(coords[:, ::-1])
    else:
        coords = np.array([[r.x, r.y] for r in rows], dtype=float)
        dist = euclidean(coords)
    ticks = rounding.distance(dist)
    return ticks, travel_ticks(dist, ticks, settings.speed, rounding), coords
