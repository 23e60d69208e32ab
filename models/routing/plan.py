"""Routing plan: a solved RoutingModel to the Stops, Routes and Unserved sheets, costs and a route chart.

Times come from the solver's schedule (start of service at each stop); loads, distances and
costs are recomputed here from the scenario's matrices and rates, so the sheets say in
planner units what the solver's integers mean.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.routing.data import Scenario, stop_skills, vehicle_skills
from models.routing.explain import idle_vehicle_rows
from models.routing.network import clock_text
from optimizer.backends.routing_model import RouteResult, RoutingModel
from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Chart, ChartSeries, Plan

STOP_COLUMNS = [
    "vehicle",
    "route",
    "seq",
    "location",
    "arrival",
    "departure",
    "load",
    "activity",
    "wait",
    "volume",
    "x",
    "y",
]
ROUTE_COLUMNS = [
    "vehicle",
    "route",
    "start_depot",
    "end_depot",
    "stops",
    "start",
    "end",
    "distance",
    "duration",
    "load",
    "volume",
    "fixed_cost",
    "distance_cost",
    "time_cost",
    "cost",
]
UNSERVED_COLUMNS = ["stop", "penalty", "reason"]
PERIOD = "plan"
CHART_COLOURS = [
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
]
MAX_CHART_ROUTES = 60


class _Clock:
    """Ticks to the planner's time: 'HH:MM' text or minutes."""

    def __init__(self, s: Scenario) -> None:
        self.per_minute = s.rounding.time_ticks
        self.as_clock = s.settings.time_format == "clock"

    def __call__(self, ticks: float) -> Any:
        minutes = ticks / self.per_minute
        return clock_text(minutes) if self.as_clock else round(minutes, 6)


def route_distance(s: Scenario, route: RouteResult, start: int, end: int) -> int:
    """Distance ticks of a route from its start depot location through its stops to its end depot."""
    path = [start] + [len(s.depots) + v.stop for v in route.visits] + [end]
    return int(sum(s.distance[a, b] for a, b in zip(path, path[1:], strict=False)))


def _route_rows(s: Scenario, m: RoutingModel, n: int, route: RouteResult, clock: _Clock) -> tuple[list, dict]:
    vt = m.vehicle_types[route.vehicle_type]
    row = s.vehicles[route.vehicle_type]
    name = s.vehicle_names(route.vehicle_type)[route.vehicle]
    pair_deliveries = {d for _, d in s.pairs}
    dims = m.dimensions
    load = [
        sum(m.stops[v.stop].delivery[k] for v in route.visits if v.stop not in pair_deliveries) for k in range(dims)
    ]
    coords = s.coordinates
    ids = s.location_ids
    units = m.load_scales

    def line(seq: int, loc: int, arrival: Any, departure: Any, activity: str, wait: float) -> dict:
        return {
            "vehicle": name,
            "route": n,
            "seq": seq,
            "location": ids[loc],
            "arrival": arrival,
            "departure": departure,
            "load": load[0] / units[0],
            "activity": activity,
            "wait": wait,
            "volume": load[1] / units[1] if dims > 1 else 0,
            "x": float(coords[loc, 0]),
            "y": float(coords[loc, 1]),
        }

    lines = [line(0, vt.start_depot, None, clock(route.start_time), "start", 0)]
    for seq, v in enumerate(route.visits, start=1):
        stop = m.stops[v.stop]
        for k in range(dims):
            load[k] += stop.pickup[k] - stop.delivery[k]
        wait = round((v.start - v.arrival) / clock.per_minute, 6)
        lines.append(line(seq, len(s.depots) + v.stop, clock(v.arrival), clock(v.departure), "stop", wait))
    lines.append(line(len(route.visits) + 1, vt.end_depot, clock(route.end_time), None, "end", 0))
    for b_start, b_len in route.breaks:
        lines.append(
            {
                **line(0, vt.start_depot, clock(b_start), clock(b_start + b_len), "break", 0),
                "seq": None,
                "location": "break",
            }
        )
    r = s.rounding
    dist = route_distance(s, route, vt.start_depot, vt.end_depot) / r.distance_ticks
    hours = (route.end_time - route.start_time) / r.time_ticks / 60.0
    costs = {"vehicles": row.fixed_cost, "distance": dist * row.cost_per_distance, "time": hours * row.cost_per_hour}
    total_load = [
        sum(max(m.stops[v.stop].delivery[k], m.stops[v.stop].pickup[k]) for v in route.visits) for k in range(dims)
    ]
    summary = {
        "vehicle": name,
        "route": n,
        "start_depot": s.depots[vt.start_depot].depot,
        "end_depot": s.depots[vt.end_depot].depot,
        "stops": len(route.visits),
        "start": clock(route.start_time),
        "end": clock(route.end_time),
        "distance": round(dist, 6),
        "duration": round(hours * 60.0, 4),
        "load": total_load[0] / units[0],
        "volume": total_load[1] / units[1] if dims > 1 else 0,
        "fixed_cost": costs["vehicles"],
        "distance_cost": costs["distance"],
        "time_cost": costs["time"],
        "cost": sum(costs.values()),
    }
    return lines, summary


def _reason(s: Scenario, m: RoutingModel, i: int) -> str:
    """Why a stop is unserved, when the input shows it; else the trade-off the solver made."""
    row = s.stops[i]
    need = stop_skills(row)
    fleet = [v for v in s.vehicles if need <= vehicle_skills(v)]
    if not fleet:
        return f"no vehicle has the skills {', '.join(sorted(need))}"
    for column, cap in (("demand", "capacity"), ("volume", "volume_capacity")):
        amount = getattr(row, column)
        if amount and all(getattr(v, cap) is not None and getattr(v, cap) < amount for v in fleet):
            return f"its {column} {amount:g} is more than any suitable vehicle carries"
    return f"serving it would cost more than its penalty {row.penalty:g}, or no route could fit it in time"


def extract(s: Scenario, m: RoutingModel) -> Plan:
    """The plan sheets, costs by category, KPIs and a route chart of a solved model."""
    assert m.solution is not None
    clock = _Clock(s)
    stop_rows: list[dict] = []
    route_rows: list[dict] = []
    order = sorted(m.solution.routes, key=lambda r: (r.vehicle_type, r.vehicle))
    for n, route in enumerate(order, start=1):
        lines, summary = _route_rows(s, m, n, route, clock)
        stop_rows += lines
        route_rows.append(summary)
    stops = pd.DataFrame(stop_rows, columns=STOP_COLUMNS)
    routes = pd.DataFrame(route_rows, columns=ROUTE_COLUMNS)
    unserved = pd.DataFrame(
        [
            {"stop": s.stops[i].stop, "penalty": s.stops[i].penalty, "reason": _reason(s, m, i)}
            for i in m.solution.unserved
        ],
        columns=UNSERVED_COLUMNS,
    )
    penalties = float(sum(s.stops[i].penalty or 0.0 for i in m.solution.unserved))
    amounts = {
        "vehicles": float(routes["fixed_cost"].sum()),
        "distance": float(routes["distance_cost"].sum()),
        "time": float(routes["time_cost"].sum()),
        "penalties": penalties,
    }
    costs = pd.DataFrame(
        [{"category": c, "period": PERIOD, "amount": a} for c, a in amounts.items()], columns=COST_COLUMNS
    )
    diagnostics = pd.DataFrame(
        [
            {
                "severity": "warning",
                "location": s.stop_cell(i),
                "message": f"stop {s.stops[i].stop} is unserved: {_reason(s, m, i)}",
            }
            for i in m.solution.unserved
        ]
        + idle_vehicle_rows(s, m),
        columns=DIAGNOSTIC_COLUMNS,
    )
    kpis: dict[str, float | int | str] = {
        "vehicles": len(route_rows),
        "stops_served": len(s.stops) - len(m.solution.unserved),
        "stops_unserved": len(m.solution.unserved),
        "distance": round(float(routes["distance"].sum()), 6),
        "duration_minutes": round(float(routes["duration"].sum()), 4),
        "rounding": f"{s.rounding.name}: {s.rounding.description}",
        "distance_source": s.settings.distances,
    }
    if m.solver_note:
        kpis["search"] = m.solver_note
    sheets = {
        "Stops": stops.drop(columns=[] if m.dimensions > 1 else ["volume"]),
        "Routes": routes,
        "Unserved": unserved,
    }
    if m.dimensions == 1:
        sheets["Routes"] = routes.drop(columns=["volume"])
    return Plan(sheets=sheets, costs=costs, kpis=kpis, diagnostics=diagnostics, charts=_chart(stops))


def _chart(stops: pd.DataFrame) -> list[Chart]:
    """One x/y series per route (depot, stops, depot), drawn from the Stops sheet."""
    series = []
    for k, (route, group) in enumerate(stops[stops["activity"] != "break"].groupby("route", sort=False)):
        if k >= MAX_CHART_ROUTES:
            break
        rows = (int(group.index.min()), int(group.index.max()))
        name = f"{group['vehicle'].iloc[0]} (route {route})"
        series.append(
            ChartSeries(name, values="y", categories="x", rows=rows, colour=CHART_COLOURS[k % len(CHART_COLOURS)])
        )
    if not series:
        return []
    return [
        Chart("Route map", "Stops", "route", series, title="Routes", x_title="x / longitude", y_title="y / latitude")
    ]
