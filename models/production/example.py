"""Realistic production examples: a small plant, or a synthetic one with N products for trials.

Finished goods have seasonal demand and are assembled from components made in the same plant
(a two-level bill of materials, components needed one period ahead); each product runs on one
or two resources; capacity is set so that the plant is busy (about 85% of regular hours), so
setups, pre-building, overtime and backlog all compete.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RESOURCE_NAMES = ["Press", "Lathe", "Mill", "Paint", "Assembly", "Pack", "Weld", "Oven", "Cut", "Test"]


def example_tables(scale: int | None, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Rows for every sheet: a 12-product, 4-resource, 13-week plant, or `scale` products x 52 weeks x 10 resources."""
    rng = np.random.default_rng(seed)
    n_products = 12 if scale is None else max(2, scale)
    n_periods = 13 if scale is None else 52
    n_resources = 4 if scale is None else 10
    periods = [f"2027-W{w + 1:02d}" for w in range(n_periods)]
    resources = [
        f"{RESOURCE_NAMES[r % len(RESOURCE_NAMES)]}-{r // len(RESOURCE_NAMES) + 1}" for r in range(n_resources)
    ]
    n_components = max(1, n_products // 4)
    n_finished = n_products - n_components

    products, routings, demand, bom = [], [], [], []
    load = np.zeros((n_resources, n_periods))
    series_of: dict[int, np.ndarray] = {}
    for k in range(n_finished):
        base = float(rng.uniform(40, 400))
        season = 1 + 0.25 * np.sin(2 * np.pi * (np.arange(n_periods) / 52 + rng.uniform()))
        series = np.maximum(0, np.round(base * season + rng.normal(0, 0.2 * base, n_periods)))
        series_of[k] = series
    component_need = np.zeros((n_components, n_periods))
    for k in range(n_finished):
        for c in sorted({int(x) for x in rng.choice(n_components, size=min(2, n_components), replace=False)}):
            qty = float(rng.choice([1, 2, 4]))
            bom.append(
                {"parent": f"FG-{k + 1:04d}", "component": f"C-{c + 1:04d}", "quantity_per": qty, "lead_time_offset": 1}
            )
            component_need[c] += qty * np.roll(series_of[k], -1)
    for k in range(n_products):
        finished = k < n_finished
        pid = f"FG-{k + 1:04d}" if finished else f"C-{k - n_finished + 1:04d}"
        value = float(rng.uniform(5, 80)) if finished else float(rng.uniform(1, 10))
        need = series_of[k] if finished else component_need[k - n_finished]
        products.append(
            {
                "product": pid,
                "description": ("finished good " if finished else "component ") + str(k + 1),
                "holding_cost": round(value * 0.01, 3),
                "backlog_cost": round(value * 0.2, 3) if finished else None,
                "initial_stock": float(np.round(need[:2].mean() * rng.uniform(0.5, 1.5))) if finished else 0.0,
                "safety_stock": float(np.round(need.mean() * 0.3)) if finished and k % 5 == 0 else 0.0,
                "safety_penalty": round(value * 0.05, 3) if finished and k % 5 == 0 else None,
                "min_lot": float(np.round(need.mean() * 0.5, -1)) if k % 4 == 1 else 0.0,
            }
        )
        primary = int(rng.integers(n_resources))
        choices = [primary] + ([int((primary + 1 + rng.integers(n_resources - 1)) % n_resources)] if k % 3 == 0 else [])
        for j, r in enumerate(choices):
            rate = float(np.round(rng.uniform(0.01, 0.06), 4)) * (1.25 if j else 1.0)
            routings.append(
                {
                    "product": pid,
                    "resource": resources[r],
                    "hours_per_unit": rate,
                    "setup_time": float(rng.choice([1.0, 2.0, 3.0, 4.0])),
                    "setup_cost": float(np.round(rng.uniform(50, 400), -1)),
                    "unit_cost": round(value * 0.4 * (1.1 if j else 1.0), 2),
                }
            )
            if j == 0:
                load[r] += rate * need + 2.5 / 2  # a setup about every other period
        for t, q in enumerate(need if finished else []):
            if q > 0:
                demand.append({"product": pid, "period": periods[t], "quantity": float(q)})
    regular = np.maximum(np.round(load.mean(axis=1) / 0.85), 8.0)
    resource_rows = [
        {
            "resource": resources[r],
            "description": f"{resources[r]} work centre",
            "capacity": float(regular[r]),
            "overtime_cost": float(np.round(rng.uniform(40, 90))),
            "max_overtime": float(np.round(regular[r] * 0.2)),
        }
        for r in range(n_resources)
    ]
    holiday = [
        {
            "resource": resources[r],
            "period": periods[min(n_periods - 1, n_periods // 2)],
            "capacity": float(regular[r] * 0.6),
        }
        for r in range(n_resources)
    ]
    budget = [
        {"category": "overtime", "period": None, "amount": float(np.round(regular.sum() * 0.05 * 60 * n_periods, -2))},
        {"category": "setup", "period": None, "amount": float(np.round(n_products * n_periods * 60.0, -2))},
    ]
    name = "plant-example" if scale is None else f"synthetic-{n_products}-products"
    return {
        "Settings": [
            {"setting": "kind", "value": "production"},
            {"setting": "name", "value": name},
            {"setting": "currency", "value": "EUR"},
            {"setting": "period_unit", "value": "week"},
            {"setting": "allow_backlog", "value": "yes"},
        ],
        "Periods": [{"period": p} for p in periods],
        "Products": products,
        "Resources": resource_rows,
        "ResourceCapacity": holiday,
        "Routings": routings,
        "BOM": bom,
        "Demand": demand,
        "Budget": budget,
    }


def line_down_tables(seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """The plant with its biggest line down in week 2, a promotion peak, and backlog forbidden: no plan exists.

    Demand for the line's products is 30% higher in week 2 and week 1 cannot build all of it
    ahead, so the explanation names the line's ResourceCapacity row (hours to find) or, with the
    hours as they are, the Demand rows that would have to wait.
    """
    rows = example_tables(None, seed)
    line = max(rows["Resources"], key=lambda r: r["capacity"])["resource"]
    on_line = {r["product"] for r in rows["Routings"] if r["resource"] == line}
    peak = rows["Periods"][1]["period"]
    for d in rows["Demand"]:
        if d["period"] == peak and d["product"] in on_line:
            d["quantity"] = float(round(d["quantity"] * 1.3))
    rows["ResourceCapacity"] = [r for r in rows["ResourceCapacity"] if (r["resource"], r["period"]) != (line, peak)]
    rows["ResourceCapacity"].append({"resource": line, "period": peak, "capacity": 0.0, "max_overtime": 0.0})
    keep = [r for r in rows["Settings"] if r["setting"] not in ("name", "allow_backlog")]
    rows["Settings"] = keep + [
        {"setting": "name", "value": "plant-line-down"},
        {"setting": "allow_backlog", "value": "no"},
    ]
    return rows
