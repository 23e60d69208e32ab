"""Flexible job shop on CP-SAT: interval variables, machine choice, setups, calendars, due dates.

One start variable per operation shared by an optional fixed-size interval per eligible machine
(exactly one present), so machine choice never duplicates timing variables. Machines carry a
no-overlap over their intervals and their unavailable periods; sequence-dependent setups add a
circuit per machine whose arcs order consecutive operations. Domains come from heads, tails and
a dispatching schedule's cost (bounds.py); that schedule is also the solution hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from models.scheduling import bounds as bounds_mod
from models.scheduling.data import Scenario
from models.scheduling.heuristic import Schedule, best_schedule, compact, machine_sequences
from optimizer.backends.cpsat import CpsatModel

# deterministic work units per second of time limit: interleaved CP-SAT does about 0.45 per second on one core
# pair here and overshoots small budgets, so 0.15 ends well within the limit on a loaded machine
WORK_PER_SECOND = 0.15


@dataclass
class SchedulingModel(CpsatModel):
    """The CP-SAT model with handles to its variables for hints and plan extraction."""

    starts: list[Any] = field(default_factory=list)
    ends: list[Any] = field(default_factory=list)
    choice: list[dict[int, Any]] = field(default_factory=list)  # [op] -> machine -> presence literal
    arcs: list[dict[tuple[int, int], Any]] = field(default_factory=list)  # [machine] -> (from op|-1, to op|-1) -> lit
    makespan: Any = None
    tardiness: dict[int, Any] = field(default_factory=dict)  # job -> lateness variable
    start_schedule: Schedule | None = None
    bounds: bounds_mod.Bounds | None = None
    compact_solution: bool = True  # left-shift the solved schedule (off in replans: kept starts must stay)


def _integer_weights(values: list[float]) -> int:
    """Smallest power of ten (up to 10^4) that makes every weight a whole number."""
    for k in range(5):
        scale = 10**k
        if all(abs(v * scale - round(v * scale)) < 1e-9 for v in values):
            return scale
    return 10**4


def build(s: Scenario) -> SchedulingModel:
    """The CP-SAT model of scenario s (see the module docstring)."""
    built = build_rules(s)
    set_objective(s, built)
    hint(s, built, built.start_schedule)
    return built


def build_rules(s: Scenario, horizon: int | None = None) -> SchedulingModel:
    """Variables and hard rules, no objective or hint; `horizon` widens the domains (see bounds.compute)."""
    from ortools.sat.python import cp_model

    start_plan = compact(s, best_schedule(s))
    b = bounds_mod.compute(s, start_plan, horizon)
    m = cp_model.CpModel()
    built = SchedulingModel(model=m, start_schedule=start_plan, bounds=b)
    # edge finding and not-first/not-last on every no-overlap: on ft10 it proves 930 in about half the time
    built.parameters["use_strong_propagation_in_disjunctive"] = True
    if s.settings.search == "repeatable":
        built.work_per_second = WORK_PER_SECOND
    per_machine: list[list[tuple[int, Any, Any]]] = [[] for _ in s.machines]  # (op, interval, presence|None)
    for o, op in enumerate(s.operations):
        cap = b.job_end_max[op.job] - b.tail[o] + b.job_tail[op.job]
        cap = min(cap, b.horizon - b.tail[o])
        lo = b.head[o]
        p_min = op.min_time
        start = m.NewIntVar(lo, max(lo, cap - p_min), f"s{o}")
        if len(op.options) == 1:
            mach, p = op.options[0]
            end = start + p
            interval = m.NewFixedSizeIntervalVar(start, p, f"i{o}")
            per_machine[mach].append((o, interval, None))
            built.choice.append({mach: None})
        else:
            end = m.NewIntVar(lo + p_min, max(lo + p_min, cap), f"e{o}")
            lits = {}
            for mach, p in op.options:
                lit = m.NewBoolVar(f"x{o}_{mach}")
                interval = m.NewOptionalFixedSizeIntervalVar(start, p, lit, f"i{o}_{mach}")
                per_machine[mach].append((o, interval, lit))
                lits[mach] = lit
            m.AddExactlyOne(lits.values())
            m.Add(end == start + sum(p * lits[mach] for mach, p in op.options))
            built.choice.append(lits)
        built.starts.append(start)
        built.ends.append(end)
    _precedences(s, built)
    _machines(s, built, per_machine)
    return built


def _precedences(s: Scenario, built: SchedulingModel) -> None:
    """Sequence groups within a job, then job-to-job precedences."""
    m = built.model
    for groups in s.job_groups:
        for prev, group in zip(groups, groups[1:], strict=False):
            for o in group:
                for q in prev:
                    m.Add(built.starts[o] >= built.ends[q])
    for a, b in s.precedences:
        for o in s.job_groups[b][0]:
            for q in s.job_groups[a][-1]:
                m.Add(built.starts[o] >= built.ends[q])


def _machines(s: Scenario, built: SchedulingModel, per_machine: list[list[tuple[int, Any, Any]]]) -> None:
    """No-overlap per machine with its unavailable periods; a setup circuit where setups apply."""
    m = built.model
    horizon = built.bounds.horizon if built.bounds else 0
    for mach, entries in enumerate(per_machine):
        intervals = [iv for _, iv, _ in entries]
        for k, (a, z) in enumerate(s.downtime[mach]):
            if a < horizon:
                intervals.append(m.NewFixedSizeIntervalVar(a, z - a, f"off{mach}_{k}"))
        if len(intervals) > 1:
            m.AddNoOverlap(intervals)
        jobs = {s.operations[o].job for o, _, _ in entries}
        needs_setup = any(s.setup_time(mach, i, j) > 0 for i in jobs for j in jobs)
        built.arcs.append(_circuit(s, built, mach, entries) if needs_setup and len(entries) > 1 else {})


def _circuit(s: Scenario, built: SchedulingModel, mach: int, entries: list[tuple[int, Any, Any]]) -> dict:
    """Circuit over the machine's operations (node 0 = idle); an arc orders two ops with the setup between."""
    m = built.model
    arcs: list[tuple[int, int, Any]] = []
    lits: dict[tuple[int, int], Any] = {}
    ops = [o for o, _, _ in entries]
    for k, (o, _, presence) in enumerate(entries, start=1):
        first, last = m.NewBoolVar(f"first{mach}_{o}"), m.NewBoolVar(f"last{mach}_{o}")
        arcs += [(0, k, first), (k, 0, last)]
        lits[-1, o], lits[o, -1] = first, last
        if presence is not None:
            arcs.append((k, k, presence.Not()))
    if any(p is not None for _, _, p in entries):
        arcs.append((0, 0, m.NewBoolVar(f"idle{mach}")))
    for i, a in enumerate(ops, start=1):
        job_a = s.operations[a].job
        for j, c in enumerate(ops, start=1):
            job_c = s.operations[c].job
            if a == c or (job_a == job_c and s.operations[c].sequence < s.operations[a].sequence):
                continue  # an op never directly follows a later op of its own job
            lit = m.NewBoolVar(f"arc{mach}_{a}_{c}")
            arcs.append((i, j, lit))
            lits[a, c] = lit
            setup = s.setup_time(mach, job_a, job_c)
            m.Add(built.starts[c] >= built.ends[a] + setup).OnlyEnforceIf(lit)
    m.AddCircuit(arcs)
    return lits


def set_objective(s: Scenario, built: SchedulingModel, extra: list[tuple[Any, float]] | None = None) -> None:
    """Makespan, weighted tardiness or their blend (plus `extra` weighted terms), weights scaled to whole numbers."""
    m, b, st = built.model, built.bounds, s.settings
    assert b is not None
    built.makespan = m.NewIntVar(b.makespan_lb, b.horizon, "makespan")
    for groups in s.job_groups:
        for o in groups[-1]:
            m.Add(built.makespan >= built.ends[o])
    terms: list[tuple[Any, float]] = []
    if st.objective in ("makespan", "blend") and (st.objective == "makespan" or st.makespan_weight > 0):
        terms.append((built.makespan, 1.0 if st.objective == "makespan" else st.makespan_weight))
    if st.objective in ("weighted_tardiness", "blend"):
        factor = 1.0 if st.objective == "weighted_tardiness" else st.tardiness_weight
        for j, job in enumerate(s.jobs):
            if job.due is None or job.weight * factor <= 0:
                continue
            late = m.NewIntVar(0, max(0, b.job_end_max[j] - job.due), f"late{j}")
            for o in s.job_groups[j][-1]:
                m.Add(late >= built.ends[o] - job.due)
            built.tardiness[j] = late
            terms.append((late, job.weight * factor))
    terms += [(v, w) for v, w in extra or [] if w > 0]
    scale = _integer_weights([w for _, w in terms])
    m.Minimize(sum(int(round(w * scale)) * v for v, w in terms))
    built.objective_scale = float(Fraction(1, scale))


def hint(s: Scenario, built: SchedulingModel, plan: Schedule) -> None:
    """Hint every decision of a feasible schedule: starts, machines, circuit arcs, makespan, lateness."""
    m = built.model
    for o in range(len(s.operations)):
        m.AddHint(built.starts[o], plan.start[o])
        if len(built.choice[o]) > 1:  # a variable end (a single machine's end is start + time)
            m.AddHint(built.ends[o], plan.end[o])
        for mach, lit in built.choice[o].items():
            if lit is not None:
                m.AddHint(lit, mach == plan.machine[o])
    seqs = machine_sequences(s, plan)
    for mach, lits in enumerate(built.arcs):
        if not lits:
            continue
        seq = seqs[mach]
        used = set(zip([-1] + seq, seq + [-1], strict=True)) if seq else set()
        for key, lit in lits.items():
            m.AddHint(lit, key in used)
    ends = [0] * len(s.jobs)
    for o, op in enumerate(s.operations):
        ends[op.job] = max(ends[op.job], plan.end[o])
    m.AddHint(built.makespan, max(ends, default=0))
    for j, late in built.tardiness.items():
        m.AddHint(late, max(0, ends[j] - (s.jobs[j].due or 0)))


def warm_start(s: Scenario, built: SchedulingModel) -> bool:
    """The hint is added while building; report that the model has a start."""
    return built.start_schedule is not None


def schedule_from_solution(s: Scenario, built: SchedulingModel) -> Schedule:
    """The solved schedule, left-shifted (slack operations CP-SAT placed late move earlier)."""
    n = len(s.operations)
    machine, start, end = [0] * n, [0] * n, [0] * n
    for o, op in enumerate(s.operations):
        start[o] = built.value(built.starts[o])
        chosen = next(
            (mach for mach, lit in built.choice[o].items() if lit is None or built.true(lit)), op.options[0][0]
        )
        machine[o] = chosen
        end[o] = start[o] + dict(op.options)[chosen]
    solved = Schedule(machine, start, end)
    return compact(s, solved) if built.compact_solution else solved
