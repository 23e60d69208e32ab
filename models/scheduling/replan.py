"""Replanning a schedule against the previous plan: operations started stay, later changes cost.

Decisions are the machine and start of every operation, matched by (job, operation) id. With
`--freeze N`, every operation that starts before time N in the previous plan (under way or
about to start) keeps its machine, start and end exactly. Every later operation may move, but
each one whose machine or start differs from the previous plan costs the scenario's
`stability_weight` in the objective: one CP-SAT literal per operation, true only when its start
equals the previous start and the previous machine's interval is present. The previous plan is
the solution hint. Rows that no longer fit the new data are Diagnostics and the replan goes on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.scheduling import cpsat
from models.scheduling.data import Scenario
from models.scheduling.heuristic import Schedule
from optimizer.core.errors import InputError, InputErrors
from optimizer.core.plan import Plan
from optimizer.io.tables import RawTable

CHANGE_COLUMNS = ["what", "job", "operation", "old_machine", "new_machine", "old_start", "new_start", "frozen"]
REQUIRED = ("job", "operation", "machine", "start", "end")


@dataclass
class PreviousSchedule:
    """The previous plan's machine and start per operation (new scenario indices), with diagnostics."""

    machine: dict[int, str] = field(default_factory=dict)  # op -> previous machine id
    start: dict[int, int] = field(default_factory=dict)  # op -> previous start
    cells: dict[int, str] = field(default_factory=dict)  # op -> its row's location in the previous plan
    frozen: set[int] = field(default_factory=set)  # ops kept exactly (set by apply)
    removed: list[tuple[str, str, str, int]] = field(default_factory=list)  # (job, op, machine, start) gone
    diagnostics: list[dict[str, str]] = field(default_factory=list)

    def note(self, location: str, message: str) -> None:
        self.diagnostics.append({"severity": "warning", "location": location, "message": message})


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else None


def read_previous(s: Scenario, sheets: dict[str, RawTable]) -> PreviousSchedule:
    """The previous plan's Schedule sheet as machines and starts of the new scenario's operations."""
    table = next((t for n, t in sheets.items() if n.lower() == "schedule"), None)
    if table is None or not table.header:
        raise InputErrors([InputError("Schedule", "the previous plan has no Schedule sheet; is it a scheduling plan?")])
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputErrors([InputError(table.header_cell(), f"previous plan: missing column(s) {', '.join(missing)}")])
    jobs = {job.job for job in s.jobs}
    ops = {(s.jobs[op.job].job, op.operation): o for o, op in enumerate(s.operations)}
    previous = PreviousSchedule()
    for index, record in enumerate(table.records()):
        job, name, machine = _text(record.get("job")), _text(record.get("operation")), _text(record.get("machine"))
        start = _whole(record.get("start"))
        where = f"previous plan {table.cell(index, 'operation')}"
        if job not in jobs:
            previous.note(f"previous plan {table.cell(index, 'job')}", f"job '{job}' is no longer in Jobs")
            previous.removed.append((job, name, machine, start or 0))
            continue
        if (job, name) not in ops:
            previous.note(where, f"operation '{job}/{name}' is no longer in Operations")
            previous.removed.append((job, name, machine, start or 0))
            continue
        if start is None:
            previous.note(
                f"previous plan {table.cell(index, 'start')}",
                f"start {record.get('start')!r} is not a whole number; operation '{job}/{name}' is planned afresh",
            )
            continue
        o = ops[job, name]
        if o in previous.start:
            previous.note(where, f"operation '{job}/{name}' appears twice; the second row is ignored")
            continue
        previous.machine[o], previous.start[o], previous.cells[o] = machine, start, where
    return previous


def _keepable(s: Scenario, previous: PreviousSchedule, o: int, horizon: int) -> str:
    """Why operation o cannot keep its previous machine and start under the new data ('' if it can)."""
    op = s.operations[o]
    machines = {s.machines[m]: (m, p) for m, p in op.options}
    name = previous.machine[o]
    if name not in s.machines:
        return f"machine '{name}' is no longer in Machines"
    if name not in machines:
        return f"machine '{name}' is no longer eligible for it"
    m, p = machines[name]
    t = previous.start[o]
    if t < s.jobs[op.job].release:
        return f"its start {t} is before the job's release {s.jobs[op.job].release}"
    if t + p > horizon:
        return f"its end {t + p} is beyond the planning horizon {horizon}"
    for a, b in s.downtime[m]:
        if t < b and t + p > a:
            return f"machine '{name}' is unavailable from {a} to {b}"
    return ""


def apply(s: Scenario, model: cpsat.SchedulingModel, previous: PreviousSchedule, freeze: int) -> bool:
    """Fix operations started before `freeze`, price later changes, hint the previous schedule."""
    last = max((previous.start[o] + max(p for _, p in s.operations[o].options) for o in previous.start), default=0)
    horizon = max(last, freeze) + cpsat.bounds_mod.safe_horizon(s)
    names = {name: k for k, name in enumerate(s.machines)}
    kept = {o: names[name] for o, name in previous.machine.items() if name in names}
    built = cpsat.build_rules(s, horizon, keep=kept)  # a large shop's model keeps each previous machine
    built.compact_solution = False  # a left shift would move starts the objective counted as kept
    m, b = built.model, built.bounds
    keep_terms: list[Any] = []
    ends: dict[int, int] = {}  # frozen op -> its end under the new processing times
    last_on: dict[int, int] = {}  # machine -> the frozen op ending last on it so far
    for o, start in sorted(previous.start.items(), key=lambda item: (item[1], item[0])):
        problem = _keepable(s, previous, o, b.horizon)
        machine = next((k for k, name in enumerate(s.machines) if name == previous.machine[o]), None)
        lit = built.choice[o].get(machine) if machine is not None else None
        if start < freeze and not problem:
            problem = _clash(s, o, start, machine, ends, last_on)
            if not problem and start < b.head[o]:
                problem = f"its start {start} is before its earlier operations can end ({b.head[o]})"
            if not problem:
                previous.frozen.add(o)
                ends[o] = start + dict(s.operations[o].options)[machine]
                last_on[machine] = o
                m.Add(built.starts[o] == start)
                if lit is not None:
                    m.Add(lit == 1)
                continue
        if start < freeze:
            job = s.jobs[s.operations[o].job].job
            message = f"operation '{job}/{s.operations[o].operation}' cannot stay as started: {problem}; planned afresh"
            previous.note(previous.cells[o], message)
        keep = m.NewBoolVar(f"keep{o}")
        m.Add(built.starts[o] == start).OnlyEnforceIf(keep)
        if lit is not None:
            m.AddImplication(keep, lit)
        elif machine is None or machine not in built.choice[o]:
            m.Add(keep == 0)  # a machine it can no longer use: the change is forced, so it is not priced
            continue
        keep_terms.append(keep)
    penalty = len(keep_terms) - sum(keep_terms) if keep_terms else 0
    cpsat.set_objective(s, built, [(penalty, s.settings.stability_weight)] if keep_terms else [])
    cpsat.hint(s, built, _hint_schedule(s, previous, built.start_schedule))
    model.__dict__.update(built.__dict__)  # the engine holds `model`: give it the replan model
    return True


def _clash(s: Scenario, o: int, start: int, machine: int, ends: dict[int, int], last_on: dict[int, int]) -> str:
    """Why operation o cannot stay at `start` next to the operations already kept ('' if it can).

    Operations are kept in previous start order, so everything that must end before o has been
    decided: its job's earlier operations, the last operations of jobs that must finish first,
    and the operation kept last on its machine (with the changeover between them).
    """
    job = s.operations[o].job
    before = list(s.predecessors(o))
    if o in s.job_groups[job][0]:
        before += [q for a, b in s.precedences if b == job for q in s.job_groups[a][-1]]
    for q in before:
        name = f"{s.jobs[s.operations[q].job].job}/{s.operations[q].operation}"
        if q not in ends:
            return f"operation '{name}' before it is not kept as started"
        if ends[q] > start:
            return f"operation '{name}' before it now ends at {ends[q]}"
    q = last_on.get(machine)
    if q is not None:
        ready = ends[q] + s.setup_time(machine, s.operations[q].job, job)
        if ready > start:
            name = f"{s.jobs[s.operations[q].job].job}/{s.operations[q].operation}"
            return f"'{name}' on machine '{s.machines[machine]}' now ends (with setup) at {ready}"
    return ""


def _hint_schedule(s: Scenario, previous: PreviousSchedule, fallback: Schedule) -> Schedule:
    """The previous machine and start of every operation it had; the dispatching schedule for the rest."""
    machine, start, end = list(fallback.machine), list(fallback.start), list(fallback.end)
    for o, t in previous.start.items():
        options = {s.machines[k]: (k, p) for k, p in s.operations[o].options}
        if previous.machine[o] in options:
            k, p = options[previous.machine[o]]
            machine[o], start[o], end[o] = k, t, t + p
    return Schedule(machine, start, end)


def changes(s: Scenario, previous: PreviousSchedule, plan: Plan, freeze: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every operation whose machine or start changed (and new or vanished ones), and churn KPIs."""
    sheet = plan.sheets["Schedule"]
    new = {(str(r.job), str(r.operation)): (str(r.machine), int(r.start)) for r in sheet.itertuples()}
    rows: list[dict[str, Any]] = []
    decisions = {True: 0, False: 0}
    changed = {True: 0, False: 0}
    priced = 0
    for o, op in enumerate(s.operations):
        job = s.jobs[op.job].job
        new_machine, new_start = new[job, op.operation]
        if o not in previous.start:
            rows.append(_row("new operation", job, op.operation, None, new_machine, None, new_start, False))
            continue
        old_machine, old_start = previous.machine[o], previous.start[o]
        inside = old_start < freeze
        decisions[inside] += 1
        moved, shifted = old_machine != new_machine, old_start != new_start
        if not (moved or shifted):
            continue
        changed[inside] += 1
        eligible = old_machine in {s.machines[k] for k, _ in op.options}
        priced += o not in previous.frozen and eligible  # forced moves off a lost machine are free
        what = "machine and start changed" if moved and shifted else "machine changed" if moved else "start changed"
        if not eligible:
            what += " (previous machine no longer possible)"
        rows.append(_row(what, job, op.operation, old_machine, new_machine, old_start, new_start, inside))
    for job, name, machine, start in previous.removed:
        rows.append(_row("no longer in the scenario", job, name, machine, None, start, None, start < freeze))
    weight = s.settings.stability_weight
    kpis = {
        "stability_penalty": weight * priced,
        "operations_changed": changed[True] + changed[False],
        "operations_changed_in_frozen_part": changed[True],
        "operations_changed_after_frozen_part": changed[False],
        "share_changed_in_frozen_part": changed[True] / decisions[True] if decisions[True] else 0.0,
        "share_changed_after_frozen_part": changed[False] / decisions[False] if decisions[False] else 0.0,
    }
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), kpis


def _row(what: str, job: str, op: str, old_m: Any, new_m: Any, old_s: Any, new_s: Any, frozen: bool) -> dict:
    return {
        "what": what,
        "job": job,
        "operation": op,
        "old_machine": old_m,
        "new_machine": new_m,
        "old_start": old_s,
        "new_start": new_s,
        "frozen": frozen,
    }
