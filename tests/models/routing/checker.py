"""An independent feasibility checker for routing plans.

Recomputed from the scenario's input rows and the plan's Stops / Unserved sheets, never from the
model: its own distances and rounding, every stop served once or listed unserved, vehicles
from the right depots, loads within capacity, windows, shifts, breaks, pickup before delivery,
skills, maximum duration and distance; returns the plan's total cost.
"""

from __future__ import annotations

import math

import pandas as pd

from models.routing.data import Scenario
from optimizer.core.plan import Plan

TOL = 1e-5  # times are shown to 1e-6 minute


def _round(value: float, policy: str, unit: float) -> float:
    """A distance (unit=1000) or a time in minutes (unit=60) under the named rounding policy."""
    if policy == "nint":
        return float(math.floor(value + 0.5))
    if policy == "dimacs":
        return math.floor(value * 10 + 1e-7) / 10
    return math.floor(value * unit + 0.5) / unit


def _distance(s: Scenario, a: str, b: str) -> tuple[float, float]:
    """(distance, minutes) between two location ids, recomputed from the coordinates."""
    rows = {d.depot: d for d in s.depots} | {x.stop: x for x in s.stops}
    p, q = rows[a], rows[b]
    if s.settings.distances == "haversine":
        lat1, lon1, lat2, lon2 = map(math.radians, (p.lat, p.lon, q.lat, q.lon))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        real = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
    else:
        assert s.settings.distances == "euclidean", "the checker recomputes coordinate distances only"
        real = math.hypot(p.x - q.x, p.y - q.y)
    policy = s.settings.rounding
    minutes = real * 60.0 / s.settings.speed
    return _round(real, policy, 1000), _round(minutes, policy, 60)


def _skills(text: str) -> set[str]:
    return {p.strip().lower() for p in text.replace(",", ";").split(";") if p.strip()}


def _windows(row) -> list[tuple[float, float]]:
    return list(row.windows())


def _fleet(s: Scenario) -> dict[str, object]:
    out = {}
    for v in s.vehicles:
        names = [v.vehicle] if v.count == 1 else [f"{v.vehicle}-{k + 1}" for k in range(v.count)]
        out.update({n: v for n in names})
    return out


def _check_route(s: Scenario, name: str, rows: pd.DataFrame, veh, served: dict[str, tuple[str, float]]) -> float:
    stops = {x.stop: x for x in s.stops}
    pair_of = {x.stop: x.pickup_from for x in s.stops if x.pickup_from}
    visits = rows[rows.activity.isin(["start", "stop", "end"])]
    first, last = visits.iloc[0], visits.iloc[-1]
    assert first.activity == "start" and last.activity == "end", f"{name}: route must start and end at a depot"
    assert first.location == veh.start_depot, f"{name}: starts at {first.location}, not {veh.start_depot}"
    assert last.location == (veh.end_depot or veh.start_depot), f"{name}: ends at {last.location}"
    start, end = float(first.departure), float(last.arrival)
    assert start >= veh.shift_start - TOL, f"{name}: leaves at {start} before its shift"
    if veh.shift_end is not None:
        assert end <= veh.shift_end + TOL, f"{name}: returns at {end} after its shift"
    if veh.max_duration is not None:
        assert end - start <= veh.max_duration + TOL, f"{name}: route of {end - start} min is over max_duration"
    breaks = [(float(b.arrival), float(b.departure)) for b in rows[rows.activity == "break"].itertuples()]
    pickups = set(pair_of.values())
    deliveries = [stops[x] for x in visits.location if x in stops and x not in pair_of and x not in pickups]
    load = [sum(x.demand for x in deliveries), sum(x.volume for x in deliveries)]
    assert abs(float(first.load) - load[0]) <= TOL, f"{name}: start load {first.load}, expected {load[0]}"
    distance, clock, prev = 0.0, start, first.location
    busy: list[tuple[float, float]] = []
    for r in visits.iloc[1:].itertuples():
        d, minutes = _distance(s, prev, r.location)
        distance += d
        begin = float(r.arrival) + (float(r.wait) if r.activity == "stop" else 0.0)
        in_leg = sum(b1 - b0 for b0, b1 in breaks if b0 >= clock - TOL and b1 <= begin + TOL)
        assert float(r.arrival) >= clock + minutes - TOL, f"{name}: reaches {r.location} before it can"
        assert begin >= clock + minutes + in_leg - TOL, f"{name}: no time to drive to {r.location} and take breaks"
        if r.activity == "stop":
            x = stops[r.location]
            assert r.location not in served, f"stop {r.location} served twice"
            wins = _windows(x)
            assert not wins or any(a - TOL <= begin <= b + TOL for a, b in wins), f"{name}: {r.location} at {begin}"
            assert _skills(x.skills) <= _skills(veh.skills), f"{name} lacks the skills of {r.location}"
            leave = begin + x.service_time
            assert abs(float(r.departure) - leave) <= TOL, f"{name}: departure at {r.location}"
            busy.append((begin, leave))
            served[r.location] = (name, begin)
            if x.pickup_from:
                src = stops[x.pickup_from]
                assert served.get(x.pickup_from, ("", 0))[0] == name, f"{r.location}: its pickup is not on {name}"
                load[0] -= src.demand
                load[1] -= src.volume
            elif r.location in pickups:
                load[0] += x.demand
                load[1] += x.volume
            else:
                load[0] -= x.demand
                load[1] -= x.volume
            clock = leave
            assert abs(float(r.load) - load[0]) <= TOL, (
                f"{name}: load after {r.location} is {r.load}, expected {load[0]}"
            )
        prev = r.location
        for k, (cap, what) in enumerate(((veh.capacity, "capacity"), (veh.volume_capacity, "volume"))):
            assert load[k] >= -TOL, f"{name}: negative load"
            assert cap is None or load[k] <= cap + TOL, f"{name}: load {load[k]} over {what} {cap}"
    if veh.max_distance is not None:
        assert distance <= veh.max_distance + TOL, f"{name}: {distance} over max_distance"
    for b in s.breaks.get(veh.vehicle, ()):
        taken = [(b0, b1) for b0, b1 in breaks if b.earliest_start - TOL <= b0 <= b.latest_start + TOL]
        off_road = b.earliest_start + b.duration <= start + TOL or b.latest_start >= end - TOL
        assert off_road or any(abs(b1 - b0 - b.duration) <= TOL for b0, b1 in taken), f"{name}: break not taken"
    for b0, b1 in breaks:
        assert start - TOL <= b0 and b1 <= end + TOL, f"{name}: break outside the route"
        assert all(b1 <= v0 + TOL or b0 >= v1 - TOL for v0, v1 in busy), f"{name}: break during a service"
    hours = (end - start) / 60.0
    return veh.fixed_cost + distance * veh.cost_per_distance + hours * veh.cost_per_hour


def check_plan(s: Scenario, plan: Plan) -> float:
    """Assert that `plan` obeys every rule of `s`; return its total cost recomputed from the input."""
    fleet = _fleet(s)
    table = plan.sheets["Stops"]
    served: dict[str, tuple[str, float]] = {}
    total = 0.0
    for name, rows in table.groupby("vehicle", sort=False):
        assert name in fleet, f"unknown vehicle {name}"
        assert rows["route"].nunique() == 1, f"{name} drives two routes"
        total += _check_route(s, name, rows.reset_index(drop=True), fleet[name], served)
    for x in s.stops:
        if x.pickup_from and x.stop in served:
            assert served[x.pickup_from][1] <= served[x.stop][1] + TOL, f"{x.stop} delivered before its pickup"
    unserved = set(plan.sheets["Unserved"]["stop"])
    for x in s.stops:
        if x.stop in served:
            assert x.stop not in unserved, f"{x.stop} both served and unserved"
            continue
        assert x.stop in unserved, f"{x.stop} neither served nor listed as unserved"
        assert x.penalty is not None, f"required stop {x.stop} is unserved"
        total += x.penalty
    return total
