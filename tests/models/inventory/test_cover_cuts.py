"""The (l, S) cover and run cuts, built as arrays: the same inequalities as written out by hand, the MILP
optimum the same with and without them, the LP bound never looser, and plans solved with them pass the checker."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from models.inventory.cuts import COVER_WINDOW, RUN_WINDOW, cover_cuts, cut_windows, run_cuts
from models.inventory.milp import build
from models.inventory.orders import needs_placed, pack_bound
from optimizer.backends.highs_process import LpArrays
from optimizer.backends.pyomo_arrays import compile_model
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.arrays import proven_optimum
from tests.builders import write_folder
from tests.models.inventory.checker import check_plan


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
    return load(write_folder(folder / f"case{seed}", sheets))


def written_out_cuts(s, m, cover_window: int, run_window: int) -> list[dict[str, float]]:
    """Every cut as {variable name: coefficient} (all are `<= 0`), written term by term from their definition."""
    lost = {i for i, item in enumerate(s.items) if item.shortage_policy == "lost_sale"}
    n, rows = s.n_periods, []
    placed = [(o, t) for o, offer in enumerate(s.offers) if needs_placed(s, o) for t in range(n - offer.lead_time)]
    for o, t in placed:  # cover: packs arriving in a period cover demand up to l when placed, or sit in stock at l
        offer = s.offers[o]
        i, arrival = offer.item, t + offer.lead_time
        covered = 0.0
        for last in range(arrival, min(n, arrival + cover_window)):
            covered += s.demand[i][last]
            if covered >= offer.pack_size * pack_bound(s, o, t) - 1e-9:
                break
            row = {m.packs[o, t].name: offer.pack_size, m.placed[o, t].name: -covered, m.stock[i, last].name: -1.0}
            if arrival > 0 and i not in lost:
                row[m.short[i, arrival - 1].name] = -1.0
            rows.append(row)
    for i in range(len(s.items)):  # run: several placed orders arriving in first..last, stock at l counted once
        for last in range(n if run_window else 0):
            for first in range(max(0, last - run_window + 1), last + 1):
                members = [
                    (o, t)
                    for tau in range(first, last + 1)
                    for o, t in placed
                    if s.offers[o].item == i and t + s.offers[o].lead_time == tau
                ]
                if len(members) < 2:
                    continue
                row = {m.packs[o, t].name: s.offers[o].pack_size for o, t in members}
                for o, t in members:
                    row[m.placed[o, t].name] = -sum(s.demand[i][t + s.offers[o].lead_time : last + 1])
                row[m.stock[i, last].name] = -1.0
                if i not in lost:
                    row.update({m.short[i, j].name: -1.0 for j in range(max(0, first - 1), last)})
                rows.append(row)
    return [{name: c for name, c in row.items() if c != 0.0} for row in rows]


def highs_arrays(m) -> tuple[LpArrays, list[str]]:
    """The model as the HiGHS backend sends it (cuts appended) and the variable name of every column."""
    compiled = compile_model(m)
    return compiled.arrays, [var.name for var in compiled.variables]


def solve(s, cover: int, run: int, relax: bool) -> float:
    return proven_optimum(highs_arrays(build(s, cover_window=cover, run_window=run))[0], relax)


@pytest.mark.parametrize("seed", range(6))
def test_every_array_row_is_the_cut_written_out_term_by_term(tmp_path: Path, seed: int) -> None:
    s = random_scenario(tmp_path, seed).scenario
    m = build(s, cover_window=8, run_window=6)
    arrays, names = highs_arrays(m)
    base = len(arrays.row_lower) - len(cover_cuts(s, 8)) - len(run_cuts(s, 6))
    start, column, value = arrays.rowwise()
    rows = [
        {names[c]: v for c, v in zip(column[start[r] : start[r + 1]], value[start[r] : start[r + 1]], strict=True)}
        for r in range(base, len(arrays.row_lower))
    ]
    expected = written_out_cuts(s, m, 8, 6)
    assert len(rows) == len(expected) > 0
    for got, want in zip(rows, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-12)
    assert np.all(arrays.row_upper[base:] == 0.0) and np.all(np.isneginf(arrays.row_lower[base:]))


def test_the_array_cuts_give_the_lp_bound_of_the_same_cuts_as_pyomo_rows(tmp_path: Path) -> None:
    s = random_scenario(tmp_path, 3).scenario
    m = build(s, cover_window=8, run_window=6)
    via_arrays = proven_optimum(highs_arrays(m)[0], relax=True)
    cuts = written_out_cuts(s, m, 8, 6)
    by_name = {var.name: var for var in m.component_data_objects(pyo.Var)}
    m.cut_rows = []
    m.written_cuts = pyo.Constraint(
        range(len(cuts)), rule=lambda m, k: sum(c * by_name[name] for name, c in cuts[k].items()) <= 0
    )
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)
    solver = Highs()
    solver.config.rel_gap = 0.0
    assert solver.solve(m).incumbent_objective == pytest.approx(via_arrays, rel=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_cuts_keep_the_optimum_and_never_loosen_the_lp_bound(tmp_path: Path, seed: int) -> None:
    s = random_scenario(tmp_path, seed).scenario
    assert len(cover_cuts(s, 8)) and len(run_cuts(s, 6)), "the instance has cuts to add"
    plain = solve(s, 0, 0, False)
    for cover, run in ((8, 0), (0, 6), (8, 6)):
        assert solve(s, cover, run, False) == pytest.approx(plain, rel=1e-7, abs=1e-6)
    lp_plain, lp_cover, lp_both = solve(s, 0, 0, True), solve(s, 8, 0, True), solve(s, 8, 6, True)
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
    lp_plain = solve(s, 0, 0, True)
    lp_cut = solve(s, 4, 0, True)
    best = solve(s, 3, 4, False)
    # optimum by hand: one order of 40 in P1 (100 + 40 + holding 30 + 20 + 10) = 200
    assert best == pytest.approx(200.0)
    assert lp_plain == pytest.approx(40 + 4 * 100 * 10 / 40)
    assert lp_cut == pytest.approx(best)


def test_run_cuts_tighten_the_lp_bound_where_orders_are_split_over_periods(tmp_path: Path) -> None:
    # two suppliers at different lead times deliver in the same periods; the LP splits orders over
    # both, which every single cover cut allows, but the run cuts count the stock left once
    s = random_scenario(tmp_path, 3).scenario
    assert solve(s, 8, 6, True) > solve(s, 8, 0, True) + 1e-3


@pytest.mark.parametrize("seed", [0, 3])
def test_a_plan_solved_with_the_cuts_passes_the_checker_at_the_optimum(tmp_path: Path, seed: int) -> None:
    loaded = random_scenario(tmp_path, seed)
    assert cut_windows(loaded.scenario, 30) == (COVER_WINDOW, RUN_WINDOW), "the solve path adds both cut families"
    result = solve_loaded(loaded, SolveParams(time_limit=30, gap=0.0, seed=0))
    assert result.status is Status.OPTIMAL
    assert check_plan(loaded.scenario, result.plan) == pytest.approx(result.objective, rel=1e-9)
    assert result.objective == pytest.approx(solve(loaded.scenario, 0, 0, False), rel=1e-7)
