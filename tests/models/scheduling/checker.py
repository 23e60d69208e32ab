"""An independent feasibility checker for schedules, working from the input rows alone.

It reads the sheets as a planner wrote them (dicts of column -> value) and the plan's Schedule
sheet (ids as in the input), never the model or the typed scenario: every operation scheduled
once on an eligible machine for its processing time, releases, sequence order, job precedences,
one operation at a time per machine with the setup time between consecutive ones, no overlap
with unavailable periods, every job done by its deadline; then it recomputes makespan, weighted tardiness and the objective.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

Rows = list[dict[str, Any]]


def _setting(sheets: dict[str, Rows], name: str, default: Any) -> Any:
    for row in sheets.get("Settings", []):
        if row["setting"] == name:
            return row["value"]
    return default


def _setup(sheets: dict[str, Rows], family: dict[str, str], machine: str, a: str, b: str) -> float:
    """Setup time from job a to job b on machine: a machine's own row wins over a blank-machine row."""
    fa, fb = family[a], family[b]
    general = 0.0
    for row in sheets.get("Setups", []):
        if row["from_family"] == fa and row["to_family"] == fb:
            if row.get("machine") == machine:
                return float(row["time"])
            if row.get("machine") in (None, ""):
                general = float(row["time"])
    return general


def check_schedule(sheets: dict[str, Rows], schedule: pd.DataFrame) -> float:
    """Assert the schedule obeys every rule of the input; return the objective recomputed from it."""
    jobs = {str(r["job"]): r for r in sheets["Jobs"]}
    family = {j: str(r.get("family") or j) for j, r in jobs.items()}
    ops = {(str(r["job"]), str(r["operation"])): int(r["sequence"]) for r in sheets["Operations"]}
    times = {(str(r["job"]), str(r["operation"]), str(r["machine"])): r["processing_time"] for r in sheets["Eligible"]}
    rows = [(str(r.job), str(r.operation), str(r.machine), r.start, r.end) for r in schedule.itertuples()]
    seen = [(j, o) for j, o, _, _, _ in rows]
    assert sorted(seen) == sorted(ops), f"operations scheduled {sorted(seen)} != input {sorted(ops)}"
    at = {}
    for j, o, m, start, end in rows:
        assert (j, o, m) in times, f"{j}/{o} on machine {m}, which is not eligible"
        assert end - start == times[j, o, m], f"{j}/{o} takes {end - start} on {m}, not {times[j, o, m]}"
        assert start >= float(jobs[j].get("release") or 0), f"{j}/{o} starts {start} before its release"
        at[j, o] = (start, end)
    for (j, o), seq in ops.items():
        for (j2, o2), seq2 in ops.items():
            if j2 == j and seq2 < seq:
                assert at[j, o][0] >= at[j2, o2][1], f"{j}/{o} starts before {j2}/{o2} (earlier in sequence) ends"
    for row in sheets.get("JobPrecedence", []):
        before_end = max(e for (j, _), (_, e) in at.items() if j == str(row["before"]))
        after_start = min(s for (j, _), (s, _) in at.items() if j == str(row["after"]))
        assert after_start >= before_end, f"job {row['after']} starts {after_start} before {row['before']} ends"
    by_machine: dict[str, list] = {}
    for j, o, m, start, end in rows:
        by_machine.setdefault(m, []).append((start, end, j, o))
    for m, items in by_machine.items():
        items.sort()
        for (_, e1, j1, o1), (s2, _, j2, o2) in zip(items, items[1:], strict=False):
            gap = _setup(sheets, family, m, j1, j2)
            assert s2 >= e1 + gap, f"machine {m}: {j2}/{o2} starts {s2}, before {j1}/{o1} ends {e1} + setup {gap}"
        for row in sheets.get("Calendar", []):
            if str(row["machine"]) != m:
                continue
            a, b = row["unavailable_from"], row["unavailable_to"]
            for start, end, j, o in items:
                assert not (start < b and end > a and end > start), (
                    f"{j}/{o} [{start},{end}) overlaps {m} off [{a},{b})"
                )
    completion = {j: max(e for (jj, _), (_, e) in at.items() if jj == j) for j in jobs}
    for j, r in jobs.items():
        if r.get("deadline") not in (None, ""):
            assert completion[j] <= float(r["deadline"]), f"job {j} ends {completion[j]} after its deadline"
    makespan = max(completion.values())
    tardiness = 0.0
    for j, r in jobs.items():
        due = r.get("due")
        if due not in (None, ""):
            tardiness += float(r.get("weight", 1.0) if r.get("weight") not in (None, "") else 1.0) * max(
                0.0, completion[j] - float(due)
            )
    objective = _setting(sheets, "objective", "makespan")
    if objective == "makespan":
        return float(makespan)
    if objective == "weighted_tardiness":
        return tardiness
    mw = float(_setting(sheets, "makespan_weight", 1.0))
    tw = float(_setting(sheets, "tardiness_weight", 1.0))
    return mw * makespan + tw * tardiness
