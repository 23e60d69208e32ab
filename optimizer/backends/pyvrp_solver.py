"""PyVRP backend: hybrid genetic search for capacity, time windows, depots, mixed fleets and prizes.

PyVRP is a heuristic: it proves no lower bound, so the outcome is FEASIBLE with gap None. It
runs with params.seed for an iteration budget derived from the instance size and the run's time
limit (what a loaded 2-core machine manages), with the time limit (MaxRuntime) as a hard stop:
a run stopped by its budget is repeatable, one stopped by the clock may differ between runs,
and the Summary says which it was. Stops with several windows become a mutually exclusive client
group. Features it cannot express here (breaks, pickup-delivery pairs, skills) are refused.

A replan that pins frozen route prefixes or prices stops moved between vehicles is handed to
the OR-Tools backend: PyVRP cannot tie a stop to a vehicle or charge per-vehicle stop costs
(with --solver auto the routing kind chooses OR-Tools for such replans up front and says why).
A replan without those (no frozen stops, stability weight 0) starts PyVRP from the previous routes.
"""

from __future__ import annotations

import math
import time
import warnings
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
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status

INT_MAX = np.iinfo(np.int64).max
# Iterations per second ~ 2000 / sqrt(stops). Measured 2026-11-25 with the other core busy, PyVRP 0.14 did
# about 20,000 / sqrt(n) on plain CVRP (X-n101, X-n153, X-n303) but only 5,200 / sqrt(n) on the city example
# (time windows, two depots, mixed fleet). The slower machine of 2026-12-02 did about 2,800-3,400 / sqrt(n) on
# the city example (60 and 1,000 stops, load 1.2-2), so 3000 left the clock to stop runs. With 2000, the
# 1,000-stop city ends on its budget in 80 s of 120 (13,633; the clock-stopped 3000 run reached 13,530, 1500
# stopped at 72 s with 13,738); on a busier machine the clock still stops a run first and says so.
ITERATIONS_RATE = 2000.0
MIN_ITERATIONS = 100
UNBUDGETED = 2**62


def iteration_budget(model: RoutingModel, time_limit: float) -> int:
    """Iterations a run may take: repeatable, and on a loaded machine about what fits in the time limit."""
    per_second = ITERATIONS_RATE / math.sqrt(len(model.stops) + 1)
    return max(MIN_ITERATIONS, int(math.ceil(time_limit * per_second)))


def _limit(value: int | None) -> int:
    return INT_MAX if value is None or value >= UNLIMITED else int(value)


def problem_data(model: RoutingModel) -> tuple[Any, list[int]]:
    """The model as a pyvrp.ProblemData (one location per matrix row), and the stop of each client."""
    import pyvrp

    coords = model.coordinates
    n = model.distance.shape[0]
    locations = [
        pyvrp.Location(
            float(coords[i, 0]) if coords is not None else 0.0, float(coords[i, 1]) if coords is not None else 0.0
        )
        for i in range(n)
    ]
    depots = [pyvrp.Depot(d.location, name=d.name) for d in model.depots]
    clients, owner, groups = [], [], []
    for i, stop in enumerate(model.stops):
        windows = stop.windows or ((0, INT_MAX),)
        copies = []
        for early, late in windows:
            # a stop with several windows is one client per window in a mutually exclusive group
            copies.append(len(clients))
            owner.append(i)
            clients.append(
                pyvrp.Client(
                    stop.location,
                    delivery=list(stop.delivery),
                    pickup=list(stop.pickup),
                    service_duration=stop.service,
                    tw_early=early,
                    tw_late=_limit(late),
                    prize=stop.prize or 0,
                    required=stop.prize is None and len(windows) == 1,
                    group=len(groups) if len(windows) > 1 else None,
                    name=stop.name,
                )
            )
        if len(windows) > 1:
            groups.append(pyvrp.ClientGroup(copies, required=stop.prize is None, name=stop.name))
    types = [
        pyvrp.VehicleType(
            num_available=t.count,
            capacity=[_limit(c) for c in t.capacity],
            start_depot=t.start_depot,
            end_depot=t.end_depot,
            fixed_cost=t.fixed_cost,
            tw_early=t.shift_start,
            tw_late=_limit(t.shift_end),
            shift_duration=_limit(t.max_duration),
            max_distance=_limit(t.max_distance),
            unit_distance_cost=t.distance_cost,
            unit_duration_cost=t.duration_cost,
            name=t.name,
        )
        for t in model.vehicle_types
    ]
    dist = np.ascontiguousarray(model.distance, dtype=np.int64)
    dur = np.ascontiguousarray(model.duration, dtype=np.int64)
    return pyvrp.ProblemData(locations, clients, depots, types, [dist], [dur], groups), owner


def _params(model: RoutingModel) -> Any:
    """PyVRP's default penalty range, in the model's objective units (scale 1 keeps the defaults exactly)."""
    import pyvrp
    from pyvrp.PenaltyManager import PenaltyParams

    if model.objective_scale == 1:
        return pyvrp.SolveParams()
    base = PenaltyParams()
    scaled = PenaltyParams(
        min_penalty=base.min_penalty * model.objective_scale, max_penalty=base.max_penalty * model.objective_scale
    )
    return pyvrp.SolveParams(penalty=scaled)


def _read_solution(model: RoutingModel, solution: Any, owner: list[int]) -> RoutingSolution:
    """PyVRP routes to neutral routes; vehicles of a type are numbered in route order."""
    routes: list[RouteResult] = []
    used: dict[int, int] = {}
    served: set[int] = set()
    for route in solution.routes():
        t = route.vehicle_type()
        k = used.get(t, 0)
        used[t] = k + 1
        visits = []
        for act in route.schedule():
            if act.is_client():
                start = int(act.start_time)
                stop = owner[act.idx]
                visits.append(Visit(stop, start - int(act.wait_duration), start, int(act.end_time)))
                served.add(stop)
        routes.append(RouteResult(t, k, visits, int(route.start_time()), int(route.end_time())))
    unserved = [i for i in range(len(model.stops)) if i not in served]
    cost = int(solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost())
    cost += sum(model.stops[i].prize or 0 for i in unserved)
    return RoutingSolution(routes, unserved, cost)


def keep_vehicle_names(model: RoutingModel, solution: RoutingSolution) -> None:
    """In a replan, number identical vehicles so each route keeps the name of the previous route it overlaps most."""
    if model.replan is None or not model.replan.routes:
        return
    vehicles = model.vehicles()
    before = {vehicles[v]: set(stops) for v, stops in model.replan.routes.items()}
    for t in {r.vehicle_type for r in solution.routes}:
        routes = [r for r in solution.routes if r.vehicle_type == t]
        pairs = sorted(
            (
                (len({x.stop for x in r.visits} & before.get((t, k), set())), -n, k)
                for n, r in enumerate(routes)
                for k in range(model.vehicle_types[t].count)
            ),
            reverse=True,
        )
        taken_routes: set[int] = set()
        taken_numbers: set[int] = set()
        for _, minus_n, k in pairs:
            if -minus_n not in taken_routes and k not in taken_numbers:
                routes[-minus_n].vehicle = k
                taken_routes.add(-minus_n)
                taken_numbers.add(k)


def check_supported(model: RoutingModel) -> None:
    """UsageError naming the features PyVRP cannot model, so the planner can pick OR-Tools."""
    used = model.features()
    if used:
        raise UsageError(f"the PyVRP backend cannot model {', '.join(used.values())}; use --solver ortools (or auto)")


def initial_solution(model: RoutingModel, data: Any, owner: list[int]) -> Any:
    """The previous routes of a replan as a PyVRP solution (the start of the search), or None."""
    import pyvrp

    replan = model.replan
    if replan is None or not replan.routes:
        return None
    copies: dict[int, list[int]] = {}
    for client, stop in enumerate(owner):
        copies.setdefault(stop, []).append(client)
    vehicles = model.vehicles()
    routes = [
        pyvrp.Route(data, [copies[i][0] for i in stops], vehicles[v][0])
        for v, stops in sorted(replan.routes.items())
        if stops
    ]
    return pyvrp.Solution(data, routes)


def solve(
    model: RoutingModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    """Solve in a child process (a crash or hang of the native solver becomes status 'error'); see solve_here."""
    check_supported(model)
    return solve_isolated(model, "PyVRP", "pyvrp", solve_here, params, limit, progress, warm_start)


def solve_here(
    model: RoutingModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    """Run PyVRP with params.seed within its iteration budget and `limit` seconds; store the best solution."""
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    check_supported(model)
    if model.replan is not None and model.replan.constrained:
        from optimizer.backends import ortools_routing

        outcome = ortools_routing.solve(model, params, limit, progress, warm_start)
        model.solver_note = (
            "replan with frozen stops or a stability weight: PyVRP cannot pin stops to vehicles or price "
            f"moves, so OR-Tools solved it. {model.solver_note}"
        )
        return outcome
    start = time.perf_counter()
    data, owner = problem_data(model)
    remaining = max(0.1, limit - (time.perf_counter() - start))
    budget = iteration_budget(model, params.time_limit) if model.budgeted else UNBUDGETED
    initial, rounds, iterations = initial_solution(model, data, owner), 0, 0
    with warnings.catch_warnings(record=True) as caught:  # said in the outcome's message, not on stderr
        warnings.simplefilter("always")
        while True:  # budgets again from the best so far while no plan keeps every rule and time is left
            result = pyvrp.solve(
                data,
                stop=MultipleCriteria([MaxIterations(budget), MaxRuntime(remaining)]),
                seed=params.seed + rounds,
                collect_stats=False,
                display=False,
                params=_params(model),
                initial_solution=initial,
            )
            rounds, iterations, initial = rounds + 1, iterations + result.num_iterations, result.best
            remaining = limit - (time.perf_counter() - start)
            if result.best.is_feasible() or result.num_iterations < budget or remaining < 0.1:
                break
    struggled = any(w.category.__name__ == "PenaltyBoundWarning" for w in caught)
    seconds = time.perf_counter() - start
    best = result.best
    if not best.is_feasible():
        model.solution = None
        return finished(
            Status.NO_SOLUTION,
            None,
            None,
            seconds,
            "pyvrp",
            version("pyvrp"),
            "infeasible best",
            "PyVRP found no plan that keeps every rule within the time limit"
            + (
                "; its penalties reached their maximum, so the rules may be impossible to meet together"
                if struggled
                else ""
            ),
        )
    model.solution = _read_solution(model, best, owner)
    keep_vehicle_names(model, model.solution)
    objective = model.solution.cost / model.objective_scale
    if progress is not None:
        progress(Progress(seconds, objective, None, None))
    extra = f" ({rounds} budgets to find a feasible plan)" if rounds > 1 else ""
    stopped = (
        f"searched for the whole time limit ({iterations} iterations; Settings search = fastest, not repeatable)"
        if not model.budgeted
        else f"stopped by its budget of {budget} iterations{extra} (repeatable)"
        if result.num_iterations >= budget
        else f"stopped by the time limit after {iterations} iterations, budget {budget}{extra} (may differ between runs)"
    )
    begun = ", started from the previous routes" if model.replan is not None and model.replan.routes else ""
    model.solver_note = f"PyVRP ran for {seconds:.1f} s with seed {params.seed}, {stopped}{begun}"
    return finished(
        Status.FEASIBLE,
        objective,
        None,
        seconds,
        "pyvrp",
        version("pyvrp"),
        "feasible",
        "heuristic search: no lower bound is proven, so the gap is unknown",
    )
