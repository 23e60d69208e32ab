"""Capacitated lot sizing (Trigeiro X instances, `--format clsp`) through the real command line.

Prints a table (instance, best known, ours, bound, gap, seconds); a run of the default ten also
writes it to benchmarks/results/lotsizing-DATE.csv (a run of a few `--instances` only prints, so
it cannot overwrite the day's table). The objective is setup + holding cost (the constant
production cost is left out, as the benchmark defines it). MANIFEST.csv has no best known
values for these instances, so "gap" is against our own proven bound; 0 means proven optimal.

    flock /tmp/optimizer-bench.lock python benchmarks/bench_lotsizing.py [--time-limit 60] [--instances X11117A ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from table import write_csv

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent / "optimizer"
BENCHMARKS = Path(os.environ.get("OPTIMIZER_BENCHMARKS", HERE.parents[0].parent / "shared" / "benchmarks"))
DEFAULT_COUNT = 10  # the first ten lot-sizing instances of MANIFEST.csv, in its order (no picking)
COLUMNS = ["instance", "best_known", "ours", "bound", "gap", "seconds", "status"]


def manifest() -> dict[str, dict[str, str]]:
    with (BENCHMARKS / "MANIFEST.csv").open() as handle:
        return {r["instance"]: r for r in csv.DictReader(handle) if r["family"] == "lotsizing"}


def run(instance: str, row: dict[str, str], time_limit: float, work: Path) -> dict:
    summary = work / f"{instance}.json"
    subprocess.run(
        [
            str(BIN),
            "solve",
            str(BENCHMARKS / row["file"]),
            "--format",
            "clsp",
            "-o",
            str(work / f"{instance}.xlsx"),
            "--summary",
            str(summary),
            "--time-limit",
            str(time_limit),
            "--gap",
            "0",
            "--quiet",
        ],
        check=False,
    )
    s = json.loads(summary.read_text())
    best = float(row["bks"]) if row.get("bks") else None
    ours = s["objective"]
    if best is not None and ours is not None:
        gap = (ours - best) / best
    else:
        gap = s["gap"]
    return {
        "instance": instance,
        "best_known": best,
        "ours": ours,
        "bound": s["bound"],
        "gap": gap,
        "seconds": s["wall_seconds"],
        "status": s["status"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--instances", nargs="+", default=None, help="names from MANIFEST.csv (default: its first ten)")
    args = parser.parse_args()
    known = manifest()
    table = list(known)[:DEFAULT_COUNT]
    args.instances = args.instances or table
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.instances:
            rows.append(run(name, known[name], args.time_limit, Path(tmp)))
            r = rows[-1]
            fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
            print(
                f"{r['instance']:<10}{fmt(r['best_known'], '12,.1f')}{fmt(r['ours'], '12,.1f')}"
                f"{fmt(r['bound'], '12,.1f')}{fmt(r['gap'], '9.3%')}{fmt(r['seconds'], '8.1f')}  {r['status']}",
                flush=True,
            )
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    times = [r["seconds"] for r in rows]
    optimal = sum(1 for r in rows if r["status"] == "optimal")
    print(
        f"{len(rows)} instances: {optimal} proven optimal, mean gap {statistics.mean(gaps):.3%}, "
        f"median seconds {statistics.median(times):.1f}"
    )
    if args.instances != table:  # a few rows must not replace the table of all ten
        print("not written: the CSV is the table of the first ten instances in MANIFEST order")
        return
    out = write_csv("lotsizing", COLUMNS, rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
