"""The plain CP-SAT models of OR-Tools' own samples, for comparison with models/scheduling/cpsat.py.

`jobshop_sat` (job shop) and `flexible_job_shop_sat` (flexible) in OR-Tools' examples write the
model this way: every start in [0, sum of all durations], one interval per task (per alternative
with its own start and a presence literal when a task has several machines), a no-overlap per
machine, job precedences, makespan as the max of job ends; no hints, no bounds from heads or
tails. Written here from that description, reading our typed Scenario.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from models.scheduling.data import Scenario


@dataclass
class PlainResult:
    """Outcome of the plain model: status name, makespan, bound, seconds."""

    status: str
    makespan: float | None
    bound: float | None
    seconds: float


def solve_plain(s: Scenario, time_limit: float, workers: int = 2, seed: int = 0) -> PlainResult:
    """Build and solve the sample-style model of a makespan job shop or flexible job shop."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    horizon = sum(max(p for _, p in op.options) for op in s.operations)
    per_machine: dict[int, list] = {}
    job_ends = []
    for groups in s.job_groups:
        previous_end = None
        for group in groups:
            (o,) = group  # benchmark files have one operation per sequence step
            op = s.operations[o]
            durations = [p for _, p in op.options]
            start = model.NewIntVar(0, horizon, f"start{o}")
            duration = model.NewIntVar(min(durations), max(durations), f"duration{o}")
            end = model.NewIntVar(0, horizon, f"end{o}")
            interval = model.NewIntervalVar(start, duration, end, f"interval{o}")
            if len(op.options) == 1:
                per_machine.setdefault(op.options[0][0], []).append(interval)
            else:
                presences = []
                for machine, p in op.options:
                    present = model.NewBoolVar(f"presence{o}_{machine}")
                    alt_start = model.NewIntVar(0, horizon, f"start{o}_{machine}")
                    alt_end = model.NewIntVar(0, horizon, f"end{o}_{machine}")
                    interval = model.NewOptionalIntervalVar(alt_start, p, alt_end, present, f"alt{o}_{machine}")
                    model.Add(start == alt_start).OnlyEnforceIf(present)
                    model.Add(duration == p).OnlyEnforceIf(present)
                    model.Add(end == alt_end).OnlyEnforceIf(present)
                    per_machine.setdefault(machine, []).append(interval)
                    presences.append(present)
                model.AddExactlyOne(presences)
            if previous_end is not None:
                model.Add(start >= previous_end)
            previous_end = end
        job_ends.append(previous_end)
    for intervals in per_machine.values():
        model.AddNoOverlap(intervals)
    makespan = model.NewIntVar(0, horizon, "makespan")
    model.AddMaxEquality(makespan, job_ends)
    model.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    started = time.perf_counter()
    code = solver.Solve(model)
    seconds = time.perf_counter() - started
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlainResult(solver.StatusName(code), None, None, seconds)
    return PlainResult(solver.StatusName(code), solver.ObjectiveValue(), solver.BestObjectiveBound(), seconds)
