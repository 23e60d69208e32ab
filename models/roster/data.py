"""Roster scenario: the input tables, their typed schemas and the immutable Scenario.

Sheets: Settings, Employees, ShiftTypes, Cover, optional Skills, ShiftLimits, ForbiddenSuccessions,
FixedDaysOff, ShiftRequests and Budget. Days are 0..horizon_days-1 (or dates from start_date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.budget import budget_table
from optimizer.io.fields import Id, Text, YesNo, column, lower_text, quantity
from optimizer.io.schema import RowModel, Table, TableSpec, Validated, row_error

COST_CATEGORIES = ("labour", "overtime", "penalties")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_DAYS = 3660


def _clock(value: Any) -> Any:
    """Shift starts as '06:30', 6.5 (hours) or an Excel time become minutes after midnight."""
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, str) and ":" in value:
        hours, _, minutes = value.strip().partition(":")
        try:
            return int(hours) * 60 + int(minutes[:2])
        except ValueError:
            return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value) * 60)
    return value


Clock = Annotated[int, BeforeValidator(_clock), Field(ge=0, lt=24 * 60)]


class Settings(BaseModel):
    """Scenario-wide settings, one per row of the Settings sheet (setting, value)."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    kind: Annotated[Literal["roster"], BeforeValidator(lower_text)] = column("the kind of plan this workbook is for")
    name: str = column("scenario name shown in the plan", default="roster")
    currency: str = column("currency of every cost", default="EUR")
    horizon_days: int = Field(28, ge=1, le=MAX_DAYS, description="days in the roster")
    start_weekday: Annotated[Literal[WEEKDAYS], BeforeValidator(lower_text)] = column(  # type: ignore[valid-type]
        "weekday of the first day (ignored when start_date is given)", default="monday"
    )
    start_date: dt.date | None = column("date of the first day; days are then named by date", default=None)
    min_rest_hours: float = quantity("least hours between the end of a shift and the next start", "hours", 0.0)
    blocks_at_ends: Annotated[Literal["free", "strict"], BeforeValidator(lower_text)] = column(
        "free: a run of work or rest touching the first or last day may be shorter than the minimum "
        "(it continues outside the roster); strict: days outside the roster count as days off",
        default="free",
    )
    weekend_fairness_weight: float = quantity(
        "penalty per weekend of difference between the most and least weekends worked", "money", 0.0
    )
    night_fairness_weight: float = quantity(
        "penalty per night of difference between the most and least night shifts worked", "money", 0.0
    )
    benchmark: str = column("benchmark format the scenario was read from (blank for planners' workbooks)", default="")
    search: Annotated[Literal["repeatable", "fastest"], BeforeValidator(lower_text)] = column(
        "repeatable: the same input, seed and threads give the same roster (HiGHS stopped by a node count, CP-SAT's "
        "interleaved search stopped by a work limit, both scaled by the time limit); fastest: HiGHS and CP-SAT with "
        "LNS race for the whole time limit, better rosters but runs may differ (benchmark files use it)",
        default="repeatable",
    )
    stability_weight: float = Field(
        50.0,
        ge=0,
        le=1e6,
        description="replans only: cost of each employee and day after the frozen days whose shift (or day off) "
        "differs from the previous plan",
        json_schema_extra={"unit": "money per changed shift"},
    )


class EmployeeRow(RowModel):
    employee: Id = column("employee id, as used in the other sheets")
    name: Text = column("free text", default="")
    hourly_cost: float = quantity("cost of one hour worked up to contract_minutes", "money/hour", 0.0)
    overtime_cost: float | None = quantity(
        "cost of one hour worked above contract_minutes; blank = hourly_cost", "money/hour", None
    )
    contract_minutes: int | None = Field(
        None, ge=0, le=10**7, description="minutes in the horizon paid at hourly_cost; blank = no overtime"
    )
    min_minutes: int = Field(0, ge=0, le=10**7, description="least minutes worked in the horizon")
    max_minutes: int | None = Field(None, ge=0, le=10**7, description="most minutes worked; blank = no limit")
    max_consecutive_days: int | None = Field(None, ge=1, le=MAX_DAYS, description="most working days in a row")
    min_consecutive_days: int = Field(1, ge=1, le=MAX_DAYS, description="least working days in a row")
    min_consecutive_days_off: int = Field(1, ge=1, le=MAX_DAYS, description="least days off in a row")
    max_weekends: int | None = Field(
        None, ge=0, le=MAX_DAYS, description="most weekends worked (a Saturday or Sunday worked)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> EmployeeRow:
        if self.max_minutes is not None and self.min_minutes > self.max_minutes:
            raise row_error("min_minutes", f"min_minutes {self.min_minutes} is above max_minutes {self.max_minutes}")
        if self.overtime_cost is not None and self.overtime_cost < self.hourly_cost:
            raise row_error("overtime_cost", f"overtime_cost {self.overtime_cost:g} is below hourly_cost")
        if self.max_consecutive_days is not None and self.min_consecutive_days > self.max_consecutive_days:
            raise row_error("min_consecutive_days", "min_consecutive_days is above max_consecutive_days")
        return self


class ShiftTypeRow(RowModel):
    shift: Id = column("shift type id, e.g. E (early), L (late), N (night)")
    start: Clock = column("start time, e.g. 07:00", "hh:mm", default=0)
    length_minutes: int = Field(..., gt=0, le=24 * 60, description="paid length of the shift")
    night: YesNo = column("counts as a night shift for fairness", default=False)
    colour: str = column(
        "fill colour in the roster grid as #RRGGBB, e.g. #FFD966; blank = a default",
        default="",
        pattern=r"^(#[0-9A-Fa-f]{6})?$",
    )


class SkillRow(RowModel):
    employee: Id = column("employee (Employees)")
    skill: Id = column("a skill the employee has, e.g. senior, icu")


class ShiftLimitRow(RowModel):
    employee: Id = column("employee (Employees)")
    shift: Id = column("shift type (ShiftTypes)")
    max_shifts: int = Field(..., ge=0, le=MAX_DAYS, description="most shifts of this type in the horizon")


class SuccessionRow(RowModel):
    shift: Id = column("shift type worked on one day (ShiftTypes)")
    next_shift: Id = column("shift type that may not be worked the next day (ShiftTypes)")


class DayOffRow(RowModel):
    employee: Id = column("employee (Employees)")
    day: Id = column("day the employee cannot work (a day id: 0, 1, ... or a date)")


class RequestRow(RowModel):
    employee: Id = column("employee (Employees)")
    day: Id = column("day of the request")
    shift: Id | None = column("shift type (ShiftTypes); blank on an 'off' request = any shift", default=None)
    request: Annotated[Literal["on", "off"], BeforeValidator(lower_text)] = column(
        "on: wants to work this shift; off: wants not to"
    )
    weight: float = quantity("penalty when the request is not granted", "money", 1.0)

    @model_validator(mode="after")
    def _on_has_shift(self) -> RequestRow:
        if self.request == "on" and self.shift is None:
            raise row_error("shift", "an 'on' request needs a shift")
        return self


class CoverRow(RowModel):
    day: Id = column("day")
    shift: Id = column("shift type (ShiftTypes)")
    skill: Id | None = column("skill needed; blank = anyone", default=None)
    minimum: int = Field(0, ge=0, le=10**6, description="least people with the skill on the shift")
    preferred: int | None = Field(None, ge=0, le=10**6, description="target number; blank = minimum")
    minimum_policy: Annotated[Literal["hard", "soft"], BeforeValidator(lower_text)] = column(
        "hard: never below minimum; soft: below only costs under_weight", default="hard"
    )
    under_weight: float = quantity("penalty per person below preferred", "money/person", 100.0)
    over_weight: float = quantity("penalty per person above preferred", "money/person", 0.0)

    @model_validator(mode="after")
    def _preferred_above_minimum(self) -> CoverRow:
        if self.preferred is not None and self.preferred < self.minimum:
            raise row_error("preferred", f"preferred {self.preferred} is below minimum {self.minimum}")
        return self


BUDGET = budget_table(
    COST_CATEGORIES,
    "week (W1, W2, ...); blank = the whole horizon",
    description="budget per cost category and week, compared with the plan in 'Budget impact'",
)
BudgetRow = BUDGET.row


def _ref(table: str, col: str) -> tuple[str, str]:
    return (table, col)


TABLES = [
    TableSpec("Employees", EmployeeRow, "staff with costs and contract limits", key=("employee",)),
    TableSpec("ShiftTypes", ShiftTypeRow, "shift types with start and length", key=("shift",)),
    TableSpec(
        "Cover",
        CoverRow,
        "people needed per day, shift and skill",
        key=("day", "shift", "skill"),
        references={"shift": _ref("ShiftTypes", "shift")},
        allow_empty=True,
    ),
    TableSpec(
        "Skills",
        SkillRow,
        "skills of each employee",
        key=("employee", "skill"),
        references={"employee": _ref("Employees", "employee")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "ShiftLimits",
        ShiftLimitRow,
        "most shifts of a type per employee",
        key=("employee", "shift"),
        references={"employee": _ref("Employees", "employee"), "shift": _ref("ShiftTypes", "shift")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "ForbiddenSuccessions",
        SuccessionRow,
        "shift pairs that may not follow on consecutive days",
        key=("shift", "next_shift"),
        references={"shift": _ref("ShiftTypes", "shift"), "next_shift": _ref("ShiftTypes", "shift")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "FixedDaysOff",
        DayOffRow,
        "days an employee cannot work (leave, training)",
        key=("employee", "day"),
        references={"employee": _ref("Employees", "employee")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "ShiftRequests",
        RequestRow,
        "wishes to work or not to work a shift, with a weight",
        references={"employee": _ref("Employees", "employee"), "shift": _ref("ShiftTypes", "shift")},
        required=False,
        allow_empty=True,
    ),
    BUDGET,
]


@dataclass(frozen=True)
class Request:
    employee: int
    day: int
    shift: int | None  # None: an off request for any shift
    on: bool
    weight: float


@dataclass(frozen=True)
class Cover:
    day: int
    shift: int
    skill: str | None
    minimum: int
    preferred: int
    hard: bool
    under_weight: float
    over_weight: float


@dataclass(frozen=True)
class Scenario:
    """A validated roster scenario indexed by position; ids are kept for the reports."""

    settings: Settings
    days: tuple[str, ...]
    weekdays: tuple[int, ...]  # 0 = Monday
    employees: tuple[EmployeeRow, ...]
    shifts: tuple[ShiftTypeRow, ...]
    skills: tuple[frozenset[str], ...]  # per employee
    shift_limits: dict[tuple[int, int], int]  # (employee, shift) -> most shifts
    forbidden: frozenset[tuple[int, int]]  # (shift, next-day shift) from ForbiddenSuccessions
    days_off: frozenset[tuple[int, int]]  # (employee, day)
    requests: tuple[Request, ...]
    cover: tuple[Cover, ...]
    budget: tuple[BudgetRow, ...]
    employees_table: Table | None = None
    tables: dict[str, Table] = field(default_factory=dict)  # validated input tables, for cell locations in messages

    @property
    def n_days(self) -> int:
        return len(self.days)

    def weekends(self) -> list[list[int]]:
        """Day indexes of each weekend (Saturday and Sunday) that falls in the horizon."""
        out: list[list[int]] = []
        for d, w in enumerate(self.weekdays):
            if w == 6 and d > 0 and self.weekdays[d - 1] == 5:
                out[-1].append(d)
            elif w in (5, 6):
                out.append([d])
        return out

    def week_of(self, d: int) -> str:
        """Week label of day d (W1 holds the first day)."""
        return f"W{(d + self.weekdays[0]) // 7 + 1}"

    def rest_forbidden(self) -> frozenset[tuple[int, int]]:
        """(shift, next-day shift) pairs leaving less than min_rest_hours between them (or overlapping)."""
        need = self.settings.min_rest_hours * 60
        return frozenset(
            (a, b)
            for a, sa in enumerate(self.shifts)
            for b, sb in enumerate(self.shifts)
            if sb.start + 24 * 60 - (sa.start + sa.length_minutes) < need
        )

    def employee_cell(self, e: int, col: str = "employee") -> str:
        return self.employees_table.location(e, col) if self.employees_table is not None else "Employees"

    def hourly(self, e: int) -> tuple[float, float]:
        """(regular, overtime) cost per minute of employee e."""
        emp = self.employees[e]
        over = emp.hourly_cost if emp.overtime_cost is None else emp.overtime_cost
        return emp.hourly_cost / 60.0, over / 60.0


def _days(settings: Settings) -> tuple[tuple[str, ...], tuple[int, ...]]:
    n = settings.horizon_days
    if settings.start_date is not None:
        dates = [settings.start_date + dt.timedelta(days=d) for d in range(n)]
        return tuple(x.isoformat() for x in dates), tuple(x.weekday() for x in dates)
    first = WEEKDAYS.index(settings.start_weekday)
    return tuple(str(d) for d in range(n)), tuple((first + d) % 7 for d in range(n))


def build_scenario(validated: Validated) -> Scenario:
    """Index the validated tables by position; unknown days are reported with their cells."""
    settings: Settings = validated.settings
    days, weekdays = _days(settings)
    day_index = {d: i for i, d in enumerate(days)}
    employees = tuple(validated.rows("Employees"))
    e_index = {r.employee: i for i, r in enumerate(employees)}
    shifts = tuple(validated.rows("ShiftTypes"))
    s_index = {r.shift: i for i, r in enumerate(shifts)}
    errors: list[InputError] = []

    def rows(name: str) -> list[tuple[int, Any]]:
        return list(enumerate(validated.rows(name))) if name in validated.tables else []

    def day_of(table: str, i: int, value: str) -> int | None:
        if value in day_index:
            return day_index[value]
        first, last = days[0], days[-1]
        errors.append(
            InputError(
                validated.tables[table].location(i, "day"),
                f"day {value!r} is not in the roster's days ({first} .. {last}); see horizon_days/start_date",
            )
        )
        return None

    skills: list[set[str]] = [set() for _ in employees]
    for _, r in rows("Skills"):
        skills[e_index[r.employee]].add(r.skill)
    limits = {(e_index[r.employee], s_index[r.shift]): r.max_shifts for _, r in rows("ShiftLimits")}
    forbidden = frozenset((s_index[r.shift], s_index[r.next_shift]) for _, r in rows("ForbiddenSuccessions"))
    days_off = set()
    for i, r in rows("FixedDaysOff"):
        d = day_of("FixedDaysOff", i, r.day)
        if d is not None:
            days_off.add((e_index[r.employee], d))
    requests = []
    for i, r in rows("ShiftRequests"):
        d = day_of("ShiftRequests", i, r.day)
        if d is not None:
            shift = None if r.shift is None else s_index[r.shift]
            requests.append(Request(e_index[r.employee], d, shift, r.request == "on", r.weight))
    cover = []
    seen: dict[tuple[str, str, str | None], int] = {}
    for i, r in rows("Cover"):
        key = (r.day, r.shift, r.skill)
        if key in seen and r.skill is None:  # the table key check skips blank cells
            where = validated.tables["Cover"].location(i, "day")
            first = validated.tables["Cover"].location(seen[key]).split("!")[-1]
            errors.append(
                InputError(where, f"duplicate day {r.day!r}, shift {r.shift!r}, any skill (first at {first})")
            )
        seen.setdefault(key, i)
        d = day_of("Cover", i, r.day)
        if d is not None:
            preferred = r.minimum if r.preferred is None else r.preferred
            hard = r.minimum_policy == "hard"
            cover.append(Cover(d, s_index[r.shift], r.skill, r.minimum, preferred, hard, r.under_weight, r.over_weight))
    weeks = {f"W{(d + weekdays[0]) // 7 + 1}" for d in range(len(days))}
    for i, r in rows("Budget"):
        if r.period is not None and r.period not in weeks:
            errors.append(
                InputError(
                    validated.tables["Budget"].location(i, "period"),
                    f"period {r.period!r} is not a week "
                    f"of the roster ({', '.join(sorted(weeks, key=lambda w: int(w[1:])))})",
                )
            )
    if errors:
        raise InputErrors(errors)
    return Scenario(
        settings=settings,
        days=days,
        weekdays=weekdays,
        employees=employees,
        shifts=shifts,
        skills=tuple(frozenset(s) for s in skills),
        shift_limits=limits,
        forbidden=forbidden,
        days_off=frozenset(days_off),
        requests=tuple(requests),
        cover=tuple(cover),
        budget=tuple(r for _, r in rows("Budget")),
        employees_table=validated.tables["Employees"],
        tables=dict(validated.tables),
    )
