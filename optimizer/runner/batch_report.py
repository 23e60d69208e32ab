"""What a batch leaves behind: each run's plan and summary, a batch summary workbook, what-if comparisons."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.reports.xlsx import Sheet, atomic_path, write_workbook
from optimizer.runner.batch import BatchJob, JobOutcome

SUMMARY_COLUMNS = ["run", "input", "what_if", "status", "objective", "gap", "seconds", "plan_file", "error"]


def save_outcome(outcome: JobOutcome, out_dir: Path) -> Path | None:
    """Write a run's plan and JSON summary into out_dir (atomically); returns the plan path."""
    plan_path = None
    if outcome.plan is not None:
        plan_path = out_dir / f"{outcome.label}-plan.xlsx"
        with atomic_path(plan_path) as tmp:
            tmp.write_bytes(outcome.plan)
    if outcome.summary:
        document = dict(outcome.summary, plan_file=str(plan_path) if plan_path else None)
        target = out_dir / f"{outcome.label}-summary.json"
        tmp_json = target.with_name(f".{target.name}.tmp")
        tmp_json.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp_json, target)
    return plan_path


def status_of(outcome: JobOutcome) -> str:
    if outcome.summary.get("status"):
        return str(outcome.summary["status"])
    return "bad_input" if outcome.exit_code == 2 else "error"


def summary_frame(rows: list[tuple[BatchJob | None, str, JobOutcome, Path | None]]) -> pd.DataFrame:
    """One row per run: (job, input path, outcome, plan path)."""
    records = []
    for job, input_path, outcome, plan in rows:
        records.append(
            {
                "run": outcome.label,
                "input": input_path,
                "what_if": job.what_if if job else None,
                "status": status_of(outcome),
                "objective": outcome.summary.get("objective"),
                "gap": outcome.summary.get("gap"),
                "seconds": outcome.seconds,
                "plan_file": str(plan) if plan else None,
                "error": outcome.error or None,
            }
        )
    return pd.DataFrame(records, columns=SUMMARY_COLUMNS)


def _budget_variance(plan: bytes | None) -> dict[str, float]:
    """Variance against budget by category, from a plan's Budget impact sheet (empty without one)."""
    if plan is None:
        return {}
    try:
        frame = pd.read_excel(io.BytesIO(plan), sheet_name="Budget impact", engine="calamine")
    except (ValueError, KeyError):
        return {}
    totals = frame.groupby("category", sort=False)[["planned", "budget", "variance"]].sum()
    out = {}
    for category, row in totals.iterrows():
        out[f"budget: {category}"] = float(row["budget"])
        out[f"variance: {category}"] = float(row["variance"])
    return out


def comparison_frame(runs: list[tuple[str, JobOutcome]]) -> pd.DataFrame:
    """KPIs, costs and budget variance side by side: one row per measure, one column per scenario."""
    columns: dict[str, dict[str, Any]] = {}
    for name, outcome in runs:
        s = outcome.summary
        values: dict[str, Any] = {"status": status_of(outcome), "objective": s.get("objective"), "gap": s.get("gap")}
        values.update({f"cost: {k}": v for k, v in (s.get("costs") or {}).items()})
        values.update({f"kpi: {k}": v for k, v in (s.get("kpis") or {}).items()})
        values.update(_budget_variance(outcome.plan))
        columns[name] = values
    measures = list(dict.fromkeys(m for values in columns.values() for m in values))
    frame = pd.DataFrame({name: [values.get(m) for m in measures] for name, values in columns.items()})
    frame.insert(0, "measure", measures)
    return frame


def write_batch_summary(path: Path, summary: pd.DataFrame, comparisons: dict[str, pd.DataFrame]) -> None:
    """The batch summary workbook: a Runs sheet, and one sheet per input with what-if scenarios."""
    sheets = [Sheet("Runs", summary, formats={"seconds": "number"})]
    for name, frame in comparisons.items():
        sheets.append(Sheet(f"What-if {name}"[:31], frame))
    write_workbook(path, sheets)
