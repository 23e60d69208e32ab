"""Replanning routes against the previous plan: routes under way stay, stops moved between vehicles cost.

Decisions are which vehicle serves each stop and in which position. With `--freeze N` the first
N stops of each vehicle's previous route are kept exactly (same vehicle, same order, first on the
route): those vehicles are already out. Every other stop may change, but serving a previously
planned stop on another vehicle, or dropping it to Unserved, costs the scenario's
`stability_weight` (customers were told, the van was loaded); a new order of the same vehicle
is free. Stops of a vehicle that no longer exists move without that cost.

Why OR-Tools carries the constrained replans: a frozen prefix is a hard "this stop, on this
vehicle, at this position" and the stability weight is a per-vehicle cost of serving a stop.
OR-Tools routing expresses both exactly (pinned next/vehicle variables and per-vehicle arc
costs) and starts from the previous routes. PyVRP ties no stop to a vehicle; modelling frozen
prefixes as vehicles starting at their last frozen stop would fit PyVRP, but it still could not
price moves, so the PyVRP backend hands such replans to OR-Tools and says so in the Summary.
Without frozen stops and with weight 0, a replan is PyVRP warm-started from the previous routes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.routing.data import Scenario
from models.routing.vrp import money_scale
from optimizer.backends.routing_model import Replan, RoutingModel
from optimizer.core.errors import InputError, InputErrors
from optimizer.core.plan import Plan
from optimizer.io.tables import RawTable

CHANGE_COLUMNS = ["what", "stop", "old_vehicle", "new_vehicle", "old_seq", "new_seq", "cost_effect", "frozen"]
UNSERVED = "Unserved"


@dataclass
class PreviousRoutes:
    """The previous plan's routes as the new scenario's indices, with rows that no longer fit as diagnostics."""

    routes: dict[str, list[int]]  # vehicle name -> stops in visiting order (stops still in the scenario)
    vehicle_index: dict[str, int | None]  # vehicle name -> vehicle number now (None: it is gone)
    seqs: dict[int, int]  # stop -> its seq in the previous plan
    cells: dict[int, str] = field(default_factory=dict)  # stop -> its cell in the previous plan
    pinned: set[int] = field(default_factory=set)  # stops kept in place (set by apply)
    unserved: set[int] = field(default_factory=set)
    removed: list[tuple[str, str, int]] = field(default_factory=list)  # (stop id, vehicle, seq) no longer in Stops
    diagnostics: list[dict[str, str]] = field(default_factory=list)

    def frozen(self, freeze: int) -> dict[str, list[int]]:
        """The first `freeze` stops of each surviving vehicle's previous route."""
        return {name: stops[:freeze] for name, stops in self.routes.items() if self.vehicle_index.get(name) is not None}

    def vehicle_of(self, stop: int) -> str | None:
        return next((name for name, stops in self.routes.items() if stop in stops), None)


def _sheet(sheets: dict[str, RawTable], name: str, required: tuple[str, ...]) -> RawTable | None:
    found = next((t for n, t in sheets.items() if n.lower() == name.lower()), None)
    if found is None or not found.header:
        return None
    missing = [c for c in required if c not in found.columns]
    if missing:
        raise InputErrors([InputError(found.header_cell(), f"previous plan: missing column(s) {', '.join(missing)}")])
    return found


def fleet_names(s: Scenario) -> list[str]:
    """Vehicle names in the backends' vehicle order (types in input order, then their number)."""
    return [name for t in range(len(s.vehicles)) for name in s.vehicle_names(t)]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def read_previous(s: Scenario, sheets: dict[str, RawTable]) -> PreviousRoutes:
    """The previous plan's Stops (and Unserved) sheets as routes over the new scenario's stops and vehicles."""
    table = _sheet(sheets, "Stops", ("vehicle", "seq", "location", "activity"))
    if table is None:
        raise InputErrors([InputError("Stops", "the previous plan has no Stops sheet; is it a routing plan?")])
    stop_index = {row.stop: i for i, row in enumerate(s.stops)}
    vehicles = {name: v for v, name in enumerate(fleet_names(s))}
    previous = PreviousRoutes({}, {}, {})

    def note(index: int, column: str, message: str, where: RawTable = table) -> None:
        location = f"previous plan {where.cell(index, column)}"
        previous.diagnostics.append({"severity": "warning", "location": location, "message": message})

    visits: list[tuple[str, float, int, int]] = []  # (vehicle, seq, stop, row)
    for index, record in enumerate(table.records()):
        if _text(record.get("activity")).lower() != "stop":
            continue
        name, stop, seq = _text(record.get("vehicle")), _text(record.get("location")), record.get("seq")
        if name not in previous.vehicle_index:
            previous.vehicle_index[name] = vehicles.get(name)
            previous.routes[name] = []
            if name not in vehicles:
                note(index, "vehicle", f"vehicle '{name}' is no longer in Vehicles; its stops are planned afresh")
        if not isinstance(seq, (int, float)) or isinstance(seq, bool) or not math.isfinite(seq):
            note(index, "seq", f"seq {seq!r} is not a number; the visit of '{stop}' is ignored")
            continue
        if stop not in stop_index:
            note(index, "location", f"stop '{stop}' is no longer in Stops")
            previous.removed.append((stop, name, int(seq)))
            continue
        if stop_index[stop] in previous.seqs:
            note(index, "location", f"stop '{stop}' is visited twice in the previous plan; the second visit is ignored")
            continue
        previous.seqs[stop_index[stop]] = int(seq)
        previous.cells[stop_index[stop]] = f"previous plan {table.cell(index, 'location')}"
        visits.append((name, float(seq), stop_index[stop], index))
    for name, _, stop, _ in sorted(visits, key=lambda v: (v[0], v[1])):
        previous.routes[name].append(stop)
    unserved = _sheet(sheets, UNSERVED, ("stop",))
    for index, record in enumerate(unserved.records() if unserved is not None else []):
        stop = _text(record.get("stop"))
        if stop in stop_index and stop_index[stop] not in previous.seqs:
            previous.unserved.add(stop_index[stop])
        elif stop not in stop_index and stop:
            note(index, "stop", f"stop '{stop}' is no longer in Stops", unserved)
    return previous


def apply(s: Scenario, model: RoutingModel, previous: PreviousRoutes, freeze: int) -> bool:
    """Pin the first `freeze` stops of each route, price moved stops, start from the previous routes."""
    index = previous.vehicle_index
    routes = {index[n]: stops for n, stops in previous.routes.items() if index[n] is not None}
    prefixes = {}
    for name, stops in previous.frozen(freeze).items():
        kept = _still_possible(s, model, previous, name, stops)
        if kept:
            prefixes[index[name]] = kept
    previous.pinned = {stop for stops in prefixes.values() for stop in stops}
    on = {stop: v for v, stops in routes.items() for stop in stops}
    move_cost = int(round(s.settings.stability_weight * money_scale(s)))
    model.replan = Replan(prefixes=prefixes, previous=on, move_cost=move_cost, routes=routes)
    return any(routes.values())


def _still_possible(s: Scenario, model: RoutingModel, previous: PreviousRoutes, name: str, stops: list[int]) -> list:
    """The frozen stops a vehicle can still serve under the new data (skills, capacity); the rest is freed."""
    t, _ = model.vehicles()[previous.vehicle_index[name]]
    vt = model.vehicle_types[t]
    load = [0] * model.dimensions  # what leaves the depot for these stops: a bound any route must keep
    paired = {d for _, d in model.pairs}
    for n, i in enumerate(stops):
        stop = model.stops[i]
        if i not in paired:
            load = [a + d for a, d in zip(load, stop.delivery, strict=True)]
        problem = (
            f"needs {', '.join(sorted(stop.skills - vt.skills))}, which {name} lacks"
            if not stop.skills <= vt.skills
            else f"no longer fits in {name} with the stops before it"
            if any(a > c for a, c in zip(load, vt.capacity, strict=True))
            else ""
        )
        if problem:
            message = f"frozen stop '{stop.name}' {problem}; it and the rest of the route are planned afresh"
            previous.diagnostics.append({"severity": "warning", "location": previous.cells[i], "message": message})
            return stops[:n]
    return stops


def _new_plan(plan: Plan) -> dict[str, tuple[str, int | None]]:
    """Stop id -> (vehicle, seq) in the new plan, or (Unserved, None)."""
    stops = plan.sheets["Stops"]
    out: dict[str, tuple[str, int | None]] = {
        str(r.location): (str(r.vehicle), int(r.seq)) for r in stops[stops["activity"] == "stop"].itertuples()
    }
    out.update({str(x): (UNSERVED, None) for x in plan.sheets["Unserved"]["stop"]})
    return out


def _what(old: str, new: str, gone: bool) -> str:
    if new == UNSERVED:
        return "dropped to Unserved"
    if old == UNSERVED:
        return "now served"
    if old != new:
        return "vehicle no longer exists" if gone else "moved to another vehicle"
    return "order on the route changed"


def changes(s: Scenario, previous: PreviousRoutes, plan: Plan, freeze: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every stop whose vehicle or order on its route changed, with the cost effect where known, and churn KPIs.

    A stop keeps its place when its order among the stops that stay on its vehicle is the same,
    even if new or removed stops shift its seq number.
    """
    weight = s.settings.stability_weight
    new = _new_plan(plan)
    frozen = previous.pinned
    reordered = _reordered(s, previous, new)
    rows: list[dict[str, Any]] = []
    decisions = {True: 0, False: 0}
    changed = {True: 0, False: 0}
    moved = 0
    for i, row in enumerate(s.stops):
        new_vehicle, new_seq = new.get(row.stop, (UNSERVED, None))
        old_vehicle = previous.vehicle_of(i) or (UNSERVED if i in previous.unserved else None)
        if old_vehicle is None:
            if new_vehicle != UNSERVED:
                rows.append(_row("new stop", row.stop, None, new_vehicle, None, new_seq, None, False))
            continue
        old_seq = previous.seqs.get(i)
        inside = i in frozen
        decisions[inside] += 1
        if old_vehicle == new_vehicle and (old_vehicle == UNSERVED or i not in reordered):
            continue
        changed[inside] += 1
        gone = old_vehicle != UNSERVED and previous.vehicle_index.get(old_vehicle) is None
        priced = old_vehicle not in (UNSERVED, new_vehicle) and not gone
        moved += priced
        effect: float | None = weight if priced else None
        if new_vehicle == UNSERVED:
            effect = (row.penalty or 0.0) + (weight if priced else 0.0)
        elif old_vehicle == UNSERVED:
            effect = -(row.penalty or 0.0)
        what = _what(old_vehicle, new_vehicle, gone)
        rows.append(_row(what, row.stop, old_vehicle, new_vehicle, old_seq, new_seq, effect, inside))
    for stop, vehicle, seq in previous.removed:
        rows.append(_row("no longer in Stops", stop, vehicle, None, seq, None, None, False))
    kpis = {
        "stability_penalty": weight * moved,
        "stops_moved_or_dropped": moved,
        "stops_changed_in_frozen_part": changed[True],
        "stops_changed_after_frozen_part": changed[False],
        "share_changed_in_frozen_part": changed[True] / decisions[True] if decisions[True] else 0.0,
        "share_changed_after_frozen_part": changed[False] / decisions[False] if decisions[False] else 0.0,
    }
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), kpis


def _reordered(s: Scenario, previous: PreviousRoutes, new: dict[str, tuple[str, int | None]]) -> set[int]:
    """Stops whose order among the stops kept on their vehicle changed (new or removed stops around them do not count)."""
    index = {row.stop: i for i, row in enumerate(s.stops)}
    now: dict[str, list[int]] = {}
    for stop, (vehicle, _) in sorted(new.items(), key=lambda kv: (kv[1][0], kv[1][1] or 0)):
        if vehicle != UNSERVED and stop in index:
            now.setdefault(vehicle, []).append(index[stop])
    out: set[int] = set()
    for vehicle, before in previous.routes.items():
        after = now.get(vehicle, [])
        common = set(before) & set(after)
        kept_before = [i for i in before if i in common]
        kept_after = [i for i in after if i in common]
        out |= {a for a, b in zip(kept_before, kept_after, strict=True) if a != b}
    return out


def _row(what: str, stop: str, old_v: Any, new_v: Any, old_seq: Any, new_seq: Any, effect: Any, frozen: bool) -> dict:
    return {
        "what": what,
        "stop": stop,
        "old_vehicle": old_v,
        "new_vehicle": new_v,
        "old_seq": old_seq,
        "new_seq": new_seq,
        "cost_effect": effect,
        "frozen": frozen,
    }
