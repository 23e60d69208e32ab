"""The orders the inventory model may place: which (offer, period) pairs, how many packs at most and at least.

Shared by the MILP, its cuts, the quick heuristic plan and the replan.
"""

from __future__ import annotations

import math

from models.inventory.data import Scenario


def orderable(s: Scenario) -> list[tuple[int, int]]:
    """(offer, period) pairs whose arrival falls inside the horizon."""
    return [(o, t) for o, offer in enumerate(s.offers) for t in range(s.n_periods - offer.lead_time)]


def pack_bound(s: Scenario, o: int, t: int) -> float:
    """Most packs worth ordering: the demand left after arrival plus safety stock, or the MOQ."""
    offer = s.offers[o]
    arrival = t + offer.lead_time
    item = s.items[offer.item]
    demand_before, receipts_before = s.demand_before[offer.item], s.receipts_before[offer.item]
    need = demand_before[-1] - demand_before[arrival] + item.safety_stock
    if item.shortage_policy == "backorder":  # an order may also fill the backlog built up before it arrives
        need += max(0.0, demand_before[arrival] - item.initial_stock - receipts_before[arrival])
    packs = math.ceil(max(need, offer.min_order_qty) / offer.pack_size - 1e-9)
    if offer.max_order_qty is not None:
        packs = min(packs, math.floor(offer.max_order_qty / offer.pack_size + 1e-9))
    capacity = s.suppliers[offer.supplier].capacity
    if capacity is not None:
        packs = min(packs, math.floor(capacity / offer.pack_size + 1e-9))
    return max(packs, 0)


def min_packs(s: Scenario, o: int) -> int:
    offer = s.offers[o]
    return math.ceil(offer.min_order_qty / offer.pack_size - 1e-9)


def needs_placed(s: Scenario, o: int) -> bool:
    """An order indicator is needed only for a fixed order cost or a minimum quantity."""
    offer = s.offers[o]
    return offer.order_cost > 0 or offer.min_order_qty > 0
