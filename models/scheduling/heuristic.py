"""Dispatching-rule schedules: a quick good plan that bounds the horizon and hints CP-SAT.

A serial schedule generator appends one operation at a time to the end of a machine's queue
(after its setup, skipping unavailable periods); which operation goes next is decided by a
priority rule. Several rules are tried and the best schedule for the scenario's objective kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from models.scheduling.data import Scenario

DISPATCH_BUDGET = 60_000  # machine choices x runs of the dispatcher: about a second of Python on this machine


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


def _due(job) -> int | None:
    """The time the job should end by for the slack rule: its deadline if earlier than its due time."""
    times = [t for t in (job.due, getattr(job, "deadline", None)) if t is not None]
    return min(times) if times else None


def dispatch(s: Scenario, rule: str, rng: random.Random | None = None) -> Schedule:
    """One serial schedule under a priority rule: 'ect' (earliest completion), 'mwkr', 'slack'.

    Each ready operation keeps its best (completion, start, machine) and is re-rated only when one of
    its machines changes, so a step costs the operations waiting for that machine, not every choice.
    """
    n = len(s.operations)
    work = _remaining_work(s)
    after: dict[int, list[int]] = {}
    waiting = [0] * len(s.jobs)  # unfinished jobs that must end before the job starts
    for a, b in s.precedences:
        after.setdefault(a, []).append(b)
        waiting[b] += 1
    users: list[list[int]] = [[] for _ in s.machines]  # machine -> operations that may run on it
    times = [dict(op.options) for op in s.operations]
    job_of = [op.job for op in s.operations]
    dues = [_due(job) for job in s.jobs]
    weights = [max(job.weight, 1e-9) for job in s.jobs]
    for o, op in enumerate(s.operations):
        for m, _ in op.options:
            users[m].append(o)
    job_left = [sum(len(g) for g in groups) for groups in s.job_groups]
    job_end = [0] * len(s.jobs)
    group_at = [0] * len(s.jobs)
    group_left = [0] * len(s.jobs)
    free = [0] * len(s.machines)
    last_job: list[int | None] = [None] * len(s.machines)
    ready_at = [0] * n  # earliest start of a ready operation from its job
    cand: dict[int, dict[int, tuple[int, int, int]]] = {}  # ready op -> machine -> (completion, start, machine)
    best: dict[int, tuple[int, int, int]] = {}  # ready op -> (completion, start, machine)
    sched = Schedule([-1] * n, [0] * n, [0] * n)

    def rate(o: int, m: int, p: int) -> tuple[int, int, int]:
        setup = s.setup_time(m, last_job[m], job_of[o]) if last_job[m] is not None else 0
        start = earliest_fit(s, m, max(ready_at[o], free[m] + setup), p)
        return start + p, start, m

    def release_group(j: int, ready: int) -> None:
        group = s.job_groups[j][group_at[j]]
        group_left[j] = len(group)
        for o in group:
            ready_at[o] = ready
            cand[o] = {m: rate(o, m, p) for m, p in s.operations[o].options}
            best[o] = min(cand[o].values())

    for j, groups in enumerate(s.job_groups):
        if groups and not waiting[j]:
            release_group(j, s.jobs[j].release)
    for _ in range(n):
        if not best:
            break
        cut = min(b[0] for b in best.values())
        if rule == "ect":
            o = min(best, key=lambda x: (best[x][0], -work[x], x))
        else:
            conflict = [x for x, b in best.items() if b[1] < cut] or list(best)
            if rule == "mwkr":
                key = lambda x: (-work[x], best[x][0], x)  # noqa: E731
            else:  # slack to the due time, jobs without one last

                def key(x: int) -> tuple:
                    due = dues[job_of[x]]
                    slack = (due - best[x][1] - work[x]) if due is not None else 10**12
                    return (slack / weights[job_of[x]], best[x][0], x)

            if rng is not None:
                conflict = rng.sample(conflict, len(conflict))
                o = min(conflict[: max(1, len(conflict) // 2)], key=key)
            else:
                o = min(conflict, key=key)
        finish, start, m = best.pop(o)
        del cand[o]
        j = s.operations[o].job
        sched.machine[o], sched.start[o], sched.end[o] = m, start, finish
        free[m], last_job[m] = finish, j
        job_left[j] -= 1
        job_end[j] = max(job_end[j], finish)
        group_left[j] -= 1
        for x in users[m]:  # the machine changed: re-rate the ready operations that may use it
            if x in cand:
                cand[x][m] = rate(x, m, times[x][m])
                if best[x][2] == m or cand[x][m] < best[x]:
                    best[x] = min(cand[x].values())
        if group_left[j] == 0:
            group_ready = max(sched.end[x] for x in s.job_groups[j][group_at[j]])
            group_at[j] += 1
            if group_at[j] < len(s.job_groups[j]):
                release_group(j, group_ready)
        if job_left[j] == 0:
            for b in after.get(j, []):
                waiting[b] -= 1
                if waiting[b] == 0 and s.job_groups[b]:
                    blockers = [job_end[a] for a, bb in s.precedences if bb == b]
                    release_group(b, max([s.jobs[b].release] + blockers))
    return sched


def best_schedule(s: Scenario, tries: int = 8, seed: int = 0) -> Schedule:
    """The best of the deterministic rules and a few randomised runs, for the scenario's objective.

    The number of runs shrinks with the number of machine choices (a run costs about one pass over
    them), so large scenarios spend well under a second here; the count never depends on the clock.
    """
    choices = sum(len(op.options) for op in s.operations)
    runs = max(1, min(3 + tries, DISPATCH_BUDGET // max(1, choices)))
    rules = ["ect", "mwkr", "slack"] if s.settings.objective == "makespan" else ["slack", "ect", "mwkr"]
    schedules = [dispatch(s, rule) for rule in rules[:runs]]
    rng = random.Random(seed)
    for k in range(max(0, runs - len(rules))):
        schedules.append(dispatch(s, ["mwkr", "slack"][k % 2], rng))
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
    before: dict[int, list[int]] = {}
    for a, b in s.precedences:
        before.setdefault(b, []).append(a)
    preds: dict[int, tuple[int, ...]] = {}
    for groups in s.job_groups:
        for prev, group in zip(groups, groups[1:], strict=False):
            for o in group:
                preds[o] = prev
    out = Schedule(list(sched.machine), [0] * n, [0] * n)
    job_end = [0] * len(s.jobs)
    placed = [False] * n
    for o in order:
        op = s.operations[o]
        m = sched.machine[o]
        p = dict(op.options)[m]
        t = s.jobs[op.job].release
        for q in preds.get(o, ()):
            t = max(t, out.end[q])
        if o not in preds:  # the job's first group waits for the jobs before it
            for b in before.get(op.job, ()):
                t = max(t, job_end[b])
        if o in prev_on_machine:
            q = prev_on_machine[o]
            t = max(t, out.end[q] + s.setup_time(m, s.operations[q].job, op.job))
        t = earliest_fit(s, m, t, p)
        out.start[o], out.end[o] = t, t + p
        placed[o] = True
        job_end[op.job] = max(job_end[op.job], t + p)
    return out
