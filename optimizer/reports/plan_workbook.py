"""The plan workbook: Summary, the kind's plan sheets, Budget impact and Diagnostics."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from optimizer.core.plan import DIAGNOSTIC_COLUMNS
from optimizer.core.result import Result
from optimizer.reports.budget import budget_impact
from optimizer.reports.summary import RunInfo, summary_rows
from optimizer.reports.xlsx import Sheet, write_workbook


def diagnostics_frame(result: Result, extra: list[dict[str, str]] | None = None) -> pd.DataFrame:
    """The plan's diagnostics, plus an explanation when there is no plan."""
    frames = []
    if result.plan is not None and not result.plan.diagnostics.empty:
        frames.append(result.plan.diagnostics)
    rows = []
    if not result.status.has_plan:  # first the verdict, then the explanation rows
        rows.append(
            {"severity": "error", "location": "", "message": f"no plan: {result.status.value}; {result.message}"}
        )
    rows += list(extra or [])
    if rows:
        frames.append(pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS))
    if not frames:
        return pd.DataFrame(
            [{"severity": "info", "location": "", "message": "no warnings"}], columns=DIAGNOSTIC_COLUMNS
        )
    return pd.concat(frames, ignore_index=True)


def plan_sheets(result: Result, budget: object, periods: list[str]) -> list[Sheet]:
    """Plan sheets and Budget impact (when the input has budget lines), without Summary and Diagnostics."""
    if result.plan is None:
        return []
    colours = result.plan.cell_colours
    sheets = [Sheet(name, frame, value_colours=colours.get(name, {})) for name, frame in result.plan.sheets.items()]
    lines = list(budget or [])
    if lines:
        sheets.append(Sheet("Budget impact", budget_impact(result.plan.costs, lines, periods)))
    return sheets


def write_plan_workbook(
    path: Path,
    result: Result,
    info: RunInfo,
    budget: object = (),
    periods: list[str] | None = None,
    extra_diagnostics: list[dict[str, str]] | None = None,
) -> float:
    """Write the plan workbook atomically; returns the seconds spent, also shown in its Summary."""
    start = time.perf_counter()
    sheets = plan_sheets(result, budget, periods or [])
    sheets.append(Sheet("Diagnostics", diagnostics_frame(result, extra_diagnostics)))

    def summary() -> Sheet:
        result.timings.write_seconds = time.perf_counter() - start
        result.timings.wall_seconds += result.timings.write_seconds
        frame = pd.DataFrame(summary_rows(result, info), columns=["item", "value"])
        return Sheet("Summary", frame, as_table=False)

    charts = result.plan.charts if result.plan is not None else []
    write_workbook(path, sheets, first="Summary", fill_first=summary, charts=charts)
    result.timings.write_seconds = time.perf_counter() - start
    return result.timings.write_seconds
