"""The inventory kind through the whole solve path: infeasibility, reproducibility, solver threads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.core.status import Status
from tests.models.inventory.helpers import item, offer, solve_case

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("policy", ["backorder", "lost_sale"])
def test_hard_safety_stock_beyond_supplier_capacity_is_infeasible(tmp_path, policy):
    # 50 units of hard safety stock from P1 on, but the only supplier ships 20 a period and
    # demand takes 10 of them: at most 10 more units a period can stay on hand.
    solved = solve_case(
        tmp_path,
        periods=3,
        items=[item(safety_stock=50, safety_stock_policy="hard", shortage_policy=policy)],
        suppliers=[{"supplier": "S1", "capacity": 20}],
        offers=[offer()],
        demand={"A": [10, 10, 10]},
        expect=Status.INFEASIBLE,
    )
    assert solved.result.plan is None
    assert solved.result.objective is None
    # the explanation. Backorder: at best 10, 20, 30 units on hand, so the hard rule misses by 40, 30, 20;
    # bent that much, the cheapest plan buys 20 a period (600) and holds 10 + 20 + 30 units (60).
    # Lost sales: not serving demand keeps 10 more units each period (20, 40, 60 on hand): misses by 30, 10;
    # that plan buys 60 (600), holds 20 + 40 + 50 (110) and loses 10 + 10 + 0 sales at 1000 (20,000)
    rows = solved.result.explanation
    bent = [r for r in rows if r["severity"] == "error"]
    missed = {"backorder": ["40", "30", "20"], "lost_sale": ["30", "10"]}[policy]
    assert [r["location"] for r in bent] == ["Items.csv!E2"] * len(missed)
    assert [r["message"].split(": ")[1].split(" units")[0] for r in bent] == missed
    assert "safety stock of 50 at the end of P1" in bent[0]["message"]
    cost = {"backorder": "660.00", "lost_sale": "20,710.00"}[policy]
    assert rows[-1]["message"].startswith(f"relaxed as listed above, the cheapest plan would cost {cost}")


def test_same_seed_same_orders(tmp_path):
    # two identical suppliers and several items: many optima, the solver must still pick the same one
    items = [item(i, holding_cost=0.5 + k / 4) for k, i in enumerate("ABC")]
    offers = [offer(i, s, order_cost=40, pack_size=2) for i in "ABC" for s in ("S1", "S2")]
    demand = {i: [float((7 * k + 3 * t) % 11 + 4) for t in range(8)] for k, i in enumerate("ABC")}
    suppliers = [{"supplier": "S1", "capacity": 40}, {"supplier": "S2", "capacity": 40}]
    case = dict(periods=8, items=items, offers=offers, suppliers=suppliers, demand=demand, seed=3)
    first, second = (solve_case(tmp_path / "scenario", **case) for _ in range(2))
    assert not first.orders.empty
    pd.testing.assert_frame_equal(first.orders, second.orders)
    pd.testing.assert_frame_equal(first.inventory, second.inventory)
    assert first.result.objective == second.result.objective


SOLVE_WITH_THREADS = """
import sys
from pathlib import Path
from optimizer.core.params import SolveParams
from optimizer.solve import load, solve_loaded
from tests.models.inventory.helpers import item, offer, write_folder

folder = write_folder(Path(sys.argv[1]), {
    "Settings": [{"setting": "kind", "value": "inventory"}],
    "Periods": [{"period": "P1"}, {"period": "P2"}],
    "Items": [item()],
    "Suppliers": [{"supplier": "S1"}],
    "ItemSuppliers": [offer()],
    "Demand": [{"item": "A", "period": "P2", "quantity": 5}],
})
for threads in (2, 1, 4):
    result = solve_loaded(load(folder), SolveParams(threads=threads, time_limit=20))
    print(threads, result.status.value, result.objective, result.message)
"""


def test_solves_with_different_thread_counts_in_one_process(tmp_path):
    # A long-lived process (batch worker, test run) may solve with --threads 2, then 1, then 4.
    # Run in a child process: HiGHS keeps one thread scheduler per process.
    done = subprocess.run(
        [sys.executable, "-c", SOLVE_WITH_THREADS, str(tmp_path / "scenario")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split()[:3] for line in lines] == [[t, "optimal", "50.0"] for t in ("2", "1", "4")], done.stdout


def test_the_infeasible_example_explains_itself_through_the_cli(tmp_path):
    """scenarios/inventory-infeasible.xlsx: exit 1, a workbook with Summary and Diagnostics naming the cells."""
    import json

    from typer.testing import CliRunner

    from optimizer.cli import app

    plan, summary = tmp_path / "plan.xlsx", tmp_path / "s.json"
    args = ["solve", str(ROOT / "scenarios" / "inventory-infeasible.xlsx"), "-o", str(plan), "--summary", str(summary)]
    result = CliRunner().invoke(app, [*args, "-q", "--time-limit", "30"])
    assert result.exit_code == 1, result.output
    book = pd.read_excel(plan, sheet_name=None, engine="calamine")
    assert list(book) == ["Summary", "Diagnostics"]
    diagnostics = book["Diagnostics"]
    assert diagnostics["message"][0].startswith("no plan: infeasible")
    bent = diagnostics[diagnostics["location"] == "Items!H2"]
    assert len(bent) >= 1 and bent["message"].str.contains("FLOUR-25 cannot hold its hard safety stock of 60").all()
    document = json.loads(summary.read_text())
    assert document["status"] == "infeasible" and any(e.startswith("Items!H2: ") for e in document["explanation"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_model_too_big_for_the_mip_start_gets_the_heuristic_plan_and_the_blocks_bound(tmp_path, monkeypatch, seed):
    # the size rule is lowered so a small scenario (two items sharing a supplier's capacity, some a warehouse), whose
    # optimum HiGHS proves in a second, takes the path 2000 items take: no whole-model MIP, the item blocks' bound
    from models.inventory.heuristic import greedy_plan
    from models.inventory.plan import extract
    from optimizer.backends import pyomo_milp
    from optimizer.core.params import SolveParams
    from optimizer.solve import solve_loaded
    from tests.models.inventory.checker import check_plan
    from tests.models.inventory.test_cover_cuts import random_scenario

    loaded = random_scenario(tmp_path, seed)
    params = SolveParams(time_limit=20, gap=0, seed=0)
    optimum = solve_loaded(loaded, params)
    assert optimum.status is Status.OPTIMAL
    monkeypatch.setattr(pyomo_milp, "MIP_START_MAX_COLUMNS", 0)
    result = solve_loaded(loaded, params)
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert pyomo_milp.BOUND_ONLY_MESSAGE in result.message
    assert check_plan(loaded.scenario, result.plan) == pytest.approx(result.objective)
    # the plan is the start plan, the bound is valid (at most the proven optimum) and the gap is reported
    assert result.objective == pytest.approx(
        check_plan(loaded.scenario, extract(loaded.scenario, greedy_plan(loaded.scenario))), rel=1e-6
    )
    assert result.bound <= optimum.objective * (1 + 1e-9)
    assert result.gap == pytest.approx((result.objective - result.bound) / abs(result.objective), rel=1e-6, abs=1e-9)
