"""Why a roster has no plan: which hard rules, tied to their input rows, cannot all hold, and the cost without them.

The CP-SAT model of rules.py is built once more with one rule literal per input row that states
a hard rule: each employee's contract limits (Employees cells), each hard cover minimum (Cover
rows), each fixed day off (FixedDaysOff rows: their shift variables are created and held at zero
by the literal), each shift limit (ShiftLimits rows), each forbidden succession and the minimum
rest; in a replan also each published decision kept exactly (its previous plan row). The builder
names every constraint after its rule, so each constraint is tied to its row by that name and the
variables it uses. optimizer.backends.cpsat_explain then asks CP-SAT for a small set of these
literals that cannot hold together; that conflict is relaxed and the next one sought until a
roster exists, whose cost is the price of relaxing them all.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from typing import Any

from models.roster import cpsat
from models.roster.data import Scenario
from models.roster.replan import frozen_for
from optimizer.backends.cpsat import CpsatModel
from optimizer.backends.cpsat_explain import explain_conflict
from optimizer.core.params import SolveParams

MAX_CONFLICTS = 10  # conflicts listed at most; each is found and shrunk by its own CP-SAT solves
WEEKEND = re.compile(r"weekend_(\d+)_\d+")
PER_EMPLOYEE = {
    "min_minutes": "works at least {v} minutes in the horizon (min_minutes)",
    "max_minutes": "works at most {v} minutes in the horizon (max_minutes)",
    "max_consecutive_days": "works at most {v} days in a row (max_consecutive_days)",
    "min_consecutive_days": "works at least {v} days in a row once started (min_consecutive_days)",
    "min_consecutive_days_off": "has at least {v} days off in a row (min_consecutive_days_off)",
    "max_weekends": "works at most {v} weekends (max_weekends)",
}


class _Groups:
    """One rule literal per input row, created when a constraint of that row is first met."""

    def __init__(self, s: Scenario, built: CpsatModel) -> None:
        self.s, self.built = s, built
        self.literals: dict[Any, Any] = {}

    def literal(self, key: Any, where: Callable[[], tuple[str, str]]) -> Any:
        if key not in self.literals:
            self.literals[key] = self.built.rule(*where())
        return self.literals[key]


def _cell(s: Scenario, table: str, index: int, column: str) -> str:
    found = s.tables.get(table)
    return found.location(index, column) if found is not None else table


def _row_of(s: Scenario, table: str, match: Callable[[Any], bool]) -> int | None:
    found = s.tables.get(table)
    rows = found.rows if found is not None else []
    return next((i for i, r in enumerate(rows) if r is not None and match(r)), None)


def _day_off_rules(s: Scenario, built: CpsatModel, groups: _Groups) -> None:
    """Hold each fixed day off's shift variables at zero under the literal of its FixedDaysOff row."""
    b = built.builder  # type: ignore[attr-defined]
    table = s.tables.get("FixedDaysOff")
    e_of = {emp.employee: e for e, emp in enumerate(s.employees)}
    d_of = {day: d for d, day in enumerate(s.days)}
    for i, r in enumerate(table.rows if table is not None else []):
        if r is None or r.day not in d_of:
            continue
        e, d = e_of[r.employee], d_of[r.day]
        xs = [v for t in range(len(s.shifts)) if (v := b.x(e, d, t)) is not None]
        if xs:
            where = (_cell(s, "FixedDaysOff", i, "day"), f"{r.employee} is off on {r.day} (fixed day off)")
            lit = groups.literal(("day_off", i), lambda where=where: where)
            built.model.Add(sum(xs) == 0).OnlyEnforceIf(lit)


def _frozen_rules(s: Scenario, built: CpsatModel, groups: _Groups) -> None:
    """In a replan, hold each published decision (shift or day off) under a literal of its previous plan row."""
    frozen = frozen_for(s)
    if frozen is None:
        return
    b = built.builder  # type: ignore[attr-defined]
    for (e, d), t in frozen.kept.items():
        xs = {u: v for u in range(len(s.shifts)) if (v := b.x(e, d, u)) is not None}
        if t is not None and t not in xs:
            continue
        who, day = s.employees[e].employee, s.days[d]
        what = "day off" if t is None else f"shift '{s.shifts[t].shift}'"
        where = frozen.cells.get((e, d), f"previous plan Roster grid ({who})")
        text = f"{who} keeps the published {what} on {day} (replan --freeze {frozen.freeze})"
        lit = groups.literal(("frozen", e, d), lambda where=where, text=text: (where, text))
        for u, v in xs.items():
            built.model.Add(v == int(u == t)).OnlyEnforceIf(lit)


def _variables(constraint: Any) -> tuple[str, list[int], list[int]]:
    """(kind, variable indices, coefficients) of a linear or clause constraint (negated literals by their variable)."""
    if constraint.has_linear():
        return "linear", list(constraint.linear.vars), list(constraint.linear.coeffs)
    for kind in ("bool_or", "bool_and"):
        if getattr(constraint, f"has_{kind}")():  # only then read it: reading a field of this proto may create it
            lits = list(getattr(constraint, kind).literals)
            return kind, [i if i >= 0 else -i - 1 for i in lits], [1] * len(lits)
    return "other", [], []


def _tie(s: Scenario, built: CpsatModel, groups: _Groups) -> None:
    """Put every hard-rule constraint under the literal of the input row it comes from."""
    b = built.builder  # type: ignore[attr-defined]
    proto = built.model.Proto()
    shift_of = {v.Index(): (e, d, t) for (e, d, t), v in b.xs.items()}
    employee_of = {i: e for i, (e, _, _) in shift_of.items()}
    employee_of.update({v.Index(): e for (e, _), v in b.ws.items()})
    for i, var in enumerate(proto.variables):
        if found := WEEKEND.fullmatch(var.name):  # rules.weekend_literals names them weekend_<employee>_<k>
            employee_of[i] = int(found.group(1))
    covers = _cover_keys(s, b)
    for constraint in list(proto.constraints):
        rule = constraint.name
        kind, variables, coeffs = _variables(constraint)
        lit = None
        if rule in PER_EMPLOYEE:
            if rule == "max_weekends" and (kind != "linear" or min(coeffs) < 0):
                continue  # the weekend literals' definitions, not the limit
            owners = {employee_of.get(v) for v in variables}
            if len(owners) == 1 and None not in owners:
                (e,) = owners
                lit = groups.literal((rule, e), lambda r=rule, e=e: _employee_rule(s, r, e))
        elif rule == "max_shifts_per_type" and variables and variables[0] in shift_of:
            e, _, t = shift_of[variables[0]]
            lit = groups.literal((rule, e, t), lambda e=e, t=t: _shift_limit(s, e, t))
        elif rule == "forbidden_succession" and len(variables) == 2 and all(v in shift_of for v in variables):
            (_, _, a), (_, _, c) = sorted((shift_of[v] for v in variables), key=lambda k: k[1])
            lit = groups.literal((rule, a, c), lambda a=a, c=c: _succession(s, a, c))
        elif rule == "min_rest":
            lit = groups.literal(rule, lambda: _rest(s))
        elif rule == "cover_minimum":
            key = (frozenset(variables), constraint.linear.domain[0] if variables else None)
            if covers.get(key):
                k = covers[key].pop(0)
                lit = groups.literal(("cover", k), lambda k=k: _cover(s, k))
        if lit is not None:
            constraint.enforcement_literal.append(lit.Index())


def _cover_keys(s: Scenario, b: Any) -> dict[tuple[frozenset[int], int | None], list[int]]:
    """Hard cover rows by the variables and minimum of their constraint (an empty sum: no one can cover it)."""
    out: dict[tuple[frozenset[int], int | None], list[int]] = {}
    for k, c in enumerate(s.cover):
        if not (c.hard and c.minimum > 0):
            continue
        xs = frozenset(
            v.Index()
            for e in range(len(s.employees))
            if (c.skill is None or c.skill in s.skills[e]) and (v := b.x(e, c.day, c.shift)) is not None
        )
        out.setdefault((xs, c.minimum if xs else None), []).append(k)
    return out


def _widen(s: Scenario, built: CpsatModel) -> None:
    """Let shortfall and overtime variables grow past the hard limits, so a roster without them is priced."""
    proto = built.model.Proto()
    longest = max(sh.length_minutes for sh in s.shifts)
    for var in proto.variables:
        name = var.name
        if name.startswith("under_") and name[6:].isdigit() and int(name[6:]) < len(s.cover):
            var.domain[1] = max(var.domain[1], s.cover[int(name[6:])].preferred)
        elif name.startswith("overtime_") and name[9:].isdigit():
            var.domain[1] = max(var.domain[1], s.n_days * longest)


def _employee_rule(s: Scenario, rule: str, e: int) -> tuple[str, str]:
    emp = s.employees[e]
    return s.employee_cell(e, rule), f"{emp.employee} " + PER_EMPLOYEE[rule].format(v=getattr(emp, rule))


def _shift_limit(s: Scenario, e: int, t: int) -> tuple[str, str]:
    who, shift = s.employees[e].employee, s.shifts[t].shift
    i = _row_of(s, "ShiftLimits", lambda r: r.employee == who and r.shift == shift)
    where = _cell(s, "ShiftLimits", i, "max_shifts") if i is not None else "ShiftLimits"
    return where, f"{who} works at most {s.shift_limits[e, t]} '{shift}' shifts (ShiftLimits)"


def _succession(s: Scenario, a: int, c: int) -> tuple[str, str]:
    first, then = s.shifts[a].shift, s.shifts[c].shift
    i = _row_of(s, "ForbiddenSuccessions", lambda r: r.shift == first and r.next_shift == then)
    where = _cell(s, "ForbiddenSuccessions", i, "next_shift") if i is not None else "ForbiddenSuccessions"
    return where, f"no '{then}' shift on the day after a '{first}' shift (ForbiddenSuccessions)"


def _rest(s: Scenario) -> tuple[str, str]:
    hours = s.settings.min_rest_hours
    return "Settings", f"at least {hours:g} hours of rest between two shifts, and shifts never overlap (min_rest_hours)"


def _cover(s: Scenario, k: int) -> tuple[str, str]:
    c = s.cover[k]
    who = f"'{c.skill}' staff" if c.skill else "person" if c.minimum == 1 else "people"
    text = f"at least {c.minimum} {who} on shift '{s.shifts[c.shift].shift}' on {s.days[c.day]} (hard minimum cover)"
    return _cell(s, "Cover", k, "minimum"), text


def build(s: Scenario) -> CpsatModel:
    """The roster's CP-SAT model with a rule literal per input row of a hard rule."""
    built = cpsat.build(dataclasses.replace(s, days_off=frozenset()))
    groups = _Groups(s, built)
    _tie(s, built, groups)
    _day_off_rules(s, built, groups)
    _frozen_rules(s, built, groups)
    _widen(s, built)
    return built


def _copies(built: CpsatModel, relaxed: set[int]) -> Callable[[], CpsatModel]:
    """A builder of fresh copies of one explained model, without the rules of conflicts already found.

    The rule literals of `relaxed` stay free in the copies (not assumed, not fixed on), so those
    rules may be dropped: the next conflict found is one that remains once they are relaxed.
    """

    def copy() -> CpsatModel:
        model = built.model.Clone()
        rules = [
            (model.GetBoolVarFromProtoIndex(lit.Index()), where, text)
            for k, (lit, where, text) in enumerate(built.rules)
            if k not in relaxed
        ]
        return CpsatModel(model, objective_scale=built.objective_scale, parameters=dict(built.parameters), rules=rules)

    return copy


def explain(s: Scenario, params: SolveParams, limit: float) -> list[dict[str, str]]:
    """Diagnostics rows: each set of input rows whose hard rules cannot all hold, and the roster's cost without them.

    After a conflict is found its rules are relaxed and the search goes on, while time is left,
    until a roster exists without them all: the planner sees every conflict, not only the first.
    """
    started = time.perf_counter()
    full = build(s)
    index = {(where, text): k for k, (_, where, text) in enumerate(full.rules)}
    relaxed: set[int] = set()
    conflicts: list[list[tuple[str, str]]] = []
    cost, note = None, ""
    while len(conflicts) < MAX_CONFLICTS and (left := limit - (time.perf_counter() - started)) > 0.5:
        conflict = explain_conflict(_copies(full, relaxed), params, left)
        if not conflict.found:
            if not conflicts:
                return [{"severity": "error", "location": "", "message": f"infeasible: {conflict.message}"}]
            break
        conflicts.append(conflict.rules)
        relaxed |= {index[rule] for rule in conflict.rules}
        if conflict.cost is not None:
            cost, note = conflict.cost, conflict.message
            break
    if not conflicts:
        message = "infeasible: no time was left to find which rules conflict; a longer --time-limit tells"
        return [{"severity": "error", "location": "", "message": message}]
    return _rows(s, conflicts, cost, note)


def _rows(s: Scenario, conflicts: list[list[tuple[str, str]]], cost: float | None, note: str) -> list[dict[str, str]]:
    """One headline per conflict with its rows (location, rule in planner words), then the cost without them."""
    rows: list[dict[str, str]] = []
    for n, rules in enumerate(conflicts, start=1):
        sheets: dict[str, int] = {}
        for where, _ in rules:
            sheets[where.split("!")[0]] = sheets.get(where.split("!")[0], 0) + 1
        counts = ", ".join(f"{k} in {sheet}" for sheet, k in sheets.items())
        headline = (
            f"no roster meets every hard rule: conflict {n}: these {len(rules)} rules ({counts}) cannot all hold; "
            "relaxing any one of them (a minimum cover made soft, a day off moved, a contract limit eased) "
            "removes this conflict"
        )
        rows.append({"severity": "error", "location": "", "message": headline})
        rows += [{"severity": "error", "location": where, "message": f"conflict {n}: {text}"} for where, text in rules]
    if cost is not None:
        extra = f" ({note})" if note else ""
        message = f"without the rules listed above, the best roster costs {cost:,.2f} {s.settings.currency}{extra}"
    else:
        message = (
            "there may be more conflicts, or the roster without the rules above could not be priced, "
            "in the time left; a longer --time-limit tells"
        )
    rows.append({"severity": "info", "location": "", "message": message})
    return rows
