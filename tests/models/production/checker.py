"""An independent feasibility checker for production plans.

Everything is recomputed from the scenario's input and the plan's Production / Inventory /
Capacity sheets (ids as written in the input), following DESIGN.md and the column descriptions
of the input schema, never from the model: routings, minimum lots, setups, hours against regular
capacity plus overtime, components used `lead_time_offset` periods before their parent is made
(from the first period's stock when that falls before the horizon), flow balance
(opening + produced - demand = closing - backlog), backlog rules, safety stock and the cost.
"""

from __future__ import annotations

import math

from models.production.data import Scenario
from optimizer.core.plan import Plan

TOL = 1e-6


def _close(a: float, b: float, what: str) -> None:
    assert math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-5), f"{what}: {a} != {b}"


def _le(a: float, b: float, what: str) -> None:
    assert a <= b + 1e-5 * max(1.0, abs(b)), f"{what}: {a} > {b}"


def check_plan(s: Scenario, plan: Plan) -> float:
    """Assert that `plan` obeys every rule of `s`; return its total cost recomputed from the input."""
    n = s.n_periods
    t_of = {p: t for t, p in enumerate(s.periods)}
    products = {p.product: p for p in s.products}
    resources = {r.resource: (k, r) for k, r in enumerate(s.resources)}
    routing = {(s.products[r.product].product, s.resources[r.resource].resource): r for r in s.routings}
    costs = dict.fromkeys(("production", "setup", "overtime", "holding", "backlog", "safety_stock"), 0.0)
    made = {name: [0.0] * n for name in products}
    hours = {name: [0.0] * n for name in resources}

    production = plan.sheets["Production"]
    assert not production[["product", "resource", "period"]].duplicated().any(), "two rows for one run"
    for r in production.itertuples(index=False):
        where = f"production of {r.product} on {r.resource} in {r.period}"
        assert (r.product, r.resource) in routing, f"{where}: no such routing"
        route = routing[r.product, r.resource]
        t, qty, setup = t_of[r.period], float(r.quantity), r.setup == "yes"
        assert qty >= -TOL, f"{where}: negative quantity"
        if qty > TOL:
            assert setup, f"{where}: made without a setup"
            _le(products[r.product].min_lot, qty, f"{where}: below the minimum lot")
        made[r.product][t] += qty
        hours[r.resource][t] += route.hours_per_unit * qty + (route.setup_time if setup else 0.0)
        costs["production"] += route.unit_cost * qty
        costs["setup"] += route.setup_cost if setup else 0.0

    capacity = plan.sheets["Capacity"]
    assert len(capacity) == len(resources) * n
    for r in capacity.itertuples(index=False):
        where = f"resource {r.resource} in {r.period}"
        k, res = resources[r.resource]
        t = t_of[r.period]
        overtime = float(r.overtime)
        _close(float(r.available), s.capacity[k][t], f"{where}: available")
        _close(float(r.used), hours[r.resource][t], f"{where}: used")
        assert overtime >= -TOL, f"{where}: negative overtime"
        _le(overtime, s.max_overtime[k][t], f"{where}: overtime above its maximum")
        _le(hours[r.resource][t], s.capacity[k][t] + overtime, f"{where}: hours above capacity plus overtime")
        costs["overtime"] += res.overtime_cost * overtime

    # components: a parent made in tau uses quantity_per units, lead_time_offset periods earlier
    used = {name: [0.0] * n for name in products}
    for c in s.bom:
        parent, component = s.products[c.parent].product, s.products[c.component].product
        for tau in range(n):
            used[component][max(0, tau - c.offset)] += c.quantity_per * made[parent][tau]

    inv = plan.sheets["Inventory"]
    assert len(inv) == len(products) * n
    rows = {(r.product, r.period): r for r in inv.itertuples(index=False)}
    components = {s.products[c.component].product for c in s.bom}
    for i, p in enumerate(s.products):
        may_wait = s.settings.allow_backlog and p.backlog_cost is not None
        end_rate = max((r.unit_cost for (name, _), r in routing.items() if name == p.product), default=0.0)
        closing = backlog = 0.0
        for t, period in enumerate(s.periods):
            r = rows[p.product, period]
            where = f"product {p.product} in {period}"
            opening = p.initial_stock if t == 0 else closing - backlog
            demand = s.demand[i][t] + used[p.product][t]
            _close(float(r.opening), opening, f"{where}: opening")
            _close(float(r.produced), made[p.product][t], f"{where}: produced")
            _close(float(r.demand), demand, f"{where}: demand")
            previous_backlog = backlog
            closing, backlog = float(r.closing), float(r.backlog)
            assert closing >= -TOL and backlog >= -TOL, f"{where}: negative closing {closing} or backlog {backlog}"
            _close(opening + made[p.product][t] - demand, closing - backlog, f"{where}: flow balance")
            if not may_wait:
                assert backlog <= TOL, f"{where}: {backlog} units wait but this product's demand may not"
            if p.product in components:  # parents take components from stock on hand, never from backlog
                _le(backlog, previous_backlog + s.demand[i][t], f"{where}: components used that are not on hand")
            net = closing - backlog
            if p.safety_stock > 0:
                if p.safety_penalty is None:
                    _le(p.safety_stock, net, f"{where}: below the hard safety stock")
                else:
                    costs["safety_stock"] += p.safety_penalty * max(0.0, p.safety_stock - net)
            costs["holding"] += p.holding_cost * closing
            if may_wait:
                costs["backlog"] += p.backlog_cost * backlog + (end_rate * backlog if t == n - 1 else 0.0)

    reported = plan.cost_by_category()
    for category, amount in costs.items():
        _close(reported.get(category, 0.0), amount, f"cost category {category}")
    return sum(costs.values())
