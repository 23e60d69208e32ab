"""The (l, S) cover and run cuts: the MILP optimum is the same with and without them, the LP bound never looser."""

from __future__ import annotations

import random
from pathlib import Path

import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from models.inventory.milp import build, cover_cuts, run_cuts
from optimizer.solve import load
from tests.builders import write_folder


def random_scenario(folder: Path, seed: int):
    """Two items over 8 periods, two suppliers with order costs, packs, MOQ and lead times; backorder or lost."""
    rng = random.Random(seed)
    periods = [{"period": f"P{t + 1}", "warehouse_capacity": 400.0 if seed % 2 else None} for t in range(8)]
    items, offers, demand = [], [], []
    for k, policy in enumerate(["backorder", "lost_sale"]):
        name = f"I{k}"
        items.append(
            {
                "item": name,
                "unit_cost": 10.0,
                "holding_cost": rng.choice([0.2, 0.5, 1.0]),
                "shortage_cost": rng.choice([5.0, 30.0]),
                "shortage_policy": policy,
                "initial_stock": float(rng.randint(0, 20)),
                "safety_stock": float(rng.choice([0, 5])),
                "safety_stock_policy": "soft",
                "volume": 1.0,
            }
        )
        for sup, lead in (("S1", 0), ("S2", 2)):
            pack = rng.choice([1, 5])
            offers.append(
                {
                    "item": name,
                    "supplier": sup,
                    "unit_price": 10.0 if lead == 0 else 8.0,
                    "lead_time": lead,
                    "order_cost": float(rng.choice([20, 60, 120])),
                    "min_order_qty": float(pack * rng.randint(0, 3)),
                    "pack_size": float(pack),
                }
            )
        demand += [{"item": name, "period": f"P{t + 1}", "quantity": float(rng.randint(0, 25))} for t in range(8)]
    sheets = {
        "Settings": [{"setting": "kind", "value": "inventory"}],
        "Periods": periods,
        "Items": items,
        "Suppliers": [{"supplier": "S1"}, {"supplier": "S2", "capacity": 60.0}],
        "ItemSuppliers": offers,
        "Demand": demand,
    }
    return load(write_folder(folder / f"case{seed}", sheets)).scenario


def solve(model, relax: bool) -> float:
    """Optimum of the model, or of its LP relaxation."""
    if relax:
        pyo.TransformationFactory("core.relax_integer_vars").apply_to(model)
    solver = Highs()
    solver.config.time_limit = 30
    solver.config.rel_gap = 0.0
    return solver.solve(model).incumbent_objective


@pytest.mark.parametrize("seed", range(6))
def test_cuts_keep_the_optimum_and_never_loosen_the_lp_bound(tmp_path: Path, seed: int) -> None:
    s = random_scenario(tmp_path, seed)
    assert cover_cuts(s, 8) and run_cuts(s, 6), "the instance has cuts to add"
    plain = solve(build(s, cover_window=0, run_window=0), False)
    lp_plain = solve(build(s, cover_window=0, run_window=0), True)
    lp_cover = solve(build(s, cover_window=8, run_window=0), True)
    for cover, run in ((8, 0), (0, 6), (8, 6)):
        assert solve(build(s, cover_window=cover, run_window=run), False) == pytest.approx(plain, rel=1e-7, abs=1e-6)
    lp_both = solve(build(s, cover_window=8, run_window=6), True)
    assert lp_plain - 1e-6 <= lp_cover <= lp_both + 1e-6
    assert lp_both <= plain + 1e-6


def test_cuts_tighten_the_lp_bound_of_a_fixed_cost_order(tmp_path: Path) -> None:
    # one item, demand 10 a period for 4 periods, an order costs 100: every order may be up to 40
    # (it could also fill a backlog), so the big-M link lets the LP order 10 a period, each a quarter
    # placed; the cuts (with l up to 3 periods on) close the gap to the integer optimum
    sheets = {
        "Settings": [{"setting": "kind", "value": "inventory"}],
        "Periods": [{"period": f"P{t + 1}"} for t in range(4)],
        "Items": [{"item": "A", "unit_cost": 1.0, "holding_cost": 1.0, "shortage_cost": 1000.0}],
        "Suppliers": [{"supplier": "S"}],
        "ItemSuppliers": [{"item": "A", "supplier": "S", "order_cost": 100.0}],
        "Demand": [{"item": "A", "period": f"P{t + 1}", "quantity": 10.0} for t in range(4)],
    }
    s = load(write_folder(tmp_path / "one", sheets)).scenario
    lp_plain = solve(build(s, cover_window=0, run_window=0), True)
    lp_cut = solve(build(s, cover_window=4, run_window=0), True)
    optimum = solve(build(s), False)
    # optimum by hand: one order of 40 in P1 (100 + 40 + holding 30 + 20 + 10) = 200
    assert optimum == pytest.approx(200.0)
    assert lp_plain == pytest.approx(40 + 4 * 100 * 10 / 40)
    assert lp_cut == pytest.approx(optimum)


def test_run_cuts_tighten_the_lp_bound_where_orders_are_split_over_periods(tmp_path: Path) -> None:
    # two suppliers at different lead times deliver in the same periods; the LP splits orders over
    # both, which every single cover cut allows, but the run cuts count the stock left once
    s = random_scenario(tmp_path, 3)
    lp_cover = solve(build(s, cover_window=8, run_window=0), True)
    lp_both = solve(build(s, cover_window=8, run_window=6), True)
    assert lp_both > lp_cover + 1e-3
