"""Why a production scenario has no plan: which hard rules to relax, tied to their input cells, and at what cost.

The hard rules that can make a plan impossible are demand that may not wait (backlog forbidden,
or a product without a backlog_cost; components must be on hand when their parents are made),
resource hours (regular capacity plus the most overtime, per period), minimum lot sizes and hard
safety stocks. The elastic re-solve (optimizer/backends/elastic.py) bends them as little as
possible and names each bent one with the cell to change and the cost of the plan it allows. When
that bends resource hours, a second re-solve keeps the hours hard and says which demand would have
to wait instead, so the planner sees both ways out.

The model is the plan's own MILP with its cuts and capacity-derived bounds removed (they assume
the rules hold, so they would hide the relaxation): only the rules listed below and the setup
links (with bounds from demand alone) stay.
"""

from __future__ import annotations

import time
from typing import Any

from models.production.data import Scenario
from models.production.milp import build
from optimizer.backends.elastic import RuleGroup, explain_infeasible
from optimizer.core.params import SolveParams

SHOW_ABOVE = 0.01  # smaller bends (units, hours) are solver noise, not a rule to relax
RULES = ("balance", "waiting", "waiting0", "capacity", "min_lot", "safety_hard", "safety_soft")  # kept; cuts are not


def elastic_model(s: Scenario) -> Any:
    """The plan's MILP with only its rules: cuts dropped, production bounded by what is worth making, not by hours."""
    import pyomo.environ as pyo

    m = build(s)
    st = m.structure
    for component in list(m.component_objects(pyo.Constraint, active=True)):
        if component.local_name not in RULES:
            component.deactivate()
    bound = {(k, t): st.requirement[s.routings[k].product][t] for k, t in m.KT}
    for key, var in m.make.items():
        var.setub(bound[key])
    m.explain_setup = pyo.Constraint(m.RUN, rule=lambda m, k, t: m.make[k, t] <= bound[k, t] * m.run[k, t])
    _keep_every_variable(m)
    return m


def _keep_every_variable(m: Any) -> None:
    """Variables only the dropped cuts used stay in the solver's model through a row their bounds imply.

    The solve loads a value into every variable of the model, so each must be a column of it.
    """
    import pyomo.environ as pyo
    from pyomo.core.expr.visitor import identify_variables

    used = set()
    for c in m.component_data_objects(pyo.Constraint, active=True):
        used.update(id(v) for v in identify_variables(c.body, include_fixed=True))
    for o in m.component_data_objects(pyo.Objective):
        used.update(id(v) for v in identify_variables(o.expr, include_fixed=True))
    orphans = [v for v in m.component_data_objects(pyo.Var) if id(v) not in used and v.lb is not None]
    if orphans:
        m.explain_orphans = pyo.Constraint(expr=sum(orphans) >= sum(v.lb for v in orphans))


def _rows(s: Scenario, table: str, columns: tuple[str, str], index: dict[str, dict[Any, int]]) -> dict[tuple, int]:
    """Row index per (first id, second id) as scenario indices, for naming a table's cells."""
    found = s.tables.get(table)
    if found is None:
        return {}
    out = {}
    for row_index, row in enumerate(found.rows):
        if row is not None:
            a, b = (getattr(row, c) for c in columns)
            if a in index[columns[0]] and b in index[columns[1]]:
                out[index[columns[0]][a], index[columns[1]][b]] = row_index
    return out


def _n(x: float) -> str:
    """A quantity as a planner reads it: 37.6381 -> '37.6', 5.0 -> '5'."""
    return f"{x:,.1f}".removesuffix(".0")


def _groups(s: Scenario, amounts: list[float], with_capacity: bool = True) -> list[RuleGroup]:
    """The rule groups that may bend; each description called appends its amount to `amounts`."""
    ids = {
        "product": {p.product: i for i, p in enumerate(s.products)},
        "resource": {r.resource: k for k, r in enumerate(s.resources)},
        "period": {p: t for t, p in enumerate(s.periods)},
    }
    demand_row = _rows(s, "Demand", ("product", "period"), ids)
    capacity_row = _rows(s, "ResourceCapacity", ("resource", "period"), ids)

    def demand(index: Any, amount: float) -> tuple[str, str]:
        amounts.append(amount)
        i, t = index
        p = s.products[i]
        where = s.cell("Demand", demand_row[i, t], "quantity") if (i, t) in demand_row else s.product_cell(i)
        why = (
            "backlog is not allowed (Settings allow_backlog = no)"
            if not s.settings.allow_backlog
            else f"product {p.product} has no backlog_cost, so its demand may not wait"
            if p.backlog_cost is None
            else "components must be on hand when their parents are made"
        )
        return (
            where,
            f"{_n(amount)} units of {p.product} cannot be ready on time in {s.periods[t]} (its demand of "
            f"{_n(s.demand[i][t])} there, or what parent products use): {why}. Let it wait (allow backlog and give "
            "it a backlog_cost), lower the demand, or add hours before it",
        )

    def capacity(index: Any, amount: float) -> tuple[str, str]:
        amounts.append(amount)
        r, t = index
        res = s.resources[r]
        if (r, t) in capacity_row:
            where = s.cell("ResourceCapacity", capacity_row[r, t], "capacity")
        else:
            where = s.resource_cell(r, "capacity")
        return (
            where,
            f"resource {res.resource} would need {_n(amount)} hours more than its {_n(s.capacity[r][t])} regular "
            f"plus {_n(s.max_overtime[r][t])} overtime hours in {s.periods[t]}. Raise capacity or max_overtime there, or "
            "let another resource make its products (Routings)",
        )

    def lot(index: Any, amount: float) -> tuple[str, str]:
        amounts.append(amount)
        k, t = index
        routing = s.routings[k]
        p = s.products[routing.product]
        return (
            s.product_cell(routing.product, "min_lot"),
            f"a run of {p.product} on {s.resources[routing.resource].resource} in {s.periods[t]} would need to be "
            f"{_n(amount)} units below its minimum lot of {_n(p.min_lot)}. Lower min_lot",
        )

    def safety(index: Any, amount: float) -> tuple[str, str]:
        amounts.append(amount)
        i, t = index
        p = s.products[i]
        return (
            s.product_cell(i, "safety_stock"),
            f"product {p.product} would end {s.periods[t]} {_n(amount)} units below its hard safety stock of "
            f"{_n(p.safety_stock)}. Lower safety_stock or give it a safety_penalty (a soft rule)",
        )

    groups = [RuleGroup("balance", 1.0, demand), RuleGroup("min_lot", 1.0, lot), RuleGroup("safety_hard", 1.0, safety)]
    if with_capacity:
        groups.insert(1, RuleGroup("capacity", 1.0, capacity))
    return groups


def _option(s: Scenario, params: SolveParams, seconds: float, with_capacity: bool, label: str) -> list[dict[str, str]]:
    """Diagnostics rows of one elastic re-solve within about `seconds` (its build included), messages led by `label`."""
    started = time.perf_counter()
    amounts: list[float] = []
    model = elastic_model(s)
    limit = max(0.1, seconds - (time.perf_counter() - started))
    relaxation = explain_infeasible(model, _groups(s, amounts, with_capacity), params, limit)
    if not relaxation.found:
        return [{"severity": "error", "location": "", "message": f"{label}infeasible: {relaxation.message}"}]
    rows = [
        {"severity": "error", "location": where, "message": label + text}
        for (where, text), amount in zip(relaxation.bent, amounts, strict=True)
        if amount >= SHOW_ABOVE
    ]
    if not rows:
        return [
            {
                "severity": "error",
                "location": "",
                "message": f"{label}the scenario has a plan with every demand, hour, lot and safety stock rule kept: "
                "what blocks this run is outside them (in a replan, the production kept in the frozen periods; "
                "try a smaller --freeze)",
            }
        ]
    if relaxation.cost is not None:
        note = f" ({relaxation.message})" if relaxation.message else ""
        rows.append(
            {
                "severity": "info",
                "location": "",
                "message": f"{label}relaxed as listed above, the cheapest plan would cost {relaxation.cost:,.2f} "
                f"{s.settings.currency}{note}",
            }
        )
    return rows


def explain(s: Scenario, params: SolveParams, limit: float) -> list[dict[str, str]]:
    """Diagnostics rows: each hard rule to relax (location, by how much) and what the plan would then cost.

    The first re-solve has half of `limit` (a tenth is kept for overheads); the second, with the
    hours kept, what is left, when that is at least 3 seconds.
    """
    started = time.perf_counter()
    rows = _option(s, params, 0.9 * limit / 2, True, "")
    first = time.perf_counter() - started
    bent_hours = any(r["message"].startswith("resource ") for r in rows if r["severity"] == "error")
    left = 0.9 * limit - first
    if bent_hours and left >= 3.0:
        other = _option(s, params, left, False, "or, with the hours as they are: ")
        if any(r["severity"] == "error" and "infeasible:" not in r["message"] for r in other):
            rows += other
    return rows
