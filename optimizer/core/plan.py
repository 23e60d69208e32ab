"""A plan in neutral tables: what the writers and the JSON summary need, nothing solver-specific."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DIAGNOSTIC_COLUMNS = ["severity", "location", "message"]
COST_COLUMNS = ["category", "period", "amount"]


@dataclass
class ChartSeries:
    """One series of a chart, read from columns of the chart's data sheet (rows 0-based, inclusive)."""

    name: str
    values: str  # column of y values (bar lengths for bar charts)
    categories: str | None = None  # column of x values or bar labels
    rows: tuple[int, int] | None = None  # first and last data row; None = every row
    hidden: bool = False  # drawn without fill or line: the offset bars of a Gantt chart
    colour: str | None = None  # '#1F77B4'


@dataclass
class Chart:
    """A chart on its own sheet, drawn in Excel from a plan sheet (so it follows the data shown)."""

    name: str  # the chart sheet's name
    data_sheet: str
    type: str  # 'gantt' (stacked horizontal bars), 'route' (x/y points joined by lines), 'column', 'line'
    series: list[ChartSeries]
    title: str = ""
    x_title: str = ""
    y_title: str = ""


@dataclass
class Plan:
    """Plan sheets in writing order, costs by category and period, KPIs and diagnostics."""

    sheets: dict[str, pd.DataFrame]
    costs: pd.DataFrame  # columns COST_COLUMNS
    kpis: dict[str, float | int | str] = field(default_factory=dict)
    diagnostics: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DIAGNOSTIC_COLUMNS))
    charts: list[Chart] = field(default_factory=list)
    cell_colours: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> {cell text: fill colour}

    def cost_by_category(self) -> dict[str, float]:
        if self.costs.empty:
            return {}
        totals = self.costs.groupby("category", sort=False)["amount"].sum()
        return {str(k): float(v) for k, v in totals.items()}
