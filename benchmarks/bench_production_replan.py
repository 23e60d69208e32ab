"""Production replans: what stability costs and how much a replan moves, against a fresh solve of the same data.

For each plant (the 12-product example, or `--scale N` products x 52 weeks): solve it, raise the
demand of a third of the products by 20% after the frozen weeks (seeded), then solve the new data
afresh and replan it against the first plan with `--freeze F`, both through the command line. The
table gives the fresh and replanned cost (the replan's without its stability penalty), the cost of
stability (replan cost over fresh cost), the units moved against the first plan after the frozen
weeks by each, and the seconds. The replan's stability_weight is `--weight` (default 1 a unit). Writes benchmarks/results/production-replan-DATE.csv.

    flock /tmp/optimizer-bench.lock python benchmarks/bench_production_replan.py [--scale 0 50] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from table import write_csv

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent / "optimizer"
COLUMNS = [
    "instance",
    "fresh_cost",
    "replan_cost",
    "stability_cost_share",
    "fresh_units_moved",
    "replan_units_moved",
    "replan_runs_changed",
    "fresh_s",
    "replan_s",
    "replan_status",
]


def _run(*args: str) -> dict:
    subprocess.run([str(BIN), *args, "--quiet"], check=False)
    return json.loads(Path(args[args.index("--summary") + 1]).read_text())


def _moved(plan: Path, before: Path, frozen: set[str]) -> float:
    """Units made differently from `before`, summed over routings and the periods after the frozen ones."""
    sheets = [pd.read_excel(p, sheet_name="Production", engine="calamine") for p in (plan, before)]
    keyed = [f.groupby(["product", "resource", "period"])["quantity"].sum() for f in sheets]
    diff = keyed[0].sub(keyed[1], fill_value=0.0).abs()
    return float(diff[[p not in frozen for p in diff.index.get_level_values("period")]].sum())


def run_plant(n: int, freeze: int, weight: float, time_limit: float, work: Path) -> dict:
    """One plant: first plan, new demand, fresh solve and replan; its row of the table."""
    from models.production.example import example_tables
    from optimizer.kinds import get_kind
    from optimizer.reports.template import write_scenario

    kind = get_kind("production")
    rows = example_tables(n or None, 7)
    first, changed = work / f"plant-{n}.xlsx", work / f"plant-{n}-new.xlsx"
    write_scenario(kind, first, rows)
    limits = ["--time-limit", str(time_limit), "--gap", "0.01"]
    _run("solve", str(first), "-o", str(work / "first.xlsx"), "--summary", str(work / "first.json"), *limits)
    periods = [p["period"] for p in rows["Periods"]]
    frozen = set(periods[:freeze])
    rng = np.random.default_rng(11)
    products = [p["product"] for p in rows["Products"]]
    raised = set(rng.choice(products, size=max(1, len(products) // 3), replace=False))
    for d in rows["Demand"]:
        if d["product"] in raised and d["period"] not in frozen:
            d["quantity"] = float(round(d["quantity"] * 1.2))
    rows["Settings"].append({"setting": "stability_weight", "value": weight})
    write_scenario(kind, changed, rows)
    fresh = _run("solve", str(changed), "-o", str(work / "fresh.xlsx"), "--summary", str(work / "fresh.json"), *limits)
    replan = _run(
        "replan", str(changed), "--previous", str(work / "first.xlsx"), "--freeze", str(freeze),
        "-o", str(work / "replan.xlsx"), "--summary", str(work / "replan.json"), *limits,
    )  # fmt: skip
    has_plan = replan["objective"] is not None and fresh["objective"] is not None
    cost = replan["objective"] - replan["kpis"].get("stability_penalty", 0.0) if has_plan else None
    return {
        "instance": f"production-{len(products)}x{len(periods)}",
        "fresh_cost": fresh["objective"],
        "replan_cost": cost,
        "stability_cost_share": cost / fresh["objective"] - 1 if has_plan else None,
        "fresh_units_moved": _moved(work / "fresh.xlsx", work / "first.xlsx", frozen) if has_plan else None,
        "replan_units_moved": replan["kpis"].get("units_changed_after_frozen_periods"),
        "replan_runs_changed": replan["kpis"].get("runs_changed_after_frozen_periods"),
        "fresh_s": fresh["wall_seconds"],
        "replan_s": replan["wall_seconds"],
        "replan_status": replan["status"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[0, 50], help="products; 0 = the 12-product example")
    parser.add_argument("--freeze", type=int, default=2)
    parser.add_argument("--weight", type=float, default=1.0, help="stability_weight of the replan, money per unit")
    parser.add_argument("--time-limit", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run_plant(n, args.freeze, args.weight, args.time_limit, Path(tmp)) for n in args.scale]
    print(
        f"{'instance':<20}{'fresh':>14}{'replan':>14}{'stab.%':>8}{'moved f':>10}{'moved r':>10}{'runs r':>8}{'sec f':>7}{'sec r':>7}"
    )
    for r in rows:
        fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
        print(
            f"{r['instance']:<20}{fmt(r['fresh_cost'], '14,.0f')}{fmt(r['replan_cost'], '14,.0f')}"
            f"{fmt(r['stability_cost_share'], '8.2%')}{fmt(r['fresh_units_moved'], '10,.0f')}"
            f"{fmt(r['replan_units_moved'], '10,.0f')}{fmt(r['replan_runs_changed'], '8')}"
            f"{fmt(r['fresh_s'], '7.1f')}{fmt(r['replan_s'], '7.1f')}"
        )
    out = write_csv("production-replan", COLUMNS, rows)
    print(f"wrote {out} (freeze {args.freeze}, stability_weight {args.weight}, time limit {args.time_limit} s)")


if __name__ == "__main__":
    main()
