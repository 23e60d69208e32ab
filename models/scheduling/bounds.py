"""Time bounds valid for every optimal schedule: horizon, heads, tails and lower bounds.

They shrink CP-SAT's domains without cutting off an optimal plan: heads and tails are
minimum work before and after an operation, the horizon comes from a dispatching schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.scheduling.data import Scenario
from models.scheduling.heuristic import Schedule, evaluate


@dataclass(frozen=True)
class Bounds:
    """Earliest start (head) and minimum work after (tail) per operation; horizon; makespan lower bound."""

    head: tuple[int, ...]
    tail: tuple[int, ...]
    job_tail: tuple[int, ...]  # minimum work of jobs that must follow a job
    job_end_max: tuple[int, ...]  # latest completion of each job in an optimal plan
    horizon: int
    makespan_lb: int


def _group_work(s: Scenario, group: tuple[int, ...]) -> int:
    return max(s.operations[o].min_time for o in group)


def _job_heads_tails(s: Scenario) -> tuple[list[int], list[int]]:
    """Earliest job start (releases, job precedences) and minimum work of the jobs after each job."""
    n = len(s.jobs)
    work = [sum(_group_work(s, g) for g in groups) for groups in s.job_groups]
    start = [j.release for j in s.jobs]
    tail = [0] * n
    for _ in range(n):  # relaxation over a DAG converges within n passes
        changed = False
        for a, b in s.precedences:
            if start[a] + work[a] > start[b]:
                start[b], changed = start[a] + work[a], True
            if work[b] + tail[b] > tail[a]:
                tail[a], changed = work[b] + tail[b], True
        if not changed:
            break
    return start, tail


def safe_horizon(s: Scenario) -> int:
    """A makespan every left-justified schedule stays within: all work and setups after the last release/downtime."""
    last_release = max((j.release for j in s.jobs), default=0)
    last_down = max((d[-1][1] for d in s.downtime if d), default=0)
    max_setup = max(s.setups.values(), default=0)
    work = sum(max(p for _, p in op.options) + max_setup for op in s.operations)
    return max(last_release, last_down) + work


def meets_deadlines(s: Scenario, sched: Schedule) -> bool:
    """Whether every job with a deadline ends by it in the schedule."""
    ends = [0] * len(s.jobs)
    for o, op in enumerate(s.operations):
        ends[op.job] = max(ends[op.job], sched.end[o])
    return all(job.deadline is None or ends[j] <= job.deadline for j, job in enumerate(s.jobs))


def loose(s: Scenario) -> Bounds:
    """Bounds that assume no release, precedence or deadline (the explanation model relaxes them)."""
    horizon = safe_horizon(s)
    n, jobs = len(s.operations), len(s.jobs)
    return Bounds((0,) * n, (0,) * n, (0,) * jobs, (horizon,) * jobs, horizon, 0)


def compute(s: Scenario, start: Schedule, horizon: int | None = None) -> Bounds:
    """Bounds for scenario s given a feasible schedule `start` (its cost caps the optimum).

    With `horizon` (replans, whose objective also prices changes), or a start that misses a deadline,
    the start's cost caps nothing: every job may end up to that horizon.
    """
    job_start, job_tail = _job_heads_tails(s)
    n = len(s.operations)
    head, tail = [0] * n, [0] * n
    for j, groups in enumerate(s.job_groups):
        t = job_start[j]
        for group in groups:
            for o in group:
                head[o] = t
            t += _group_work(s, group)
        after = job_tail[j]
        for group in reversed(groups):
            for o in group:
                tail[o] = after
            after += _group_work(s, group)
    makespan, tardiness, value = evaluate(s, start)
    st = s.settings
    safe = max(safe_horizon(s), makespan)
    if horizon is None and not meets_deadlines(s, start):
        horizon = safe  # a start that misses a deadline is no plan: its cost caps nothing
    if horizon is not None:
        horizon = max(horizon, safe)
        ends = [max(horizon - job_tail[j], 0) for j in range(len(s.jobs))]
        lb = _machine_bound(s, head, tail)
        lb = max([lb] + [job_start[j] + sum(_group_work(s, g) for g in gs) for j, gs in enumerate(s.job_groups)])
        return Bounds(tuple(head), tuple(tail), tuple(job_tail), tuple(ends), horizon, min(lb, horizon))
    if st.objective == "makespan":
        horizon = makespan
    elif st.objective == "blend" and st.makespan_weight > 0:
        horizon = min(safe, int(value / st.makespan_weight + 1e-9))
    else:
        horizon = safe
    ends = []
    for j, job in enumerate(s.jobs):
        cap = horizon - job_tail[j]
        weight = job.weight * (st.tardiness_weight if st.objective == "blend" else 1.0)
        if st.objective != "makespan" and job.due is not None and weight > 0:
            # weight x lateness of this job alone cannot exceed the whole start plan's value
            cap = min(cap, job.due + int(value / weight + 1e-9))
        ends.append(max(cap, 0))
    lb = _machine_bound(s, head, tail)
    lb = max([lb] + [job_start[j] + sum(_group_work(s, g) for g in gs) for j, gs in enumerate(s.job_groups)])
    return Bounds(tuple(head), tuple(tail), tuple(job_tail), tuple(ends), horizon, min(lb, horizon))


def _machine_bound(s: Scenario, head: list[int], tail: list[int]) -> int:
    """One-machine bound: min head + work that must run on the machine + min tail; and total work / machines."""
    best = 0
    for m in range(len(s.machines)):
        only = [o for o, op in enumerate(s.operations) if len(op.options) == 1 and op.options[0][0] == m]
        if only:
            work = sum(s.operations[o].options[0][1] for o in only)
            best = max(best, min(head[o] for o in only) + work + min(tail[o] for o in only))
    total = sum(op.min_time for op in s.operations)
    if s.machines:
        best = max(best, -(-total // len(s.machines)))
    return best
