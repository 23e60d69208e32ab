"""Scheduling scenario: the input tables, their typed schemas and the immutable Scenario.

Sheets: Settings, Jobs, Operations, Eligible (machine choices with processing times), Machines,
optional Setups, Calendar, JobPrecedence and Budget. Times are whole numbers of the time unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.budget import budget_table
from optimizer.io.fields import Id, Text, column, lower_text, quantity
from optimizer.io.schema import RowModel, Table, TableSpec, Validated, row_error

COST_CATEGORIES = ("tardiness",)
MAX_TIME = 10**9  # whole time units; larger values are typing mistakes


def time_field(description: str, default: int | None | type[Ellipsis] = ..., ge: int = 0) -> int:
    """A whole number of time units."""
    return Field(default, ge=ge, le=MAX_TIME, description=description, json_schema_extra={"unit": "time units"})


class Settings(BaseModel):
    """Scenario-wide settings, one per row of the Settings sheet (setting, value)."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    kind: Annotated[Literal["scheduling"], BeforeValidator(lower_text)] = column(
        "the kind of plan this workbook is for"
    )
    name: str = column("scenario name shown in the plan", default="scheduling")
    objective: Annotated[Literal["makespan", "weighted_tardiness", "blend"], BeforeValidator(lower_text)] = column(
        "what to minimise: makespan (end of the last job), weighted_tardiness (sum of weight x lateness), "
        "or blend (makespan_weight x makespan + tardiness_weight x weighted tardiness)",
        default="makespan",
    )
    makespan_weight: float = quantity("weight of the makespan in the blend objective", "per time unit", default=1.0)
    tardiness_weight: float = quantity("weight of the weighted tardiness in the blend", "", default=1.0)
    time_unit: str = column("what one time unit is (minute, hour, shift)", default="minute")
    currency: str = column("currency of tardiness penalties (job weights) and budgets", default="EUR")
    search: Annotated[Literal["repeatable", "fastest"], BeforeValidator(lower_text)] = column(
        "repeatable: the same input, seed and threads give the same plan (CP-SAT's interleaved search, stopped by "
        "a work limit that uses part of the time limit); fastest: CP-SAT's parallel portfolio for the whole time "
        "limit, faster proofs but runs may differ (benchmark files use it)",
        default="repeatable",
    )
    stability_weight: float = Field(
        1.0,
        ge=0,
        le=1e6,
        description="replans only: objective units per operation after the frozen part whose machine or start "
        "differs from the previous plan (1 = one time unit of makespan, or one unit of weighted tardiness)",
        json_schema_extra={"unit": "objective units per changed operation"},
    )


class JobRow(RowModel):
    job: Id = column("job id, as used in the other sheets")
    description: Text = column("free text", default="")
    release: int = time_field("earliest start of the job's first operation", default=0)
    due: int | None = time_field("due time of the job's last operation; blank = no due time", default=None)
    deadline: int | None = time_field(
        "hard rule: the job's last operation must end by this time (a ship date); blank = no deadline", default=None
    )
    weight: float = quantity("penalty per time unit the job ends after its due time", "money/time unit", default=1.0)
    family: Id | None = column("setup family (Setups from/to); blank = the job id itself", default=None)

    @model_validator(mode="after")
    def _deadline_after_release(self) -> JobRow:
        if self.deadline is not None and self.deadline < self.release:
            raise row_error("deadline", f"deadline {self.deadline} must not be before the release {self.release}")
        return self


class OperationRow(RowModel):
    job: Id = column("job id (Jobs)")
    operation: Id = column("operation id, unique within the job")
    sequence: int = Field(
        ...,
        ge=0,
        le=MAX_TIME,
        description="order within the job: an operation starts after every operation "
        "of the job with a smaller sequence has ended (equal numbers may run in parallel)",
    )
    description: Text = column("free text", default="")


class EligibleRow(RowModel):
    job: Id = column("job id (Jobs)")
    operation: Id = column("operation id (Operations)")
    machine: Id = column("a machine that can do the operation (Machines)")
    processing_time: int = time_field("time the operation takes on this machine")


class MachineRow(RowModel):
    machine: Id = column("machine id")
    description: Text = column("free text", default="")


class SetupRow(RowModel):
    machine: Id | None = column("machine (Machines); blank = every machine", default=None)
    from_family: Id = column("family (or job id) of the operation done before")
    to_family: Id = column("family (or job id) of the operation done next")
    time: int = time_field("changeover time between them on the machine (no setup row = 0)")


class CalendarRow(RowModel):
    machine: Id = column("machine (Machines)")
    unavailable_from: int = time_field("start of a period the machine cannot work")
    unavailable_to: int = time_field("end of that period (exclusive)")

    @model_validator(mode="after")
    def _ordered(self) -> CalendarRow:
        if self.unavailable_to <= self.unavailable_from:
            raise row_error(
                "unavailable_to",
                f"unavailable_to {self.unavailable_to} must be after unavailable_from {self.unavailable_from}",
            )
        return self


class PrecedenceRow(RowModel):
    before: Id = column("job that must be finished (Jobs)")
    after: Id = column("job that may start only then (Jobs)")


BUDGET = budget_table(
    COST_CATEGORIES,
    "blank = the whole schedule",
    description="budget for tardiness penalties, compared with the plan in 'Budget impact'",
)
BudgetRow = BUDGET.row


TABLES = [
    TableSpec("Jobs", JobRow, "jobs with release, due time, lateness weight and setup family", key=("job",)),
    TableSpec(
        "Operations",
        OperationRow,
        "operations of each job in sequence order",
        key=("job", "operation"),
        references={"job": ("Jobs", "job")},
    ),
    TableSpec("Machines", MachineRow, "machines (resources doing one operation at a time)", key=("machine",)),
    TableSpec(
        "Eligible",
        EligibleRow,
        "which machines can do each operation and how long it takes there",
        key=("job", "operation", "machine"),
        references={"job": ("Jobs", "job"), "machine": ("Machines", "machine")},
    ),
    TableSpec(
        "Setups",
        SetupRow,
        "sequence-dependent changeover times between families on a machine",
        key=("machine", "from_family", "to_family"),
        references={"machine": ("Machines", "machine")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "Calendar",
        CalendarRow,
        "periods a machine is unavailable; an operation may not overlap them",
        references={"machine": ("Machines", "machine")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "JobPrecedence",
        PrecedenceRow,
        "job 'after' starts only once job 'before' has ended",
        key=("before", "after"),
        references={"before": ("Jobs", "job"), "after": ("Jobs", "job")},
        required=False,
        allow_empty=True,
    ),
    BUDGET,
]


@dataclass(frozen=True)
class Operation:
    """One operation: its job, id, sequence and the (machine, processing time) choices."""

    job: int  # index into Scenario.jobs
    operation: str
    sequence: int
    options: tuple[tuple[int, int], ...]  # (machine index, processing time)
    row: int  # row index in the Operations table

    @property
    def min_time(self) -> int:
        return min(p for _, p in self.options)


@dataclass(frozen=True)
class Scenario:
    """A validated scheduling scenario, indexed by position; ids are kept for the reports."""

    settings: Settings
    jobs: tuple[JobRow, ...]
    machines: tuple[str, ...]
    operations: tuple[Operation, ...]
    job_groups: tuple[tuple[tuple[int, ...], ...], ...]  # [job] -> groups of operation indices by sequence
    families: tuple[str, ...]  # setup family of each job
    setups: dict[tuple[int, str, str], int]  # (machine, from family, to family) -> time
    downtime: tuple[tuple[tuple[int, int], ...], ...]  # [machine] -> merged (from, to) unavailable periods
    precedences: tuple[tuple[int, int], ...]  # (before job, after job), one per JobPrecedence row in order
    budget: tuple[BudgetRow, ...]
    jobs_table: Table
    calendar: tuple[tuple[int, int, int], ...] = ()  # (machine, from, to) per Calendar row, as written
    tables: dict[str, Table] | None = None  # Calendar and JobPrecedence, for the cells of infeasibility reports

    def cell(self, table: str, index: int, column: str) -> str:
        """The input cell of a row's column (the sheet name when the table is absent)."""
        found = (self.tables or {}).get(table)
        return found.location(index, column) if found is not None else table

    @property
    def has_setups(self) -> bool:
        return any(t > 0 for t in self.setups.values())

    def setup_time(self, machine: int, job_from: int, job_to: int) -> int:
        """Changeover time on `machine` between an operation of job_from and one of job_to."""
        return self.setups.get((machine, self.families[job_from], self.families[job_to]), 0)

    def predecessors(self, o: int) -> tuple[int, ...]:
        """Operations of the same job in the sequence group just before o's."""
        op = self.operations[o]
        groups = self.job_groups[op.job]
        for k, group in enumerate(groups):
            if o in group:
                return groups[k - 1] if k > 0 else ()
        return ()

    def job_cell(self, j: int, column: str = "job") -> str:
        return self.jobs_table.location(j, column)


def _merge(periods: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Unavailable periods sorted and merged where they overlap or touch."""
    out: list[list[int]] = []
    for start, end in sorted(periods):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((a, b) for a, b in out)


def _precedence_cycle(n_jobs: int, edges: list[tuple[int, int]]) -> list[int] | None:
    """A cycle of jobs in the precedence graph, or None."""
    succ: dict[int, list[int]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    state = [0] * n_jobs  # 0 new, 1 on stack, 2 done
    for root in range(n_jobs):
        if state[root]:
            continue
        stack = [(root, iter(succ.get(root, [])))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state[child] == 1:
                return path[path.index(child) :] + [child]
            elif state[child] == 0:
                state[child] = 1
                stack.append((child, iter(succ.get(child, []))))
                path.append(child)
    return None


def build_scenario(validated: Validated) -> Scenario:
    """Index the validated tables by position; cross-table problems are InputErrors with their cells."""
    errors: list[InputError] = []
    jobs = tuple(validated.rows("Jobs"))
    job_index = {r.job: j for j, r in enumerate(jobs)}
    machines = tuple(r.machine for r in validated.rows("Machines"))
    machine_index = {m: k for k, m in enumerate(machines)}
    op_table = validated.tables["Operations"]
    op_rows = validated.rows("Operations")
    options: dict[tuple[str, str], list[tuple[int, int]]] = {(r.job, r.operation): [] for r in op_rows}
    eligible = validated.tables["Eligible"]
    for i, r in enumerate(eligible.rows):
        key = (r.job, r.operation)
        if key not in options:
            errors.append(
                InputError(
                    eligible.location(i, "operation"), f"job {r.job!r} has no operation {r.operation!r} in Operations"
                )
            )
            continue
        options[key].append((machine_index[r.machine], r.processing_time))
    operations = []
    for i, r in enumerate(op_rows):
        if not options[r.job, r.operation]:
            errors.append(
                InputError(
                    op_table.location(i, "operation"),
                    f"operation {r.operation!r} of job {r.job!r} has no machine in Eligible",
                )
            )
        operations.append(Operation(job_index[r.job], r.operation, r.sequence, tuple(options[r.job, r.operation]), i))
    groups: list[tuple[tuple[int, ...], ...]] = []
    for j, job in enumerate(jobs):
        mine = sorted((operations[o].sequence, o) for o in range(len(operations)) if operations[o].job == j)
        by_seq: dict[int, list[int]] = {}
        for seq, o in mine:
            by_seq.setdefault(seq, []).append(o)
        if not mine:
            errors.append(
                InputError(
                    validated.tables["Jobs"].location(j, "job"), f"job {job.job!r} has no operations in Operations"
                )
            )
        groups.append(tuple(tuple(v) for _, v in sorted(by_seq.items())))
    families = tuple(r.family or r.job for r in jobs)
    setups: dict[tuple[int, str, str], int] = {}
    if "Setups" in validated.tables:
        rows = validated.rows("Setups")
        for r in sorted(rows, key=lambda r: r.machine is not None):  # machine-specific rows override blanks
            for m in [machine_index[r.machine]] if r.machine is not None else range(len(machines)):
                setups[m, r.from_family, r.to_family] = r.time
        known = set(families)
        table = validated.tables["Setups"]
        for i, r in enumerate(rows):
            for col in ("from_family", "to_family"):
                if getattr(r, col) not in known:
                    errors.append(
                        InputError(
                            table.location(i, col),
                            f"{col} {getattr(r, col)!r} is neither a family nor a job id in Jobs",
                        )
                    )
    down: list[list[tuple[int, int]]] = [[] for _ in machines]
    calendar: list[tuple[int, int, int]] = []
    if "Calendar" in validated.tables:
        for r in validated.rows("Calendar"):
            down[machine_index[r.machine]].append((r.unavailable_from, r.unavailable_to))
            calendar.append((machine_index[r.machine], r.unavailable_from, r.unavailable_to))
    precedences: list[tuple[int, int]] = []
    if "JobPrecedence" in validated.tables:
        table = validated.tables["JobPrecedence"]
        for i, r in enumerate(table.rows):
            if r.before == r.after:
                errors.append(InputError(table.location(i, "after"), f"job {r.after!r} cannot come after itself"))
            else:
                precedences.append((job_index[r.before], job_index[r.after]))
        cycle = _precedence_cycle(len(jobs), precedences)
        if cycle:
            names = " -> ".join(jobs[j].job for j in cycle)
            errors.append(InputError(table.location(0).split("!")[0], f"job precedences form a cycle: {names}"))
    if errors:
        raise InputErrors(errors)
    return Scenario(
        settings=validated.settings,
        jobs=jobs,
        machines=machines,
        operations=tuple(operations),
        job_groups=tuple(groups),
        families=families,
        setups=setups,
        downtime=tuple(_merge(d) for d in down),
        precedences=tuple(precedences),
        budget=tuple(validated.rows("Budget")) if "Budget" in validated.tables else (),
        jobs_table=validated.tables["Jobs"],
        calendar=tuple(calendar),
        tables={name: validated.tables[name] for name in ("Calendar", "JobPrecedence") if name in validated.tables},
    )
