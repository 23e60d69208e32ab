"""The shift-scheduling benchmark format of Curtois & Qu (`--format nrp`), read into roster tables.

Sections: SECTION_HORIZON, SECTION_SHIFTS, SECTION_STAFF, SECTION_DAYS_OFF, SECTION_SHIFT_ON_REQUESTS,
SECTION_SHIFT_OFF_REQUESTS, SECTION_COVER. The format's objective is request + cover penalties;
staff limits, days off and forbidden successions are hard; day 0 is a Monday; a run of work or
rest touching either end of the horizon may be shorter than its minimum (it continues outside).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.tables import RawTable
from optimizer.io.text_tables import numbered_lines, settings_table, text_table

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
REQUIRED = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")


def detect(path: Path, head: str) -> bool:
    """A Curtois & Qu file names its sections SECTION_HORIZON, SECTION_SHIFTS, ..."""
    return "SECTION_HORIZON" in head and "SECTION_SHIFTS" in head


def _sections(path: Path, errors: list[InputError]) -> dict[str, list[tuple[int, list[str]]]]:
    """Data lines of each section, split at commas, with their line numbers."""
    out: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for number, line in numbered_lines(path):
        text = line.strip()
        if text.startswith("#"):
            continue
        if text.upper().startswith("SECTION_"):
            current = text.upper()
            if current not in SECTIONS:
                errors.append(InputError(f"{path.name} line {number}", f"unknown section {text!r}"))
            out.setdefault(current, [])
            continue
        if current is None:
            errors.append(InputError(f"{path.name} line {number}", "data before the first SECTION_ line"))
            continue
        out[current].append((number, [c.strip() for c in text.split(",")]))
    for name in REQUIRED:
        if name not in out:
            errors.append(InputError(path.name, f"section {name} is missing"))
    return out


def _fields(path: Path, number: int, cells: list[str], count: int, what: str, errors: list[InputError]) -> bool:
    if len(cells) != count:
        errors.append(
            InputError(
                f"{path.name} line {number}", f"{what}: expected {count} comma-separated fields, got {len(cells)}"
            )
        )
        return False
    return True


def read(path: Path) -> dict[str, RawTable]:
    """Roster tables of a Curtois & Qu instance; InputErrors with file and line for a malformed file."""
    errors: list[InputError] = []
    sec = _sections(path, errors)
    label = path.name
    horizon: Any = None
    for _, cells in sec.get("SECTION_HORIZON", [])[:1]:
        horizon = cells[0]
    if horizon is None and "SECTION_HORIZON" in sec:
        errors.append(InputError(label, "SECTION_HORIZON has no horizon length"))
    shifts, succ, staff, limits, off, requests, cover = [], [], [], [], [], [], []
    lines: dict[str, list[int]] = {k: [] for k in ("shifts", "succ", "staff", "limits", "off", "req", "cover")}
    for number, cells in sec.get("SECTION_SHIFTS", []):
        if len(cells) == 2:
            cells = [*cells, ""]
        if _fields(path, number, cells, 3, "shift (ID, length, forbidden next)", errors):
            shifts.append([cells[0], cells[1]])
            lines["shifts"].append(number)
            for nxt in filter(None, (c.strip() for c in cells[2].split("|"))):
                succ.append([cells[0], nxt])
                lines["succ"].append(number)
    for number, cells in sec.get("SECTION_STAFF", []):
        if not _fields(path, number, cells, 8, "staff member", errors):
            continue
        staff.append([cells[0], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]])
        lines["staff"].append(number)
        for item in filter(None, cells[1].split("|")):
            shift, eq, limit = item.partition("=")
            if not eq:
                errors.append(InputError(f"{label} line {number}", f"MaxShifts item {item!r} is not SHIFT=NUMBER"))
                continue
            limits.append([cells[0], shift.strip(), limit.strip()])
            lines["limits"].append(number)
    for number, cells in sec.get("SECTION_DAYS_OFF", []):
        for day in cells[1:]:
            if day:
                off.append([cells[0], day])
                lines["off"].append(number)
    for section, kind in (("SECTION_SHIFT_ON_REQUESTS", "on"), ("SECTION_SHIFT_OFF_REQUESTS", "off")):
        for number, cells in sec.get(section, []):
            if _fields(path, number, cells, 4, f"shift {kind} request", errors):
                requests.append([cells[0], cells[1], cells[2], kind, cells[3]])
                lines["req"].append(number)
    for number, cells in sec.get("SECTION_COVER", []):
        if _fields(path, number, cells, 5, "cover", errors):
            cover.append([cells[0], cells[1], 0, cells[2], "hard", cells[3], cells[4]])
            lines["cover"].append(number)
    if errors:
        raise InputErrors(errors)
    settings = {
        "kind": "roster",
        "name": path.stem,
        "horizon_days": horizon,
        "start_weekday": "monday",
        "blocks_at_ends": "free",
        "benchmark": "nrp",
        "currency": "penalty",
        "search": "fastest",
    }
    staff_header = [
        "employee",
        "max_minutes",
        "min_minutes",
        "max_consecutive_days",
        "min_consecutive_days",
        "min_consecutive_days_off",
        "max_weekends",
    ]
    return {
        "Settings": settings_table(label, settings),
        "ShiftTypes": text_table("ShiftTypes", label, ["shift", "length_minutes"], shifts, lines["shifts"]),
        "ForbiddenSuccessions": text_table("ForbiddenSuccessions", label, ["shift", "next_shift"], succ, lines["succ"]),
        "Employees": text_table("Employees", label, staff_header, staff, lines["staff"]),
        "ShiftLimits": text_table("ShiftLimits", label, ["employee", "shift", "max_shifts"], limits, lines["limits"]),
        "FixedDaysOff": text_table("FixedDaysOff", label, ["employee", "day"], off, lines["off"]),
        "ShiftRequests": text_table(
            "ShiftRequests", label, ["employee", "day", "shift", "request", "weight"], requests, lines["req"]
        ),
        "Cover": text_table(
            "Cover",
            label,
            ["day", "shift", "minimum", "preferred", "minimum_policy", "under_weight", "over_weight"],
            cover,
            lines["cover"],
        ),
    }
