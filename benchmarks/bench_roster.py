"""Roster on the Curtois & Qu instances through the real command line (`optimizer solve --format nrp`).

Prints a table (instance, best known, ours, gap, seconds, bound, backend that won) and writes it to
benchmarks/results/roster-DATE.csv. Best known values come from ../shared/benchmarks/MANIFEST.csv.
Run heavy runs under `flock /tmp/optimizer-bench.lock`.

    python benchmarks/bench_roster.py [--time-limit 60] [--instances Instance1,Instance2] [--solver auto]
    python benchmarks/bench_roster.py --scale 100 --time-limit 120   # the synthetic ward of N nurses
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from table import write_csv

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent / "optimizer"
SHARED = Path(os.environ.get("OPTIMIZER_BENCHMARKS", HERE.parents[0].parent / "shared" / "benchmarks"))
COLUMNS = ["instance", "best_known", "ours", "gap", "seconds", "time_limit", "solver", "status", "bound", "won"]


def best_known() -> dict[str, tuple[Path, float | None]]:
    """Roster instances of the manifest: name -> (file, best known value)."""
    out = {}
    with (SHARED / "MANIFEST.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["family"] == "roster":
                out[row["instance"]] = (SHARED / row["file"], float(row["bks"]) if row["bks"] else None)
    return out


def run(name: str, path: Path, bks: float | None, time_limit: float, solver: str, work: Path) -> dict:
    summary = work / f"{name}.json"
    command = [str(BIN), "solve", str(path), "--format", "nrp", "-o", str(work / f"{name}.xlsx")]
    command += ["--summary", str(summary), "--time-limit", str(time_limit), "--solver", solver, "--quiet"]
    subprocess.run(command, check=False)
    if not summary.exists():  # the run failed before writing its summary (its error is printed above)
        empty = dict.fromkeys(COLUMNS)
        return {
            **empty,
            "instance": name,
            "best_known": bks,
            "time_limit": time_limit,
            "solver": solver,
            "status": "error",
        }
    s = json.loads(summary.read_text())
    ours = None if s["objective"] is None else round(s["objective"], 6)
    return {
        "instance": name,
        "best_known": bks,
        "ours": ours,
        "gap": None if ours is None or not bks else (ours - bks) / bks,
        "seconds": round(s["wall_seconds"], 1),
        "time_limit": time_limit,
        "solver": solver,
        "status": s["status"],
        "bound": None if s["bound"] is None else round(s["bound"], 3),
        "won": s.get("kpis", {}).get("backend won", s.get("solver", "")),
    }


def run_scale(n: int, time_limit: float, solver: str, work: Path) -> dict:
    """The synthetic example of n nurses over 4 weeks: no published record, the bound stands in."""
    scenario = work / f"roster-{n}.xlsx"
    subprocess.run([str(BIN), "template", "roster", "--scale", str(n), "-o", str(scenario)], check=True)
    summary = work / f"roster-{n}.json"
    command = [str(BIN), "solve", str(scenario), "-o", str(work / "plan.xlsx"), "--summary", str(summary)]
    command += ["--time-limit", str(time_limit), "--solver", solver, "--quiet"]
    subprocess.run(command, check=False)
    s = json.loads(summary.read_text())
    return {
        "instance": f"synthetic-{n}-nurses",
        "best_known": None if s["bound"] is None else round(s["bound"], 2),
        "ours": None if s["objective"] is None else round(s["objective"], 2),
        "gap": s["gap"],
        "seconds": round(s["wall_seconds"], 1),
        "time_limit": time_limit,
        "solver": solver,
        "status": s["status"],
        "bound": None if s["bound"] is None else round(s["bound"], 2),
        "won": s.get("kpis", {}).get("backend won", s.get("solver", "")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--instances", default=",".join(f"Instance{k}" for k in range(1, 13)))
    parser.add_argument("--solver", default="auto", help="auto, cpsat, highs, lns or hybrid")
    parser.add_argument("--scale", type=int, default=None, help="solve the synthetic example of N nurses instead")
    args = parser.parse_args()
    known = best_known()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.scale:
            row = run_scale(args.scale, args.time_limit, args.solver, Path(tmp))
            print(row, flush=True)
            rows.append(row)
        for name in [] if args.scale else args.instances.split(","):
            path, bks = known[name]
            row = run(name, path, bks, args.time_limit, args.solver, Path(tmp))
            rows.append(row)
            gap = "-" if row["gap"] is None else f"{100 * row['gap']:.2f}%"
            print(
                f"{name:<11} best {bks!s:>7} ours {row['ours']!s:>9} gap {gap:>7} {row['seconds'] or 0:>6.1f} s "
                f"bound {row['bound']!s:>9} {row['status']:<9} {row['won']}",
                flush=True,
            )
    what = f"scale{args.scale}" if args.scale else args.solver
    out = write_csv(f"roster-{what}-{int(args.time_limit)}s", COLUMNS, rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
