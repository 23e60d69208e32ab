"""Scheduling plan: a Schedule (ids as in the input) to the Schedule, Jobs, Machines and Gantt sheets.

Extraction takes a plain Schedule (machine, start, end per operation) so that it knows no solver.
The Gantt view is a machine x time-bucket grid of job ids coloured per job, plus an Excel
bar chart drawn from the `Gantt bars` sheet.
"""

from __future__ import annotations

import pandas as pd

from models.scheduling.data import Scenario
from models.scheduling.heuristic import Schedule, evaluate, machine_sequences
from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Chart, ChartSeries, Plan

PALETTE = [
    "#8DD3C7", "#FFFFB3", "#BEBADA", "#FB8072", "#80B1D3", "#FDB462", "#B3DE69", "#FCCDE5",
    "#BC80BD", "#CCEBC5", "#FFED6F", "#A6CEE3", "#B2DF8A", "#FB9A99", "#FDBF6F", "#CAB2D6",
]  # fmt: skip
OFF = "off"  # grid text of an unavailable period
SETUP = "setup"
MAX_BUCKETS = 120
STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440]


def job_completion(s: Scenario, sched: Schedule) -> list[int]:
    ends = [0] * len(s.jobs)
    for o, op in enumerate(s.operations):
        ends[op.job] = max(ends[op.job], sched.end[o])
    return ends


def _schedule(s: Scenario, sched: Schedule) -> pd.DataFrame:
    rows = [
        {
            "job": s.jobs[op.job].job,
            "operation": op.operation,
            "machine": s.machines[sched.machine[o]],
            "start": sched.start[o],
            "end": sched.end[o],
        }
        for o, op in enumerate(s.operations)
    ]
    frame = pd.DataFrame(rows, columns=["job", "operation", "machine", "start", "end"])
    return frame.sort_values(["start", "machine"], kind="stable").reset_index(drop=True)


def _jobs(s: Scenario, ends: list[int]) -> pd.DataFrame:
    rows = []
    for j, job in enumerate(s.jobs):
        late = max(0, ends[j] - job.due) if job.due is not None else 0
        rows.append(
            {
                "job": job.job,
                "release": job.release,
                "due": job.due,
                "deadline": job.deadline,
                "completion": ends[j],
                "tardiness": late,
                "weighted_tardiness": job.weight * late,
                "late": "yes" if late > 0 else "no",
            }
        )
    return pd.DataFrame(rows)


def setup_times(s: Scenario, sched: Schedule) -> list[int]:
    """Setup time before each operation on its machine (0 for the first)."""
    out = [0] * len(s.operations)
    for m, seq in enumerate(machine_sequences(s, sched)):
        for a, b in zip(seq, seq[1:], strict=False):
            out[b] = s.setup_time(m, s.operations[a].job, s.operations[b].job)
    return out


def _machines(s: Scenario, sched: Schedule, makespan: int, setups: list[int]) -> pd.DataFrame:
    rows = []
    for m, name in enumerate(s.machines):
        ops = [o for o in range(len(s.operations)) if sched.machine[o] == m]
        busy = sum(sched.end[o] - sched.start[o] for o in ops)
        off = sum(max(0, min(b, makespan) - a) for a, b in s.downtime[m] if a < makespan)
        rows.append(
            {
                "machine": name,
                "operations": len(ops),
                "busy": busy,
                "setup": sum(setups[o] for o in ops),
                "unavailable": off,
                "utilisation": busy / (makespan - off) if makespan > off else 0.0,
            }
        )
    return pd.DataFrame(rows)


def _bucket(makespan: int) -> int:
    return next((b for b in STEPS if makespan / b <= MAX_BUCKETS), -(-makespan // MAX_BUCKETS))


def _grid(s: Scenario, sched: Schedule, makespan: int) -> pd.DataFrame:
    """Machine x time-bucket grid: the job that uses most of each bucket, 'off' when unavailable."""
    size = _bucket(max(makespan, 1))
    n_buckets = -(-max(makespan, 1) // size)
    labels = [str(k * size) for k in range(n_buckets)]
    rows = []
    for m, name in enumerate(s.machines):
        use: list[dict[str, int]] = [{} for _ in range(n_buckets)]

        def add(text: str, a: int, b: int, use: list[dict[str, int]] = use) -> None:
            for k in range(a // size, min(n_buckets, -(-b // size))):
                overlap = min(b, (k + 1) * size) - max(a, k * size)
                if overlap > 0:
                    use[k][text] = use[k].get(text, 0) + overlap

        for o in range(len(s.operations)):
            if sched.machine[o] == m:
                add(s.jobs[s.operations[o].job].job, sched.start[o], sched.end[o])
        for a, b in s.downtime[m]:
            add(OFF, a, b)
        row = {"machine": name}
        for k, label in enumerate(labels):
            row[label] = max(use[k], key=lambda t: (use[k][t], t)) if use[k] else ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["machine", *labels])


def _bars(s: Scenario, sched: Schedule) -> pd.DataFrame:
    order = sorted(range(len(s.operations)), key=lambda o: (sched.machine[o], sched.start[o]))
    rows = [
        {
            "bar": f"{s.machines[sched.machine[o]]}: {s.jobs[s.operations[o].job].job}/{s.operations[o].operation}",
            "start": sched.start[o],
            "duration": sched.end[o] - sched.start[o],
        }
        for o in order
    ]
    return pd.DataFrame(rows, columns=["bar", "start", "duration"])


def _diagnostics(s: Scenario, ends: list[int]) -> pd.DataFrame:
    rows = []
    for j, job in enumerate(s.jobs):
        if job.due is not None and ends[j] > job.due:
            rows.append(
                {
                    "severity": "warning",
                    "location": s.job_cell(j, "due"),
                    "message": f"job {job.job} ends at {ends[j]}, {ends[j] - job.due} {s.settings.time_unit}(s) after "
                    f"its due time {job.due}",
                }
            )
    return pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS)


def extract(s: Scenario, sched: Schedule) -> Plan:
    """The plan of schedule `sched`: sheets, tardiness cost, KPIs, diagnostics and the Gantt chart."""
    makespan, tardiness, value = evaluate(s, sched)
    ends = job_completion(s, sched)
    setups = setup_times(s, sched)
    jobs = _jobs(s, ends)
    machines = _machines(s, sched, makespan, setups)
    bars = _bars(s, sched)
    colours = {job.job: PALETTE[j % len(PALETTE)] for j, job in enumerate(s.jobs)}
    colours[OFF] = "#BFBFBF"
    costs = pd.DataFrame([("tardiness", "schedule", float(tardiness))] if tardiness else [], columns=COST_COLUMNS)
    chart = Chart(
        name="Gantt chart",
        data_sheet="Gantt bars",
        type="gantt",
        series=[
            ChartSeries("start", "start", categories="bar", hidden=True),
            ChartSeries("operation", "duration", categories="bar", colour="#4F81BD"),
        ],
        title=f"{s.settings.name}: makespan {makespan} {s.settings.time_unit}s",
        x_title=f"time ({s.settings.time_unit})",
    )
    total_time = sum(sched.end[o] - sched.start[o] for o in range(len(s.operations)))
    capacity = sum(max(0, makespan - off) for off in machines["unavailable"]) if len(machines) else 0
    return Plan(
        sheets={
            "Schedule": _schedule(s, sched),
            "Jobs": jobs,
            "Machines": machines,
            "Gantt": _grid(s, sched, makespan),
            "Gantt bars": bars,
        },
        costs=costs,
        kpis={
            "objective": value,
            "makespan": makespan,
            "total_weighted_tardiness": tardiness,
            "late_jobs": int((jobs["late"] == "yes").sum()) if len(jobs) else 0,
            "deadlines_met": sum(
                1 for j, job in enumerate(s.jobs) if job.deadline is not None and ends[j] <= job.deadline
            ),
            "jobs_with_deadline": sum(1 for job in s.jobs if job.deadline is not None),
            "jobs": len(s.jobs),
            "operations": len(s.operations),
            "total_setup_time": sum(setups),
            "utilisation": total_time / capacity if capacity else 0.0,
        },
        diagnostics=_diagnostics(s, ends),
        charts=[chart],
        cell_colours={"Gantt": colours},
    )
