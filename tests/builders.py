"""Real workbooks for engine tests: a tiny valid inventory scenario written with openpyxl, and cell edits.

Sheets are given as lists of rows (the first row is the header; None is a blank cell), so a test
can say exactly which sheet row holds which value and which location an error must name.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import openpyxl

Rows = list[list[Any]]


def tiny_sheets() -> dict[str, Rows]:
    """3 items (C has no supplier and no demand), 1 supplier, 4 periods: solves to optimality in well under a second."""
    return {
        "Settings": [["setting", "value"], ["kind", "inventory"], ["name", "tiny"]],
        "Periods": [["period"], ["W1"], ["W2"], ["W3"], ["W4"]],
        "Items": [
            ["item", "unit_cost", "holding_cost", "shortage_cost"],
            ["A", 10, 0.5, 5],
            ["B", 4, 0.2, 3],
            ["C", 2, 0.1, 1],  # listed only here: a mistake in its row cannot affect other sheets
        ],
        "Suppliers": [["supplier"], ["S1"]],
        "ItemSuppliers": [
            ["item", "supplier", "lead_time", "order_cost"],
            ["A", "S1", 1, 20],
            ["B", "S1", 0, 5],
        ],
        # data rows 2..7, so that row 7 is the last one
        "Demand": [
            ["item", "period", "quantity"],
            ["A", "W2", 10],
            ["A", "W3", 12],
            ["A", "W4", 8],
            ["B", "W1", 5],
            ["B", "W3", 6],
            ["B", "W4", 7],
        ],
        "Budget": [["category", "period", "amount"], ["purchasing", "W1", 100], ["holding", None, 10]],
    }


def write_sheets(path: Path, sheets: dict[str, Rows | None]) -> Path:
    """Write `sheets` (name -> rows) as a real .xlsx workbook; a sheet given as None is left out."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        if rows is None:
            continue
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def tiny_workbook(path: Path, **replace: Rows | None) -> Path:
    """The tiny scenario with some sheets replaced (or left out with None)."""
    sheets: dict[str, Rows | None] = dict(tiny_sheets())
    sheets.update(replace)
    return write_sheets(path, sheets)


def edit_cells(path: Path, edits: dict[str, dict[str, Any]]) -> Path:
    """Overwrite cells of an existing workbook in place, e.g. {'Demand': {'C7': -5}}."""
    book = openpyxl.load_workbook(path)
    for sheet, cells in edits.items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    book.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> set[str]:
    """Every file below `folder`, hidden ones included, as relative paths."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# The keys DESIGN.md promises in the `--summary` JSON.
SUMMARY_KEYS = frozenset(
    {
        "kind",
        "scenario",
        "status",
        "objective",
        "bound",
        "gap",
        "solver",
        "load_seconds",
        "build_seconds",
        "solve_seconds",
        "write_seconds",
        "wall_seconds",
        "costs",
        "kpis",
        "plan_file",
        "errors",
    }
)


def write_folder(folder: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """Write sheets given as rows of dicts as a CSV folder (one file per sheet; None = blank cell)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        columns: list[str] = []
        for row in rows:
            columns += [c for c in row if c not in columns]
        with (folder / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return folder
