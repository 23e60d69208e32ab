"""The routing formulation: a scenario as the neutral integer RoutingModel both backends solve.

Costs become integers in 1/scale of the currency, with the smallest power-of-ten scale that
keeps every rate exact (1 for a benchmark's unit distance cost); times and distances are in
the rounding policy's ticks. `choose_solver` picks PyVRP unless a feature needs OR-Tools.
"""

from __future__ import annotations

import math

from models.routing.data import Scenario, stop_skills, vehicle_skills
from optimizer.backends.routing_model import (
    ORTOOLS_ONLY,
    UNLIMITED,
    Break,
    Depot,
    RoutingModel,
    Stop,
    VehicleType,
)

SCALES = [10**k for k in range(7)]


def money_scale(s: Scenario) -> int:
    """Smallest power of ten making every fixed cost, penalty and per-tick rate an integer (else 10^6)."""
    r = s.rounding
    values = [v.fixed_cost for v in s.vehicles] + [x.penalty for x in s.stops if x.penalty is not None]
    values.append(s.settings.stability_weight)
    values += [v.cost_per_distance / r.distance_ticks for v in s.vehicles]
    values += [v.cost_per_hour / 60.0 / r.time_ticks for v in s.vehicles]
    for scale in SCALES:
        if all(abs(x * scale - round(x * scale)) <= 1e-6 * max(1.0, abs(x * scale)) for x in values):
            return scale
    return SCALES[-1]


def _ticks(minutes: float | None, per_minute: int) -> int | None:
    return None if minutes is None else int(math.floor(minutes * per_minute + 0.5))


def _capacity(value: float | None, scale: int) -> int:
    return UNLIMITED if value is None else int(math.floor(value * scale + 1e-9))


def load_scales(s: Scenario) -> tuple[int, int]:
    """Per load dimension, the smallest power of ten (up to 1000) making every amount an integer."""
    out = []
    for amount, cap in (("demand", "capacity"), ("volume", "volume_capacity")):
        values = [getattr(x, amount) for x in s.stops] + [getattr(v, cap) or 0.0 for v in s.vehicles]
        scale = next((k for k in (1, 10, 100) if all(abs(x * k - round(x * k)) < 1e-9 for x in values)), 1000)
        out.append(scale)
    return out[0], out[1]


def dimensions(s: Scenario) -> int:
    """1 (demand) or 2 (demand and volume) load dimensions."""
    return 2 if any(x.volume for x in s.stops) else 1


def _amount(value: float, scale: int) -> int:
    return int(math.ceil(value * scale - 1e-9))


def _stops(s: Scenario, scale: int, dims: int) -> tuple[Stop, ...]:
    units = load_scales(s)
    tpm = s.rounding.time_ticks
    pickups = {p for p, _ in s.pairs}
    delivered = dict((d, p) for p, d in s.pairs)
    out = []
    for i, row in enumerate(s.stops):
        source = s.stops[delivered[i]] if i in delivered else row
        load = (_amount(source.demand, units[0]), _amount(source.volume, units[1]))[:dims]
        zero = (0,) * dims
        out.append(
            Stop(
                name=row.stop,
                location=len(s.depots) + i,
                delivery=zero if i in pickups else load,
                pickup=load if i in pickups else zero,
                service=_ticks(row.service_time, tpm) or 0,
                windows=tuple((_ticks(a, tpm), _ticks(b, tpm)) for a, b in row.windows()),
                prize=None if row.penalty is None else int(round(row.penalty * scale)),
                skills=stop_skills(row),
            )
        )
    return tuple(out)


def _vehicle_types(s: Scenario, scale: int, dims: int) -> tuple[VehicleType, ...]:
    r = s.rounding
    units = load_scales(s)
    depot = {d.depot: k for k, d in enumerate(s.depots)}
    out = []
    for v in s.vehicles:
        breaks = tuple(
            Break(
                _ticks(b.earliest_start, r.time_ticks),
                _ticks(b.latest_start, r.time_ticks),
                _ticks(b.duration, r.time_ticks),
            )
            for b in s.breaks.get(v.vehicle, ())
        )
        out.append(
            VehicleType(
                name=v.vehicle,
                count=v.count,
                start_depot=depot[v.start_depot],
                end_depot=depot[v.end_depot or v.start_depot],
                capacity=(_capacity(v.capacity, units[0]), _capacity(v.volume_capacity, units[1]))[:dims],
                fixed_cost=int(round(v.fixed_cost * scale)),
                distance_cost=int(round(v.cost_per_distance / r.distance_ticks * scale)),
                duration_cost=int(round(v.cost_per_hour / 60.0 / r.time_ticks * scale)),
                shift_start=_ticks(v.shift_start, r.time_ticks) or 0,
                shift_end=UNLIMITED if v.shift_end is None else _ticks(v.shift_end, r.time_ticks),
                max_duration=_ticks(v.max_duration, r.time_ticks),
                max_distance=None if v.max_distance is None else int(r.distance([v.max_distance])[0]),
                breaks=breaks,
                skills=vehicle_skills(v),
            )
        )
    return tuple(out)


def build(s: Scenario) -> RoutingModel:
    """The neutral routing model of a scenario (locations: depots then stops)."""
    scale = money_scale(s)
    dims = dimensions(s)
    return RoutingModel(
        depots=tuple(Depot(d.depot, k) for k, d in enumerate(s.depots)),
        stops=_stops(s, scale, dims),
        vehicle_types=_vehicle_types(s, scale, dims),
        distance=s.distance,
        duration=s.duration,
        dimensions=dims,
        pairs=s.pairs,
        objective_scale=float(scale),
        load_scales=tuple(float(u) for u in load_scales(s)[:dims]),
        coordinates=s.coordinates,
        budgeted=s.settings.search == "repeatable",
    )


def ortools_features(s: Scenario) -> list[str]:
    """Planner names of the features in `s` that only the OR-Tools backend models."""
    used = []
    if any(s.breaks.get(v.vehicle) for v in s.vehicles):
        used.append(ORTOOLS_ONLY["breaks"])
    if s.pairs:
        used.append(ORTOOLS_ONLY["pickup_delivery"])
    if any(x.skills.strip() for x in s.stops):
        used.append(ORTOOLS_ONLY["skills"])
    return used


def choose_solver(s: Scenario) -> tuple[str, str]:
    """PyVRP (the stronger search) unless the scenario uses a feature only OR-Tools models here."""
    used = ortools_features(s)
    if used:
        return "ortools", f"the scenario uses {', '.join(used)}, which only OR-Tools routing models"
    return "pyvrp", "capacity, time windows, depots, fleet and optional stops only: PyVRP's search is the strongest"


def choose_replan_solver(s: Scenario, freeze: int) -> tuple[str, str] | None:
    """OR-Tools for a replan that freezes stops or prices moves (PyVRP can do neither); else as for a solve."""
    weight = s.settings.stability_weight
    why = [f"--freeze {freeze} keeps stops on their vehicles"] if freeze > 0 else []
    why += [f"stability_weight {weight:g} prices stops moved to another vehicle"] if weight > 0 else []
    if not why:
        return None
    return "ortools", f"a replan where {' and '.join(why)}: OR-Tools models both, PyVRP neither"
