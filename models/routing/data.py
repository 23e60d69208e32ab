"""Routing scenario: the input tables, their typed schemas and the immutable Scenario.

Sheets: Settings, Depots, Vehicles, Stops, optional Breaks, Matrix and Budget. Times are clock
times ('08:30') or minutes since midnight; durations are minutes; distances are in the
scenario's distance unit (km for latitude/longitude).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from models.routing.network import ROUNDINGS, Rounding, parse_clock, parse_windows
from optimizer.io.budget import budget_table
from optimizer.io.fields import BIG, Id, column, lower_text, quantity
from optimizer.io.schema import RowModel, Table, TableSpec, Validated, row_error

COST_CATEGORIES = ("vehicles", "distance", "time", "penalties")
DAY = 7 * 24 * 60  # times beyond a week are typing mistakes

Clock = Annotated[float, BeforeValidator(parse_clock), Field(ge=0, le=DAY)]


def clock(description: str, default: float | None) -> float | None:
    return Field(default, description=description, json_schema_extra={"unit": "time (HH:MM or minutes)"})


def _skills(text: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in text.replace(",", ";").split(";") if p.strip())


class Settings(BaseModel):
    """Scenario-wide settings, one per row of the Settings sheet (setting, value)."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    kind: Annotated[Literal["routing"], BeforeValidator(lower_text)] = column("the kind of plan this workbook is for")
    name: str = column("scenario name shown in the plan", default="routing")
    currency: str = column("currency of every cost", default="EUR")
    distances: Annotated[Literal["haversine", "euclidean", "matrix"], BeforeValidator(lower_text)] = column(
        "haversine: great-circle km from lat/lon; euclidean: planar from x/y; matrix: the Matrix sheet",
        default="haversine",
    )
    speed: float = quantity(
        "average speed, distance units per hour (times from distances)", "unit/h", 40.0, gt=0, ge=None
    )
    rounding: Annotated[Literal["exact", "nint", "dimacs"], BeforeValidator(lower_text)] = column(
        "exact: 1/1000 unit and seconds; nint: nearest integer (VRPLIB CVRP); dimacs: truncated to 0.1 (VRPTW)",
        default="exact",
    )
    distance_unit: str = column("unit of distances (km for haversine)", default="km")
    time_format: Annotated[Literal["clock", "minutes"], BeforeValidator(lower_text)] = column(
        "how the plan shows times: clock (HH:MM) or minutes", default="clock"
    )
    search: Annotated[Literal["repeatable", "fastest"], BeforeValidator(lower_text)] = column(
        "repeatable: stop on an effort budget from the size and time limit; fastest: search the whole time limit",
        default="repeatable",
    )
    stability_weight: float = Field(
        10.0,
        ge=0,
        le=1e6,
        description="replan only: cost of each stop moved to another vehicle, or dropped, against the previous plan",
        json_schema_extra={"unit": "money/stop"},
    )


class DepotRow(RowModel):
    depot: Id = column("depot id (a location id: unique over Depots and Stops)")
    x: float | None = quantity("planar x (euclidean distances)", "unit", None, ge=-BIG)
    y: float | None = quantity("planar y (euclidean distances)", "unit", None, ge=-BIG)
    lat: float | None = quantity("latitude (haversine)", "degrees", None, ge=-90, le=90)
    lon: float | None = quantity("longitude (haversine)", "degrees", None, ge=-180, le=180)


class VehicleRow(RowModel):
    vehicle: Id = column("vehicle id; with count > 1 the vehicles are named id-1, id-2, ...")
    count: int = Field(1, ge=1, le=10_000, description="how many such vehicles", json_schema_extra={"unit": ""})
    start_depot: Id = column("depot the vehicle starts from (Depots)")
    end_depot: Id | None = column("depot it ends at (Depots); blank = start_depot", default=None)
    capacity: float | None = quantity("load capacity (same unit as Stops.demand); blank = unlimited", default=None)
    volume_capacity: float | None = quantity("volume capacity; blank = unlimited", "m3", None)
    fixed_cost: float = quantity("cost of using the vehicle at all", "money", 0.0)
    cost_per_distance: float = quantity("cost per distance unit driven", "money/unit", 1.0)
    cost_per_hour: float = quantity("cost per hour from leaving to returning", "money/h", 0.0)
    shift_start: Clock = clock("earliest departure from the depot", 0.0)
    shift_end: Clock | None = clock("latest return to the depot; blank = none", None)
    max_duration: float | None = quantity("longest route, leaving to returning; blank = none", "minutes", None)
    max_distance: float | None = quantity("longest route distance; blank = none", "unit", None)
    skills: str = column("skills or equipment, separated by ';' (e.g. frozen; tail-lift)", default="")

    @model_validator(mode="after")
    def _shift(self) -> VehicleRow:
        if self.shift_end is not None and self.shift_end < self.shift_start:
            raise row_error("shift_end", f"shift_end {self.shift_end:g} is before shift_start {self.shift_start:g}")
        return self


class BreakRow(RowModel):
    vehicle: Id = column("vehicle id (Vehicles); the break applies to each vehicle of the row")
    earliest_start: Clock = clock("earliest start of the break", ...)
    latest_start: Clock = clock("latest start of the break", ...)
    duration: float = quantity("length of the break", "minutes", gt=0, ge=None)

    @model_validator(mode="after")
    def _window(self) -> BreakRow:
        if self.latest_start < self.earliest_start:
            raise row_error("latest_start", "latest_start is before earliest_start")
        return self


class StopRow(RowModel):
    stop: Id = column("stop id (a location id: unique over Depots and Stops)")
    x: float | None = quantity("planar x (euclidean distances)", "unit", None, ge=-BIG)
    y: float | None = quantity("planar y (euclidean distances)", "unit", None, ge=-BIG)
    lat: float | None = quantity("latitude (haversine)", "degrees", None, ge=-90, le=90)
    lon: float | None = quantity("longitude (haversine)", "degrees", None, ge=-180, le=180)
    demand: float = quantity("load delivered here (or collected, for a pickup of a pair)", default=0.0)
    volume: float = quantity("volume delivered here (or collected)", "m3", 0.0)
    service_time: float = quantity("time spent at the stop", "minutes", 0.0)
    window_start: Clock | None = clock("service may start from; blank = any time", None)
    window_end: Clock | None = clock("service must start by; blank = any time", None)
    more_windows: str = column("further windows, e.g. 13:00-15:00; 17:00-18:00", default="")
    skills: str = column("skills a vehicle needs to serve it, separated by ';'", default="")
    pickup_from: Id | None = column(
        "for a delivery of picked-up goods: the stop (Stops) where they are collected first, by the same vehicle",
        default=None,
    )
    penalty: float | None = quantity("cost of leaving the stop unserved; blank = it must be served", "money", None)

    @model_validator(mode="after")
    def _windows(self) -> StopRow:
        if self.window_start is not None and self.window_end is not None and self.window_end < self.window_start:
            raise row_error(
                "window_end", f"window_end {self.window_end:g} is before window_start {self.window_start:g}"
            )
        try:
            parse_windows(self.more_windows)
        except ValueError as exc:
            raise row_error("more_windows", str(exc)) from None
        if self.pickup_from is not None and self.pickup_from == self.stop:
            raise row_error("pickup_from", "a stop cannot be its own pickup")
        return self

    def windows(self) -> tuple[tuple[float, float], ...]:
        """Every window in minutes, first the window_start/end one; empty = any time."""
        out = []
        if self.window_start is not None or self.window_end is not None:
            out.append((self.window_start or 0.0, DAY if self.window_end is None else self.window_end))
        out += parse_windows(self.more_windows)
        return tuple(sorted(out))


class MatrixRow(RowModel):
    origin: Id = column("from location (a depot or stop id)")
    destination: Id = column("to location (a depot or stop id)")
    distance: float = quantity("distance from origin to destination", "unit")
    duration: float | None = quantity("travel time; blank = distance / speed", "minutes", None)


BUDGET = budget_table(
    COST_CATEGORIES,
    "period; blank = the whole plan",
    description="budget per cost category, compared in 'Budget impact'",
)
BudgetRow = BUDGET.row


TABLES = [
    TableSpec("Depots", DepotRow, "depots where vehicles start and end", key=("depot",)),
    TableSpec(
        "Vehicles",
        VehicleRow,
        "vehicles (or groups of identical vehicles) with capacities, costs and shifts",
        key=("vehicle",),
        references={"start_depot": ("Depots", "depot"), "end_depot": ("Depots", "depot")},
    ),
    TableSpec("Stops", StopRow, "stops to serve", key=("stop",), references={"pickup_from": ("Stops", "stop")}),
    TableSpec(
        "Breaks",
        BreakRow,
        "driver breaks",
        references={"vehicle": ("Vehicles", "vehicle")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "Matrix",
        MatrixRow,
        "distances and times between locations (distances = matrix)",
        key=("origin", "destination"),
        required=False,
        allow_empty=True,
    ),
    BUDGET,
]


@dataclass(frozen=True)
class Scenario:
    """A validated routing scenario; locations are the depots then the stops, in input order."""

    settings: Settings
    rounding: Rounding
    depots: tuple[DepotRow, ...]
    vehicles: tuple[VehicleRow, ...]
    stops: tuple[StopRow, ...]
    breaks: dict[str, tuple[BreakRow, ...]]  # vehicle id -> breaks
    pairs: tuple[tuple[int, int], ...]  # (pickup stop, delivery stop)
    distance: np.ndarray  # int64 ticks [location, location]
    duration: np.ndarray  # int64 ticks
    coordinates: np.ndarray  # [location, 2] (x, y) or (lon, lat); zeros for a matrix
    budget: tuple[BudgetRow, ...]
    stops_table: Table
    vehicles_table: Table

    @property
    def location_ids(self) -> list[str]:
        return [d.depot for d in self.depots] + [s.stop for s in self.stops]

    def stop_cell(self, i: int, column: str = "stop") -> str:
        return self.stops_table.location(i, column)

    def vehicle_cell(self, v: int, column: str = "vehicle") -> str:
        return self.vehicles_table.location(v, column)

    def vehicle_names(self, v: int) -> list[str]:
        row = self.vehicles[v]
        return [row.vehicle] if row.count == 1 else [f"{row.vehicle}-{k + 1}" for k in range(row.count)]


def build_scenario(validated: Validated) -> Scenario:
    """Index the tables, compute the matrices under the rounding policy; InputErrors for cross-sheet problems."""
    from models.routing.checks import check_scenario, matrices

    settings: Settings = validated.settings
    depots = tuple(validated.rows("Depots"))
    stops = tuple(validated.rows("Stops"))
    vehicles = tuple(validated.rows("Vehicles"))
    breaks: dict[str, list[BreakRow]] = {}
    for row in validated.rows("Breaks") if "Breaks" in validated.tables else []:
        breaks.setdefault(row.vehicle, []).append(row)
    pairs = check_scenario(validated, settings, depots, vehicles, stops)
    rounding = ROUNDINGS[settings.rounding]
    distance, duration, coordinates = matrices(validated, settings, rounding, depots, stops)
    return Scenario(
        settings=settings,
        rounding=rounding,
        depots=depots,
        vehicles=vehicles,
        stops=stops,
        breaks={k: tuple(v) for k, v in breaks.items()},
        pairs=pairs,
        distance=distance,
        duration=duration,
        coordinates=coordinates,
        budget=tuple(validated.rows("Budget")) if "Budget" in validated.tables else (),
        stops_table=validated.tables["Stops"],
        vehicles_table=validated.tables["Vehicles"],
    )


def stop_skills(row: StopRow) -> frozenset[str]:
    return _skills(row.skills)


def vehicle_skills(row: VehicleRow) -> frozenset[str]:
    return _skills(row.skills)
