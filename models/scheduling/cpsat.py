"""Flexible job shop on CP-SAT: interval variables, machine choice, setups, calendars, due dates, deadlines.

One start variable per operation shared by an optional fixed-size interval per eligible machine
(exactly one present), so machine choice never duplicates timing variables. Machines carry a
no-overlap over their intervals and their unavailable periods; sequence-dependent setups add a
circuit per machine whose arcs order consecutive operations. Domains come from heads, tails and
a dispatching schedule's cost (bounds.py); that schedule is also the solution hint. Deadlines
are rule literals, so an infeasible shop can be explained (explain.py). Shops too large for an
exact model in reasonable time keep fewer machine choices per operation (machine_options).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from models.scheduling import bounds as bounds_mod
from models.scheduling import plan as plan_mod
from models.scheduling.data import Scenario
from models.scheduling.heuristic import Schedule, best_schedule, compact, machine_sequences
from optimizer.backends.cpsat import CpsatModel
from optimizer.core.plan import Plan

# deterministic work units per second of time limit: interleaved CP-SAT does about 0.45 per second on one core
# pair here and overshoots small budgets, so 0.15 ends well within the limit on a loaded machine
WORK_PER_SECOND = 0.15
LARGE_WORK_PER_SECOND = 0.5  # restricted (large) models: presolve alone takes about 0.3 work units
MODEL_BUDGET = 60_000  # machine choices + changeover arcs of an exact model; larger ones keep fewer choices


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
    restricted: int = 0  # > 0: each operation may use only this many machines (its start plan's and the fastest)
    explaining: bool = False  # releases, job precedences and calendars are rule literals too (wide domains)


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


def build_rules(
    s: Scenario, horizon: int | None = None, explaining: bool = False, keep: dict[int, int] | None = None
) -> SchedulingModel:
    """Variables and hard rules, no objective or hint; `horizon` widens the domains (see bounds.compute).

    `keep` (op -> machine, replans) names machine choices a large scenario's model must keep.

    Deadlines are always rule literals (see CpsatModel.rule); `explaining` makes releases, job
    precedences and calendar rows rule literals as well, with domains that assume none of them.
    """
    from ortools.sat.python import cp_model

    start_plan = compact(s, best_schedule(s))
    b = bounds_mod.loose(s) if explaining else bounds_mod.compute(s, start_plan, horizon)
    m = cp_model.CpModel()
    built = SchedulingModel(model=m, start_schedule=start_plan, bounds=b, explaining=explaining)
    # edge finding and not-first/not-last on every no-overlap: on ft10 it proves 930 in about half the time
    built.parameters["use_strong_propagation_in_disjunctive"] = True
    if s.settings.search == "repeatable":
        built.work_per_second = WORK_PER_SECOND
    per_machine: list[list[tuple[int, Any, Any]]] = [[] for _ in s.machines]  # (op, interval, presence|None)
    options, built.restricted = machine_options(s, start_plan, keep)
    built.exact = not built.restricted  # a restricted model's proofs hold for the kept machines only
    for o, op in enumerate(s.operations):
        cap = b.job_end_max[op.job] - b.tail[o] + b.job_tail[op.job]
        cap = min(cap, b.horizon - b.tail[o])
        lo = b.head[o]
        p_min = op.min_time
        start = m.NewIntVar(lo, max(lo, cap - p_min), f"s{o}")
        if len(options[o]) == 1:
            mach, p = options[o][0]
            end = start + p
            interval = m.NewFixedSizeIntervalVar(start, p, f"i{o}")
            per_machine[mach].append((o, interval, None))
            built.choice.append({mach: None})
        else:
            end = m.NewIntVar(lo + p_min, max(lo + p_min, cap), f"e{o}")
            lits = {}
            for mach, p in options[o]:
                lit = m.NewBoolVar(f"x{o}_{mach}")
                interval = m.NewOptionalFixedSizeIntervalVar(start, p, lit, f"i{o}_{mach}")
                per_machine[mach].append((o, interval, lit))
                lits[mach] = lit
            m.AddExactlyOne(lits.values())
            m.Add(end == start + sum(p * lits[mach] for mach, p in options[o]))
            built.choice.append(lits)
        built.starts.append(start)
        built.ends.append(end)
    if built.restricted:
        # presolve of a model this size outlasts short limits (9 s of probing on 300 jobs); without it CP-SAT
        # has the start plan as its first solution within half a second
        built.parameters["cp_model_presolve"] = False
        if built.work_per_second is not None:
            built.work_per_second = LARGE_WORK_PER_SECOND
    _precedences(s, built)
    _dates(s, built)
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
    for i, (a, b) in enumerate(s.precedences):
        lit = None
        if built.explaining:
            where = s.cell("JobPrecedence", i, "after")
            lit = built.rule(where, f"job {s.jobs[b].job} starts only after job {s.jobs[a].job} has ended")
        for o in s.job_groups[b][0]:
            for q in s.job_groups[a][-1]:
                _enforce(m.Add(built.starts[o] >= built.ends[q]), lit)


def _enforce(constraint: Any, literal: Any) -> None:
    if literal is not None:
        constraint.OnlyEnforceIf(literal)


def _dates(s: Scenario, built: SchedulingModel) -> None:
    """Deadlines (hard, one rule literal per job); releases as rule literals when explaining (else in the domains)."""
    m = built.model
    unit = s.settings.time_unit
    for j, job in enumerate(s.jobs):
        if not s.job_groups[j]:
            continue
        if job.deadline is not None:
            lit = built.rule(s.job_cell(j, "deadline"), f"job {job.job} must end by {job.deadline} (deadline)")
            for o in s.job_groups[j][-1]:
                m.Add(built.ends[o] <= job.deadline).OnlyEnforceIf(lit)
        if built.explaining and job.release > 0:
            lit = built.rule(
                s.job_cell(j, "release"), f"job {job.job} may start at {job.release} {unit} at the earliest (release)"
            )
            for o in s.job_groups[j][0]:
                m.Add(built.starts[o] >= job.release).OnlyEnforceIf(lit)


def _machines(s: Scenario, built: SchedulingModel, per_machine: list[list[tuple[int, Any, Any]]]) -> None:
    """No-overlap per machine with its unavailable periods; a setup circuit where setups apply."""
    m = built.model
    horizon = built.bounds.horizon if built.bounds else 0
    for mach, entries in enumerate(per_machine):
        intervals = [iv for _, iv, _ in entries]
        if built.explaining:  # each Calendar row in its own no-overlap: rows may overlap each other
            _calendar_rules(s, built, mach, intervals)
        else:
            for k, (a, z) in enumerate(s.downtime[mach]):
                if a < horizon:
                    intervals.append(m.NewFixedSizeIntervalVar(a, z - a, f"off{mach}_{k}"))
        if len(intervals) > 1:
            m.AddNoOverlap(intervals)
        needs_setup = _needs_setup(s, mach, [o for o, _, _ in entries])
        built.arcs.append(_circuit(s, built, mach, entries) if needs_setup and len(entries) > 1 else {})


def _calendar_rules(s: Scenario, built: SchedulingModel, mach: int, intervals: list[Any]) -> None:
    """One rule literal per Calendar row of the machine: its unavailable period, present when the rule holds."""
    m = built.model
    for i, (machine, a, z) in enumerate(s.calendar):
        if machine != mach or not intervals:
            continue
        where = s.cell("Calendar", i, "unavailable_from")
        lit = built.rule(where, f"machine {s.machines[mach]} is unavailable from {a} to {z}")
        m.AddNoOverlap([*intervals, m.NewOptionalFixedSizeIntervalVar(a, z - a, lit, f"off{mach}_{i}")])


def _needs_setup(s: Scenario, mach: int, ops: list[int]) -> bool:
    """Whether any two of these operations need a changeover on the machine (checked per family pair)."""
    families = {s.families[s.operations[o].job] for o in ops}
    return any(s.setups.get((mach, a, b), 0) > 0 for a in families for b in families)


def model_size(s: Scenario, options: list[tuple[tuple[int, int], ...]]) -> int:
    """Machine choices plus the circuit arcs of machines with changeovers: what the build and presolve cost."""
    users: list[list[int]] = [[] for _ in s.machines]
    for o, opts in enumerate(options):
        for mach, _ in opts:
            users[mach].append(o)
    arcs = sum(len(ops) ** 2 for mach, ops in enumerate(users) if len(ops) > 1 and _needs_setup(s, mach, ops))
    return sum(len(opts) for opts in options) + arcs


def machine_options(
    s: Scenario, plan: Schedule, keep: dict[int, int] | None = None
) -> tuple[list[tuple[tuple[int, int], ...]], int]:
    """Each operation's machine choices in the model, and 0, or k when large scenarios keep only k per operation.

    Up to MODEL_BUDGET choices and changeover arcs the model has every choice (exact). Beyond, the build
    alone would outlast any sensible time limit (300 jobs on 20 paint booths: 1.8 million arcs), so each
    operation keeps its start plan's machine (and its `keep` machine) and its fastest others, k as large as
    fits the budget. Operations of jobs with a deadline keep every machine while they are few (a rush order
    must not be declared late for want of a machine the model left out).
    """
    full = [op.options for op in s.operations]
    if model_size(s, full) <= MODEL_BUDGET:
        return full, 0
    urgent = [o for o, op in enumerate(s.operations) if s.jobs[op.job].deadline is not None]
    if sum(len(full[o]) for o in urgent) > MODEL_BUDGET // 10:
        urgent = []
    wide = set(urgent)
    for k in (4, 3, 2, 1):
        kept = []
        for o, op in enumerate(s.operations):
            if o in wide:
                kept.append(op.options)
                continue
            mine = [c for c in op.options if c[0] in (plan.machine[o], (keep or {}).get(o))]
            # equally fast machines in turn, so that no one machine collects every operation's second choice
            others = sorted(
                (c for c in op.options if c not in mine),
                key=lambda c: (c[1], (c[0] * 7919 + o * 104729) % 997),
            )
            kept.append(tuple(mine + others[: k - 1]))
        if k == 1 or model_size(s, kept) <= MODEL_BUDGET:
            return kept, k
    raise AssertionError("unreachable")


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
        idle = m.NewBoolVar(f"idle{mach}")
        arcs.append((0, 0, idle))
        lits[-1, -1] = idle  # hinted true when the machine has no operation
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
        used = set(zip([-1] + seq, seq + [-1], strict=True)) if seq else {(-1, -1)}
        for key, lit in lits.items():
            m.AddHint(lit, key in used)
    ends = [0] * len(s.jobs)
    for o, op in enumerate(s.operations):
        ends[op.job] = max(ends[op.job], plan.end[o])
    m.AddHint(built.makespan, max(ends, default=0))
    for j, late in built.tardiness.items():
        m.AddHint(late, max(0, ends[j] - (s.jobs[j].due or 0)))


def warm_start(s: Scenario, built: SchedulingModel) -> bool:
    """The hint is added while building; report whether it is a feasible start (it may miss a deadline)."""
    return built.start_schedule is not None and bounds_mod.meets_deadlines(s, built.start_schedule)


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


def extract(s: Scenario, built: SchedulingModel) -> Plan:
    """The plan of the solved model; a large scenario's plan says which machine choices the search had."""
    result = plan_mod.extract(s, schedule_from_solution(s, built))
    if built.restricted:
        note = {
            "severity": "info",
            "location": "Eligible",
            "message": f"large scenario: the search let each operation use only {built.restricted} of its eligible "
            "machines (the start plan's and the fastest), so the schedule and its bound hold for those choices; "
            "'optimal' then means optimal for them",
        }
        result.diagnostics = pd.concat([result.diagnostics, pd.DataFrame([note])], ignore_index=True)
    return result
