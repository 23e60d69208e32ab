"""Why a routing scenario has no plan: the stops that must be served but that no vehicle can serve.

The backend proves it without searching (optimizer.backends.routing_model.unservable: a stop no
vehicle type could serve even on a route of its own). Here each such stop gets one Diagnostics row
at its input cell, in the planner's units: which rule stands in the way for each vehicle and what
would let it be served; then the rest of the scenario is solved without those stops, which prices
the relaxation: leaving them unserved costs the plan found plus the penalties a planner gives them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from models.routing.data import Scenario, stop_skills, vehicle_skills
from models.routing.network import clock_text
from models.routing.vrp import build, choose_solver
from optimizer.backends.routing_model import RoutingModel, fleet_short, idle_types, unservable
from optimizer.core.params import SolveParams

COLUMN = {"skills": "skills", "load:0": "demand", "load:1": "volume", "window": "window_end"}
TRAVEL = {"window", "shift", "duration", "distance"}  # blockers of the way there and back, not of the vehicle's kit
MAX_REASONS = 4  # different blockers said per stop, then a count


def _clock(s: Scenario, ticks: int) -> str:
    minutes = ticks / s.rounding.time_ticks
    return clock_text(minutes) if s.settings.time_format == "clock" else f"minute {minutes:g}"


def _earliest(s: Scenario, m: RoutingModel, i: int, t: int) -> int:
    """Earliest start of service at stop i for a vehicle of type t leaving its depot at the start of its shift."""
    vt = m.vehicle_types[t]
    return vt.shift_start + int(m.duration[m.depots[vt.start_depot].location, m.stops[i].location])


def _why(s: Scenario, m: RoutingModel, i: int, t: int, code: str) -> str:
    """One vehicle type's blocker for stop i, in the planner's words and units (without the vehicle's name)."""
    row, vehicle, vt = s.stops[i], s.vehicles[t], m.vehicle_types[t]
    if code == "skills":
        return f"lacks the skills {', '.join(sorted(stop_skills(row) - vehicle_skills(vehicle)))}"
    if code.startswith("load:"):
        column, cap = ("demand", "capacity") if code == "load:0" else ("volume", "volume_capacity")
        return f"{cap} {getattr(vehicle, cap):g}, the stop needs {getattr(row, column):g}"
    if code == "window":
        last = max(late for _, late in m.stops[i].windows)
        depot = s.depots[vt.start_depot].depot
        return (
            f"earliest arrival {_clock(s, _earliest(s, m, i, t))} leaving {depot} at the start of the shift, "
            f"after the window closes at {_clock(s, last)}"
        )
    if code == "shift":
        return f"cannot serve it and be back by the end of the shift at {_clock(s, vt.shift_end)}"
    if code == "duration":
        return f"cannot go there and back within max_duration {vehicle.max_duration:g} minutes"
    return f"cannot go there and back within max_distance {vehicle.max_distance:g}"


def _grouped(s: Scenario, m: RoutingModel, i: int, per_type: dict[int, str]) -> str:
    """The blockers of every vehicle type, types with the same blocker named together."""
    groups: dict[str, list[str]] = {}
    for t, code in per_type.items():
        groups.setdefault(_why(s, m, i, t, code), []).append(s.vehicles[t].vehicle)
    said = [f"{', '.join(names)}: {why}" for why, names in list(groups.items())[:MAX_REASONS]]
    if len(groups) > MAX_REASONS:
        said.append(f"and {len(groups) - MAX_REASONS} more")
    return "; ".join(said)


def _fix(s: Scenario, m: RoutingModel, i: int, codes: set[str]) -> str:
    """What would let the stop be served, besides giving it a penalty."""
    row = s.stops[i]
    if codes == {"skills"}:
        return f"give a vehicle the skills {', '.join(sorted(stop_skills(row)))}"
    if codes == {"load:0"}:
        return f"use a vehicle with capacity {row.demand:g} or more, or split the delivery"
    if codes == {"load:1"}:
        return f"use a vehicle with volume_capacity {row.volume:g} or more, or split the delivery"
    if codes == {"window"}:
        soonest = min(_earliest(s, m, i, t) for t in range(len(m.vehicle_types)))
        return f"let its window stay open until {_clock(s, soonest)} or start a vehicle earlier"
    return "relax the vehicle rules named above"


def _cost_without(s: Scenario, m: RoutingModel, blocked: list[int], params: SolveParams, seconds: float) -> Any:
    """The best plan's cost when the blocked stops may be left unserved at no charge (None if none was found)."""
    from optimizer.backends.registry import backend_solve

    stops = tuple(dataclasses.replace(x, prize=0) if k in blocked else x for k, x in enumerate(m.stops))
    relaxed = dataclasses.replace(m, stops=stops, solution=None)
    solver = choose_solver(s)[0]
    family = "pyvrp" if solver == "pyvrp" else "ortools_routing"
    outcome = backend_solve(family, relaxed, params.model_copy(update={"solver": solver}), seconds)
    return outcome.objective if outcome.status.has_plan else None


def idle_vehicle_rows(
    s: Scenario, m: RoutingModel, idle: dict[int, dict[int, str]] | None = None
) -> list[dict[str, str]]:
    """A warning for each vehicle that could serve none of the stops, even alone (`idle`, from idle_types unless
    given): at the stop nearest its depot, what stands in the way. Most often a depot's coordinates typed wrong
    (thousands of km away) or a shift mistyped."""
    rows = []
    for t, blockers in (idle_types(m) if idle is None else idle).items():
        first = m.depots[m.vehicle_types[t].start_depot].location
        i = min(blockers, key=lambda k: (m.duration[first, m.stops[k].location], k))
        code = blockers[i]
        column = "start_depot" if code in TRAVEL else "vehicle"
        rows.append(
            {
                "severity": "warning",
                "location": s.vehicle_cell(t, column),
                "message": f"vehicle {s.vehicles[t].vehicle} can serve none of the {len(s.stops)} stops, even on a "
                f"route of its own (the nearest to its depot, {s.stops[i].stop}: {_why(s, m, i, t, code)}); it is "
                "left unused: check its depot's coordinates, its shift and its limits",
            }
        )
    return rows


def explain(s: Scenario, params: SolveParams, seconds: float) -> list[dict[str, str]]:
    """Diagnostics rows: each stop no vehicle can serve, at its cell, and what leaving them unserved costs; first, the
    vehicles that can serve no stop at all."""
    m = build(s)
    idle = idle_types(m)
    return idle_vehicle_rows(s, m, idle) + _blocked_rows(s, m, idle, params, seconds)


def _blocked_rows(
    s: Scenario, m: RoutingModel, idle: dict[int, dict[int, str]], params: SolveParams, seconds: float
) -> list[dict[str, str]]:
    """The stops no vehicle can serve, at their cells, and what leaving them unserved costs (or the fleet's shortfall,
    the `idle` vehicle types left out)."""
    blocked = unservable(m)
    if not blocked and fleet_short(m, idle):
        return _fleet_rows(s, m, idle, params, seconds)
    if not blocked:
        return [
            {
                "severity": "error",
                "location": "",
                "message": "no plan keeps every rule, though each stop alone could be served: the fleet's capacity, "
                "shifts or windows do not fit all stops together; give some stops a penalty so they may be left out",
            }
        ]
    rows = []
    for i, per_type in blocked.items():
        codes = set(per_type.values())
        column = COLUMN.get(next(iter(codes)), "stop") if len(codes) == 1 else "stop"
        rows.append(
            {
                "severity": "error",
                "location": s.stop_cell(i, column),
                "message": f"stop {s.stops[i].stop} must be served (its penalty is blank) but no vehicle can serve "
                f"it ({_grouped(s, m, i, per_type)}). To serve it: {_fix(s, m, i, codes)}",
            }
        )
    names = ", ".join(s.stops[i].stop for i in blocked)
    cost = _cost_without(s, m, list(blocked), params, max(0.5, 0.8 * seconds))
    if cost is None:
        message = f"without stop(s) {names}, no plan was found in the time left either"
    else:
        message = (
            f"leaving stop(s) {names} unserved, the best plan found costs {cost:,.2f} {s.settings.currency}; "
            "give them a penalty (the cost of leaving each unserved) and the plan will weigh it"
        )
    rows.append({"severity": "info", "location": "", "message": message})
    return rows


def _fleet_rows(
    s: Scenario, m: RoutingModel, idle: dict[int, dict[int, str]], params: SolveParams, seconds: float
) -> list[dict[str, str]]:
    """The fleet (without its `idle` vehicle types) carries less than the stops that must be served need: how much,
    and the plan with every stop optional."""
    rows = []
    fleet_name = "the vehicles that can serve a stop carry" if idle else "the whole fleet carries"
    for k, (needed, fleet) in fleet_short(m, idle).items():
        unit = m.load_scales[k]
        column, cap = ("demand", "capacity") if k == 0 else ("volume", "volume_capacity")
        carried = ", ".join(
            f"{v.vehicle} {v.count} x {getattr(v, cap):g}" for t, v in enumerate(s.vehicles) if t not in idle
        )
        rows.append(
            {
                "severity": "error",
                "location": "Vehicles",
                "message": f"the stops that must be served need {needed / unit:g} of {column}, but {fleet_name} "
                f"{fleet / unit:g} ({carried or 'none'}), one route each: add vehicles or {cap}, or give stops a "
                "penalty",
            }
        )
    required = [i for i, x in enumerate(m.stops) if x.prize is None]
    cost = _cost_without_charge(s, m, required, params, max(0.5, 0.8 * seconds))
    if cost is not None:
        served, total = cost
        rows.append(
            {
                "severity": "info",
                "location": "",
                "message": f"with every stop allowed to stay unserved, the best plan found serves {served} of the "
                f"{len(required)} stops that must be served, at {total:,.2f} {s.settings.currency} before penalties",
            }
        )
    return rows


def _cost_without_charge(s: Scenario, m: RoutingModel, free: list[int], params: SolveParams, seconds: float) -> Any:
    """(required stops served, cost) of the best plan when the stops in `free` may stay unserved for a large prize."""
    from optimizer.backends.registry import backend_solve

    prize = int(10 * max(1, m.distance.max()) * max(1, max(t.distance_cost for t in m.vehicle_types)))
    stops = tuple(dataclasses.replace(x, prize=prize) if k in free else x for k, x in enumerate(m.stops))
    relaxed = dataclasses.replace(m, stops=stops, solution=None)
    solver = choose_solver(s)[0]
    family = "pyvrp" if solver == "pyvrp" else "ortools_routing"
    outcome = backend_solve(family, relaxed, params.model_copy(update={"solver": solver}), seconds)
    if not outcome.status.has_plan or relaxed.solution is None:
        return None
    unserved = [i for i in relaxed.solution.unserved if i in free]
    return len(free) - len(unserved), outcome.objective - len(unserved) * prize / m.objective_scale
