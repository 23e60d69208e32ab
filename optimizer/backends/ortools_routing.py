"""OR-Tools routing backend: every feature of the routing model, including breaks, pairs and skills.

Nodes are the depots (0..D-1) then the stops (D..). Arc costs are per vehicle type, time costs are
span costs, loads are cumulated with a free start load so deliveries and paired pickups mix
exactly. Guided local search runs until the time limit; no lower bound is proven (gap None).
"""

from __future__ import annotations

import time
from importlib.metadata import version
from typing import Any

import numpy as np

from optimizer.backends.outcome import Progress, ProgressCallback, SolverOutcome, finished
from optimizer.backends.routing_model import UNLIMITED, RouteResult, RoutingModel, RoutingSolution, Visit
from optimizer.core.params import SolveParams
from optimizer.core.status import Status

# RoutingModel.status() names: a solution found is FEASIBLE (no bound), none is NO_SOLUTION/INFEASIBLE.
STATUS_NAMES = {
    0: "ROUTING_NOT_SOLVED",
    1: "ROUTING_SUCCESS",
    2: "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "ROUTING_FAIL",
    4: "ROUTING_FAIL_TIMEOUT",
    5: "ROUTING_INVALID",
    6: "ROUTING_INFEASIBLE",
    7: "ROUTING_OPTIMAL",
}


class _Built:
    """The OR-Tools objects of one model, kept together for reading the solution."""

    def __init__(self, model: RoutingModel) -> None:
        from ortools.constraint_solver import pywrapcp

        self.model = model
        self.n_depots = len(model.depots)
        self.locations = [d.location for d in model.depots] + [s.location for s in model.stops]
        self.vehicles = model.vehicles()
        starts = [model.vehicle_types[t].start_depot for t, _ in self.vehicles]
        ends = [model.vehicle_types[t].end_depot for t, _ in self.vehicles]
        self.manager = pywrapcp.RoutingIndexManager(len(self.locations), len(self.vehicles), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        loc = np.asarray(self.locations)
        self.dist = np.asarray(model.distance, dtype=np.int64)[np.ix_(loc, loc)]
        service = np.zeros(len(loc), dtype=np.int64)
        service[self.n_depots :] = [s.service for s in model.stops]
        self.service = service
        self.travel = np.asarray(model.duration, dtype=np.int64)[np.ix_(loc, loc)]
        self.time = None
        self.breaks: dict[int, list[Any]] = {}

    def index(self, stop: int) -> int:
        return self.manager.NodeToIndex(self.n_depots + stop)


def _costs(b: _Built) -> None:
    """Arc cost = distance x the vehicle type's rate; fixed cost per used vehicle."""
    callbacks: dict[int, int] = {}
    for v, (t, _) in enumerate(b.vehicles):
        vt = b.model.vehicle_types[t]
        if vt.distance_cost not in callbacks:
            callbacks[vt.distance_cost] = b.routing.RegisterTransitMatrix((b.dist * vt.distance_cost).tolist())
        b.routing.SetArcCostEvaluatorOfVehicle(callbacks[vt.distance_cost], v)
        b.routing.SetFixedCostOfVehicle(vt.fixed_cost, v)


def _time(b: _Built) -> None:
    """Time dimension: service + travel; shifts, windows, max duration, span cost, breaks."""
    m, routing = b.model, b.routing
    transit = b.travel + b.service[:, None]
    callback = routing.RegisterTransitMatrix(transit.tolist())
    ends = [t.shift_end for t in m.vehicle_types if t.shift_end < UNLIMITED]
    latest = max(ends + [w[1] for s in m.stops for w in s.windows] + [0])
    if len(ends) == len(m.vehicle_types):
        horizon = max(ends) + 1  # every route is back by its shift end
    else:  # no route takes longer than the latest time named plus the longest way out of every node
        rest = sum(br.duration for t in m.vehicle_types for br in t.breaks)
        horizon = latest + int(transit.max(axis=1).sum()) + rest + 1
    horizon = min(max(horizon, 1), UNLIMITED)
    routing.AddDimension(callback, horizon, horizon, False, "time")
    dim = routing.GetDimensionOrDie("time")
    b.time = dim
    for i, s in enumerate(m.stops):
        if not s.windows:
            continue
        var = dim.CumulVar(b.index(i))
        windows = sorted(s.windows)
        var.SetRange(windows[0][0], min(windows[-1][1], horizon))
        for (_, end), (nxt, _) in zip(windows, windows[1:], strict=False):
            if nxt > end + 1:
                var.RemoveInterval(end + 1, nxt - 1)
    solver = routing.solver()
    for v, (t, _) in enumerate(b.vehicles):
        vt = m.vehicle_types[t]
        end_limit = min(vt.shift_end, horizon)
        dim.CumulVar(routing.Start(v)).SetRange(min(vt.shift_start, end_limit), end_limit)
        dim.CumulVar(routing.End(v)).SetRange(min(vt.shift_start, end_limit), end_limit)
        if vt.max_duration is not None:
            dim.SetSpanUpperBoundForVehicle(vt.max_duration, v)
        if vt.duration_cost:
            dim.SetSpanCostCoefficientForVehicle(vt.duration_cost, v)
        routing.AddVariableMaximizedByFinalizer(dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(dim.CumulVar(routing.End(v)))
        if vt.breaks:
            _breaks(b, v, vt.breaks, solver)


def _breaks(b: _Built, v: int, breaks: Any, solver: Any) -> None:
    """Breaks of a used vehicle, never during a service; OR-Tools lets a break fall wholly before the
    route's start or after its end, so a route that is over before the break window needs none."""
    dim, routing = b.time, b.routing
    intervals = []
    active = routing.ActiveVehicleVar(v)
    for n, br in enumerate(breaks):
        iv = solver.FixedDurationIntervalVar(br.earliest, br.latest, br.duration, True, f"break {v} {n}")
        solver.Add(iv.PerformedExpr() == active)
        intervals.append(iv)
    visit = [int(b.service[b.manager.IndexToNode(i)]) for i in range(routing.Size())]
    dim.SetBreakIntervalsOfVehicle(intervals, v, visit)
    b.breaks[v] = intervals


def _loads(b: _Built) -> None:
    """One dimension per load: the start load is free, deliveries subtract and pickups add."""
    m = b.model
    for k in range(m.dimensions):
        change = [0] * len(b.locations)
        for i, s in enumerate(m.stops):
            change[b.n_depots + i] = s.pickup[k] - s.delivery[k]
        if not any(change):
            continue
        callback = b.routing.RegisterUnaryTransitVector(change)
        caps = [min(m.vehicle_types[t].capacity[k], UNLIMITED) for t, _ in b.vehicles]
        b.routing.AddDimensionWithVehicleCapacity(callback, 0, caps, False, f"load{k}")


def _distance_limits(b: _Built) -> None:
    m = b.model
    if all(m.vehicle_types[t].max_distance is None for t, _ in b.vehicles):
        return
    callback = b.routing.RegisterTransitMatrix(b.dist.tolist())
    caps = [m.vehicle_types[t].max_distance or UNLIMITED for t, _ in b.vehicles]
    b.routing.AddDimensionWithVehicleCapacity(callback, 0, caps, True, "distance")


def _stops(b: _Built) -> None:
    """Optional stops (prizes), skills, pickup-and-delivery pairs."""
    m, routing = b.model, b.routing
    solver = routing.solver()
    for i, s in enumerate(m.stops):
        index = b.index(i)
        if s.prize is not None:
            routing.AddDisjunction([index], int(s.prize))
        if s.skills:
            allowed = [v for v, (t, _) in enumerate(b.vehicles) if s.skills <= m.vehicle_types[t].skills]
            # -1 keeps "unserved" possible; an optional stop no vehicle may serve stays unserved.
            routing.VehicleVar(index).SetValues([-1, *allowed])
    for p, d in m.pairs:
        pi, di = b.index(p), b.index(d)
        routing.AddPickupAndDelivery(pi, di)
        solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
        solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
        solver.Add(b.time.CumulVar(pi) <= b.time.CumulVar(di))


def build(model: RoutingModel) -> _Built:
    b = _Built(model)
    _costs(b)
    _time(b)
    _loads(b)
    _distance_limits(b)
    _stops(b)
    return b


def _read(b: _Built, solution: Any) -> RoutingSolution:
    routing, dim = b.routing, b.time
    routes, served = [], set()
    for v, (t, k) in enumerate(b.vehicles):
        index = routing.Start(v)
        if routing.IsEnd(solution.Value(routing.NextVar(index))):
            continue
        start_time = solution.Min(dim.CumulVar(index))
        end_time = solution.Min(dim.CumulVar(routing.End(v)))
        breaks = sorted(
            (solution.StartValue(iv), iv.DurationMin())
            for iv in b.breaks.get(v, [])
            if solution.PerformedValue(iv)
            and start_time < solution.StartValue(iv) + iv.DurationMin()
            and solution.StartValue(iv) < end_time
        )
        visits: list[Visit] = []
        prev_node, prev_leave = b.manager.IndexToNode(index), start_time
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = b.manager.IndexToNode(index)
            begin = solution.Min(dim.CumulVar(index))
            resting = sum(d for t0, d in breaks if prev_leave <= t0 and t0 + d <= begin)
            arrival = min(begin, prev_leave + int(b.travel[prev_node, node]) + resting)
            stop = node - b.n_depots
            visits.append(Visit(stop, arrival, begin, begin + int(b.service[node])))
            served.add(stop)
            prev_node, prev_leave = node, begin + int(b.service[node])
            index = solution.Value(routing.NextVar(index))
        end_time = solution.Min(dim.CumulVar(index))
        routes.append(RouteResult(t, k, visits, start_time, end_time, breaks))
    unserved = [i for i in range(len(b.model.stops)) if i not in served]
    return RoutingSolution(routes, unserved, int(solution.ObjectiveValue()))


def _parameters(model: RoutingModel, limit: float, params: SolveParams) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    search = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy
    # Path-cheapest-arc (AUTOMATIC) found no first plan for Solomon R101 in 10 s; insertion did in < 1 s.
    timed = model.pairs or any(s.windows for s in model.stops) or any(t.breaks for t in model.vehicle_types)
    search.first_solution_strategy = strategy.PARALLEL_CHEAPEST_INSERTION if timed else strategy.AUTOMATIC
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    search.time_limit.FromMilliseconds(max(100, int(limit * 1000)))
    return search


def solve(
    model: RoutingModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    """Build the OR-Tools model and search until the time limit; store the best solution on the model."""
    start = time.perf_counter()
    b = build(model)
    if progress is not None:

        def report() -> None:
            cost = b.routing.CostVar().Value() / model.objective_scale
            progress(Progress(time.perf_counter() - start, cost, None, None))

        b.routing.AddAtSolutionCallback(report)
    remaining = max(0.1, limit - (time.perf_counter() - start))
    solution = b.routing.SolveWithParameters(_parameters(model, remaining, params))
    seconds = time.perf_counter() - start
    raw = STATUS_NAMES.get(b.routing.status(), str(b.routing.status()))
    if solution is None:
        model.solution = None
        status = Status.INFEASIBLE if raw == "ROUTING_INFEASIBLE" else Status.NO_SOLUTION
        message = "OR-Tools found no plan that keeps every rule within the time limit"
        return finished(status, None, None, seconds, "ortools", version("ortools"), raw, message)
    model.solution = _read(b, solution)
    objective = model.solution.cost / model.objective_scale
    model.solver_note = f"OR-Tools guided local search for {seconds:.1f} s"
    return finished(
        Status.FEASIBLE,
        objective,
        None,
        seconds,
        "ortools",
        version("ortools"),
        raw,
        "local search: no lower bound is proven, so the gap is unknown",
    )
