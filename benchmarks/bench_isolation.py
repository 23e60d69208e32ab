"""What running native solvers in a child process costs: each example scenario solved in process and isolated.

Runs `optimizer solve` on the CP-SAT / PyVRP / OR-Tools scenarios (and a tiny job shop) with
OPTIMIZER_ISOLATE=0 (in process) and =1 (a child forked from a forkserver), alternating, and prints
instance, objective both ways, wall seconds both ways and the overhead; the CSV goes to
benchmarks/results/isolation-DATE.csv. Run it under `flock /tmp/optimizer-bench.lock`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent / "optimizer"
SCENARIOS = [
    "scheduling-ft06.xlsx",
    "scheduling-machine-shop.xlsx",
    "routing-city.xlsx",
    "routing-courier.xlsx",
    "roster-ward.xlsx",
]
COLUMNS = ["instance", "obj_in_process", "obj_isolated", "wall_in_process", "wall_isolated", "overhead_s"]


def solve_once(path: Path, isolate: str, time_limit: float, work: Path) -> tuple[float | None, float, str]:
    """(objective, wall seconds, status) of one command-line solve."""
    summary = work / "summary.json"
    env = {**os.environ, "OPTIMIZER_ISOLATE": isolate}
    command = [str(BIN), "solve", str(path), "-o", str(work / "plan.xlsx"), "--summary", str(summary), "-q"]
    started = time.perf_counter()
    subprocess.run([*command, "--time-limit", str(time_limit), "--seed", "1"], env=env, capture_output=True)
    wall = time.perf_counter() - started
    document = json.loads(summary.read_text())
    return document["objective"], wall, document["status"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    rows = []
    print(" | ".join(COLUMNS))
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            walls: dict[str, list[float]] = {"0": [], "1": []}
            objectives: dict[str, float | None] = {}
            for _ in range(args.repeats):
                for isolate in ("0", "1"):
                    objective, wall, status = solve_once(ROOT / "scenarios" / name, isolate, args.time_limit, Path(tmp))
                    walls[isolate].append(wall)
                    objectives[isolate] = objective
            here, child = statistics.median(walls["0"]), statistics.median(walls["1"])
            row = [name, objectives["0"], objectives["1"], round(here, 2), round(child, 2), round(child - here, 2)]
            rows.append(row)
            print(" | ".join(str(v) for v in row), flush=True)
    out = HERE / "results" / f"isolation-{dt.date.today()}.csv"
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"written {out}")


if __name__ == "__main__":
    main()
