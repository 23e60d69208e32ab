"""Echelon (l,S) inequalities on random multi-level instances: they cut off no plan and only raise the LP bound.

Each instance has three BOM levels (finished goods, an intermediate, two components), a
component shared by two parents and used through two paths, quantities per unit other than 1,
offsets 0 to 2, initial stock, minimum lots, a safety stock, and backlog allowed or forbidden
(with backlog allowed, the intermediate also has demand of its own that may wait).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from models.production import cuts, heuristic, milp
from models.production.data import Scenario
from models.production.echelon import echelons
from models.production.example import example_tables
from optimizer.backends import pyomo_milp
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.production.helpers import period_ids
from tests.models.production.test_cuts import lp_with_cuts

N = 6
FINISHED, INTERMEDIATE, COMPONENTS = ("F1", "F2"), "I1", ("C1", "C2")


def _bom(rng: np.random.Generator) -> list[dict]:
    """F1, F2 -> I1; F2, I1 -> C1 (C1 reaches F2 by two paths); I1 -> C2."""
    lines = [("F1", "I1"), ("F2", "I1"), ("F2", "C1"), ("I1", "C1"), ("I1", "C2")]
    return [
        {
            "parent": p,
            "component": c,
            "quantity_per": float(rng.choice([0.5, 1.0, 2.0, 3.0])),
            "lead_time_offset": int(rng.integers(0, 3)),
        }
        for p, c in lines
    ]


def _products(rng: np.random.Generator, backlog: bool) -> list[dict]:
    """Finished goods that may wait (when allowed); stock to start with, a minimum lot and a safety stock somewhere."""
    rows = []
    for j, name in enumerate(FINISHED + (INTERMEDIATE,) + COMPONENTS):
        waits = backlog and name in FINISHED + (INTERMEDIATE,)
        rows.append(
            {
                "product": name,
                "holding_cost": float(rng.uniform(0.2, 1.5)),
                "backlog_cost": float(rng.uniform(2, 6)) if waits else None,
                "initial_stock": float(rng.choice([0, 0, 5, 15])),
                "min_lot": float(rng.choice([0, 0, 10])),
                "safety_stock": 4.0 if j == 0 else 0.0,
                "safety_penalty": 3.0 if j == 0 else None,
            }
        )
    return rows


def scenario(tmp_path, seed: int, backlog: bool) -> Scenario:
    """A random three-level instance on two resources (overtime possible; ample hours when nothing may wait)."""
    rng = np.random.default_rng(seed)
    names = FINISHED + (INTERMEDIATE,) + COMPONENTS
    capacity = 25.0 if backlog else 200.0
    demand = {name: rng.integers(0, 20, N).astype(float) for name in FINISHED}
    if backlog:
        demand[INTERMEDIATE] = rng.integers(0, 6, N).astype(float)
    labels = period_ids(N)
    sheets = {
        "Settings": [
            {"setting": "kind", "value": "production"},
            {"setting": "allow_backlog", "value": "yes" if backlog else "no"},
        ],
        "Periods": [{"period": p} for p in labels],
        "Products": _products(rng, backlog),
        "Resources": [
            {"resource": r, "capacity": capacity, "overtime_cost": 5.0, "max_overtime": 10.0} for r in ("R1", "R2")
        ],
        "Routings": [
            {
                "product": name,
                "resource": "R1" if j % 2 == 0 else "R2",
                "hours_per_unit": float(rng.uniform(0.1, 0.4)),
                "setup_time": float(rng.choice([0.5, 1.0, 2.0])),
                "setup_cost": float(rng.uniform(20, 80)),
                "unit_cost": float(rng.uniform(1, 4)),
            }
            for j, name in enumerate(names)
        ],
        "BOM": _bom(rng),
        "Demand": [
            {"product": name, "period": labels[t], "quantity": q}
            for name, series in demand.items()
            for t, q in enumerate(series)
            if q
        ],
    }
    return load(write_folder(tmp_path / f"echelon-{seed}-{backlog}", sheets)).scenario


def components(m) -> list[tuple[int, int, int]]:
    """The build's (l,S) rows of products with parents: (product, period, last period)."""
    return [key for key in m.LS if m.structure.parents_of[key[0]]]


def lp_bound(m) -> float:
    """The model's LP relaxation (runs relaxed, then made binary again) and its values loaded."""
    runs = heuristic._relaxed(m)
    bound = heuristic._Lp(float("inf")).solve(m)
    heuristic._restore(runs)
    assert bound is not None
    return bound


def separated_rounds(s: Scenario, rounds: int = 3) -> list:
    """Rounds of (l,S) cuts separated from the LP relaxation of a build with short windows only (the cuts found)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(milp, "LS_ROWS_ALL", 0)  # as at scale: windows of LS_WINDOW, ECHELON_WINDOW periods
        m = milp.build(s)
    return lp_with_cuts(s, rounds, m)[2]


def optimum(m) -> float:
    outcome = pyomo_milp.solve(m, SolveParams(gap=0.0), 20.0)
    assert outcome.status is Status.OPTIMAL
    return outcome.objective


def worst_violation(m) -> float:
    """Largest excess of an (l,S) row or separated cut over its right side at the model's values."""
    rows = list(m.ls.values()) + list(m.ls_cuts.values())
    return max(pyo.value(r.body) - r.upper for r in rows)


CASES = [(seed, backlog) for seed in range(4) for backlog in (True, False)]


@pytest.mark.parametrize(("seed", "backlog"), CASES)
def test_the_optimum_is_the_same_with_and_without_the_cuts(tmp_path, seed, backlog):
    s = scenario(tmp_path, seed, backlog)
    rows = milp.build(s)  # every window t..l: the instance is small
    assert components(rows)
    separated = milp.build(s)
    separated.ls.deactivate()
    cuts.add(separated.structure, separated, separated_rounds(s))
    plain = milp.build(s)
    plain.ls.deactivate()
    best = optimum(plain)
    assert optimum(rows) == pytest.approx(best, rel=1e-7, abs=1e-6)
    assert optimum(separated) == pytest.approx(best, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize(("seed", "backlog"), CASES)
def test_every_row_and_cut_holds_at_the_plain_optimum(tmp_path, seed, backlog):
    """An independent check of validity: the optimum found without the rows satisfies each of them."""
    s = scenario(tmp_path, seed, backlog)
    m = milp.build(s)
    cuts.add(m.structure, m, separated_rounds(s))
    m.ls.deactivate()
    m.ls_cuts.deactivate()
    optimum(m)
    assert worst_violation(m) <= 1e-6 * (sum(map(sum, s.demand)) + 1.0)


def random_plans(m, seed: int, count: int = 12):
    """Integer plans of the model with its (l,S) rows off: optima of random costs (runs and units may earn).

    Each plan is one the true costs rarely pick: much backlog or stock, runs that make little or all they can.
    """
    from pyomo.contrib.solver.solvers.highs import Highs

    rng = np.random.default_rng(seed)
    m.ls.deactivate()
    m.ls_cuts.deactivate()
    m.objective.deactivate()
    variables = [(v, v.parent_component() is m.make) for v in m.component_data_objects(pyo.Var)]
    for j in range(count):
        costs = [rng.uniform(-20, 20) if v.is_binary() else rng.uniform(-5 if made else 0, 5) for v, made in variables]
        m.add_component(
            f"random_{j}", pyo.Objective(expr=sum(c * v for c, (v, _) in zip(costs, variables, strict=True)))
        )
        Highs().solve(m)
        yield
        m.del_component(f"random_{j}")


@pytest.mark.parametrize(("seed", "backlog"), CASES)
def test_every_row_and_cut_holds_at_random_plans(tmp_path, seed, backlog):
    s = scenario(tmp_path, seed, backlog)
    m = milp.build(s)
    cuts.add(m.structure, m, separated_rounds(s))
    scale = sum(map(sum, s.demand)) + 1.0
    for _ in random_plans(m, seed):
        assert worst_violation(m) <= 1e-6 * scale


@pytest.mark.parametrize(("seed", "backlog"), CASES)
def test_the_lp_bound_with_the_component_rows_is_at_least_the_bound_without(tmp_path, seed, backlog):
    s = scenario(tmp_path, seed, backlog)
    m = milp.build(s)
    with_rows = lp_bound(m)
    for key in components(m):
        m.ls[key].deactivate()
    assert with_rows >= lp_bound(m) - 1e-6


def test_components_of_the_example_get_rows_that_raise_the_lp_bound(tmp_path):
    s = load(write_folder(tmp_path / "example", example_tables(None, 7))).scenario
    m = milp.build(s)
    st = m.structure
    covered = {i for i, _, _ in components(m)}  # not every one: a row is left out where the big-M is tighter
    assert len(covered) >= 2 and all(st.parents_of[i] for i in covered)
    with_rows = lp_bound(m)
    for key in components(m):
        m.ls[key].deactivate()
    assert with_rows > lp_bound(m) * (1 + 1e-4)
    assert any(st.parents_of[e.product] for e, _, _ in separated_rounds(s))  # and separated cuts too


def test_echelon_of_a_component_by_hand(tmp_path):
    """F uses 2 C a period ahead: C's echelon demand is twice F's, a period earlier, less 3 + 2 x 5 in stock."""
    labels = period_ids(4)
    sheets = {
        "Settings": [{"setting": "kind", "value": "production"}],
        "Periods": [{"period": p} for p in labels],
        "Products": [
            {"product": "F", "holding_cost": 1.0, "backlog_cost": 4.0, "initial_stock": 5.0},
            {"product": "C", "holding_cost": 0.5, "initial_stock": 3.0},
        ],
        "Resources": [{"resource": "R1", "capacity": 100.0}],
        "Routings": [{"product": p, "resource": "R1", "hours_per_unit": 0.1, "setup_cost": 10.0} for p in "FC"],
        "BOM": [{"parent": "F", "component": "C", "quantity_per": 2.0, "lead_time_offset": 1}],
        "Demand": [{"product": "F", "period": labels[t], "quantity": q} for t, q in enumerate([10.0, 20.0, 30.0])],
    }
    s = load(write_folder(tmp_path / "by-hand", sheets)).scenario
    f, c = 0, 1
    (e,) = echelons(s, milp.structure(s), [c])
    assert e.cum == (2 * (10 + 20) - 13, 2 * (10 + 20 + 30) - 13, 107, 107)  # F made in 0 and 1 uses C in 0
    assert [set(terms) for terms in e.stock] == [{(1.0, c, u), (2.0, f, min(u + 1, 3))} for u in range(4)]
    assert [set(terms) for terms in e.waiting] == [set()] + [{(2.0, f, min(u + 1, 3))} for u in range(3)]
