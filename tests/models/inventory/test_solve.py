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
