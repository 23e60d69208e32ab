"""Raw tables from benchmark text files, with locations that name the file and line.

Benchmark readers turn a text file into the same tables a planner's workbook has, so one
validation path serves both; a problem is then reported as `ft06.txt line 7 (column time)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.limits import InputLimits, check_file_size
from optimizer.io.tables import RawTable


@dataclass
class TextTable(RawTable):
    """A RawTable whose rows come from lines of a text file."""

    def cell(self, row_index: int, column: str | None) -> str:
        line = self.row_numbers[row_index]
        where = f"{self.label} line {line}" if line > 0 else self.label
        return f"{where} (column {column})" if column else where

    def header_cell(self) -> str:
        return self.label


def numbered_lines(path: Path) -> list[tuple[int, str]]:
    """Non-blank lines of a text file with their 1-based numbers; InputErrors when it cannot be read."""
    if not path.exists():
        raise InputErrors([InputError(str(path), "file does not exist")])
    if path.is_dir():
        raise InputErrors([InputError(str(path), "is a folder; a benchmark format needs a file")])
    check_file_size(path, InputLimits.current())
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputErrors([InputError(path.name, "is not a text file (not UTF-8)")]) from None
    except OSError as exc:
        raise InputErrors([InputError(path.name, f"cannot be read: {exc.strerror}")]) from None
    lines = [(number, line.rstrip("\r\n")) for number, line in enumerate(text.splitlines(), start=1)]
    return [(number, line) for number, line in lines if line.strip()]


def finite_number(token: str) -> float | None:
    """The number a token spells, or None when it spells none ('nan' and 'inf' parse as floats but are no quantity, id
    or coordinate)."""
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numbers(label: str, line: int, text: str, count: int | None = None) -> list[float]:
    """The numbers on a line; InputErrors naming the line when a token is not a finite number or the count differs."""
    tokens = text.split()
    values = []
    for token in tokens:
        value = finite_number(token)
        if value is None:
            raise InputErrors([InputError(f"{label} line {line}", f"expected a number, got {token!r}")])
        values.append(value)
    if count is not None and len(values) != count:
        raise InputErrors([InputError(f"{label} line {line}", f"expected {count} numbers, got {len(values)}")])
    return values


def text_table(name: str, label: str, header: list[str], rows: list[list[Any]], lines: list[int]) -> TextTable:
    """A table named `name` whose row i came from line lines[i] of the file `label` (0 = no line)."""
    return TextTable(name, label, list(header), [list(r) for r in rows], list(lines))


def settings_table(label: str, settings: dict[str, Any], line: int = 0) -> TextTable:
    """A Settings table (setting, value) built from the reader's knowledge of the format."""
    rows = [[key, value] for key, value in settings.items()]
    return text_table("Settings", label, ["setting", "value"], rows, [line] * len(rows))
