"""`optimizer replan` for inventory: frozen orders stay, later changes are priced, the Changes sheet says what moved."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.io.tables import read_workbook
from optimizer.runner.lock import scenario_lock
from optimizer.solve import ReplanRequest, load, solve_loaded
from tests.builders import sha256, write_folder
from tests.models.inventory.checker import check_plan

runner = CliRunner()


def sheets(demand: dict[str, list[float]], periods: list[str] | None = None, weight: float | None = None) -> dict:
    """Two items from one supplier with an order cost: the optimum batches demand into few orders."""
    periods = periods or [f"W{t + 1}" for t in range(6)]
    settings = [{"setting": "kind", "value": "inventory"}, {"setting": "name", "value": "shop"}]
    if weight is not None:
        settings.append({"setting": "stability_weight", "value": weight})
    return {
        "Settings": settings,
        "Periods": [{"period": p} for p in periods],
        "Items": [{"item": i, "unit_cost": 10, "holding_cost": 1, "shortage_cost": 100} for i in demand],
        "Suppliers": [{"supplier": "S1"}],
        "ItemSuppliers": [{"item": i, "supplier": "S1", "order_cost": 25} for i in demand],
        "Demand": [
            {"item": i, "period": periods[t], "quantity": q}
            for i, series in demand.items()
            for t, q in enumerate(series)
            if q
        ],
    }


def solve_cli(folder: Path, plan: Path, *extra: str) -> pd.DataFrame:
    result = runner.invoke(app, ["solve", str(folder), "-o", str(plan), "-q", "--gap", "0", *extra])
    assert result.exit_code == 0, result.output
    return pd.read_excel(plan, sheet_name=None, engine="calamine")


def replan_cli(folder: Path, previous: Path | str, plan: Path, *extra: str, code: int = 0):
    args = ["replan", str(folder), "--previous", str(previous), "-o", str(plan), "-q", "--gap", "0", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    return result


def orders(book: dict) -> list[tuple]:
    return [(r.item, r.order_period, float(r.quantity)) for r in book["Orders"].itertuples()]


def summary(book: dict) -> dict:
    return dict(zip(book["Summary"]["item"], book["Summary"]["value"], strict=True))


def test_unchanged_data_changes_nothing_and_costs_nothing_more(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10], "B": [0, 5, 0, 5, 0, 5]}))
    first = solve_cli(folder, tmp_path / "plan.xlsx")
    again = replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "replan.xlsx", "--freeze", "2")
    book = pd.read_excel(tmp_path / "replan.xlsx", sheet_name=None, engine="calamine")
    assert orders(book) == orders(first)
    assert book["Changes"].empty
    s = summary(book)
    assert float(s["objective"]) == pytest.approx(float(summary(first)["objective"]))
    assert float(s["kpi: stability_penalty"]) == 0
    assert "replan: the first 2 period(s) kept" in " ".join(str(v) for v in book["Summary"]["value"])
    assert again.exit_code == 0


def test_frozen_orders_stay_and_later_changes_are_listed_with_their_cost(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10]}))
    before = orders(solve_cli(folder, tmp_path / "plan.xlsx"))
    # demand collapses from W2 on: a fresh plan would order far less, but what is frozen was already placed
    write_folder(folder, sheets({"A": [10, 0, 0, 0, 0, 40]}))
    replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "replan.xlsx", "--freeze", "2")
    book = pd.read_excel(tmp_path / "replan.xlsx", sheet_name=None, engine="calamine")
    after = orders(book)
    frozen = {"W1", "W2"}
    assert [o for o in after if o[1] in frozen] == [o for o in before if o[1] in frozen]
    changes = book["Changes"]
    assert not changes.empty and not changes["frozen"].any()
    for row in changes.itertuples():  # every change listed is a real difference with its price
        old = sum(q for i, p, q in before if (i, p) == (row.item, row.order_period))
        new = sum(q for i, p, q in after if (i, p) == (row.item, row.order_period))
        assert (row.old, row.new, row.change) == (old, new, new - old)
        order_cost = 25 * ((new > 0) - (old > 0))
        assert row.cost_effect == pytest.approx(10 * (new - old) + order_cost)
    s = summary(book)
    assert float(s["kpi: share_changed_in_frozen_periods"]) == 0
    assert float(s["kpi: share_changed_after_frozen_periods"]) > 0
    loaded = load(folder)  # the replanned plan is feasible for the new data (independent checker)
    request = ReplanRequest(read_workbook(tmp_path / "plan.xlsx"), 2)
    result = solve_loaded(loaded, SolveParams(gap=0, time_limit=20), replan=request)
    check_plan(loaded.scenario, result.plan)


def test_a_high_stability_weight_keeps_the_plan_and_zero_weight_replans_freely(tmp_path):
    base = {"A": [10, 10, 10, 10, 10, 10]}
    folder = write_folder(tmp_path / "shop", sheets(base))
    before = orders(solve_cli(folder, tmp_path / "plan.xlsx"))
    changed = {"A": [10, 10, 10, 12, 10, 10]}
    write_folder(folder, sheets(changed, weight=1000))
    replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "sticky.xlsx", "--freeze", "1")
    sticky = pd.read_excel(tmp_path / "sticky.xlsx", sheet_name=None, engine="calamine")
    # backlogging 2 units (396 more) is cheaper than changing any order by 2 units at 1000 per unit
    assert orders(sticky) == before and sticky["Changes"].empty
    write_folder(folder, sheets(changed, weight=0))
    replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "free.xlsx", "--freeze", "0")
    free_book = pd.read_excel(tmp_path / "free.xlsx", sheet_name=None, engine="calamine")
    fresh = summary(solve_cli(folder, tmp_path / "fresh.xlsx"))
    assert float(summary(free_book)["objective"]) == pytest.approx(float(fresh["objective"]))
    assert [(r.order_period, r.old, r.new) for r in free_book["Changes"].itertuples()] == [("W3", 20, 22)]


def test_a_rolled_horizon_matches_periods_by_id_and_ignores_past_orders(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10]}))
    before = orders(solve_cli(folder, tmp_path / "plan.xlsx"))
    rolled = [f"W{t + 2}" for t in range(6)]  # W1 is over, W7 is new
    write_folder(folder, sheets({"A": [10, 10, 10, 10, 10, 10]}, periods=rolled))
    replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "replan.xlsx", "--freeze", "1")
    book = pd.read_excel(tmp_path / "replan.xlsx", sheet_name=None, engine="calamine")
    assert [o for o in orders(book) if o[1] == "W2"] == [o for o in before if o[1] == "W2"]
    assert "W1" not in set(book["Orders"]["order_period"])


def test_a_vanished_item_is_reported_per_row_and_the_replan_goes_on(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 0, 0, 0], "B": [5, 5, 5, 5, 5, 5]}))
    solve_cli(folder, tmp_path / "plan.xlsx")
    for name in ("Items", "ItemSuppliers", "Demand"):
        (folder / f"{name}.csv").unlink()
    write_folder(folder, sheets({"A": [10, 10, 10, 0, 0, 0]}))
    replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "replan.xlsx")
    diagnostics = pd.read_excel(tmp_path / "replan.xlsx", sheet_name="Diagnostics", engine="calamine")
    notes = diagnostics[diagnostics["message"].str.contains("'B' is no longer in Items")]
    assert len(notes) >= 1 and notes["location"].str.startswith("previous plan Orders!A").all()


def test_previous_latest_takes_the_newest_plan_from_the_history(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10]}))
    solve_cli(folder, tmp_path / "plan.xlsx")
    replan_cli(folder, "latest", tmp_path / "replan.xlsx")
    book = pd.read_excel(tmp_path / "replan.xlsx", sheet_name=None, engine="calamine")
    assert book["Changes"].empty


def test_previous_latest_without_history_is_a_clear_error(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10]}))
    result = replan_cli(folder, "latest", tmp_path / "replan.xlsx", code=2)
    assert "has no plan of" in result.output and not (tmp_path / "replan.xlsx").exists()


def test_a_previous_plan_of_another_kind_is_refused(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10]}))
    not_a_plan = tmp_path / "other.xlsx"
    pd.DataFrame({"x": [1]}).to_excel(not_a_plan, sheet_name="Routes", index=False)
    result = replan_cli(folder, not_a_plan, tmp_path / "replan.xlsx", code=2)
    assert "no Orders sheet" in result.output and not (tmp_path / "replan.xlsx").exists()


def test_two_runs_of_one_scenario_never_overlap(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 10, 10, 10]}))
    solve_cli(folder, tmp_path / "plan.xlsx")
    digest = sha256(tmp_path / "plan.xlsx")
    with scenario_lock(folder):  # a nightly run still going
        result = replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "replan.xlsx", code=2)
    assert "is in progress" in result.output and not (tmp_path / "replan.xlsx").exists()
    assert sha256(tmp_path / "plan.xlsx") == digest


def test_a_replan_without_plan_still_lists_what_no_longer_fits(tmp_path):
    folder = write_folder(tmp_path / "shop", sheets({"A": [10, 10, 10, 0, 0, 0], "B": [5, 5, 5, 5, 5, 5]}))
    solve_cli(folder, tmp_path / "plan.xlsx")
    for name in ("Items", "ItemSuppliers", "Demand"):
        (folder / f"{name}.csv").unlink()
    impossible = sheets({"A": [10, 10, 10, 0, 0, 0]})
    impossible["Items"][0].update(safety_stock=500, safety_stock_policy="hard")
    impossible["ItemSuppliers"][0].update(max_order_qty=5)  # 5 a week can never build a stock of 500
    write_folder(folder, impossible)
    replan_cli(folder, tmp_path / "plan.xlsx", tmp_path / "replan.xlsx", code=1)
    diagnostics = pd.read_excel(tmp_path / "replan.xlsx", sheet_name="Diagnostics", engine="calamine")
    assert diagnostics["message"][0].startswith("no plan: infeasible")
    assert diagnostics["message"].str.contains("'B' is no longer in Items").any()
    assert diagnostics["message"].str.contains("cannot hold its hard safety stock of 500").any()


def _notes(plan: Path) -> list[str]:
    book = pd.read_excel(plan, sheet_name="Summary", engine="calamine")
    return [str(v) for k, v in zip(book["item"], book["value"], strict=True) if k == "note"]


def test_a_previous_plan_of_another_scenario_is_noted_in_the_summary(tmp_path):
    """Pointed at another scenario's plan, the replan keeps little of it: the Summary says whose plan it was."""
    demand = {"A": [5, 5, 5, 5, 5, 5], "B": [0, 8, 0, 8, 0, 8]}
    shop = write_folder(tmp_path / "shop", sheets(demand))
    other = sheets(demand)
    other["Settings"][1]["value"] = "warehouse"
    warehouse = write_folder(tmp_path / "warehouse", other)
    solve_cli(shop, tmp_path / "shop-plan.xlsx")
    replan_cli(warehouse, tmp_path / "shop-plan.xlsx", tmp_path / "w.xlsx", "--freeze", "1")
    expected = "the previous plan is of scenario 'shop', not 'warehouse': check it is the plan you meant"
    assert expected in _notes(tmp_path / "w.xlsx")
    replan_cli(shop, tmp_path / "shop-plan.xlsx", tmp_path / "s.xlsx", "--freeze", "1")
    assert not any("previous plan is of scenario" in n for n in _notes(tmp_path / "s.xlsx"))
