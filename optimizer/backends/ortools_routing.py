"""OR-Tools routing backend: every feature of the routing model, including breaks, pairs and skills.

Nodes are the depots (0..D-1) then the stops (D..). Arc costs are per vehicle type, time costs are
span costs, loads are cumulated with a free start load so deliveries and paired pickups mix
exactly. Guided local search runs until a solution budget derived from the instance size and the
time limit (repeatable), with the time limit as a hard stop; no lower bound is proven (gap None).
A replan (RoutingModel.replan) pins frozen route prefixes, prices stops moved to another vehicle
and starts from the previous routes.
"""

from __future__ import annotations

import math
import time
from importlib.metadata import version
from typing import Any

import numpy as np

from optimizer.backends.outcome import Progress, ProgressCallback, SolverOutcome, finished
from optimizer.backends.routing_model import (
    UNLIMITED,
    RouteResult,
    RoutingModel,
    RoutingSolution,
    Visit,
    solve_isolated,
)
from optimizer.core.params import SolveParams
from optimizer.core.status import Status

# Solutions per second ~ 40 + 2500 / stops: a half to a fifth of what a loaded 2-core machine did (9-200 stops).
SOLUTIONS_BASE, SOLUTIONS_RATE = 40.0, 2500.0
MIN_SOLUTIONS = 100
# Break intervals slow each solution down a lot: 41 solutions/s on the 42-stop courier day, against ~140 without,
# on 2026-11-25. On the slower machine of 2026-12-02 a quarter of the rate used 91% of a 30 s limit on the courier
# (breaks and pairs, load 1.8), so runs with breaks get an eighth.
BREAKS_SLOWDOWN = 8.0

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
    """Arc cost = distance x the vehicle type's rate; fixed cost per used vehicle.

    In a replan, leaving a stop on another vehicle than before also pays the move cost (every
    served stop has one outgoing arc, so the cost is charged once per moved stop).
    """
    callbacks: dict[Any, int] = {}
    moved = _moved_rows(b)
    for v, (t, _) in enumerate(b.vehicles):
        vt = b.model.vehicle_types[t]
        key: Any = vt.distance_cost if moved is None else (vt.distance_cost, v)
        if key not in callbacks:
            matrix = b.dist * vt.distance_cost
            if moved is not None:
                matrix = matrix + ((moved >= 0) & (moved != v))[:, None] * b.model.replan.move_cost
            callbacks[key] = b.routing.RegisterTransitMatrix(matrix.tolist())
        b.routing.SetArcCostEvaluatorOfVehicle(callbacks[key], v)
        b.routing.SetFixedCostOfVehicle(vt.fixed_cost, v)


def _moved_rows(b: _Built) -> np.ndarray | None:
    """Per node, the vehicle it was on before (-2 for depots and stops without one); None outside replans."""
    replan = b.model.replan
    if replan is None or replan.move_cost <= 0 or not replan.previous:
        return None
    rows = np.full(len(b.locations), -2, dtype=np.int64)
    for stop, v in replan.previous.items():
        rows[b.n_depots + stop] = v
    return rows


def _pin(b: _Built) -> None:
    """Frozen prefixes: each vehicle starts with exactly its frozen stops, in their order."""
    replan = b.model.replan
    if replan is None:
        return
    routing = b.routing
    for v, stops in replan.prefixes.items():
        here = routing.Start(v)
        for stop in stops:
            index = b.index(stop)
            routing.NextVar(here).SetValue(index)
            routing.VehicleVar(index).SetValue(v)
            routing.ActiveVar(index).SetValue(1)
            here = index


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
            moved = b.model.replan is not None and i in b.model.replan.previous
            routing.AddDisjunction([index], int(s.prize) + (b.model.replan.move_cost if moved else 0))
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
    _pin(b)
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


def solution_budget(model: RoutingModel, time_limit: float) -> int:
    """How many solutions the search may visit: what a loaded 2-core machine manages in the time limit.

    Stopping on a count rather than the clock makes a run repeatable (the same input, seed and
    limit give the same plan); the time limit stays a hard stop for slower machines.
    """
    per_second = SOLUTIONS_BASE + SOLUTIONS_RATE / max(1, len(model.stops))
    if any(t.breaks for t in model.vehicle_types):
        per_second /= BREAKS_SLOWDOWN
    if model.pairs:
        per_second /= 1.5
    return max(MIN_SOLUTIONS, int(math.ceil(time_limit * per_second)))


def _parameters(model: RoutingModel, limit: float, params: SolveParams) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    search = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy
    # Path-cheapest-arc (AUTOMATIC) found no first plan for Solomon R101 in 10 s; insertion did in < 1 s.
    timed = model.pairs or any(s.windows for s in model.stops) or any(t.breaks for t in model.vehicle_types)
    search.first_solution_strategy = strategy.PARALLEL_CHEAPEST_INSERTION if timed else strategy.AUTOMATIC
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    if model.budgeted:
        search.solution_limit = solution_budget(model, params.time_limit)
    _set_clock(model, search, limit)
    return search


def _set_clock(model: RoutingModel, search: Any, seconds: float) -> None:
    """Stop the search after `seconds`; in a repeatable run that is its only clock.

    OR-Tools also caps each neighbour's completion (placing breaks, setting times) at `lns_time_limit`,
    100 ms by default: a machine that stalls that long rejects the neighbour, and the same seed then gives
    another plan (seen once in CI on the courier day). A repeatable run lifts that cap to its time limit.
    """
    milliseconds = max(100, int(seconds * 1000))
    search.time_limit.FromMilliseconds(milliseconds)
    if model.budgeted:
        search.lns_time_limit.FromMilliseconds(milliseconds)


def _start(b: _Built, search: Any) -> tuple[Any, str]:
    """The first solution of a replan and how it was made: the previous routes as they were, or else
    the previous routes kept as locked chains with the new stops added by the first-solution heuristic."""
    replan = b.model.replan
    if replan is None or not replan.routes:
        return None, ""
    b.routing.CloseModelWithParameters(search)
    routes = [[b.index(i) for i in replan.routes.get(v, [])] for v in range(len(b.vehicles))]
    initial = b.routing.ReadAssignmentFromRoutes(routes, True)
    if initial is not None:
        return initial, "started from the previous routes"
    first = type(search)()
    first.CopyFrom(search)
    first.solution_limit = 1
    if b.routing.ApplyLocksToAllVehicles(routes, False):
        initial = b.routing.SolveWithParameters(first)
    b.routing.ApplyLocksToAllVehicles([[] for _ in b.vehicles], False)  # the search itself is free
    if initial is not None:
        return initial, "started from the previous routes with the new stops added behind them"
    return None, "the previous routes no longer fit, so it built a fresh first plan"


def solve(
    model: RoutingModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    """Solve in a child process (a crash or hang of the native solver becomes status 'error'); see solve_here."""
    return solve_isolated(model, "OR-Tools routing", "ortools", solve_here, params, limit, progress, warm_start)


def solve_here(
    model: RoutingModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    """Build the OR-Tools model and search within the solution budget and the time limit; store the best plan."""
    start = time.perf_counter()
    b = build(model)
    found = [0]

    def report() -> None:
        found[0] += 1
        if progress is not None:
            cost = b.routing.CostVar().Value() / model.objective_scale
            progress(Progress(time.perf_counter() - start, cost, None, None))

    b.routing.AddAtSolutionCallback(report)
    remaining = max(0.1, limit - (time.perf_counter() - start))
    search = _parameters(model, remaining, params)
    initial, begun = _start(b, search)
    found[0] = 0
    remaining = max(0.1, limit - (time.perf_counter() - start))
    _set_clock(model, search, remaining)
    if initial is not None:
        solution = b.routing.SolveFromAssignmentWithParameters(initial, search)
    else:
        solution = b.routing.SolveWithParameters(search)
    seconds = time.perf_counter() - start
    raw = STATUS_NAMES.get(b.routing.status(), str(b.routing.status()))
    if solution is None:
        model.solution = None
        status = Status.INFEASIBLE if raw == "ROUTING_INFEASIBLE" else Status.NO_SOLUTION
        message = "OR-Tools found no plan that keeps every rule within the time limit"
        return finished(status, None, None, seconds, "ortools", version("ortools"), raw, message)
    model.solution = _read(b, solution)
    objective = model.solution.cost / model.objective_scale
    budget = search.solution_limit
    stopped = (
        "searched for the whole time limit (Settings search = fastest, not repeatable)"
        if not model.budgeted
        else f"stopped by its budget of {budget} solutions (repeatable)"
        if found[0] >= budget
        else f"stopped by the time limit before its budget of {budget} solutions (may differ between runs)"
        if seconds >= remaining * 0.95
        else "stopped at a local optimum"
    )
    model.solver_note = f"OR-Tools guided local search for {seconds:.1f} s, {stopped}" + (f"; {begun}" if begun else "")
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
