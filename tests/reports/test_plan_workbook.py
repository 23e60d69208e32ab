"""The plan workbook from a Result (no solver involved): sheet order, Budget impact, Diagnostics, no-plan layout."""

from __future__ import annotations

from types import SimpleNamespace as Line

import openpyxl
import pandas as pd
import pytest

from optimizer.core.params import SolveParams
from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Chart, ChartSeries, Plan
from optimizer.core.result import Result, Timings
from optimizer.core.status import Status
from optimizer.reports.plan_workbook import diagnostics_frame, plan_sheets, write_plan_workbook
from optimizer.reports.summary import RunInfo
from tests.builders import files_in

PERIODS = ["W1", "W2"]


def a_plan(diagnostics: list[dict] | None = None) -> Plan:
    return Plan(
        sheets={
            "Orders": pd.DataFrame(
                [("A", "S1", "W1", "W2", 10.0, 105.0)],
                columns=["item", "supplier", "order_period", "arrival_period", "quantity", "cost"],
            ),
            "Inventory": pd.DataFrame(
                [("A", "W1", 0.0, 0.0, 0.0, 0.0, 0.0)],
                columns=["item", "period", "opening", "arrivals", "demand", "closing", "shortage"],
            ),
        },
        costs=pd.DataFrame(
            [("purchasing", "W1", 100.0), ("ordering", "W1", 5.0), ("holding", "W2", 2.0)], columns=COST_COLUMNS
        ),
        kpis={"orders": 1, "fill_rate": 0.95},
        diagnostics=pd.DataFrame(diagnostics or [], columns=DIAGNOSTIC_COLUMNS),
    )


def a_result(status: Status = Status.OPTIMAL, plan: Plan | None = None) -> Result:
    has = status.has_plan
    return Result(
        status=status,
        objective=107.0 if has else None,
        bound=107.0 if has else None,
        gap=0.0 if has else None,
        solver="highs",
        solver_version="1.0.0",
        message="solver status test",
        timings=Timings(load_seconds=0.1, build_seconds=0.2, solve_seconds=0.3, wall_seconds=0.6),
        plan=plan if plan is not None else (a_plan() if has else None),
    )


def info() -> RunInfo:
    return RunInfo(
        kind="inventory",
        scenario="unit",
        input_path="in.xlsx",
        input_sha256="ab" * 32,
        params=SolveParams(time_limit=5),
        plan_file="plan.xlsx",
    )


BUDGET = [Line(category="purchasing", period="W1", amount=90.0), Line(category="holding", period=None, amount=3.0)]


def rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_sheet_order_and_contents(tmp_path):
    path = tmp_path / "plan.xlsx"
    seconds = write_plan_workbook(path, a_result(), info(), budget=BUDGET, periods=PERIODS)
    assert seconds > 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Orders", "Inventory", "Budget impact", "Diagnostics"]
    summary = {r[0]: r[1] for r in rows(book["Summary"])[1:]}
    assert summary["status"] == "optimal"
    assert summary["objective"] == 107
    assert summary["scenario"] == "unit"
    assert summary["cost: purchasing"] == 100
    assert summary["kpi: orders"] == 1
    assert summary["write seconds"] >= 0
    impact = rows(book["Budget impact"])
    assert impact[0] == ["category", "period", "planned", "budget", "variance", "variance %"]
    assert impact[1:] == [
        ["holding", "all periods", 2, 3, -1, pytest.approx(-1 / 3)],
        ["ordering", "all periods", 5, 0, 5, None],
        ["purchasing", "W1", 100, 90, 10, pytest.approx(10 / 90)],
    ]
    assert rows(book["Diagnostics"]) == [["severity", "location", "message"], ["info", None, "no warnings"]]
    assert files_in(tmp_path) == {"plan.xlsx"}


def test_money_columns_of_budget_impact_are_formatted(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(path, a_result(), info(), budget=BUDGET, periods=PERIODS)
    ws = openpyxl.load_workbook(path)["Budget impact"]
    assert [ws.cell(row=2, column=j).number_format for j in range(3, 7)] == ["#,##0.00"] * 3 + ["0.0%"]
    assert ws.freeze_panes == "A2"
    assert list(ws.tables) == ["T_Budget_impact"]


def test_no_budget_lines_no_budget_impact_sheet(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(path, a_result(), info(), budget=(), periods=PERIODS)
    assert openpyxl.load_workbook(path).sheetnames == ["Summary", "Orders", "Inventory", "Diagnostics"]


@pytest.mark.parametrize("status", [Status.INFEASIBLE, Status.NO_SOLUTION, Status.ERROR, Status.UNBOUNDED])
def test_no_plan_means_only_summary_and_diagnostics(tmp_path, status):
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(path, a_result(status), info(), budget=BUDGET, periods=PERIODS)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Diagnostics"]
    assert rows(book["Diagnostics"])[1] == ["error", None, f"no plan: {status.value}; solver status test"]
    summary = {r[0]: r[1] for r in rows(book["Summary"])[1:]}
    assert summary["status"] == status.value
    assert summary["objective"] is None


def test_diagnostics_of_the_plan_are_kept_and_extra_rows_appended():
    plan = a_plan([{"severity": "warning", "location": "Items!A2", "message": "item A is short"}])
    frame = diagnostics_frame(a_result(plan=plan), extra=[{"severity": "info", "location": "", "message": "note"}])
    assert frame.to_dict("records") == [
        {"severity": "warning", "location": "Items!A2", "message": "item A is short"},
        {"severity": "info", "location": "", "message": "note"},
    ]


def test_plan_sheets_without_plan_is_empty():
    assert plan_sheets(a_result(Status.INFEASIBLE), BUDGET, PERIODS) == []
    names = [s.name for s in plan_sheets(a_result(), BUDGET, PERIODS)]
    assert names == ["Orders", "Inventory", "Budget impact"]


def test_charts_become_chart_sheets_drawn_from_the_plan_cells(tmp_path):
    schedule = pd.DataFrame(
        [("M1", "J1", 0, 3, 3), ("M1", "J2", 3, 5, 2), ("M2", "J1", 3, 7, 4)],
        columns=["machine", "job", "start", "end", "duration"],
    )
    plan = Plan(
        sheets={"Schedule": schedule},
        costs=pd.DataFrame(columns=COST_COLUMNS),
        charts=[
            Chart(
                "Gantt",
                "Schedule",
                "gantt",
                [
                    ChartSeries("start", "start", "machine", hidden=True),
                    ChartSeries("duration", "duration", "machine", colour="#1F77B4"),
                ],
                title="Machines over time",
            ),
            Chart("Empty", "Missing", "route", [ChartSeries("r", "x", "y")]),  # no such sheet: skipped
        ],
        cell_colours={"Schedule": {"J1": "#FFD966"}},
    )
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(path, a_result(plan=plan), info())
    book = openpyxl.load_workbook(path)
    assert [s.title for s in book.chartsheets] == ["Gantt"]
    assert book.sheetnames[:2] == ["Summary", "Schedule"]
    ws = book["Schedule"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert [r.formula for r in rules] == [['"J1"']]
    drawn = book["Gantt"]._charts[0]
    references = [s.val.numRef.f for s in drawn.series]
    assert references == ["Schedule!$C$2:$C$4", "Schedule!$E$2:$E$4"]
