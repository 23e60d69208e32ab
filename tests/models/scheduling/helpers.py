"""Tiny scheduling scenarios written as a real CSV folder and solved through the real solve path.

`solve_case` takes the sheets as plain rows, writes one .csv per sheet, loads them with
`optimizer.solve.load` and solves with `solve_loaded` like the CLI; every plan is checked by
the independent checker and its recomputed objective compared with the solver's.
`brute_force` finds the optimum by enumerating machine choices and start orders (every
left-justified schedule is the list schedule of its start order; deadlines only cap job ends, so a
left shift keeps them), written apart from the model; inf when no order meets every deadline.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from optimizer.core.params import SolveParams
from optimizer.core.result import Result
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder
from tests.models.scheduling.checker import check_schedule

Rows = list[dict[str, Any]]


def shop(
    jobs: Rows,
    ops: dict[str, list[dict[str, int]]],
    objective: str = "makespan",
    **extra: Rows,
) -> dict[str, Rows]:
    """Sheets from jobs and, per job, its operations in order as {machine: processing time}."""
    operations, eligible, machines = [], [], []
    for job, steps in ops.items():
        for k, choices in enumerate(steps):
            operations.append({"job": job, "operation": f"op{k + 1}", "sequence": k + 1})
            for machine, p in choices.items():
                eligible.append({"job": job, "operation": f"op{k + 1}", "machine": machine, "processing_time": p})
                machines += [machine] if machine not in machines else []
    sheets = {
        "Settings": [{"setting": "kind", "value": "scheduling"}, {"setting": "objective", "value": objective}],
        "Jobs": jobs,
        "Operations": operations,
        "Machines": [{"machine": m} for m in machines],
        "Eligible": eligible,
    }
    sheets.update(extra)
    return sheets


def solve_case(folder: Path, sheets: dict[str, Rows], expect: Status | None = Status.OPTIMAL) -> Result:
    """Write, load and solve; check the plan and that its objective is the solver's."""
    loaded = load(write_folder(folder, sheets))
    result = solve_loaded(loaded, SolveParams(time_limit=20, gap=0))
    if expect is not None:
        assert result.status is expect, f"status {result.status.value}, expected {expect.value} ({result.message})"
    if result.plan is not None:
        value = check_schedule(sheets, result.plan.sheets["Schedule"])
        assert result.objective is not None
        assert value <= result.objective + 1e-6, (value, result.objective)
        if result.status is Status.OPTIMAL:
            assert abs(value - result.objective) < 1e-6, (value, result.objective)
    return result


def brute_force(sheets: dict[str, Rows]) -> float:
    """Optimal objective by enumeration: every machine choice, every start order, list scheduling."""
    jobs = {str(r["job"]): r for r in sheets["Jobs"]}
    family = {j: str(r.get("family") or j) for j, r in jobs.items()}
    ops = [(str(r["job"]), str(r["operation"]), int(r["sequence"])) for r in sheets["Operations"]]
    choices = [
        [
            (str(e["machine"]), e["processing_time"])
            for e in sheets["Eligible"]
            if (str(e["job"]), str(e["operation"])) == (j, o)
        ]
        for j, o, _ in ops
    ]
    setups = {(r.get("machine"), r["from_family"], r["to_family"]): r["time"] for r in sheets.get("Setups", [])}
    down: dict[str, list] = {}
    for r in sheets.get("Calendar", []):
        down.setdefault(str(r["machine"]), []).append((r["unavailable_from"], r["unavailable_to"]))
    after = {str(r["after"]): str(r["before"]) for r in sheets.get("JobPrecedence", [])}
    best = float("inf")
    for pick in itertools.product(*choices):
        for order in itertools.permutations(range(len(ops))):
            end: dict[int, float] = {}
            machine_last: dict[str, tuple[float, str]] = {}
            ok = True
            for i in order:
                j, _, seq = ops[i]
                earlier = [k for k, (j2, _, s2) in enumerate(ops) if j2 == j and s2 < seq]
                blockers = earlier + [k for k, (j2, _, _) in enumerate(ops) if j in after and j2 == after[j]]
                if any(k not in end for k in blockers):
                    ok = False
                    break
                m, p = pick[i]
                t = max([float(jobs[j].get("release") or 0)] + [end[k] for k in blockers])
                if m in machine_last:
                    prev_end, prev_job = machine_last[m]
                    gap = setups.get(
                        (m, family[prev_job], family[j]), setups.get((None, family[prev_job], family[j]), 0)
                    )
                    t = max(t, prev_end + gap)
                for a, b in sorted(down.get(m, [])):
                    if t < b and t + p > a:
                        t = b
                end[i] = t + p
                machine_last[m] = (t + p, j)
            if ok and _meets_deadlines(jobs, ops, end):
                best = min(best, _objective(sheets, jobs, ops, end))
    return best


def _meets_deadlines(jobs: dict, ops: list, end: dict[int, float]) -> bool:
    for j, r in jobs.items():
        if r.get("deadline") is not None and max(end[i] for i, (jj, _, _) in enumerate(ops) if jj == j) > r["deadline"]:
            return False
    return True


def _objective(sheets: dict[str, Rows], jobs: dict, ops: list, end: dict[int, float]) -> float:
    completion = {j: max(end[i] for i, (jj, _, _) in enumerate(ops) if jj == j) for j in jobs}
    tardiness = sum(
        float(r.get("weight", 1.0)) * max(0.0, completion[j] - r["due"])
        for j, r in jobs.items()
        if r.get("due") is not None
    )
    settings = {r["setting"]: r["value"] for r in sheets["Settings"]}
    objective = settings.get("objective", "makespan")
    if objective == "makespan":
        return max(completion.values())
    if objective == "weighted_tardiness":
        return tardiness
    return (
        float(settings.get("makespan_weight", 1.0)) * max(completion.values())
        + float(settings.get("tardiness_weight", 1.0)) * tardiness
    )
