"""The one way every benchmark writes its table: benchmarks/results/NAME-DATE.csv."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_csv(name: str, columns: list[str], rows: list[dict]) -> Path:
    """Write rows under today's date as benchmarks/results/NAME-DATE.csv; returns the path written."""
    out = RESULTS / f"{name}-{dt.date.today().isoformat()}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return out
