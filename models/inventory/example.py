"""Realistic inventory examples: a small retail one, or a synthetic one with N items for trials.

Demand is seasonal with noise; prices fall with bigger packs from the slower suppliers, so the
plan has real trade-offs between price, lead time, ordering cost and storage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SUPPLIERS = [
    ("ACME", "Acme Wholesale", 1, 1.00, 120.0),
    ("NORD", "Nordic Distribution", 2, 0.94, 180.0),
    ("FAR", "Far East Imports", 4, 0.82, 350.0),
    ("LOCAL", "Local Cash & Carry", 0, 1.15, 25.0),
    ("EURO", "Euro Logistics", 3, 0.88, 260.0),
]
FAMILIES = ["Coffee", "Tea", "Pasta", "Rice", "Oil", "Flour", "Sugar", "Soap", "Detergent", "Paper"]


def example_tables(scale: int | None, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Rows for every sheet: the 30-item, 3-supplier, 26-week example, or `scale` items over 52 weeks."""
    rng = np.random.default_rng(seed)
    n_items = 30 if scale is None else scale
    n_periods = 26 if scale is None else 52
    suppliers = SUPPLIERS[:3] if scale is None else SUPPLIERS
    periods = [f"2027-W{w + 1:02d}" for w in range(n_periods)]

    items, offers, demand = [], [], []
    weekly_spend = np.zeros(n_periods)
    weekly_volume = 0.0
    for k in range(n_items):
        item = f"SKU-{k + 1:04d}"
        family = FAMILIES[k % len(FAMILIES)]
        cost = float(np.round(rng.uniform(2, 60), 2))
        volume = float(np.round(rng.uniform(0.002, 0.05), 4))
        base = float(rng.uniform(20, 400))
        season = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(n_periods) / 52 + rng.uniform()))
        series = np.maximum(0, np.round(base * season + rng.normal(0, 0.15 * base, n_periods)))
        policy = "lost_sale" if k % 7 == 3 else "backorder"
        hard = k % 10 == 5
        safety = float(np.round(0.5 * base))
        items.append(
            {
                "item": item,
                "description": f"{family} {k + 1}",
                "unit_cost": cost,
                "holding_cost": round(cost * 0.004, 4),
                "shortage_cost": round(cost * (1.6 if policy == "lost_sale" else 0.2), 2),
                "shortage_policy": policy,
                "initial_stock": float(np.round(base * rng.uniform(1.0, 2.5))),
                "safety_stock": safety,
                "safety_stock_policy": "hard" if hard else "soft",
                "safety_penalty": round(cost * 0.05, 3),
                "volume": volume,
            }
        )
        chosen = rng.choice(len(suppliers), size=min(len(suppliers), 1 + int(rng.integers(0, 3))), replace=False)
        if hard:
            chosen = np.union1d(chosen, [0])  # hard safety stock needs a quick supplier
        for s in sorted(int(c) for c in chosen):
            code, _, lead, price_factor, order_cost = suppliers[s]
            pack = int(rng.choice([1, 6, 12, 24]))
            offers.append(
                {
                    "item": item,
                    "supplier": code,
                    "unit_price": round(cost * price_factor, 2),
                    "lead_time": lead,
                    "order_cost": order_cost,
                    "min_order_qty": float(pack * int(rng.integers(1, 10))) if lead >= 3 else 0.0,
                    "pack_size": pack,
                    "max_order_qty": None if lead < 3 else float(np.round(base * 12, -1)),
                }
            )
        for t, q in enumerate(series):
            if q > 0:
                demand.append({"item": item, "period": periods[t], "quantity": float(q)})
        weekly_spend += series * cost
        weekly_volume += base * volume

    capacity_factor = 8.0
    periods_rows = [
        {
            "period": p,
            "warehouse_capacity": round(weekly_volume * capacity_factor, 1),
            "purchasing_budget": round(float(weekly_spend.mean()) * 2.5, -2),
        }
        for p in periods
    ]
    supplier_rows = [
        {"supplier": code, "name": name, "capacity": None if lead < 3 else float(round(n_items * 600, -2))}
        for code, name, lead, _, _ in suppliers
    ]
    first = items[0]["item"]
    open_orders = [{"item": first, "supplier": suppliers[0][0], "arrival_period": periods[1], "quantity": 100.0}]
    total = float(weekly_spend.sum())
    budget = [
        {"category": "purchasing", "period": p, "amount": round(float(weekly_spend[t]) * 1.05, -1)}
        for t, p in enumerate(periods)
    ]
    budget += [
        {"category": "ordering", "period": None, "amount": round(n_items * n_periods * 25.0, -2)},
        {"category": "holding", "period": None, "amount": round(total * 0.01, -2)},
        {"category": "shortage", "period": None, "amount": round(total * 0.005, -2)},
    ]
    name = "retail-example" if scale is None else f"synthetic-{n_items}-items"
    return {
        "Settings": [
            {"setting": "kind", "value": "inventory"},
            {"setting": "name", "value": name},
            {"setting": "currency", "value": "EUR"},
            {"setting": "period_unit", "value": "week"},
        ],
        "Periods": periods_rows,
        "Items": items,
        "Suppliers": supplier_rows,
        "ItemSuppliers": offers,
        "Demand": demand,
        "OpenOrders": open_orders,
        "Budget": budget,
    }
