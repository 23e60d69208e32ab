"""Dispatching-rule schedules: a quick good plan that bounds the horizon and hints CP-SAT.

A serial schedule generator appends one operation at a time to the end of a machine's queue
(after its setup, skipping unavailable periods); which operation goes next is decided by a
priority rule. Several rules are tried and the best schedule for the scenario's objective kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from models.scheduling.data import Scenario


@dataclass
class Schedule:
    """Machine and start of every operation (ends follow from the chosen machine's time)."""

    machine: list[int]
    start: list[int]
    end: list[int]


def earliest_fit(s: Scenario, m: int, t: int, p: int) -> int:
    """Earliest start >= t at which [start, start + p) misses every unavailable period of machine m."""
    for a, b in s.downtime[m]:
        if t + p <= a and (p > 0 or t < a):
            break
        if t < b:
            t = b
    return t


def evaluate(s: Scenario, sched: Schedule) -> tuple[int, float, float]:
    """(makespan, total weighted tardiness, objective value) of a schedule."""
    ends = [0] * len(s.jobs)
    for o, op in enumerate(s.operations):
        ends[op.job] = max(ends[op.job], sched.end[o])
    makespan = max(ends, default=0)
    tardiness = sum(j.weight * max(0, ends[k] - j.due) for k, j in enumerate(s.jobs) if j.due is not None)
    return makespan, tardiness, objective_value(s, makespan, tardiness)


def objective_value(s: Scenario, makespan: float, tardiness: float) -> float:
    """The scenario's objective from the makespan and the weighted tardiness."""
    st = s.settings
    if st.objective == "makespan":
        return float(makespan)
    if st.objective == "weighted_tardiness":
        return float(tardiness)
    return st.makespan_weight * makespan + st.tardiness_weight * tardiness


def _remaining_work(s: Scenario) -> list[int]:
    """Minimum work left in the job from each operation on (itself included)."""
    out = [0] * len(s.operations)
    for groups in s.job_groups:
        left = 0
        for group in reversed(groups):
            left += max(s.operations[o].min_time for o in group)
            for o in group:
                out[o] = left
    return out


def dispatch(s: Scenario, rule: str, rng: random.Random | None = None) -> Schedule:
    """One serial schedule under a priority rule: 'ect' (earliest completion), 'mwkr', 'slack'."""
    n = len(s.operations)
    work = _remaining_work(s)
    blocked = {j: [a for a, b in s.precedences if b == j] for j in range(len(s.jobs))}
    job_left = [sum(len(g) for g in groups) for groups in s.job_groups]
    job_end = [0] * len(s.jobs)
    group_at = [0] * len(s.jobs)  # index of the sequence group being scheduled
    group_left = [len(groups[0]) if groups else 0 for groups in s.job_groups]
    group_ready = [s.jobs[j].release for j in range(len(s.jobs))]  # when the current group may start
    free = [0] * len(s.machines)
    last_job: list[int | None] = [None] * len(s.machines)
    sched = Schedule([-1] * n, [0] * n, [0] * n)
    done = [False] * n
    for _ in range(n):
        best = None
        candidates = []
        for j, groups in enumerate(s.job_groups):
            if not groups or group_at[j] >= len(groups) or any(job_left[b] for b in blocked[j]):
                continue
            ready = max([group_ready[j]] + [job_end[b] for b in blocked[j]])
            for o in groups[group_at[j]]:
                if done[o]:
                    continue
                for m, p in s.operations[o].options:
                    setup = s.setup_time(m, last_job[m], j) if last_job[m] is not None else 0
                    start = earliest_fit(s, m, max(ready, free[m] + setup), p)
                    candidates.append((start + p, start, o, m, j))
        horizon_cut = min(c[0] for c in candidates)
        if rule == "ect":
            best = min(candidates, key=lambda c: (c[0], -work[c[2]], c[2]))
        else:
            conflict = [c for c in candidates if c[1] < horizon_cut] or candidates
            if rule == "mwkr":
                key = lambda c: (-work[c[2]], c[0], c[2])  # noqa: E731
            else:  # slack to the due time, jobs without one last

                def key(c: tuple) -> tuple:
                    due = s.jobs[c[4]].due
                    slack = (due - c[1] - work[c[2]]) if due is not None else 10**12
                    return (slack / max(s.jobs[c[4]].weight, 1e-9), c[0], c[2])

            if rng is not None:
                conflict = rng.sample(conflict, len(conflict))
                pick = min(conflict[: max(1, len(conflict) // 2)], key=key)
                best = min((c for c in conflict if c[2] == pick[2]), key=lambda c: c[0])
            else:
                pick = min(conflict, key=key)
                best = min((c for c in candidates if c[2] == pick[2]), key=lambda c: (c[0], c[3]))
        finish, start, o, m, j = best
        sched.machine[o], sched.start[o], sched.end[o] = m, start, finish
        done[o] = True
        free[m], last_job[m] = finish, j
        job_left[j] -= 1
        job_end[j] = max(job_end[j], finish)
        group_left[j] -= 1
        if group_left[j] == 0:
            group_ready[j] = max(sched.end[x] for x in s.job_groups[j][group_at[j]])
            group_at[j] += 1
            if group_at[j] < len(s.job_groups[j]):
                group_left[j] = len(s.job_groups[j][group_at[j]])
    return sched


def best_schedule(s: Scenario, tries: int = 8, seed: int = 0) -> Schedule:
    """The best of the deterministic rules and a few randomised runs, for the scenario's objective."""
    rules = ["ect", "mwkr", "slack"]
    schedules = [dispatch(s, rule) for rule in rules]
    rng = random.Random(seed)
    for k in range(tries):
        schedules.append(dispatch(s, rules[1 + k % 2], rng))
    return min(schedules, key=lambda x: evaluate(s, x)[2])


def machine_sequences(s: Scenario, sched: Schedule) -> list[list[int]]:
    """Operations on each machine in start order."""
    seqs: list[list[int]] = [[] for _ in s.machines]
    for o in sorted(range(len(s.operations)), key=lambda o: (sched.start[o], sched.end[o], o)):
        seqs[sched.machine[o]].append(o)
    return seqs


def compact(s: Scenario, sched: Schedule) -> Schedule:
    """Left-shift every operation as far as its rules allow, keeping machines and machine orders.

    Processing in start order, each operation starts no later than before, so no job ends later:
    the objective can only improve. CP-SAT leaves slack operations anywhere in their window.
    """
    n = len(s.operations)
    order = sorted(range(n), key=lambda o: (sched.start[o], sched.end[o], o))
    seqs = machine_sequences(s, sched)
    prev_on_machine = {}
    for seq in seqs:
        for a, b in zip(seq, seq[1:], strict=False):
            prev_on_machine[b] = a
    before = {j: [a for a, b in s.precedences if b == j] for j in range(len(s.jobs))}
    out = Schedule(list(sched.machine), [0] * n, [0] * n)
    job_end = [0] * len(s.jobs)
    placed = [False] * n
    for o in order:
        op = s.operations[o]
        m = sched.machine[o]
        p = dict(op.options)[m]
        t = s.jobs[op.job].release
        for q in s.predecessors(o):
            t = max(t, out.end[q])
        if op.sequence == s.operations[s.job_groups[op.job][0][0]].sequence:
            for b in before[op.job]:
                t = max(t, job_end[b])
        if o in prev_on_machine:
            q = prev_on_machine[o]
            t = max(t, out.end[q] + s.setup_time(m, s.operations[q].job, op.job))
        t = earliest_fit(s, m, t, p)
        out.start[o], out.end[o] = t, t + p
        placed[o] = True
        job_end[op.job] = max(job_end[op.job], t + p)
    return out
