"""Why a MILP has no plan: an elastic re-solve where chosen hard rules may bend at a price.

Phase 1 finds the least total (priced) violation of the listed rule groups; phase 2 keeps that
violation and finds the cheapest plan with it. Each bent rule is reported through its group's
`describe`, which ties it to the input row a planner would change, with what bending it costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optimizer.core.params import SolveParams
from optimizer.core.status import Status

TOLERANCE = 1e-6  # slack the second phase may redistribute
MIN_SOLVE_SECONDS = 0.1  # a phase with less time than this left still gets this (the HiGHS backend may then find none)
REPORT_ABOVE = 1e-4  # smaller violations are solver tolerance, not a rule to relax


@dataclass(frozen=True)
class RuleGroup:
    """A Constraint component of the model that may bend, its price per unit, and how to name a violation."""

    constraint: str
    price: float
    describe: Callable[[Any, float], tuple[str, str]]  # (index, violation) -> (input location, planner message)


@dataclass
class Relaxation:
    """The outcome of the elastic re-solve: bent rules (location, message) and the cost of the plan with them."""

    found: bool
    bent: list[tuple[str, str]]
    cost: float | None
    message: str = ""


def _relax(model: Any, group: RuleGroup) -> list[tuple[Any, Any]]:
    """Replace the group's constraints by elastic copies; returns (index, slack expression) pairs."""
    import pyomo.environ as pyo

    component = getattr(model, group.constraint)
    indices = [index for index in component if component[index].active]
    if not indices:
        return []
    name = f"elastic_{group.constraint}"
    more = pyo.Var(indices, domain=pyo.NonNegativeReals)  # allowed above the upper limit
    less = pyo.Var(indices, domain=pyo.NonNegativeReals)  # allowed below the lower limit
    model.add_component(f"{name}_above", more)
    model.add_component(f"{name}_below", less)
    rows = []
    for index in indices:
        c = component[index]
        if c.has_ub():
            rows.append(c.body - more[index] <= c.upper)
        else:
            more[index].fix(0)
        if c.has_lb():
            rows.append(c.body + less[index] >= c.lower)
        else:
            less[index].fix(0)
    component.deactivate()
    model.add_component(name, pyo.ConstraintList())
    for row in rows:
        getattr(model, name).add(row)
    return [(index, more[index] + less[index]) for index in indices]


def explain_infeasible(model: Any, groups: list[RuleGroup], params: SolveParams, limit: float) -> Relaxation:
    """Bend the groups' rules as little as their prices allow, then find the cheapest plan doing so, within `limit` s."""
    import pyomo.environ as pyo

    from optimizer.backends.pyomo_milp import active_objective, solve

    deadline = time.perf_counter() + limit

    def left(share: float = 1.0) -> float:
        return max(MIN_SOLVE_SECONDS, share * (deadline - time.perf_counter()))

    cost = active_objective(model)
    cost_expr = cost.expr
    cost.deactivate()
    slacks = []
    for group in groups:
        slacks += [(group, index, slack) for index, slack in _relax(model, group)]
    if not slacks:
        return Relaxation(False, [], None, "no hard rule of this scenario can bend")
    violation = sum(group.price * slack for group, _, slack in slacks)
    model.elastic_violation = pyo.Objective(expr=violation, sense=pyo.minimize)
    first = solve(model, params.model_copy(update={"gap": 0.0}), left(0.5))
    if first.status is not Status.INFEASIBLE and not first.status.has_plan:  # stopped by the clock: nothing is known
        return Relaxation(False, [], None, "no time left to find which rules to relax; give a longer time limit")
    if not first.status.has_plan:
        return Relaxation(
            False, [], None, "no plan even with these rules bent: the cause lies in other rules or in the data"
        )
    least = pyo.value(violation)
    variables = list(model.component_data_objects(pyo.Var, descend_into=True))
    least_bent = [v.value for v in variables]
    model.elastic_violation.deactivate()
    model.elastic_keep = pyo.Constraint(expr=violation <= least * (1 + 1e-7) + TOLERANCE)
    model.elastic_cost = pyo.Objective(expr=cost_expr, sense=pyo.minimize)
    second = solve(model, params, left())
    if not second.status.has_plan:  # phase 1's plan stands: the least bending, its cost not minimised
        for var, value in zip(variables, least_bent, strict=True):
            var.set_value(value, skip_validation=True)
    plan_cost = pyo.value(cost_expr)
    bent = []
    for group, index, slack in slacks:
        amount = pyo.value(slack)
        if amount > REPORT_ABOVE:
            bent.append(group.describe(index, amount))
    return Relaxation(True, bent, plan_cost, "" if second.status is Status.OPTIMAL else "cost not proven minimal")
