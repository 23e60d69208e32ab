"""An independent feasibility checker for inventory plans.

Everything is recomputed from the scenario's input and the plan's Orders / Inventory sheets
(ids as written in the input), following DESIGN.md and the column descriptions of the input
schema, never from the model: order rules, supplier capacity, purchasing budget, warehouse,
flow balance (opening + arrivals - demand = closing - shortage), safety stock and the cost.
"""

from __future__ import annotations

import math

from models.inventory.data import Scenario
from optimizer.core.plan import Plan

TOL = 1e-6


def _close(a: float, b: float, what: str) -> None:
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=TOL), f"{what}: {a} != {b}"


def _le(a: float, b: float, what: str) -> None:
    assert a <= b + TOL * max(1.0, abs(b)), f"{what}: {a} > {b}"


def check_plan(s: Scenario, plan: Plan) -> float:
    """Assert that `plan` obeys every rule of `s`; return its total cost recomputed from the input."""
    n = s.n_periods
    t_of = {p: t for t, p in enumerate(s.periods)}
    items = {it.item: it for it in s.items}
    offers = {(s.items[o.item].item, s.suppliers[o.supplier].supplier): o for o in s.offers}
    capacity = {sup.supplier: sup.capacity for sup in s.suppliers}
    demand = {it.item: s.demand[i] for i, it in enumerate(s.items)}
    arrivals = {it.item: list(s.receipts[i]) for i, it in enumerate(s.items)}
    shipped: dict[tuple[str, int], float] = {}
    spend = [0.0] * n
    costs = {"purchasing": 0.0, "ordering": 0.0, "holding": 0.0, "shortage": 0.0, "safety_stock": 0.0}

    # Orders: one row per planned order.
    for r in plan.sheets["Orders"].itertuples(index=False):
        where = f"order {r.item}/{r.supplier}/{r.order_period}"
        assert (r.item, r.supplier) in offers, f"{where}: no such item-supplier offer"
        offer = offers[r.item, r.supplier]
        t, arrival, qty = t_of[r.order_period], t_of[r.arrival_period], float(r.quantity)
        assert arrival == t + offer.lead_time, f"{where}: arrives {r.arrival_period}, lead time is {offer.lead_time}"
        assert qty > TOL, f"{where}: empty order"
        packs = qty / offer.pack_size
        assert abs(packs - round(packs)) <= 1e-6, f"{where}: {qty} is not a multiple of pack {offer.pack_size}"
        _le(offer.min_order_qty, qty, f"{where}: below the minimum order quantity")
        if offer.max_order_qty is not None:
            _le(qty, offer.max_order_qty, f"{where}: above the maximum order quantity")
        _close(float(r.cost), qty * offer.unit_price + offer.order_cost, f"{where}: cost column")
        shipped[r.supplier, t] = shipped.get((r.supplier, t), 0.0) + qty
        spend[t] += qty * offer.unit_price
        arrivals[r.item][arrival] += qty
        costs["purchasing"] += qty * offer.unit_price
        costs["ordering"] += offer.order_cost
    keys = plan.sheets["Orders"][["item", "supplier", "order_period"]]
    assert not keys.duplicated().any(), "two rows for one order"

    for (supplier, t), qty in shipped.items():
        if capacity[supplier] is not None:
            _le(qty, capacity[supplier], f"supplier {supplier} ships too much in {s.periods[t]}")
    for t in range(n):
        if s.purchasing_budget[t] is not None:
            _le(spend[t], s.purchasing_budget[t], f"purchasing budget of {s.periods[t]}")

    # Inventory: one row per item and period.
    inv = plan.sheets["Inventory"]
    assert sorted(zip(inv["item"], inv["period"], strict=True)) == sorted((i, p) for i in items for p in s.periods)
    rows = {(r.item, r.period): r for r in inv.itertuples(index=False)}
    closing_of: dict[str, list[float]] = {}
    for i, it in enumerate(s.items):
        name = it.item
        lost = it.shortage_policy == "lost_sale"
        leads = [o.lead_time for (i, _), o in offers.items() if i == name]
        safety_start = min(leads) if leads else n
        closing, short = [], []
        for t, period in enumerate(s.periods):
            r = rows[name, period]
            where = f"item {name} in {period}"
            if t == 0:
                opening = it.initial_stock
            else:
                opening = closing[t - 1] - (0.0 if lost else short[t - 1])
            _close(float(r.opening), opening, f"{where}: opening")
            _close(float(r.arrivals), arrivals[name][t], f"{where}: arrivals")
            _close(float(r.demand), demand[name][t], f"{where}: demand")
            c, sh = float(r.closing), float(r.shortage)
            assert c >= -TOL and sh >= -TOL, f"{where}: negative closing {c} or shortage {sh}"
            _close(opening + arrivals[name][t] - demand[name][t], c - sh, f"{where}: flow balance")
            if lost:
                _le(sh, demand[name][t], f"{where}: more lost than demanded")
            else:
                # Units on hand would serve the backlog: stock and backlog never coexist.
                assert min(c, sh) <= TOL, f"{where}: {c} on hand while {sh} backlogged"
            if it.safety_stock > 0 and t >= safety_start:
                if it.safety_stock_policy == "hard":
                    _le(it.safety_stock, c, f"{where}: below the hard safety stock")
                else:
                    # the penalty is on the net position: on hand less backlog
                    net = c - (0.0 if lost else sh)
                    costs["safety_stock"] += s.safety_penalty(i) * max(0.0, it.safety_stock - net)
            costs["holding"] += it.holding_cost * c
            costs["shortage"] += it.shortage_cost * sh
            if not lost and t == n - 1:
                costs["shortage"] += it.unit_cost * sh  # backlog left at the end must still be bought
            closing.append(c)
            short.append(sh)
        closing_of[name] = closing

    for t in range(n):
        if s.warehouse_capacity[t] is not None:
            volume = sum(items[name].volume * closing_of[name][t] for name in items)
            _le(volume, s.warehouse_capacity[t], f"warehouse in {s.periods[t]}")

    reported = plan.cost_by_category()
    for category, amount in costs.items():
        _close(reported.get(category, 0.0), amount, f"cost category {category}")
    return sum(costs.values())
