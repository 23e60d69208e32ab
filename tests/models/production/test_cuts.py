"""(l,S) cuts separated from the LP: valid for every plan, same optimum with and without, a tighter LP bound."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from models.production import cuts, heuristic, milp
from models.production.example import example_tables
from optimizer.backends import pyomo_milp
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.production.cases import CASES
from tests.models.production.helpers import solve_case


def lp_with_cuts(s, rounds: int, m=None) -> tuple[float, float, list]:
    """LP relaxation bound before and after `rounds` of cuts added to `m` (default: a new build), and the cuts found.

    The model's runs are made binary again at the end.
    """
    m = milp.build(s) if m is None else m
    runs = heuristic._relaxed(m)
    lp = heuristic._Lp(float("inf"))
    before = lp.solve(m)
    found_all = []
    for _ in range(rounds):
        found = cuts.separate(s, m.structure, m, m.echelons)
        if not found:
            break
        cuts.add(m.structure, m, found)
        found_all += found
        lp.solve(m)
    after = pyo.value(m.objective)
    heuristic._restore(runs)
    return before, after, found_all


def _cut_slack(m, cut) -> float:
    """S(l) - sum over T of (x_t - D'(t..l) y_t - B(t-1)) at the model's values: >= 0 when the cut holds."""
    e, last, chosen = cut
    st = m.structure
    lhs = 0.0
    for t in chosen:
        lhs += sum(m.make[k, t].value - e.demand(t, last) * round(m.run[k, t].value) for k in st.routes_of[e.product])
        lhs -= sum(coef * m.backlog[j, u].value for coef, j, u in e.waiting[t])
    return sum(coef * m.stock[j, u].value for coef, j, u in e.stock[last]) - lhs


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return load(write_folder(tmp_path_factory.mktemp("example") / "example", example_tables(None, 7))).scenario


def test_cuts_tighten_the_lp_bound_of_the_example(example):
    before, after, found = lp_with_cuts(example, rounds=5)
    assert found and example.products  # the example's finished goods allow backlog: (l,S) rows of one period only
    assert after > before * (1 + 1e-3)  # measured: 691,826 -> 693,133 after five rounds


def test_every_plan_the_solver_finds_satisfies_the_cuts(example):
    _, _, found = lp_with_cuts(example, rounds=5)
    m = milp.build(example)  # without cuts
    outcome = pyomo_milp.solve(m, SolveParams(gap=1e-3), 6.0)  # its plan, proven optimal or not
    assert outcome.status.has_plan
    scale = sum(map(sum, example.demand))
    assert min(_cut_slack(m, c) for c in found) >= -1e-6 * scale
    assert heuristic.warm_start(example, m)  # the rounded start is another plan
    assert min(_cut_slack(m, c) for c in found) >= -1e-6 * scale


@pytest.mark.parametrize("name", list(CASES))
def test_same_optimum_with_and_without_cuts(tmp_path, name):
    solved = solve_case(tmp_path, **CASES[name])  # through the real path: warm start (with cuts), then HiGHS
    assert solved.result.status is Status.OPTIMAL
    m = milp.build(solved.scenario)  # no warm start, no cuts
    outcome = pyomo_milp.solve(m, SolveParams(gap=0.0), 10.0)
    assert outcome.status is Status.OPTIMAL
    assert outcome.objective == pytest.approx(solved.result.objective, rel=1e-7, abs=1e-6)


def test_bounds_with_cuts_never_pass_plans_without_and_back(example):
    """The example is not proven optimal in seconds: each solve's bound must stay below the other's plan."""
    plain = milp.build(example)
    without = pyomo_milp.solve(plain, SolveParams(gap=1e-3), 5.0)
    strong = milp.build(example)
    assert heuristic.warm_start(example, strong)
    assert len(strong.ls_cuts) > 0
    with_cuts = pyomo_milp.solve(strong, SolveParams(gap=1e-3), 5.0, warm_start=True)
    assert without.status.has_plan and with_cuts.status.has_plan
    assert with_cuts.bound <= without.objective * (1 + 1e-7)
    assert without.bound <= with_cuts.objective * (1 + 1e-7)
