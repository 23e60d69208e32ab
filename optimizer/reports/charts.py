"""Charts drawn by Excel from plan sheets: Gantt bars, routes on a map-like plane, columns and lines.

A chart refers to cells of its data sheet rather than holding copies, so what the planner sees
in the chart is what the sheet says.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.core.plan import Chart, ChartSeries

_TYPES = {
    "gantt": {"type": "bar", "subtype": "stacked"},
    "route": {"type": "scatter", "subtype": "straight_with_markers"},
    "column": {"type": "column"},
    "line": {"type": "line"},
}


def _range(sheet: str, frame: pd.DataFrame, column: str, rows: tuple[int, int] | None) -> list[Any]:
    """[sheet, first_row, col, last_row, col] in XlsxWriter's list form (row 0 is the header)."""
    j = list(frame.columns).index(column)
    first, last = rows if rows is not None else (0, len(frame) - 1)
    return [sheet, first + 1, j, last + 1, j]


def _series(chart: Chart, series: ChartSeries, frame: pd.DataFrame) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": series.name, "values": _range(chart.data_sheet, frame, series.values, series.rows)}
    if series.categories is not None:
        spec["categories"] = _range(chart.data_sheet, frame, series.categories, series.rows)
    if series.hidden:
        spec["fill"] = {"none": True}
        spec["border"] = {"none": True}
    elif series.colour is not None:
        if chart.type == "route":
            spec["line"] = {"color": series.colour, "width": 1.5}
            spec["marker"] = {"type": "circle", "size": 5, "fill": {"color": series.colour}}
        else:
            spec["fill"] = {"color": series.colour}
    return spec


def add_chart(book: Any, chart: Chart, frame: pd.DataFrame) -> None:
    """Add `chart` as its own chart sheet of `book` (an XlsxWriter workbook)."""
    if chart.type not in _TYPES:
        raise ValueError(f"unknown chart type {chart.type!r}; types: {', '.join(_TYPES)}")
    drawing = book.add_chart(dict(_TYPES[chart.type]))
    for series in chart.series:
        drawing.add_series(_series(chart, series, frame))
    if chart.title:
        drawing.set_title({"name": chart.title})
    if chart.x_title:
        drawing.set_x_axis({"name": chart.x_title})
    if chart.y_title:
        drawing.set_y_axis({"name": chart.y_title, **({"reverse": True} if chart.type == "gantt" else {})})
    elif chart.type == "gantt":
        drawing.set_y_axis({"reverse": True})
    if chart.type == "gantt":
        drawing.set_legend({"none": True})
    sheet = book.add_chartsheet(chart.name[:31])
    sheet.set_chart(drawing)
