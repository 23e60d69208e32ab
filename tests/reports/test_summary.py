"""The --summary JSON document and the Summary sheet rows."""

from __future__ import annotations

import json

import pandas as pd

from optimizer.core.params import SolveParams
from optimizer.core.plan import COST_COLUMNS, Plan
from optimizer.core.result import Result, Timings
from optimizer.core.status import Status
from optimizer.reports.summary import RunInfo, summary_json, summary_rows
from tests.builders import SUMMARY_KEYS


def info() -> RunInfo:
    return RunInfo(
        kind="inventory",
        scenario="s1",
        input_path="in.xlsx",
        input_sha256="0" * 64,
        params=SolveParams(seed=3, threads=4, time_limit=7),
        plan_file="out.xlsx",
        notes=["hello"],
    )


def result(plan: Plan | None) -> Result:
    return Result(
        status=Status.FEASIBLE if plan is not None else Status.NO_SOLUTION,
        objective=110.0 if plan is not None else None,
        bound=100.0,
        gap=0.1 if plan is not None else None,
        solver="highs",
        timings=Timings(load_seconds=0.12345, build_seconds=1, solve_seconds=2, write_seconds=0.5, wall_seconds=3.6234),
        plan=plan,
    )


PLAN = Plan(
    sheets={},
    costs=pd.DataFrame(
        [("purchasing", "W1", 100.0), ("holding", "W1", 4.0), ("holding", "W2", 6.0)], columns=COST_COLUMNS
    ),
    kpis={"orders": 3},
)


def test_summary_json_has_the_design_keys_and_is_json():
    doc = summary_json(result(PLAN), info())
    assert SUMMARY_KEYS <= set(doc)
    assert doc["kind"] == "inventory" and doc["scenario"] == "s1" and doc["status"] == "feasible"
    assert (doc["objective"], doc["bound"], doc["gap"], doc["solver"]) == (110.0, 100.0, 0.1, "highs")
    assert doc["costs"] == {"purchasing": 100.0, "holding": 10.0}
    assert doc["kpis"] == {"orders": 3}
    assert doc["plan_file"] == "out.xlsx"
    assert doc["errors"] == []
    assert doc["load_seconds"] == 0.123 and doc["wall_seconds"] == 3.623
    assert (doc["seed"], doc["threads"], doc["time_limit"]) == (3, 4, 7.0)
    assert json.loads(json.dumps(doc)) == doc


def test_summary_json_without_plan():
    doc = summary_json(result(None), info(), errors=["x"])
    assert doc["status"] == "no_solution"
    assert doc["objective"] is None and doc["costs"] == {} and doc["kpis"] == {}
    assert doc["errors"] == ["x"]


def test_summary_rows():
    rows = dict(summary_rows(result(PLAN), info()))
    assert rows["status"] == "feasible"
    assert rows["gap"] == 0.1
    assert rows["cost: holding"] == 10.0
    assert rows["kpi: orders"] == 3
    assert rows["input sha256"] == "0" * 64
    assert rows["note"] == "hello"
    assert list(dict(summary_rows(result(PLAN), info())))[:3] == ["scenario", "kind", "status"]
    assert not any(k.startswith("cost:") for k, _ in summary_rows(result(None), info()))
