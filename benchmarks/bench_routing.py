"""Routing against published best-known values: 15 CVRP X instances and 12 Solomon VRPTW instances.

Each instance is solved through the real load/solve path (the same calls as `optimizer solve`)
by PyVRP and by OR-Tools routing, each with the same time limit and seed. "ours" is
`--solver auto`; on these instances (capacity and time windows only) auto picks PyVRP, so ours
IS the PyVRP run (same call, same seed) and is not run twice; the script checks that choice.
Objectives follow each instance's convention (CVRP nint arcs, VRPTW DIMACS truncation).

    python benchmarks/bench_routing.py [--time-limit 60] [--instances X-n101-k25,R101] [--jobs 1]
    python benchmarks/bench_routing.py --scale 1000 --time-limit 120   # the synthetic city example

Prints a table and writes benchmarks/results/routing-DATE.csv. `--jobs 2` runs two solves at a
time (both solvers are single-threaded); use it only when nothing else runs on the machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from table import write_csv

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

X_INSTANCES = [
    "X-n101-k25",
    "X-n106-k14",
    "X-n110-k13",
    "X-n115-k10",
    "X-n120-k6",
    "X-n125-k30",
    "X-n129-k18",
    "X-n134-k13",
    "X-n139-k10",
    "X-n143-k7",
    "X-n153-k22",
    "X-n157-k13",
    "X-n200-k36",
    "X-n256-k16",
    "X-n303-k21",
]
# Four from each of Solomon's short-horizon classes C1, R1 and RC1 (the 2% target).
SOLOMON = ["C101", "C103", "C106", "C109", "R101", "R104", "R107", "R110", "RC101", "RC103", "RC105", "RC108"]
COLUMNS = [
    "instance",
    "best_known",
    "ours",
    "gap",
    "seconds",
    "ortools",
    "ortools_gap",
    "ortools_seconds",
    "ours_is",
    "vehicles",
]


def benchmarks_dir() -> Path:
    return Path(os.environ.get("OPTIMIZER_BENCHMARKS", HERE.parent.parent / "shared" / "benchmarks"))


def manifest() -> dict[str, tuple[Path, float]]:
    root = benchmarks_dir()
    with (root / "MANIFEST.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return {r["instance"]: (root / r["file"], float(r["bks"])) for r in rows if r["family"] in ("cvrp", "vrptw")}


def run(path: str, solver: str, time_limit: float, seed: int) -> dict:
    """One solve through the engine's load/solve path; objective, seconds, vehicles and auto's choice."""
    from optimizer.core.params import SolveParams
    from optimizer.solve import load, solve_loaded

    loaded = load(Path(path))
    auto, _ = loaded.kind.choose_solver(loaded.scenario)
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=time_limit, seed=seed))
    wall = result.timings.load_seconds + result.timings.build_seconds + result.timings.solve_seconds
    kpis = dict(result.plan.kpis) if result.plan is not None else {}
    return {
        "objective": result.objective,
        "seconds": round(wall, 1),
        "auto": auto,
        "vehicles": kpis.get("vehicles"),
        "kpis": kpis,
        "status": result.status.value,
    }


def scale_run(stops: int, time_limit: float, seed: int) -> None:
    """`optimizer template routing --scale N` solved by auto within the time limit: is a plan there in time?"""
    import tempfile

    from models.routing import KIND
    from models.routing.example import example_tables
    from optimizer.reports.template import write_scenario

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / f"routing-{stops}.xlsx"
        write_scenario(KIND, path, example_tables(stops, 7))
        result = run(str(path), "auto", time_limit, seed)
    kpis = result["kpis"]
    print(f"city example, {stops} stops: {result['status']}, cost {result['objective']:,.2f} in {result['seconds']} s")
    print(f"vehicles {kpis.get('vehicles')}, served {kpis.get('stops_served')}, unserved {kpis.get('stops_unserved')}")


def gap(value: float | None, best: float) -> float | None:
    return None if value is None else (value - best) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--instances", default="", help="comma-separated subset (default: 15 X + 12 Solomon)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="solves at a time")
    parser.add_argument("--solvers", default="pyvrp,ortools")
    parser.add_argument("--scale", type=int, default=0, help="instead: solve the synthetic city example with N stops")
    args = parser.parse_args()
    if args.scale:
        scale_run(args.scale, args.time_limit, args.seed)
        return
    known = manifest()
    names = [n for n in args.instances.split(",") if n] or X_INSTANCES + SOLOMON
    missing = [n for n in names if n not in known]
    if missing:
        sys.exit(f"not in MANIFEST.csv: {', '.join(missing)}")
    solvers = args.solvers.split(",")
    jobs = [(n, s) for n in names for s in solvers]
    results: dict[tuple[str, str], dict] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run, str(known[job[0]][0]), job[1], args.time_limit, args.seed): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            results[job] = future.result()
            print(f"{job[0]} {job[1]}: {results[job]['objective']} in {results[job]['seconds']} s", file=sys.stderr)
            _write(_rows(names, known, results))  # a partial table survives an interrupted run
    rows = _rows(names, known, results)
    _print(rows)
    print(f"wrote {_write(rows)}")


def _write(rows: list[dict]) -> Path:
    out = write_csv("routing", COLUMNS, rows)
    return out


def _rows(names: list[str], known: dict, results: dict) -> list[dict]:
    rows = []
    for name in names:
        best = known[name][1]
        ours = results.get((name, "pyvrp"), {})
        other = results.get((name, "ortools"), {})
        rows.append(
            {
                "instance": name,
                "best_known": best,
                "ours": ours.get("objective"),
                "gap": gap(ours.get("objective"), best),
                "seconds": ours.get("seconds"),
                "ortools": other.get("objective"),
                "ortools_gap": gap(other.get("objective"), best),
                "ortools_seconds": other.get("seconds"),
                "ours_is": "pyvrp (auto)" if ours.get("auto", "pyvrp") == "pyvrp" else f"auto picks {ours.get('auto')}",
                "vehicles": ours.get("vehicles"),
            }
        )
    return rows


def _fmt(value: object, percent: bool = False) -> str:
    if value is None:
        return "-"
    if percent:
        return f"{value:.2%}"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


def _print(rows: list[dict]) -> None:
    header = ["instance", "best known", "ours (pyvrp)", "gap", "s", "or-tools", "gap", "s"]
    print(" | ".join(header))
    for r in rows:
        keys = ["instance", "best_known", "ours", "gap", "seconds", "ortools", "ortools_gap", "ortools_seconds"]
        print(" | ".join(_fmt(r[k], k.endswith("gap")) for k in keys))
    groups = {
        "X": lambda n: n.startswith("X-"),
        "X-n101..n200 (target 1%)": lambda n: n.startswith("X-") and int(n.split("-")[1][1:]) <= 200,
        "Solomon (target 2%)": lambda n: n.startswith(("C", "R")),
    }
    for label, member in groups.items():
        group = [r for r in rows if member(r["instance"])]
        for key in ("gap", "ortools_gap"):
            values = [r[key] for r in group if r[key] is not None]
            if values:
                print(f"{label} {key}: mean {statistics.fmean(values):.2%}, median {statistics.median(values):.2%}")


if __name__ == "__main__":
    main()
