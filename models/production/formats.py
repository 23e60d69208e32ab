"""Benchmark reader: the capacitated lot-sizing format (`--format clsp`, Trigeiro-style instances).

Layout (whitespace separated): `n_items n_periods`; the unit production cost; the capacity per
period; one line per item `resource-per-unit holding-cost setup-time setup-cost`; then one line
per period with the demand of every item. Later lines are generator notes and are ignored.
The file becomes the same tables a planner's workbook has: one resource, no overtime, no
backlog, no initial stock. The benchmark objective is setup + holding cost: the production cost
is the same for every feasible plan (cost x total demand), so it is left out of the objective
and named in the Summary's objective note.
"""

from __future__ import annotations

from pathlib import Path

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.tables import RawTable
from optimizer.io.text_tables import numbered_lines, numbers, settings_table, text_table
from optimizer.kinds import BenchmarkFormat

RESOURCE = "capacity"


def _count(label: str, line: int, value: float, what: str) -> int:
    if value != int(value) or value < 1 or value > 100_000:
        raise InputErrors([InputError(f"{label} line {line}", f"{what} must be a whole number >= 1, got {value:g}")])
    return int(value)


def read_clsp(path: Path) -> dict[str, RawTable]:
    """Raw production tables from a CLSP benchmark file; InputErrors name the file and line."""
    label = path.name
    lines = numbered_lines(path)
    if len(lines) < 3:
        raise InputErrors(
            [InputError(label, f"expected at least 3 lines (sizes, unit cost, capacity), got {len(lines)}")]
        )
    (l1, t1), (l2, t2), (l3, t3) = lines[:3]
    n_items_f, n_periods_f = numbers(label, l1, t1, 2)
    n_items = _count(label, l1, n_items_f, "the number of items")
    n_periods = _count(label, l1, n_periods_f, "the number of periods")
    (unit_cost,) = numbers(label, l2, t2, 1)
    (capacity,) = numbers(label, l3, t3, 1)
    needed = 3 + n_items + n_periods
    items = [f"item{k + 1}" for k in range(n_items)]
    periods = [str(t + 1) for t in range(n_periods)]
    errors: list[InputError] = []

    def parse(number: int, text: str, count: int) -> list[float] | None:
        """The numbers of one line, or None with its error collected (every bad line is reported)."""
        try:
            return numbers(label, number, text, count)
        except InputErrors as exc:
            errors.extend(exc.errors)
            return None

    products, routings, product_lines = [], [], []
    for k, (number, text) in enumerate(lines[3 : 3 + n_items]):
        if (values := parse(number, text, 4)) is not None:
            per_unit, holding, setup_time, setup_cost = values
            products.append([items[k], holding])
            routings.append([items[k], RESOURCE, per_unit, setup_time, setup_cost, 0.0])
            product_lines.append(number)
    demand, demand_at = [], []
    total = 0.0
    for t, (number, text) in enumerate(lines[3 + n_items : needed]):
        for k, q in enumerate(parse(number, text, n_items) or []):
            if q:
                demand.append([items[k], periods[t], q])
                demand_at.append(number)
                total += q
    if len(lines) < needed:
        errors.append(
            InputError(
                label,
                f"expected {n_items} item lines and {n_periods} demand lines after line {l3}, "
                f"but the file has only {len(lines) - 3} more non-blank lines",
            )
        )
    if errors:
        raise InputErrors(errors)
    note = (
        f"setup + holding cost, as the benchmark defines it; the constant production cost "
        f"({unit_cost:g} per unit x {total:g} units = {unit_cost * total:g}) is not included"
    )
    settings = {
        "kind": "production",
        "name": path.stem,
        "allow_backlog": "no",
        "period_unit": "period",
        "objective_note": note,
    }
    return {
        "Settings": settings_table(label, settings),
        "Periods": text_table("Periods", label, ["period"], [[p] for p in periods], [l1] * n_periods),
        "Products": text_table("Products", label, ["product", "holding_cost"], products, product_lines),
        "Resources": text_table("Resources", label, ["resource", "capacity"], [[RESOURCE, capacity]], [l3]),
        "Routings": text_table(
            "Routings",
            label,
            ["product", "resource", "hours_per_unit", "setup_time", "setup_cost", "unit_cost"],
            routings,
            product_lines,
        ),
        "Demand": text_table("Demand", label, ["product", "period", "quantity"], demand, demand_at),
    }


def detect_clsp(path: Path, head: str) -> bool:
    """Two counts, then a one-number line (unit cost), a one-number line (capacity), then 4-number item lines."""
    rows = [line.split() for line in head.splitlines() if line.strip()][:4]
    if len(rows) < 4 or [len(r) for r in rows] != [2, 1, 1, 4]:
        return False
    try:
        [float(x) for r in rows for x in r]
    except ValueError:
        return False
    return True


FORMATS = {
    "clsp": BenchmarkFormat(
        name="clsp",
        description="capacitated lot-sizing benchmark (Trigeiro layout): setup + holding cost",
        read=read_clsp,
        detect=detect_clsp,
    )
}
