"""Raw tables read from a workbook or a folder of CSV files, with the location of every cell.

A RawTable knows nothing of types; it only keeps cell values and where they came from, so that
validation can say `Demand!C7` for a problem in the third column of the seventh row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.limits import InputLimits, check_file_size, check_workbook_archive, row_limit_from_settings


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalise_header(name: Any) -> str:
    """Header text as a field name: 'Unit cost ' -> 'unit_cost'."""
    text = "" if name is None else str(name)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def sheet_key(name: str) -> str:
    """A sheet's name as sheets are matched: case and spaces ignored ('Open Orders' is OpenOrders)."""
    return name.lower().replace(" ", "")


@dataclass
class RawTable:
    """One sheet: header names, data rows and the sheet row number of each data row."""

    name: str
    label: str  # how locations name the table: 'Demand' for a sheet, 'Demand.csv' for a file
    header: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]
    header_row: int = 1
    columns: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = {}
        for i, name in enumerate(self.header):
            if name and name not in self.columns:
                self.columns[name] = i

    def cell(self, row_index: int, column: str | None) -> str:
        """Location of a data cell, e.g. 'Demand!C7'; the row alone when the column is unknown."""
        row_number = self.row_numbers[row_index]
        if column is None or column not in self.columns:
            return f"{self.label}!row {row_number}"
        return f"{self.label}!{column_letter(self.columns[column])}{row_number}"

    def header_cell(self) -> str:
        return f"{self.label}!A{self.header_row}"

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by normalised header; blank cells are left out."""
        names = list(self.columns.items())
        out = []
        for row in self.rows:
            record = {}
            for name, i in names:
                value = row[i] if i < len(row) else None
                if not _is_blank(value):
                    if isinstance(value, bool):  # a TRUE cell is not the number 1
                        value = "TRUE" if value else "FALSE"
                    record[name] = value.strip() if isinstance(value, str) else value
            out.append(record)
        return out


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _table_from_cells(name: str, label: str, cells: list[list[Any]]) -> RawTable:
    """Header is the first non-blank row; fully blank data rows are dropped."""
    start = 0
    while start < len(cells) and all(_is_blank(v) for v in cells[start]):
        start += 1
    if start == len(cells):
        return RawTable(name, label, [], [], [], header_row=1)
    header = [normalise_header(v) for v in cells[start]]
    rows, numbers = [], []
    for offset, row in enumerate(cells[start + 1 :], start=start + 2):
        if any(not _is_blank(v) for v in row):
            rows.append(list(row))
            numbers.append(offset)
    return RawTable(name, label, header, rows, numbers, header_row=start + 1)


def _check_size(path: Path) -> None:
    check_file_size(path, InputLimits.current())


def _check_rows(label: str, count: int, limit: int) -> None:
    if count > limit:
        raise InputErrors(
            [InputError(label, f"has {count:,} rows, over the {limit:,} row limit (a Settings row max_rows raises it)")]
        )


def read_workbook(path: Path) -> dict[str, RawTable]:
    """Every sheet of an .xlsx workbook as a RawTable (fast reading through calamine), within the input limits."""
    from python_calamine import CalamineWorkbook

    limits = InputLimits.current()
    check_file_size(path, limits)
    check_workbook_archive(path, limits)
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name) for name in book.sheet_names}
        settings = next((sh for name, sh in sheets.items() if name.strip().lower() == "settings"), None)
        max_rows = limits.rows
        if settings is not None and settings.total_height <= 1000:
            max_rows = row_limit_from_settings(settings.to_python()) or max_rows
        tables = {}
        for name, sheet in sheets.items():
            _check_rows(name, sheet.total_height, max_rows)
            cells = sheet.to_python(skip_empty_area=False)
            tables[name] = _table_from_cells(name, name, cells)
    except InputErrors:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputErrors([InputError(path.name, f"is not a readable Excel workbook (.xlsx): {exc}")]) from None
    return tables


def read_csv_folder(path: Path) -> dict[str, RawTable]:
    """Every *.csv file of a folder as a RawTable named by the file name without extension."""
    tables = {}
    errors = []
    limits = InputLimits.current()
    files = sorted(path.glob("*.csv"), key=lambda f: (f.stem.lower() != "settings", f.name))  # settings first
    settings = next((f for f in files if f.stem.lower() == "settings"), None)
    max_rows = limits.rows
    for file in files:
        check_file_size(file, limits)
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                cells = []
                for row in csv.reader(handle):
                    cells.append(row)
                    if len(cells) > max_rows + 1:
                        _check_rows(file.name, len(cells) - 1, max_rows)
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(InputError(file.name, f"is not a readable UTF-8 CSV file: {exc}"))
            continue
        if file == settings:
            max_rows = row_limit_from_settings(cells) or max_rows
        tables[file.stem] = _table_from_cells(file.stem, file.name, cells)
    if errors:
        raise InputErrors(errors)
    if not tables:
        raise InputErrors([InputError(str(path), "folder holds no .csv files")])
    return tables


def read_tables(path: Path, fmt: str | None = None) -> dict[str, RawTable]:
    """Raw tables of a workbook or a CSV folder (`fmt` 'xlsx' or 'csv', else from the path)."""
    if not path.exists():
        raise InputErrors([InputError(str(path), "file or folder does not exist")])
    if fmt == "csv" or (fmt is None and path.is_dir()):
        if not path.is_dir():
            raise InputErrors([InputError(str(path), "--format csv needs a folder of .csv files")])
        return read_csv_folder(path)
    if path.is_dir():
        raise InputErrors([InputError(str(path), "is a folder; --format xlsx needs a workbook file")])
    if fmt == "xlsx" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_workbook(path)
    raise InputErrors(
        [InputError(path.name, "is not a scenario: give an .xlsx workbook or a folder of .csv files (or --format)")]
    )
