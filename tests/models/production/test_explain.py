"""Production infeasibility explained: the hard rules to relax, named by their input cells, with the plan's cost.

Each scenario is tiny and infeasible for one known reason; the least relaxation, the cells it
names and the cost of the cheapest plan with it are worked out by hand in the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.status import Status
from optimizer.solve import load
from tests.models.production.helpers import product, resource, routing, solve_case

NO_BACKLOG = {"allow_backlog": "no"}
ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def explained(folder: Path, **case: Any) -> list[dict[str, str]]:
    """Solve a case that must be infeasible; its explanation rows."""
    solved = solve_case(folder, expect=Status.INFEASIBLE, **case)
    assert solved.result.plan is None
    return solved.result.explanation


def errors(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(r["location"], r["message"]) for r in rows if r["severity"] == "error"]


def costs(rows: list[dict[str, str]]) -> list[str]:
    return [r["message"] for r in rows if r["severity"] == "info" and "cheapest plan would cost" in r["message"]]


def test_a_line_down_in_the_peak_week_names_its_capacity_row_or_the_demand_that_would_wait(tmp_path):
    # R1 makes 20 units (10 h) in P1 and nothing in P2 (its ResourceCapacity row); 30 are due in P2.
    # Least relaxation: 5 more hours (10 units); in P2 it costs 2*30 + 20 held = 80, in P1 2*30 + 30 held.
    # With the hours kept: 10 units of P2's demand wait: 2*20 + 20 held = 60.
    rows = explained(
        tmp_path / "down",
        periods=2,
        products=[product("A", holding_cost=1)],
        resources=[resource("R1", capacity=10)],
        capacity=[{"resource": "R1", "period": "P2", "capacity": 0}],
        routings=[routing("A", "R1", hours_per_unit=0.5, unit_cost=2)],
        demand={"A": [0, 30]},
        settings=NO_BACKLOG,
    )
    bent = errors(rows)
    assert [where for where, _ in bent] == ["ResourceCapacity.csv!C2", "Demand.csv!C2"]
    assert bent[0][1].startswith("resource R1 would need 5 hours more than its 0 regular plus 0 overtime hours in P2")
    assert bent[1][1].startswith("or, with the hours as they are: 10 units of A cannot be ready on time in P2")
    assert "allow_backlog = no" in bent[1][1]
    assert [c.split("cost ")[1] for c in costs(rows)] == ["80.00 EUR", "60.00 EUR"]


def test_a_minimum_lot_larger_than_the_line_can_make_names_the_lot(tmp_path):
    # A lot is at least 50 units, R1 has 40 hours (1 h a unit), 30 are due. Bending the lot by 10
    # (a run of 40) or the hours by 10 (a run of 50) weigh the same; the run of 40 is cheaper:
    # 40 made + 10 held = 50, against 50 + 20 = 70
    rows = explained(
        tmp_path / "lot",
        periods=1,
        products=[product("A", holding_cost=1, min_lot=50)],
        resources=[resource("R1", capacity=40)],
        routings=[routing("A", "R1", unit_cost=1)],
        demand={"A": [30]},
        settings=NO_BACKLOG,
    )
    assert errors(rows) == [
        (
            "Products.csv!C2",
            "a run of A on R1 in P1 would need to be 10 units below its minimum lot of 50. Lower min_lot",
        )
    ]
    assert costs(rows) == ["relaxed as listed above, the cheapest plan would cost 50.00 EUR"]


def test_a_hard_safety_stock_out_of_reach_names_the_safety_stock_cell(tmp_path):
    # 15 due plus 10 hard safety stock = 25 units, R1 makes 20 (2 h a unit, 40 h): 5 units short either
    # of the safety stock (5 held) or of the demand (then 10 held); 10 more hours weigh more
    rows = explained(
        tmp_path / "safety",
        periods=1,
        products=[product("A", holding_cost=1, safety_stock=10)],
        resources=[resource("R1", capacity=40)],
        routings=[routing("A", "R1", hours_per_unit=2)],
        demand={"A": [15]},
        settings=NO_BACKLOG,
    )
    bent = errors(rows)
    assert len(bent) == 1
    where, message = bent[0]
    assert where == "Products.csv!C2"
    assert message.startswith("product A would end P1 5 units below its hard safety stock of 10")
    assert costs(rows) == ["relaxed as listed above, the cheapest plan would cost 5.00 EUR"]


@pytest.mark.parametrize("allow", ["yes", "no"])
def test_with_backlog_allowed_the_same_line_down_has_a_plan(tmp_path, allow):
    """The explained case is infeasible only because demand may not wait: with a backlog cost it solves."""
    solved = solve_case(
        tmp_path / "down",
        periods=2,
        products=[product("A", holding_cost=1, backlog_cost=1)],
        resources=[resource("R1", capacity=10)],
        capacity=[{"resource": "R1", "period": "P2", "capacity": 0}],
        routings=[routing("A", "R1", hours_per_unit=0.5, unit_cost=2)],
        demand={"A": [0, 30]},
        settings={"allow_backlog": allow},
        expect=None,
    )
    assert solved.result.status is (Status.OPTIMAL if allow == "yes" else Status.INFEASIBLE)


def test_the_line_down_example_exits_1_with_the_line_and_the_cost_named(tmp_path):
    """scenarios/production-infeasible.xlsx (example.line_down_tables): Press-1 is down in 2027-W02, no backlog."""
    scenario = ROOT / "scenarios" / "production-infeasible.xlsx"
    loaded = load(scenario)
    s = loaded.scenario
    press = [r.resource for r in s.resources].index("Press-1")
    assert not s.settings.allow_backlog and s.capacity[press][1] == 0 and s.max_overtime[press][1] == 0
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "summary.json"
    args = ["solve", scenario, "-o", plan, "--summary", summary, "--time-limit", "12", "--quiet"]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 1, result.output
    assert openpyxl.load_workbook(plan, read_only=True).sheetnames == ["Summary", "Diagnostics"]
    data = json.loads(summary.read_text())
    assert data["status"] == "infeasible"
    diagnostics = pd.read_excel(plan, sheet_name="Diagnostics", engine="calamine")
    bent = diagnostics[(diagnostics["severity"] == "error") & ~diagnostics["message"].str.startswith("no plan")]
    press_cells = {s.resource_cell(press, "capacity"), "ResourceCapacity!C6"}  # row 6: Press-1 in 2027-W02
    assert any(
        where in press_cells and "resource Press-1 would need" in message
        for where, message in zip(bent["location"], bent["message"], strict=True)
    )
    assert bent["location"].str.contains("!").all()
    assert diagnostics["message"].str.contains("the cheapest plan would cost").any()
    assert any("Press-1" in line for line in data["explanation"])


def test_an_explanation_cut_short_by_the_clock_says_so_rather_than_blaming_the_data(tmp_path):
    """With too little time for the elastic re-solve, nothing is known: the message asks for time, it does not say the
    cause lies in other rules or in the data (what a re-solve that proves no plan says)."""
    from models.production import explain
    from optimizer.backends.pyomo_milp import LOAD_SIZE_PER_SECOND
    from optimizer.core.params import SolveParams

    names = [f"P{k}" for k in range(20)]
    solved = solve_case(
        tmp_path / "short",
        expect=Status.INFEASIBLE,
        periods=50,
        products=[product(name) for name in names],
        resources=[resource("R1", capacity=100)],
        routings=[routing(name, "R1", hours_per_unit=1) for name in names],
        demand={name: [30] + [2] * 49 for name in names},  # 600 units due in P1, 100 hours
        settings=NO_BACKLOG,
    )
    assert any(where.startswith("Demand.csv!") for where, _ in errors(solved.result.explanation))  # with time: cells
    scenario = load(tmp_path / "short").scenario
    model = explain.elastic_model(scenario)
    assert (model.nvariables() + model.nconstraints()) / LOAD_SIZE_PER_SECOND > 0.1  # more than 0.1 s to load
    rows = explain.explain(scenario, SolveParams(), limit=0.01)
    assert [r["message"] for r in rows] == [
        "infeasible: no time left to find which rules to relax; give a longer time limit"
    ]
