"""Job shop and flexible job shop benchmarks: our CP-SAT model against OR-Tools' plain sample model.

Each instance is read by the kind's own reader (jobshop / fjs) and solved twice at the same time
limit with 2 workers: ours through the engine's solve path (load, build with hint and bounds,
solve, plan), then the plain model of OR-Tools' samples (benchmarks/plain_jobshop.py). Prints a
table (instance, best known, ours, gap, seconds, plain, ...) and writes
benchmarks/results/scheduling-DATE.csv row by row, so a stopped run keeps what it measured.

    python benchmarks/bench_scheduling.py [--time-limit 60] [--instances ft10,la01-la20,mk01-mk03]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.plain_jobshop import solve_plain  # noqa: E402
from models.scheduling import KIND  # noqa: E402
from optimizer.core.params import SolveParams  # noqa: E402
from optimizer.io.schema import validate  # noqa: E402
from optimizer.solve import Loaded, file_sha256, solve_loaded  # noqa: E402

BENCH = Path(os.environ.get("OPTIMIZER_BENCHMARKS", HERE.parent.parent / "shared" / "benchmarks"))
DEFAULT = "ft06,ft10,la01-la20,ta01-ta10,mk01-mk10"
COLUMNS = [
    "instance",
    "best_known",
    "ours",
    "ours_bound",
    "ours_status",
    "gap",
    "seconds",
    "plain",
    "plain_bound",
    "plain_status",
    "plain_gap",
    "plain_seconds",
]


def expand(spec: str) -> list[str]:
    """'ft10,la01-la03' -> ['ft10', 'la01', 'la02', 'la03']."""
    names = []
    for part in spec.split(","):
        match = re.fullmatch(r"([a-z]+)(\d+)-([a-z]+)?(\d+)", part.strip())
        if match:
            prefix, first, _, last = match.groups()
            width = len(first)
            names += [f"{prefix}{k:0{width}d}" for k in range(int(first), int(last) + 1)]
        elif part.strip():
            names.append(part.strip())
    return names


def manifest() -> dict[str, tuple[Path, str, float]]:
    """Instance -> (file, format, best known) for job shop and FJSP rows of MANIFEST.csv."""
    out = {}
    with (BENCH / "MANIFEST.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["family"] in ("jobshop", "fjsp"):
                fmt = "jobshop" if row["family"] == "jobshop" else "fjs"
                out[row["instance"]] = (BENCH / row["file"], fmt, float(row["bks"]))
    return out


def gap(value: float | None, best: float) -> float | None:
    return None if value is None else (value - best) / best


def load_file(path: Path, fmt: str) -> Loaded:
    """What optimizer.solve.load does for a benchmark file, with this kind's reader named directly."""
    started = time.perf_counter()
    tables = KIND.formats[fmt].read(path)
    scenario = KIND.build_scenario(validate(tables, KIND.tables, KIND.settings))
    return Loaded(KIND, scenario, path, file_sha256(path), time.perf_counter() - started)


def run(name: str, path: Path, fmt: str, best: float, limit: float, seed: int) -> dict:
    started = time.perf_counter()
    loaded = load_file(path, fmt)
    result = solve_loaded(loaded, SolveParams(time_limit=limit, gap=0.0, threads=2, seed=seed), started=started)
    ours_seconds = time.perf_counter() - started
    plain = solve_plain(loaded.scenario, limit, workers=2, seed=seed)
    return {
        "instance": name,
        "best_known": best,
        "ours": result.objective,
        "ours_bound": result.bound,
        "ours_status": result.status.value,
        "gap": gap(result.objective, best),
        "seconds": round(ours_seconds, 1),
        "plain": plain.makespan,
        "plain_bound": plain.bound,
        "plain_status": plain.status.lower(),
        "plain_gap": gap(plain.makespan, best),
        "plain_seconds": round(plain.seconds, 1),
    }


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--instances", default=DEFAULT, help=f"names or ranges (default {DEFAULT})")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    known = manifest()
    names = expand(args.instances)
    missing = [n for n in names if n not in known]
    if missing:
        sys.exit(f"not in MANIFEST.csv: {', '.join(missing)}")
    out = HERE / "results" / f"scheduling-{dt.date.today().isoformat()}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    print(" | ".join(COLUMNS))
    rows = []
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for name in names:
            path, fmt, best = known[name]
            row = run(name, path, fmt, best, args.time_limit, args.seed)
            rows.append(row)
            writer.writerow(row)
            handle.flush()
            print(" | ".join(_fmt(row[c]) if c != "gap" and c != "plain_gap" else _pct(row[c]) for c in COLUMNS))
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    plain_gaps = [r["plain_gap"] for r in rows if r["plain_gap"] is not None]
    if gaps:
        print(
            f"mean gap ours {statistics.mean(gaps):.3%}, plain {statistics.mean(plain_gaps or [0]):.3%}; "
            f"median seconds ours {statistics.median(r['seconds'] for r in rows):.1f}, "
            f"plain {statistics.median(r['plain_seconds'] for r in rows):.1f}"
        )
    better = sum(1 for r in rows if r["ours"] is not None and (r["plain"] is None or r["ours"] < r["plain"]))
    worse = sum(1 for r in rows if r["plain"] is not None and (r["ours"] is None or r["ours"] > r["plain"]))
    print(f"ours better on {better}, worse on {worse}, equal on {len(rows) - better - worse}; wrote {out}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


if __name__ == "__main__":
    main()
