"""The chain backend (stages handing plans on) and CP-SAT with named LNS neighbourhoods, on small real models."""

from __future__ import annotations

import random

import pyomo.environ as pyo
import pytest
from ortools.sat.python import cp_model

from optimizer.backends.chain import ChainModel, Stage
from optimizer.backends.cpsat import CpsatModel
from optimizer.backends.cpsat_lns import LnsModel, Neighbourhood
from optimizer.backends.registry import backend_solve
from optimizer.core.params import SolveParams
from optimizer.core.status import Status

WEIGHTS = [3, 4, 5, 8, 9, 2, 7, 6, 5, 4, 3, 8]
VALUES = [4, 5, 6, 10, 11, 3, 9, 7, 6, 5, 4, 9]
BEST = max(
    sum(VALUES[i] for i in range(12) if m >> i & 1)
    for m in range(1 << 12)
    if sum(WEIGHTS[i] for i in range(12) if m >> i & 1) <= 20
)


def cp_knapsack() -> tuple[CpsatModel, list]:
    model = cp_model.CpModel()
    take = [model.NewBoolVar(f"x{i}") for i in range(12)]
    model.Add(sum(w * x for w, x in zip(WEIGHTS, take, strict=True)) <= 20)
    model.Minimize(-sum(v * x for v, x in zip(VALUES, take, strict=True)))
    return CpsatModel(model), take


def milp_knapsack() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(12), domain=pyo.Binary)
    m.cap = pyo.Constraint(expr=sum(WEIGHTS[i] * m.x[i] for i in range(12)) <= 20)
    m.objective = pyo.Objective(expr=-sum(VALUES[i] * m.x[i] for i in range(12)))
    return m


def test_chain_stops_after_a_stage_proves_optimality() -> None:
    cp, _ = cp_knapsack()
    chain = ChainModel([Stage("highs", "pyomo", milp_knapsack(), 0.5, solver="highs"), Stage("cpsat", "cpsat", cp)])
    out = backend_solve("chain", chain, SolveParams(solver="hybrid"), 20)
    assert out.status is Status.OPTIMAL and out.objective == pytest.approx(-BEST)
    assert len(chain.outcomes) == 1 and chain.winner == 0 and "plan kept from highs" in out.message


def test_a_chain_with_no_time_for_its_first_stage_says_so() -> None:
    """A limit spent before the first stage (0.2 s or less left) runs no solver, and the Summary says why in words."""
    chain = ChainModel([Stage("highs", "pyomo", milp_knapsack(), solver="highs")])
    out = backend_solve("chain", chain, SolveParams(solver="hybrid"), 0.1)
    assert out.status is Status.NO_SOLUTION and out.objective is None and not chain.outcomes
    assert out.message == "no time left to run a solver after building the model; give a longer time limit"
    assert out.solver == "highs"  # the stage it would have run


def test_chain_hands_the_plan_on_and_keeps_the_best() -> None:
    """A first stage without a plan-proving search (stopped at its first plan) passes it as a hint."""
    first, _ = cp_knapsack()
    first.parameters["stop_after_first_solution"] = True
    second, take = cp_knapsack()
    handed: list[bool] = []

    def handoff(previous: CpsatModel, model: CpsatModel) -> bool:
        for i, x in enumerate(take):
            model.model.AddHint(x, previous.true(previous.model.GetBoolVarFromProtoIndex(i)))
        handed.append(True)
        return True

    chain = ChainModel([Stage("quick", "cpsat", first, 0.5), Stage("full", "cpsat", second, handoff=handoff)])
    out = backend_solve("chain", chain, SolveParams(), 20)
    assert out.objective == pytest.approx(-BEST) and out.status is Status.OPTIMAL
    assert handed == [True] or len(chain.outcomes) == 1  # the first stage may already prove it


def assignment_model(n: int, seed: int) -> tuple[CpsatModel, list[list[object]], list[list[int]]]:
    """n x n assignment with random costs: hard enough that a short first solve leaves work for LNS."""
    rng = random.Random(seed)
    cost = [[rng.randint(1, 100) for _ in range(n)] for _ in range(n)]
    model = cp_model.CpModel()
    x = [[model.NewBoolVar(f"x{i}_{j}") for j in range(n)] for i in range(n)]
    for i in range(n):
        model.AddExactlyOne(x[i])
        model.AddExactlyOne(x[j][i] for j in range(n))
    model.Minimize(sum(cost[i][j] * x[i][j] for i in range(n) for j in range(n)))
    return CpsatModel(model), x, cost


def test_lns_rounds_keep_a_feasible_improving_solution() -> None:
    built, x, cost = assignment_model(30, 3)
    built.parameters["stop_after_first_solution"] = True  # the first solve stops early, rounds do the rest
    rows = [[v.Index() for v in row] for row in x]
    lns = LnsModel(built, [Neighbourhood("rows", rows, size=3), Neighbourhood("band", rows, window=True, size=3)])
    out = backend_solve("cpsat_lns", lns, SolveParams(seed=1), 4)
    assert out.status.has_plan and sum(lns.rounds.get("rows", [0])) + sum(lns.rounds.get("band", [0])) > 0
    chosen = [[j for j in range(30) if lns.true(x[i][j])] for i in range(30)]
    assert all(len(c) == 1 for c in chosen) and sorted(c[0] for c in chosen) == list(range(30))
    assert sum(cost[i][chosen[i][0]] for i in range(30)) == pytest.approx(out.objective)


def test_lns_returns_the_first_solve_when_it_is_optimal() -> None:
    built, _ = cp_knapsack()
    lns = LnsModel(built, [Neighbourhood("all", [[i] for i in range(12)])])
    out = backend_solve("cpsat_lns", lns, SolveParams(), 10)
    assert out.status is Status.OPTIMAL and out.objective == pytest.approx(-BEST) and not lns.rounds
