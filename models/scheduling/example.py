"""Realistic scheduling examples: a small flexible machine shop, or a synthetic one with N jobs.

Jobs go through cutting, machining, finishing and painting; some steps have two candidate
machines with different speeds; the paint booth has colour changeovers; machines stop for
maintenance; every job has a due time and a lateness penalty.
"""

from __future__ import annotations

from typing import Any

import numpy as np

STEPS = [  # (operation, candidate machines, base minutes)
    ("cut", ["SAW-1", "SAW-2"], 30),
    ("mill", ["CNC-1", "CNC-2"], 60),
    ("turn", ["LATHE"], 45),
    ("paint", ["PAINT"], 40),
]
COLOURS = ["red", "blue", "white", "black"]


def example_tables(scale: int | None, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Rows for every sheet: the 10-job example shop, or `scale` jobs over proportionally more machines."""
    rng = np.random.default_rng(seed)
    n_jobs = 10 if scale is None else scale
    copies = 1 if scale is None else max(1, n_jobs // 15)
    machines = []
    for _, names, _ in STEPS:
        for name in names:
            machines += [name] if copies == 1 else [f"{name}-{c + 1}" for c in range(copies)]
    machines = list(dict.fromkeys(machines))

    def group(names: list[str]) -> list[str]:
        return names if copies == 1 else [f"{n}-{c + 1}" for n in names for c in range(copies)]

    jobs, operations, eligible = [], [], []
    load = 0.0
    for k in range(n_jobs):
        job = f"J{k + 1:03d}"
        colour = COLOURS[int(rng.integers(len(COLOURS)))]
        steps = [st for st in STEPS if st[0] != "turn" or rng.random() < 0.6]
        work = 0
        for seq, (name, names, base) in enumerate(steps, start=1):
            operations.append({"job": job, "operation": name, "sequence": seq * 10})
            size = float(rng.uniform(0.6, 1.6))
            for i, machine in enumerate(group(names)):
                minutes = int(round(base * size * (1.0 + 0.25 * (i % 2))))  # the second machine is slower
                eligible.append({"job": job, "operation": name, "machine": machine, "processing_time": minutes})
            work += int(round(base * size))
        load += work
        release = int(rng.integers(0, 4)) * 60 if k % 3 == 2 else 0
        jobs.append(
            {
                "job": job,
                "description": f"order {k + 1} ({colour})",
                "release": release,
                "due": release + int(work * float(rng.uniform(1.5, 3.5))),
                "weight": float(rng.choice([1.0, 2.0, 5.0])),
                "family": colour,
            }
        )
    setups = [
        {"machine": m, "from_family": a, "to_family": b, "time": 15 if "white" in (a, b) else 25}
        for m in group(["PAINT"])
        for a in COLOURS
        for b in COLOURS
        if a != b
    ]
    span = int(load / max(1, len(machines)) * 1.5)
    calendar = [
        {"machine": group(["CNC-1"])[0], "unavailable_from": 240, "unavailable_to": 300},
        {"machine": group(["PAINT"])[0], "unavailable_from": 480, "unavailable_to": 540},
    ]
    if span > 960:
        calendar.append({"machine": group(["LATHE"])[0], "unavailable_from": 900, "unavailable_to": 960})
    first, second = jobs[0]["job"], jobs[1]["job"]
    name = "machine-shop" if scale is None else f"synthetic-{n_jobs}-jobs"
    return {
        "Settings": [
            {"setting": "kind", "value": "scheduling"},
            {"setting": "name", "value": name},
            {"setting": "objective", "value": "blend"},
            {"setting": "makespan_weight", "value": 1.0},
            {"setting": "tardiness_weight", "value": 1.0},
            {"setting": "time_unit", "value": "minute"},
            {"setting": "currency", "value": "EUR"},
        ],
        "Jobs": jobs,
        "Operations": operations,
        "Machines": [{"machine": m, "description": m.split("-")[0].lower()} for m in machines],
        "Eligible": eligible,
        "Setups": setups,
        "Calendar": calendar,
        "JobPrecedence": [{"before": first, "after": second}],
        "Budget": [{"category": "tardiness", "period": None, "amount": 500.0}],
    }


def rush_order_tables(seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """The example shop with a rush order due on the lathe while the lathe is down for maintenance (infeasible).

    The rush order must ship by minute 180, but its turning step can only run on the lathe, which is
    stopped from 0 to 240: the explanation names that deadline and that calendar row.
    """
    rows = example_tables(None, seed)
    rows["Jobs"].append(
        {
            "job": "RUSH",
            "description": "rush order: spare shaft for a customer's stopped line",
            "release": 0,
            "due": 120,
            "deadline": 180,
            "weight": 10.0,
            "family": "black",
        }
    )
    for seq, (name, machine, minutes) in enumerate([("cut", "SAW-1", 20), ("turn", "LATHE", 45)], start=1):
        rows["Operations"].append({"job": "RUSH", "operation": name, "sequence": seq * 10})
        rows["Eligible"].append({"job": "RUSH", "operation": name, "machine": machine, "processing_time": minutes})
    rows["Calendar"].append({"machine": "LATHE", "unavailable_from": 0, "unavailable_to": 240})
    rows["Settings"] = [r for r in rows["Settings"] if r["setting"] != "name"]
    rows["Settings"].append({"setting": "name", "value": "machine-shop-rush-order"})
    return rows
