"""Write planner-friendly workbooks: styled headers, number formats, widths, frozen headers, Excel tables.

Only formatting lives here. Files are written to a temporary file beside the target and renamed,
so a crash never leaves half a workbook; text that looks like a formula is written as text.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

MONEY_COLUMNS = {"cost", "amount", "planned", "budget", "variance", "objective", "bound", "unit_cost", "unit_price"}
PERCENT_COLUMNS = {"variance %", "gap", "fill_rate", "utilisation"}
HEADER_FILL = "#1F4E78"


@dataclass
class Sheet:
    """One sheet to write: a table (an Excel table with a header) or key/value rows."""

    name: str
    frame: pd.DataFrame
    as_table: bool = True
    formats: dict[str, str] = field(default_factory=dict)  # column -> 'money' | 'percent' | 'number' | 'integer'
    validations: dict[str, dict[str, Any]] = field(default_factory=dict)  # column -> XlsxWriter validation
    header_notes: dict[str, str] = field(default_factory=dict)  # column -> comment on the header cell
    value_colours: dict[str, str] = field(default_factory=dict)  # cell text -> fill colour (e.g. shift codes)


def safe_table_name(name: str) -> str:
    return "T_" + re.sub(r"\W", "_", name)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` that replaces it only when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp.xlsx", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; a plan is an ordinary file
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _column_format(name: str, series: pd.Series, explicit: dict[str, str]) -> str:
    if name in explicit:
        return explicit[name]
    if name in PERCENT_COLUMNS:
        return "percent"
    if name in MONEY_COLUMNS or name.endswith("_cost") or name.startswith("cost"):
        return "money"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "text"


def _cell(value: Any) -> Any:
    """Cell values XlsxWriter can write: None for NaN, plain Python numbers."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return None
    return value


def _width(name: str, series: pd.Series) -> float:
    sample = series.head(500)
    longest = max((len(str(v)) for v in sample if v is not None), default=0)
    return min(max(len(str(name)) + 2, longest + 2, 8), 60)


class WorkbookWriter:
    """Wraps an XlsxWriter workbook with our formats; use `write_workbook` for the atomic write."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        self.formats = {
            "header": self.book.add_format(
                {
                    "bold": True,
                    "font_color": "#FFFFFF",
                    "bg_color": HEADER_FILL,
                    "border": 1,
                    "text_wrap": True,
                    "valign": "top",
                }
            ),
            "money": self.book.add_format({"num_format": "#,##0.00"}),
            "percent": self.book.add_format({"num_format": "0.0%"}),
            "number": self.book.add_format({"num_format": "#,##0.###"}),
            "integer": self.book.add_format({"num_format": "0"}),
            "text": None,
            "key": self.book.add_format({"bold": True}),
            "title": self.book.add_format({"bold": True, "font_size": 14}),
        }

    def add(self, sheet: Sheet) -> Any:
        ws = self.book.add_worksheet(sheet.name[:31])
        if sheet.as_table:
            self._table(ws, sheet)
        else:
            self._key_values(ws, sheet)
        return ws

    def _table(self, ws: Any, sheet: Sheet) -> None:
        frame = sheet.frame
        columns = [str(c) for c in frame.columns]
        kinds = [_column_format(c, frame[c], sheet.formats) for c in columns]
        for j, name in enumerate(columns):
            ws.set_column(j, j, _width(name, frame[name].astype(object)), self.formats[kinds[j]])
        values = frame.astype(object).itertuples(index=False, name=None)
        for i, row in enumerate(values, start=1):
            ws.write_row(i, 0, [_cell(v) for v in row])
        n = len(frame)
        if n and columns:
            ws.add_table(
                0,
                0,
                n,
                len(columns) - 1,
                {
                    "name": safe_table_name(sheet.name),
                    "style": "Table Style Medium 2",
                    "columns": [{"header": c, "header_format": self.formats["header"]} for c in columns],
                },
            )
        else:
            ws.write_row(0, 0, columns, self.formats["header"])
        if n and columns:
            for text, colour in sheet.value_colours.items():
                fill = self.book.add_format({"bg_color": colour})
                rule = {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": fill}
                ws.conditional_format(1, 0, n, len(columns) - 1, rule)
        for name, note in sheet.header_notes.items():
            if name in columns:
                ws.write_comment(0, columns.index(name), note, {"x_scale": 2, "y_scale": 1.5})
        last = max(n, 1000)
        for name, rule in sheet.validations.items():
            if name in columns:
                j = columns.index(name)
                ws.data_validation(1, j, last, j, rule)
        ws.freeze_panes(1, 0)

    def chart(self, chart: Any, frame: pd.DataFrame) -> None:
        """A chart sheet drawing `chart` (an optimizer.core.plan.Chart) from its data sheet's cells."""
        from optimizer.reports.charts import add_chart

        add_chart(self.book, chart, frame)

    def reserve(self, name: str) -> Any:
        """An empty worksheet at this position, to be filled later with `key_values`."""
        return self.book.add_worksheet(name[:31])

    def key_values(self, ws: Any, sheet: Sheet) -> None:
        self._key_values(ws, sheet)

    def _key_values(self, ws: Any, sheet: Sheet) -> None:
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 70)
        ws.write_row(0, 0, [str(c) for c in sheet.frame.columns], self.formats["header"])
        for i, row in enumerate(sheet.frame.astype(object).itertuples(index=False, name=None), start=1):
            key, value = row[0], _cell(row[1])
            ws.write(i, 0, key, self.formats["key"])
            fmt = None
            if isinstance(value, float) and key in ("gap", "gap limit", "kpi: fill_rate"):
                fmt = self.formats["percent"]
            elif isinstance(value, float):
                fmt = self.formats["number"]
            ws.write(i, 1, value, fmt)
            for j, extra in enumerate(row[2:], start=2):
                ws.write(i, j, _cell(extra))
        ws.freeze_panes(1, 0)

    def close(self) -> None:
        self.book.close()


def write_workbook(
    target: Path,
    sheets: list[Sheet],
    first: str | None = None,
    fill_first: Callable[[], Sheet] | None = None,
    charts: list[Any] | None = None,
) -> None:
    """Write `sheets` to `target` atomically.

    With `first`, an empty sheet of that name comes first and is filled, as key/value rows, by
    `fill_first()` once the others are written (so a Summary can report the writing time).
    """
    with atomic_path(target) as tmp:
        writer = WorkbookWriter(tmp)
        reserved = writer.reserve(first) if first else None
        for sheet in sheets:
            writer.add(sheet)
        frames = {sheet.name: sheet.frame for sheet in sheets}
        for chart in charts or []:
            if chart.data_sheet in frames and not frames[chart.data_sheet].empty:
                writer.chart(chart, frames[chart.data_sheet])
        if reserved is not None and fill_first is not None:
            writer.key_values(reserved, fill_first())
        writer.close()
