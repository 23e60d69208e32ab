"""Benchmark readers: VRPLIB (CVRP, CVRPTW) and Solomon's text format, into routing's own tables.

Each reader keeps the benchmark's objective convention through the Settings it writes:
CVRP uses nint-rounded Euclidean arcs (`rounding = nint`); CVRPTW and Solomon use the DIMACS
convention, each arc truncated to one decimal (`rounding = dimacs`), with travel time equal to
distance (speed 60 per hour = 1 per minute). Routes are free up to VEHICLES (all stops when the
file sets no limit). Location ids are the file's node ids.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.tables import RawTable
from optimizer.io.text_tables import finite_number, numbered_lines, numbers, settings_table, text_table
from optimizer.kinds import BenchmarkFormat

SECTIONS = ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION", "SERVICE_TIME_SECTION", "DEPOT_SECTION")
# The Vehicles columns both benchmark formats fill (each adds its shift columns): one vehicle type, unit distance cost
VEHICLE_COLUMNS = ("vehicle", "count", "start_depot", "capacity", "fixed_cost", "cost_per_distance", "cost_per_hour")


def _settings(label: str, name: str, rounding: str) -> RawTable:
    return settings_table(
        label,
        {
            "kind": "routing",
            "name": name,
            "distances": "euclidean",
            "rounding": rounding,
            "speed": 60,
            "distance_unit": "unit",
            "time_format": "minutes",
            "search": "fastest",  # benchmarks compare the best plan within a time, not a repeatable one
        },
    )


def _number(text: str) -> Any:
    value = float(text)
    return int(value) if value.is_integer() else value


def _vrplib_parts(path: Path) -> tuple[dict[str, tuple[int, str]], dict[str, list[tuple[int, list[float]]]]]:
    """Header specs (KEY -> (line, value)) and section rows (SECTION -> [(line, numbers)])."""
    specs: dict[str, tuple[int, str]] = {}
    sections: dict[str, list[tuple[int, list[float]]]] = {}
    current: str | None = None
    label = path.name
    for line, text in numbered_lines(path):
        stripped = text.strip()
        key = stripped.split()[0].rstrip(":").upper() if stripped.split() else ""
        if key == "EOF":
            break
        if key in SECTIONS or key.endswith("_SECTION"):
            current = key
            sections[current] = []
            continue
        if current is None or (":" in stripped and not re.match(r"^-?\d", stripped)):
            if ":" not in stripped:
                raise InputErrors(
                    [InputError(f"{label} line {line}", f"expected 'KEY : value', got {stripped[:40]!r}")]
                )
            k, v = stripped.split(":", 1)
            specs[k.strip().upper()] = (line, v.strip().strip('"'))
            current = None
            continue
        values = numbers(label, line, stripped)
        if current == "DEPOT_SECTION" and values and values[0] == -1:
            current = None
            continue
        sections[current].append((line, values))
    return specs, sections


def _column(
    label: str, rows: list[tuple[int, list[float]]], width: int, what: str
) -> dict[int, tuple[int, list[float]]]:
    """A section's rows by node id (line, the numbers after the id); a row of the wrong width, or a node given twice
    (the second row would silently replace the first), is an error at its line."""
    out: dict[int, tuple[int, list[float]]] = {}
    errors = []
    for line, values in rows:
        if len(values) != width:
            errors.append(InputError(f"{label} line {line}", f"{what}: expected {width} numbers, got {len(values)}"))
            continue
        if not values[0].is_integer():
            errors.append(
                InputError(f"{label} line {line}", f"{what}: node id must be a whole number, got {values[0]:g}")
            )
            continue
        node = int(values[0])
        if node in out:
            errors.append(
                InputError(f"{label} line {line}", f"{what}: node {node} is given twice (first at line {out[node][0]})")
            )
            continue
        out[node] = (line, values[1:])
    if errors:
        raise InputErrors(errors)
    return out


def _whole(label: str, spec: tuple[int, str], what: str) -> int:
    """A header value (line, text) that must be a whole number >= 1 (DIMENSION, VEHICLES)."""
    line, text = spec
    value = finite_number(text)
    if value is None or not value.is_integer() or value < 1:
        raise InputErrors([InputError(f"{label} line {line}", f"{what} must be a whole number >= 1, got {text!r}")])
    return int(value)


def _check_dimension(label: str, specs: dict[str, tuple[int, str]], coords: dict[int, Any]) -> None:
    """DIMENSION, when given, is the number of nodes: a node line lost or added is an error, not another instance."""
    if "DIMENSION" not in specs:
        return
    dimension = _whole(label, specs["DIMENSION"], "DIMENSION")
    if dimension != len(coords):
        raise InputErrors(
            [
                InputError(
                    f"{label} line {specs['DIMENSION'][0]}",
                    f"DIMENSION is {dimension} but NODE_COORD_SECTION has {len(coords)} nodes",
                )
            ]
        )


def read_vrplib(path: Path) -> dict[str, RawTable]:
    """A VRPLIB CVRP or CVRPTW instance (EUC_2D) as routing tables."""
    label = path.name
    specs, sections = _vrplib_parts(path)
    errors: list[InputError] = []
    kind = specs.get("TYPE", (0, "CVRP"))[1].upper()
    weight = specs.get("EDGE_WEIGHT_TYPE", (0, "EUC_2D"))
    if weight[1].upper() != "EUC_2D":
        errors.append(
            InputError(f"{label} line {weight[0]}", f"EDGE_WEIGHT_TYPE {weight[1]} is not supported; use EUC_2D")
        )
    for needed in ("CAPACITY",):
        if needed not in specs:
            errors.append(InputError(label, f"no {needed} line"))
    for section in ("NODE_COORD_SECTION", "DEMAND_SECTION"):
        if section not in sections:
            errors.append(InputError(label, f"no {section}"))
    if errors:
        raise InputErrors(errors)
    coords = _column(label, sections["NODE_COORD_SECTION"], 3, "node coordinates")
    _check_dimension(label, specs, coords)
    demand = _column(label, sections["DEMAND_SECTION"], 2, "demand")
    windows = _column(label, sections.get("TIME_WINDOW_SECTION", []), 3, "time window")
    service = _column(label, sections.get("SERVICE_TIME_SECTION", []), 2, "service time")
    depots = list(_column(label, sections.get("DEPOT_SECTION", []), 1, "depot")) or [min(coords)]
    default_service = specs.get("SERVICE_TIME", (0, "0"))[1]
    tw = kind == "CVRPTW" or bool(windows)
    for node, (line, _) in demand.items():
        if node not in coords:
            errors.append(InputError(f"{label} line {line}", f"node {node} has no coordinates"))
    for node in depots:
        if node not in coords:
            errors.append(InputError(f"{label} DEPOT_SECTION", f"depot {node} has no coordinates"))
    if errors:
        raise InputErrors(errors)
    depot_rows, depot_lines = [], []
    stop_rows, stop_lines = [], []
    for node, (line, (x, y)) in coords.items():
        if node in depots:
            depot_rows.append([str(node), _number(str(x)), _number(str(y))])
            depot_lines.append(line)
            continue
        row = [str(node), _number(str(x)), _number(str(y)), demand.get(node, (0, [0]))[1][0]]
        row.append(service[node][1][0] if node in service else _number(default_service))
        if tw:
            early, late = windows.get(node, (0, [None, None]))[1]
            row += [early, late]
        stop_rows.append(row)
        stop_lines.append(line)
    first = depots[0]
    count = _whole(label, specs["VEHICLES"], "VEHICLES") if "VEHICLES" in specs else max(1, len(stop_rows))
    shift_end = windows[first][1][1] if tw and first in windows else None
    vehicle = ["vehicle", count, str(first), specs["CAPACITY"][1], 0, 1, 0, shift_end]
    stop_header = ["stop", "x", "y", "demand", "service_time"] + (["window_start", "window_end"] if tw else [])
    name = specs.get("NAME", (0, path.stem))[1]
    return {
        "Settings": _settings(label, name, "dimacs" if tw else "nint"),
        "Depots": text_table("Depots", label, ["depot", "x", "y"], depot_rows, depot_lines),
        "Vehicles": text_table(
            "Vehicles",
            label,
            [*VEHICLE_COLUMNS, "shift_end"],
            [vehicle],
            [specs["CAPACITY"][0]],
        ),
        "Stops": text_table("Stops", label, stop_header, stop_rows, stop_lines),
    }


def read_solomon(path: Path) -> dict[str, RawTable]:
    """Solomon's text format (name, VEHICLE block, CUSTOMER table; customer 0 is the depot) as routing tables."""
    label = path.name
    lines = numbered_lines(path)
    name = lines[0][1].strip() if lines else path.stem
    upper = [t.strip().upper() for _, t in lines]
    if "VEHICLE" not in upper or "CUSTOMER" not in upper:
        raise InputErrors([InputError(label, "expected a VEHICLE block and a CUSTOMER table (Solomon format)")])
    v = upper.index("VEHICLE")
    c = upper.index("CUSTOMER")
    fleet_line, fleet_text = lines[v + 2] if v + 2 < len(lines) else (0, "")
    count, capacity = numbers(label, fleet_line, fleet_text, 2)
    rows = [(line, numbers(label, line, text, 7)) for line, text in lines[c + 2 :]]
    if not rows:
        raise InputErrors([InputError(label, "the CUSTOMER table has no rows")])
    (depot_line, depot), customers = rows[0], rows[1:]
    stop_rows = [[str(int(r[0])), _number(str(r[1])), _number(str(r[2])), r[3], r[6], r[4], r[5]] for _, r in customers]
    return {
        "Settings": _settings(label, name, "dimacs"),
        "Depots": text_table(
            "Depots", label, ["depot", "x", "y"], [[str(int(depot[0])), depot[1], depot[2]]], [depot_line]
        ),
        "Vehicles": text_table(
            "Vehicles",
            label,
            [*VEHICLE_COLUMNS, "shift_start", "shift_end"],
            [["vehicle", int(count), str(int(depot[0])), capacity, 0, 1, 0, depot[4], depot[5]]],
            [fleet_line],
        ),
        "Stops": text_table(
            "Stops",
            label,
            ["stop", "x", "y", "demand", "service_time", "window_start", "window_end"],
            stop_rows,
            [line for line, _ in customers],
        ),
    }


def _detect_vrplib(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".vrp" or ("NODE_COORD_SECTION" in head and "DIMENSION" in head.upper())


def _detect_solomon(path: Path, head: str) -> bool:
    upper = head.upper()
    return "VEHICLE" in upper and "CUSTOMER" in upper and "CUST NO" in upper


FORMATS = {
    "vrplib": BenchmarkFormat("vrplib", "VRPLIB CVRP / CVRPTW instance (.vrp, EUC_2D)", read_vrplib, _detect_vrplib),
    "solomon": BenchmarkFormat("solomon", "Solomon VRPTW text format (.txt)", read_solomon, _detect_solomon),
}
