"""Replanning production against the previous plan: frozen periods stay exactly, later changes cost.

Decisions are the units made per routing (product on resource) and period, with the production
run (setup) they need. Periods are matched by id, so a rolled horizon lines up; rows of periods
no longer in the scenario are reported once per period and ignored. In the frozen periods the
previous quantities and setups are fixed, except on a resource whose previous hours no longer fit
its capacity plus overtime there (that resource-period is re-planned, with a diagnostic). After
them each unit changed costs the `stability_weight`. The previous plan, completed by an LP over
stock, backlog and overtime, is HiGHS's start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.production.data import Scenario
from optimizer.backends.highs_threads import reset_scheduler
from optimizer.core.errors import InputError, InputErrors
from optimizer.core.plan import Plan
from optimizer.io.tables import RawTable

CHANGE_COLUMNS = ["what", "product", "resource", "period", "old", "new", "change", "cost_effect", "frozen"]
EPS = 1e-6
START_LP_SECONDS = 20.0  # most time for the LPs that complete the start (both together)


@dataclass
class PreviousProduction:
    """Units and setups per (routing, period) of the previous plan, with rows that no longer fit as diagnostics."""

    quantities: dict[tuple[int, int], float]
    setups: set[tuple[int, int]]
    diagnostics: list[dict[str, str]] = field(default_factory=list)
    freed: set[tuple[int, int]] = field(default_factory=set)  # (product, period) with a dropped row: planned afresh

    def runs(self, k: int, t: int) -> bool:
        return (k, t) in self.setups or self.quantities.get((k, t), 0.0) > EPS


def _id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _sheet(sheets: dict[str, RawTable]) -> RawTable:
    found = next((t for n, t in sheets.items() if n.lower() == "production"), None)
    if found is None or not found.header:
        raise InputErrors(
            [InputError("Production", "the previous plan has no Production sheet; is it a production plan?")]
        )
    missing = [c for c in ("product", "resource", "period", "quantity") if c not in found.columns]
    if missing:
        raise InputErrors([InputError(found.header_cell(), f"previous plan: missing column(s) {', '.join(missing)}")])
    return found


def read_previous(s: Scenario, sheets: dict[str, RawTable]) -> PreviousProduction:
    """The previous plan's Production rows as the new scenario's (routing, period) indices."""
    table = _sheet(sheets)
    product_index = {row.product: i for i, row in enumerate(s.products)}
    resource_index = {row.resource: r for r, row in enumerate(s.resources)}
    routing_index = {(row.product, row.resource): k for k, row in enumerate(s.routings)}
    period_index = {p: t for t, p in enumerate(s.periods)}
    previous = PreviousProduction({}, set())
    gone_periods: dict[str, list[int]] = {}

    def note(index: int, column: str, message: str, severity: str = "warning") -> None:
        location = f"previous plan {table.cell(index, column)}"
        previous.diagnostics.append({"severity": severity, "location": location, "message": message})

    for index, record in enumerate(table.records()):
        product, resource, period = (_id(record.get(c)) for c in ("product", "resource", "period"))
        quantity = record.get("quantity")
        setup = str(record.get("setup", "")).strip().lower() in ("yes", "true", "1", "y")
        if not isinstance(quantity, (int, float)) or isinstance(quantity, bool) or quantity < 0:
            note(index, "quantity", f"quantity {quantity!r} is not a number of units; row ignored")
            continue
        if period not in period_index:
            gone_periods.setdefault(period, []).append(index)
            continue
        if product not in product_index:
            note(index, "product", f"product '{product}' is no longer in Products; its {quantity:g} units are dropped")
            continue
        afresh = f"{product} in {period} is planned afresh, even in a frozen period"
        if resource not in resource_index:
            message = (
                f"resource '{resource}' is no longer in Resources; its {quantity:g} units are dropped and {afresh}"
            )
            note(index, "resource", message)
            previous.freed.add((product_index[product], period_index[period]))
            continue
        key = (product_index[product], resource_index[resource])
        if key not in routing_index:
            message = f"'{resource}' can no longer make '{product}' (no Routings row); its {quantity:g} units are "
            note(index, "resource", message + f"dropped and {afresh}")
            previous.freed.add((product_index[product], period_index[period]))
            continue
        k, t = routing_index[key], period_index[period]
        previous.quantities[k, t] = previous.quantities.get((k, t), 0.0) + float(quantity)
        if setup:
            previous.setups.add((k, t))
    for period, rows in gone_periods.items():
        note(
            rows[0],
            "period",
            f"period '{period}' is not in Periods (past or dropped from the horizon): "
            f"{len(rows)} production row(s) of it ignored",
            "info",
        )
    return previous


def _frozen_cells(s: Scenario, previous: PreviousProduction, freeze: int) -> tuple[set[tuple[int, int]], list[dict]]:
    """(resource, period) pairs of the frozen periods whose previous hours still fit, and notes for the others."""
    hours: dict[tuple[int, int], float] = {}
    for k, t in set(previous.quantities) | previous.setups:
        if t < freeze:
            r = s.routings[k]
            used = r.hours_per_unit * previous.quantities.get((k, t), 0.0) + (
                r.setup_time if previous.runs(k, t) else 0
            )
            hours[r.resource, t] = hours.get((r.resource, t), 0.0) + used
    keep, notes = set(), []
    for r in range(len(s.resources)):
        for t in range(min(freeze, s.n_periods)):
            available = s.capacity[r][t] + s.max_overtime[r][t]
            if hours.get((r, t), 0.0) <= available + EPS:
                keep.add((r, t))
            else:
                notes.append(
                    {
                        "severity": "warning",
                        "location": s.resource_cell(r, "capacity"),
                        "message": f"the previous plan uses {hours[r, t]:g} hours of {s.resources[r].resource} in "
                        f"frozen period {s.periods[t]}, more than the {available:g} available now (capacity plus "
                        "overtime): its production there is re-planned",
                    }
                )
    return keep, notes


def apply(s: Scenario, m: Any, previous: PreviousProduction, freeze: int) -> bool:
    """Fix production of the first `freeze` periods, price later changes, and start from the previous plan."""
    import pyomo.environ as pyo

    keep, notes = _frozen_cells(s, previous, freeze)
    previous.diagnostics += notes
    later = []
    for k, t in m.KT:
        if (s.routings[k].resource, t) not in keep or (s.routings[k].product, t) in previous.freed:
            later.append((k, t))  # after the frozen periods, or re-planned in them: changes are priced
            continue
        quantity = previous.quantities.get((k, t), 0.0)
        if quantity > (m.make[k, t].ub or 0.0):
            m.make[k, t].setub(quantity)  # production already committed stands even above today's bounds
        m.make[k, t].fix(quantity)
        if (k, t) in m.run:  # held by its bounds, not fixed: the marginal values' fixed LP then drops integrality
            value = 1 if previous.runs(k, t) else 0
            m.run[k, t].setlb(value)
            m.run[k, t].setub(value)
            m.run[k, t].set_value(value)
            m.setup[k, t].deactivate()  # its big-M comes from today's data; the fixed run and quantity agree
            if (k, t) in m.min_lot:
                m.min_lot[k, t].deactivate()  # a committed run keeps its size even below today's minimum lot
    weight = s.settings.stability_weight
    m.CHANGED = pyo.Set(initialize=later, dimen=2, ordered=True)
    m.more = pyo.Var(m.CHANGED, domain=pyo.NonNegativeReals)
    m.less = pyo.Var(m.CHANGED, domain=pyo.NonNegativeReals)
    m.change_link = pyo.Constraint(
        m.CHANGED,
        rule=lambda m, k, t: m.make[k, t] - previous.quantities.get((k, t), 0.0) == m.more[k, t] - m.less[k, t],
    )
    m.cost_stability = pyo.Expression(expr=weight * sum(m.more[k] + m.less[k] for k in later))
    m.objective.deactivate()
    m.replan_objective = pyo.Objective(expr=m.objective.expr + m.cost_stability, sense=pyo.minimize)
    return _start_from(s, m, previous)


class _StartLp:
    """Runs held at given 0/1 values as continuous columns, for LP solves that complete a start."""

    def __init__(self, m: Any) -> None:
        import pyomo.environ as pyo
        from pyomo.contrib.solver.solvers.highs import Highs

        self.free_runs = [v for v in m.run.values() if v.lb != v.ub]
        self.free_makes = [v for v in m.make.values() if not v.fixed]
        self.bounds = {id(v): (v.lb, v.ub) for v in self.free_runs + self.free_makes}
        self.runs = list(m.run.values())
        for v in self.runs:
            v.domain = pyo.UnitInterval  # bounds of held runs stay
        self.solver = Highs()
        self.deadline = time.perf_counter() + START_LP_SECONDS
        self.solver.config.load_solutions = False
        self.solver.config.raise_exception_on_nonoptimal_result = False
        self.solver.config.solver_options["threads"] = 1
        self.solver.config.solver_options["output_flag"] = False

    def solve(self, m: Any) -> bool:
        """Solve the LP as the bounds now stand; True (values loaded) when it is optimal within the time left."""
        from pyomo.contrib.solver.common.results import TerminationCondition

        left = self.deadline - time.perf_counter()
        if left < 0.5:
            return False
        self.solver.config.time_limit = left
        reset_scheduler()
        results = self.solver.solve(m)
        if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
            return False
        results.solution_loader.load_vars()
        return True

    def restore(self) -> None:
        """Runs binary again and every bound as the model had it."""
        import pyomo.environ as pyo

        for v in self.runs:
            v.domain = pyo.Binary
        for v in self.free_runs + self.free_makes:
            v.setlb(self.bounds[id(v)][0])
            v.setub(self.bounds[id(v)][1])


def _hold(v: Any, value: float) -> None:
    v.setlb(value)
    v.setub(value)
    v.set_value(value)


def _start_from(s: Scenario, m: Any, previous: PreviousProduction) -> bool:
    """Load the previous plan as the MIP start: its quantities and setups, else its setups with new quantities.

    An LP over the continuous decisions (stock, backlog, overtime, changes) completes the start,
    so that it is a feasible plan; when even the previous setups cannot serve the new data, the
    solver starts from nothing.
    """
    lp = _StartLp(m)
    try:
        for (k, t), v in m.run.items():
            if v.lb != v.ub:
                _hold(v, 1.0 if previous.runs(k, t) else 0.0)
        for (k, t), v in m.make.items():
            if not v.fixed:
                _hold(v, previous.quantities.get((k, t), 0.0))
        if lp.solve(m):
            return True
        for v in lp.free_makes:  # the previous quantities no longer fit: keep only its setups
            v.setlb(lp.bounds[id(v)][0])
            v.setub(lp.bounds[id(v)][1])
        return lp.solve(m)
    finally:
        lp.restore()


def changes(s: Scenario, previous: PreviousProduction, plan: Plan, freeze: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every production quantity or setup that differs from the previous plan, with its cost effect, and churn KPIs."""
    routing_index = {
        (s.products[r.product].product, s.resources[r.resource].resource): k for k, r in enumerate(s.routings)
    }
    period_index = {p: t for t, p in enumerate(s.periods)}
    new: dict[tuple[int, int], float] = {}
    new_runs: set[tuple[int, int]] = set()
    for row in plan.sheets["Production"].itertuples(index=False):
        key = (routing_index[_id(row.product), _id(row.resource)], period_index[_id(row.period)])
        new[key] = new.get(key, 0.0) + float(row.quantity)
        if str(row.setup) == "yes" or float(row.quantity) > EPS:
            new_runs.add(key)
    rows = []
    decisions = {True: 0, False: 0}
    changed = {True: 0, False: 0}
    keys = set(new) | set(previous.quantities) | previous.setups
    for k, t in sorted(keys, key=lambda key: (key[1], key[0])):
        old_q, new_q = previous.quantities.get((k, t), 0.0), new.get((k, t), 0.0)
        old_run, new_run = previous.runs(k, t), (k, t) in new_runs
        frozen = t < freeze
        decisions[frozen] += 1
        if abs(new_q - old_q) <= EPS and old_run == new_run:
            continue
        changed[frozen] += 1
        routing = s.routings[k]
        what = "new run" if not old_run else "run cancelled" if not new_run else "quantity changed"
        rows.append(
            {
                "what": what,
                "product": s.products[routing.product].product,
                "resource": s.resources[routing.resource].resource,
                "period": s.periods[t],
                "old": old_q,
                "new": new_q,
                "change": new_q - old_q,
                "cost_effect": (new_q - old_q) * routing.unit_cost + routing.setup_cost * (new_run - old_run),
                "frozen": frozen,
            }
        )
    moved = sum(abs(r["change"]) for r in rows if not r["frozen"])
    kpis = {
        # frozen rows change only where they were planned afresh, and those changes are priced too
        "stability_penalty": s.settings.stability_weight * sum(abs(r["change"]) for r in rows),
        "units_changed_after_frozen_periods": moved,
        "runs_changed_in_frozen_periods": changed[True],
        "runs_changed_after_frozen_periods": changed[False],
        "share_changed_in_frozen_periods": changed[True] / decisions[True] if decisions[True] else 0.0,
        "share_changed_after_frozen_periods": changed[False] / decisions[False] if decisions[False] else 0.0,
    }
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), kpis
