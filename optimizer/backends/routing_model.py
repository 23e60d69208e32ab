"""A neutral vehicle-routing model that both routing backends (PyVRP, OR-Tools) read.

Everything is in integers: distances and durations in ticks of the scenario's rounding policy,
costs in 1/objective_scale of the currency. A kind builds this from its scenario; a backend
solves it and stores a RoutingSolution on it. Neither side knows the other's types.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib.metadata import version

import numpy as np

from optimizer.backends.outcome import ProgressCallback, SolverOutcome, finished
from optimizer.core.params import SolveParams
from optimizer.core.status import Status

UNLIMITED = 2**40  # capacity, horizon and distance when the input sets no limit

# Features only OR-Tools routing expresses here (PyVRP 0.14 has no breaks or skills; its shipments are not used).
ORTOOLS_ONLY = {
    "breaks": "driver breaks",
    "pickup_delivery": "pickup-and-delivery pairs",
    "skills": "required skills",
}


@dataclass(frozen=True)
class Break:
    """A break of `duration` ticks starting between `earliest` and `latest`."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class VehicleType:
    """`count` identical vehicles; times and distances in ticks, costs per tick in objective units."""

    name: str
    count: int
    start_depot: int
    end_depot: int
    capacity: tuple[int, ...]
    fixed_cost: int = 0
    distance_cost: int = 1
    duration_cost: int = 0
    shift_start: int = 0
    shift_end: int = UNLIMITED
    max_duration: int | None = None
    max_distance: int | None = None
    breaks: tuple[Break, ...] = ()
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Depot:
    name: str
    location: int  # row of the matrices


@dataclass(frozen=True)
class Stop:
    """A stop: delivered (from the depot) and picked-up amounts per dimension, service, windows, prize."""

    name: str
    location: int
    delivery: tuple[int, ...]
    pickup: tuple[int, ...]
    service: int = 0
    windows: tuple[tuple[int, int], ...] = ()  # empty = any time
    prize: int | None = None  # None: must be served; else the cost of leaving it unserved
    skills: frozenset[str] = frozenset()


@dataclass
class Visit:
    """A served stop on a route: arrival, start of service and departure in ticks."""

    stop: int
    arrival: int
    start: int
    departure: int


@dataclass
class RouteResult:
    """One used vehicle: its type, its number within the type, visits in order, start/end and breaks."""

    vehicle_type: int
    vehicle: int
    visits: list[Visit]
    start_time: int
    end_time: int
    breaks: list[tuple[int, int]] = field(default_factory=list)  # (start, duration)


@dataclass
class RoutingSolution:
    routes: list[RouteResult]
    unserved: list[int]
    cost: int  # in objective units (divide by objective_scale)


@dataclass
class Replan:
    """What a replan asks of a backend; vehicles are numbered as in RoutingModel.vehicles().

    `prefixes[v]` are the stops vehicle v must visit first, in that order (routes under way);
    `previous[i]` is the vehicle stop i was on before (absent: new, unserved or its vehicle is gone);
    serving i on another vehicle or leaving it unserved costs `move_cost` objective units;
    `routes[v]` is the previous route of v (the warm start).
    """

    prefixes: dict[int, list[int]]
    previous: dict[int, int]
    move_cost: int
    routes: dict[int, list[int]]

    @property
    def constrained(self) -> bool:
        """True when the replan pins stops or prices moves (beyond a mere warm start)."""
        return any(self.prefixes.values()) or (self.move_cost > 0 and bool(self.previous))


@dataclass
class RoutingModel:
    """Depots, stops, vehicle types, integer matrices and the pairs; `solution` is set by a backend."""

    depots: tuple[Depot, ...]
    stops: tuple[Stop, ...]
    vehicle_types: tuple[VehicleType, ...]
    distance: np.ndarray  # int64 [location, location]
    duration: np.ndarray  # int64 [location, location]
    dimensions: int = 1
    pairs: tuple[tuple[int, int], ...] = ()  # (pickup stop, delivery stop)
    objective_scale: float = 1.0  # objective units per currency unit
    load_scales: tuple[float, ...] = (1.0,)  # load units per planner unit, per dimension
    coordinates: np.ndarray | None = None  # [location, 2], for the solvers' neighbourhoods and charts
    solution: RoutingSolution | None = None
    solver_note: str = ""  # set by a backend: what it did (e.g. why it stopped)
    budgeted: bool = True  # stop on an effort budget (repeatable); False: search for the whole time limit
    replan: Replan | None = None  # set by a replan: frozen prefixes, move costs, previous routes

    @property
    def n_vehicles(self) -> int:
        return sum(t.count for t in self.vehicle_types)

    def features(self) -> dict[str, str]:
        """The OR-Tools-only features this model uses, with their planner names."""
        used: dict[str, str] = {}
        if any(t.breaks for t in self.vehicle_types):
            used["breaks"] = ORTOOLS_ONLY["breaks"]
        if self.pairs:
            used["pickup_delivery"] = ORTOOLS_ONLY["pickup_delivery"]
        if any(s.skills for s in self.stops):
            used["skills"] = ORTOOLS_ONLY["skills"]
        return used

    def vehicles(self) -> list[tuple[int, int]]:
        """(vehicle type, number within the type) of every vehicle, in type order."""
        return [(t, k) for t, vt in enumerate(self.vehicle_types) for k in range(vt.count)]


def lone_route_blocker(model: RoutingModel, i: int, t: int) -> str | None:
    """Why a vehicle of type t could not serve stop i even on a route of its own; None when it could.

    Codes: 'skills', 'load:k' (dimension k), 'window' (closes before the earliest arrival), 'shift'
    (cannot be back at its end depot by the end of the shift), 'duration', 'distance'. Breaks are
    not counted, and a stop of a pickup-and-delivery pair is checked for skills and load only, so a
    blocker is always a proof that the vehicle cannot serve the stop.
    """
    stop, vt = model.stops[i], model.vehicle_types[t]
    if not stop.skills <= vt.skills:
        return "skills"
    for k in range(model.dimensions):
        if max(stop.delivery[k], stop.pickup[k]) > vt.capacity[k]:
            return f"load:{k}"
    if any(i in pair for pair in model.pairs):
        return None
    first, last = model.depots[vt.start_depot].location, model.depots[vt.end_depot].location
    there, back = int(model.duration[first, stop.location]), int(model.duration[stop.location, last])
    if vt.max_distance is not None:
        if int(model.distance[first, stop.location]) + int(model.distance[stop.location, last]) > vt.max_distance:
            return "distance"
    blocker = "window"
    for early, late in stop.windows or ((0, UNLIMITED),):
        begin = max(vt.shift_start + there, early)  # the earliest start of service within this window
        if begin > late:
            continue
        if begin + stop.service + back > vt.shift_end:
            blocker = "shift"
            continue
        leave = max(vt.shift_start, early - there)  # leaving the depot just in time for the window
        if vt.max_duration is not None and begin + stop.service + back - leave > vt.max_duration:
            blocker = "duration"
            continue
        return None
    return blocker


def unservable(model: RoutingModel) -> dict[int, dict[int, str]]:
    """Stops that must be served but that no vehicle type could serve, with each type's blocker."""
    out: dict[int, dict[int, str]] = {}
    for i, stop in enumerate(model.stops):
        if stop.prize is not None:
            continue
        blockers = {t: lone_route_blocker(model, i, t) for t in range(len(model.vehicle_types))}
        if all(b is not None for b in blockers.values()):
            out[i] = blockers  # type: ignore[assignment]
    return out


def idle_types(model: RoutingModel) -> dict[int, dict[int, str]]:
    """Vehicle types that could serve none of the stops, even on a route of their own, with the blocker at each stop
    (e.g. a depot typed thousands of km away, or a shift that ends before any window opens): they carry nothing."""
    out: dict[int, dict[int, str]] = {}
    for t in range(len(model.vehicle_types)):
        blockers = {i: lone_route_blocker(model, i, t) for i in range(len(model.stops))}
        if blockers and all(b is not None for b in blockers.values()):
            out[t] = blockers  # type: ignore[assignment]
    return out


def fleet_short(model: RoutingModel, idle: Collection[int] | None = None) -> dict[int, tuple[int, int]]:
    """Load dimensions where the stops that must be served need more than the fleet carries from the depots.

    Each vehicle makes one route, so it carries at most its capacity of deliveries; a vehicle type that can serve
    no stop at all (`idle`, worked out by idle_types unless given) carries nothing: {dimension: (needed, fleet)}.
    """
    idle = idle_types(model) if idle is None else idle
    short = {}
    for k in range(model.dimensions):
        needed = sum(s.delivery[k] for s in model.stops if s.prize is None)
        fleet = sum(t.count * t.capacity[k] for j, t in enumerate(model.vehicle_types) if j not in idle)
        if needed > fleet:
            short[k] = (needed, fleet)
    return short


def infeasible_outcome(model: RoutingModel, solver: str, version: str) -> SolverOutcome | None:
    """Status INFEASIBLE, without searching, when a stop that must be served cannot be served by any vehicle,
    or when they all need more than the fleet carries (its vehicles that can serve no stop left out)."""
    blocked = unservable(model)
    if not blocked:
        short = fleet_short(model)
        if not short:
            return None
        model.solution = None
        needed, fleet = next(iter(short.values()))
        message = (
            f"proven infeasible: the stops that must be served need {needed} load units, the fleet carries "
            f"{fleet}; Diagnostics say what relaxing would cost"
        )
        return finished(Status.INFEASIBLE, None, None, 0.0, solver, version, "fleet too small", message)
    names = ", ".join(model.stops[i].name for i in list(blocked)[:5]) + (" ..." if len(blocked) > 5 else "")
    message = (
        f"proven infeasible: {len(blocked)} stop(s) that must be served cannot be served by any vehicle ({names}); "
        "Diagnostics say why and what relaxing would cost"
    )
    model.solution = None
    return finished(Status.INFEASIBLE, None, None, 0.0, solver, version, "unservable stops", message)


def solve_isolated(
    model: RoutingModel,
    label: str,
    solver: str,
    solve_here: Callable[..., SolverOutcome],
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None,
    warm_start: bool,
) -> SolverOutcome:
    """A routing solve: proven infeasible up front, else `solve_here` in a child process (a crash or hang
    of the native solver becomes status 'error'), or in this process when isolation is off."""
    from optimizer.backends import child

    proven = infeasible_outcome(model, solver, version(solver))
    if proven is not None:
        return proven
    if not child.enabled():
        return solve_here(model, params, limit, progress, warm_start)
    outcome, run = child.solve_backend(
        label, solve_here, model, params, limit, progress, warm_start, ("solution", "solver_note")
    )
    if outcome is not None:
        return outcome
    model.solution = None
    message = child.failure(label, run, limit)
    return finished(Status.ERROR, None, None, run.seconds, solver, version(solver), "child ended", message)
