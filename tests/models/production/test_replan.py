"""Production replans: frozen periods stay exactly, later changes are made only when they pay for their stability cost.

The scenarios are tiny (one or two products, one line, two or three periods) so that every
expected plan and objective is worked out by hand in the test; every replanned plan is checked by
the independent checker, and its recomputed cost plus the stability penalty is the objective.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.io.tables import read_workbook
from optimizer.solve import ReplanRequest, load, solve_loaded
from tests.builders import write_folder, write_sheets
from tests.models.production.checker import check_plan

runner = CliRunner()


def sheets(
    demand: dict[str, list[float]], holding: float = 1.0, weight: float | None = None, capacity: float = 1000.0
) -> dict[str, list[dict[str, Any]]]:
    """Products on one line R1 (1 hour a unit), setup cost 100 a run, no backlog: demand is met on time."""
    periods = [f"P{t + 1}" for t in range(len(next(iter(demand.values()))))]
    settings = [{"setting": "kind", "value": "production"}, {"setting": "name", "value": "line"}]
    if weight is not None:
        settings.append({"setting": "stability_weight", "value": weight})
    return {
        "Settings": settings,
        "Periods": [{"period": p} for p in periods],
        "Products": [{"product": p, "holding_cost": holding} for p in demand],
        "Resources": [{"resource": "R1", "capacity": capacity}],
        "Routings": [{"product": p, "resource": "R1", "hours_per_unit": 1, "setup_cost": 100} for p in demand],
        "Demand": [
            {"product": p, "period": periods[t], "quantity": q} for p, row in demand.items() for t, q in enumerate(row)
        ]
        or [{"product": next(iter(demand)), "period": "P1", "quantity": 0}],
    }


def solve_cli(folder: Path, plan: Path) -> dict[str, pd.DataFrame]:
    result = runner.invoke(app, ["solve", str(folder), "-o", str(plan), "-q", "--gap", "0", "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    return pd.read_excel(plan, sheet_name=None, engine="calamine")


def replan(folder: Path, previous: Path, freeze: int) -> Result:
    """Replan through the engine's one solve path; the plan is checked and its cost matches the objective."""
    loaded = load(folder)
    request = ReplanRequest(read_workbook(previous), freeze)
    result = solve_loaded(loaded, SolveParams(gap=0, time_limit=20), replan=request)
    assert result.status is Status.OPTIMAL, result.message
    total = check_plan(loaded.scenario, result.plan)
    assert total + result.plan.kpis["stability_penalty"] == pytest.approx(result.objective)
    return result


def made(production: pd.DataFrame, product: str = "A") -> dict[str, float]:
    rows = production[production["product"] == product]
    return {str(r.period): float(r.quantity) for r in rows.itertuples() if float(r.quantity) > 0}


def summary(book: dict[str, pd.DataFrame]) -> dict[str, Any]:
    return dict(zip(book["Summary"]["item"], book["Summary"]["value"], strict=True))


def test_unchanged_data_changes_nothing_and_costs_the_same_through_the_cli(tmp_path):
    # A: 20 in P1 (setup 100 + holding 10) beats 10 + 10 (200); B: 15 in P2 only
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10], "B": [0, 15]}))
    first = solve_cli(folder, tmp_path / "plan.xlsx")
    assert made(first["Production"]) == {"P1": 20} and float(summary(first)["objective"]) == 210
    args = ["replan", str(folder), "--previous", str(tmp_path / "plan.xlsx"), "--freeze", "1"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "replan.xlsx"), "-q", "--gap", "0"])
    assert result.exit_code == 0, result.output
    book = pd.read_excel(tmp_path / "replan.xlsx", sheet_name=None, engine="calamine")
    assert made(book["Production"]) == {"P1": 20} and made(book["Production"], "B") == {"P2": 15}
    assert book["Changes"].empty
    assert list(book["Changes"].columns) == [
        "what", "product", "resource", "period", "old", "new", "change", "cost_effect", "frozen"
    ]  # fmt: skip
    s = summary(book)
    assert float(s["objective"]) == 210 and float(s["kpi: stability_penalty"]) == 0
    assert "replan: the first 1 period(s) kept" in " ".join(str(v) for v in book["Summary"]["value"])


def test_frozen_periods_stay_exact_even_when_new_demand_prefers_otherwise(tmp_path):
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10]}))
    solve_cli(folder, tmp_path / "plan.xlsx")  # 20 units in P1
    # P1's demand is gone: fresh, the plan would make 10 in P2 (cost 100); the 20 of P1 are committed,
    # so nothing is made in P2 and 20 then 10 units are held: 100 + 20 + 10 = 130
    write_folder(folder, sheets({"A": [0, 10]}))
    result = replan(folder, tmp_path / "plan.xlsx", freeze=1)
    assert made(result.plan.sheets["Production"]) == {"P1": 20}
    assert result.objective == pytest.approx(130)
    assert result.plan.sheets["Changes"].empty
    assert result.plan.kpis["share_changed_in_frozen_periods"] == 0


@pytest.mark.parametrize(
    ("weight", "expected", "objective"), [(0.5, {"P1": 10, "P2": 10}, 210), (2.0, {"P1": 20}, 220)]
)
def test_a_change_is_made_only_when_it_saves_more_than_its_stability_cost(tmp_path, weight, expected, objective):
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10]}, holding=1))
    solve_cli(folder, tmp_path / "plan.xlsx")  # 20 in P1: 100 + 10 holding
    # holding now costs 12: 20 in P1 costs 100 + 120 = 220, two runs of 10 cost 200 but move 20 units
    # (P1 20 -> 10, P2 0 -> 10): worth it at 0.5 a unit (200 + 10 = 210), not at 2 (200 + 40 > 220)
    write_folder(folder, sheets({"A": [10, 10]}, holding=12, weight=weight))
    result = replan(folder, tmp_path / "plan.xlsx", freeze=0)
    assert made(result.plan.sheets["Production"]) == expected
    assert result.objective == pytest.approx(objective)
    changes = result.plan.sheets["Changes"]
    if weight < 1:
        assert [(r.what, r.period, r.old, r.new) for r in changes.itertuples()] == [
            ("quantity changed", "P1", 20, 10),
            ("new run", "P2", 0, 10),
        ]
        assert list(changes["cost_effect"]) == [0, 100]  # no unit cost; the new run's setup
        assert result.plan.kpis["stability_penalty"] == pytest.approx(10)
    else:
        assert changes.empty and result.plan.kpis["stability_penalty"] == 0


def test_previous_rows_that_no_longer_fit_are_diagnostics_and_the_replan_goes_on(tmp_path):
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10]}))
    previous = write_sheets(
        tmp_path / "previous.xlsx",
        {
            "Production": [
                ["product", "resource", "period", "quantity", "setup"],
                ["A", "R1", "P1", 20, "yes"],
                ["GONE", "R1", "P1", 5, "yes"],  # product no longer in Products
                ["A", "R9", "P2", 5, "yes"],  # resource no longer in Resources
                ["A", "R1", "P0", 7, "yes"],  # a period before the horizon
                ["A", "R1", "P2", "lots", "yes"],  # not a number
            ]
        },
    )
    result = replan(folder, previous, freeze=1)
    assert made(result.plan.sheets["Production"]) == {"P1": 20}  # the row that fits is kept
    notes = result.plan.diagnostics
    by_location = {r.location: (r.severity, r.message) for r in notes.itertuples()}
    assert "is no longer in Products" in by_location["previous plan Production!A3"][1]
    assert "is no longer in Resources" in by_location["previous plan Production!B4"][1]
    assert (
        by_location["previous plan Production!C5"][0] == "info"
        and "'P0'" in by_location["previous plan Production!C5"][1]
    )
    assert "not a number" in by_location["previous plan Production!D6"][1]


def test_a_resource_the_product_can_no_longer_use_is_reported(tmp_path):
    rows = sheets({"A": [10, 10]})
    rows["Resources"].append({"resource": "R2", "capacity": 1000})
    folder = write_folder(tmp_path / "line", rows)
    previous = write_sheets(
        tmp_path / "previous.xlsx",
        {"Production": [["product", "resource", "period", "quantity", "setup"], ["A", "R2", "P1", 20, "yes"]]},
    )
    result = replan(folder, previous, freeze=1)
    # nothing of the previous plan is left to keep in P1: the replan makes 20 there afresh at the lowest cost
    assert made(result.plan.sheets["Production"]) == {"P1": 20}
    messages = result.plan.diagnostics["message"].tolist()
    assert any("'R2' can no longer make 'A'" in m for m in messages)


def test_a_frozen_period_whose_hours_no_longer_fit_is_replanned_with_a_diagnostic(tmp_path):
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10]}))
    solve_cli(folder, tmp_path / "plan.xlsx")  # 20 units (20 hours) in P1
    rows = sheets({"A": [10, 10]})
    rows["ResourceCapacity"] = [{"resource": "R1", "period": "P1", "capacity": 12}]  # the line is half down in P1
    write_folder(folder, rows)
    result = replan(folder, tmp_path / "plan.xlsx", freeze=1)
    # P1 can make at most 12: the cheapest is 10 in P1 and 10 in P2 (200), changing 20 units (0.2 at 0.01)
    assert made(result.plan.sheets["Production"]) == {"P1": 10, "P2": 10}
    assert result.objective == pytest.approx(200.2)
    messages = result.plan.diagnostics["message"].tolist()
    assert any("more than the 12 available now" in m for m in messages)


def test_a_rolled_horizon_matches_periods_by_id_and_notes_the_past_once(tmp_path):
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10, 10]}))
    solve_cli(folder, tmp_path / "plan.xlsx")  # 30 in P1: 100 + 20 + 10 held beats two runs
    rolled = sheets({"A": [10, 10, 10]})
    rolled["Periods"] = [{"period": p} for p in ("P2", "P3", "P4")]  # P1 is over, P4 is new
    rolled["Demand"] = [{"product": "A", "period": p, "quantity": 10} for p in ("P2", "P3", "P4")]
    rolled["Products"][0]["initial_stock"] = 20  # what P1 left on hand
    write_folder(folder, rolled)
    result = replan(folder, tmp_path / "plan.xlsx", freeze=1)
    # P2 kept at 0; P3 and P4 need 10 more: one run in P4 (100) beats making 10 in P3 and holding it (110)
    assert made(result.plan.sheets["Production"]) == {"P4": 10}
    assert result.objective == pytest.approx(100 + 10 + 0.1)  # setup, 10 held at the end of P2, 10 units changed
    notes = result.plan.diagnostics
    past = notes[notes["message"].str.contains("'P1' is not in Periods")]
    assert list(past["severity"]) == ["info"] and "1 production row(s)" in past["message"].iloc[0]


def test_a_replan_whose_frozen_production_cannot_meet_new_demand_says_the_freeze_blocks_it(tmp_path):
    folder = write_folder(tmp_path / "line", sheets({"A": [10, 10]}))
    solve_cli(folder, tmp_path / "plan.xlsx")  # 20 in P1
    write_folder(folder, sheets({"A": [25, 10]}))  # P1 now needs 25, but its 20 are frozen and demand may not wait
    loaded = load(folder)
    request = ReplanRequest(read_workbook(tmp_path / "plan.xlsx"), 1)
    result = solve_loaded(loaded, SolveParams(gap=0, time_limit=20), replan=request)
    assert result.status is Status.INFEASIBLE and result.plan is None
    assert any("try a smaller --freeze" in e["message"] for e in result.explanation)
    unfrozen = solve_loaded(loaded, SolveParams(gap=0, time_limit=20), replan=ReplanRequest(request.previous_sheets, 0))
    assert unfrozen.status is Status.OPTIMAL
    check_plan(loaded.scenario, unfrozen.plan)


def test_a_two_level_plan_keeps_its_frozen_component_runs_and_stays_feasible(tmp_path):
    rows = sheets({"FG": [0, 10, 10, 10], "C": [0, 0, 0, 0]})
    rows["BOM"] = [{"parent": "FG", "component": "C", "quantity_per": 2, "lead_time_offset": 1}]
    folder = write_folder(tmp_path / "line", rows)
    before = solve_cli(folder, tmp_path / "plan.xlsx")["Production"]
    rows["Demand"] = [{"product": "FG", "period": p, "quantity": q} for p, q in (("P2", 10), ("P3", 10), ("P4", 25))]
    write_folder(folder, rows)
    result = replan(folder, tmp_path / "plan.xlsx", freeze=2)  # checked: components on hand for every parent run
    after = result.plan.sheets["Production"]
    for name in ("FG", "C"):
        kept = {p: q for p, q in made(before, name).items() if p in ("P1", "P2")}
        assert {p: q for p, q in made(after, name).items() if p in ("P1", "P2")} == kept
    assert sum(made(after, "FG").values()) == 45 and sum(made(after, "C").values()) == 90
