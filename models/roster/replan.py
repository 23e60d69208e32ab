"""Replanning a roster against the previous plan: published shifts stay, later changes cost.

Decisions are the shift (or day off) of every employee and day, matched by employee and day id.
With `--freeze N` the first N days of the roster are kept exactly as published, days off
included. Every later employee and day whose shift differs from the previous plan costs the
scenario's `stability_weight`; the cost is linear in the shift variables (1 - x for a previous
shift, the day's work literal for a previous day off), so every formulation carries it: CP-SAT
(also inside LNS), the HiGHS MILP and the hybrid chain of both. The previous roster is the start:
CP-SAT hints and a complete HiGHS MIP start. Rows that no longer fit the new data are Diagnostics
and their employee and day are planned afresh without that cost.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.roster import cpsat
from models.roster.data import Scenario
from models.roster.rules import allowed
from optimizer.core.errors import InputError, InputErrors
from optimizer.core.plan import Plan
from optimizer.io.tables import RawTable, normalise_header

CHANGE_COLUMNS = ["what", "employee", "day", "old", "new", "cost_effect", "frozen"]
GRID_TOTALS = ("employee", "shifts", "minutes", "weekends")
Key = tuple[int, int]  # (employee, day) in the new scenario
PUBLISHED_FACTOR = 10.0  # a published shift reopened after a disruption costs this many times stability_weight


@dataclass
class PreviousRoster:
    """The previous plan's decisions over the new scenario's employees and days, with diagnostics."""

    shifts: dict[Key, int | None] = field(default_factory=dict)  # decision -> previous shift type, None = day off
    names: dict[Key, str] = field(default_factory=dict)  # decision -> previous shift id as written
    cells: dict[Key, str] = field(default_factory=dict)  # decision -> its row in the previous plan
    forced: set[Key] = field(default_factory=set)  # previous shift impossible now: planned afresh, not priced
    frozen: set[Key] = field(default_factory=set)  # kept exactly (set by apply)
    published: set[Key] = field(default_factory=set)  # in the frozen days but reopened: changes cost more (apply)
    removed: list[tuple[str, str, str]] = field(default_factory=list)  # (employee, day, shift) no longer planned
    diagnostics: list[dict[str, str]] = field(default_factory=list)

    def note(self, location: str, message: str) -> None:
        self.diagnostics.append({"severity": "warning", "location": location, "message": message})

    def priced(self, key: Key) -> bool:
        """Whether a change of this decision costs the stability weight."""
        return key in self.shifts and key not in self.forced and key not in self.frozen

    def weight(self, s: Scenario, key: Key) -> float:
        """What changing this decision costs: the stability weight, PUBLISHED_FACTOR times it in reopened days."""
        return s.settings.stability_weight * (PUBLISHED_FACTOR if key in self.published else 1.0)

    def roster(self) -> dict[Key, int]:
        """The previous shifts that still fit, as a roster (the start of the search)."""
        return {k: t for k, t in self.shifts.items() if t is not None and k not in self.forced}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _sheet(sheets: dict[str, RawTable], name: str) -> RawTable | None:
    found = next((t for n, t in sheets.items() if n.lower() == name.lower()), None)
    return found if found is not None and found.header else None


def _past(s: Scenario, day: str) -> bool:
    """Whether a day id is a date before the roster's first day (a rolled horizon: it is history)."""
    try:
        return dt.date.fromisoformat(day) < dt.date.fromisoformat(s.days[0])
    except ValueError:
        return False


def _planned(s: Scenario, sheets: dict[str, RawTable], roster: RawTable) -> tuple[set[int], set[int]]:
    """Employees and days the previous plan decided: its grid's rows and day columns, else its Roster rows."""
    e_of = {emp.employee: e for e, emp in enumerate(s.employees)}
    d_of = {day: d for d, day in enumerate(s.days)}
    grid = _sheet(sheets, "Roster grid")
    if grid is not None and "employee" in grid.columns:
        names = {_text(r.get("employee")) for r in grid.records()}
        days = {h.rsplit("_", 1)[0] for h in grid.columns if h not in GRID_TOTALS}  # headers like '2027_01_04_mo'
        return {e_of[n] for n in names if n in e_of}, {d for day, d in d_of.items() if normalise_header(day) in days}
    names = {_text(r.get("employee")) for r in roster.records()}
    return {e_of[n] for n in names if n in e_of}, set(range(s.n_days))


def read_previous(s: Scenario, sheets: dict[str, RawTable]) -> PreviousRoster:
    """The previous plan's Roster sheet as shifts per (employee, day) of the new scenario."""
    table = _sheet(sheets, "Roster")
    if table is None:
        raise InputErrors([InputError("Roster", "the previous plan has no Roster sheet; is it a roster plan?")])
    missing = [c for c in ("employee", "day", "shift") if c not in table.columns]
    if missing:
        raise InputErrors([InputError(table.header_cell(), f"previous plan: missing column(s) {', '.join(missing)}")])
    e_of = {emp.employee: e for e, emp in enumerate(s.employees)}
    d_of = {day: d for d, day in enumerate(s.days)}
    t_of = {sh.shift: t for t, sh in enumerate(s.shifts)}
    employees, days = _planned(s, sheets, table)
    previous = PreviousRoster()
    previous.shifts = {(e, d): None for e in employees for d in days}
    for index, record in enumerate(table.records()):
        who, day, shift = (_text(record.get(c)) for c in ("employee", "day", "shift"))
        where = f"previous plan {table.cell(index, 'employee')}"
        if who not in e_of:
            previous.note(where, f"employee '{who}' is no longer in Employees; their shift on {day} is dropped")
            previous.removed.append((who, day, shift))
            continue
        if day not in d_of:
            if not _past(s, day):
                previous.note(f"previous plan {table.cell(index, 'day')}", f"day '{day}' is not in the roster's days")
            continue
        key = (e_of[who], d_of[day])
        if key in previous.cells:
            previous.note(where, f"employee '{who}' has a second shift on {day}; this row is ignored")
            continue
        previous.shifts[key], previous.names[key], previous.cells[key] = t_of.get(shift), shift, where
        problem = _unworkable(s, key, t_of.get(shift), shift)
        if problem:
            previous.forced.add(key)
            previous.note(
                f"previous plan {table.cell(index, 'shift')}", f"{who} on {day}: {problem}; that day is planned afresh"
            )
    return previous


def _unworkable(s: Scenario, key: Key, t: int | None, shift: str) -> str:
    """Why an employee can no longer work a previous shift ('' when they can)."""
    e, d = key
    if t is None:
        return f"shift type '{shift}' is no longer in ShiftTypes"
    if allowed(s, e, d, t):
        return ""
    if key in s.days_off:
        return "it is now a fixed day off"
    if s.shift_limits.get((e, t), 1) <= 0:
        return f"ShiftLimits now allow no '{shift}' shifts"
    return f"shift '{shift}' is now longer than max_minutes"


@dataclass(frozen=True)
class Frozen:
    """What a replan keeps exactly: decision -> shift (None = day off), the rows they come from, and N."""

    kept: dict[Key, int | None]
    cells: dict[Key, str]
    freeze: int


_FROZEN: dict[int, tuple[weakref.ref, Frozen]] = {}  # id(scenario) -> (the scenario, what its replan keeps)


def frozen_for(s: Scenario) -> Frozen | None:
    """What the replan of this very scenario object keeps, so an infeasibility explanation can name it."""
    entry = _FROZEN.get(id(s))
    return entry[1] if entry is not None and entry[0]() is s else None


def _plan_decisions(s: Scenario, previous: PreviousRoster, freeze: int) -> tuple[dict[Key, int | None], list[Key]]:
    """(decisions kept exactly, decisions priced when changed); marks the frozen and reopened ones on `previous`.

    When a published shift has become impossible (a new fixed day off, a shift type gone), the
    published days cannot all stay as they were: someone must fill the gap and the employee's
    neighbouring days may break a contract rule. Those days are then reopened, each change
    costing PUBLISHED_FACTOR times the stability weight, so the replan carries on with as few
    published changes as it can; otherwise they are kept exactly.
    """
    inside = {k: t for k, t in previous.shifts.items() if k[1] < freeze and k not in previous.forced}
    disrupted = sorted((d, e) for e, d in previous.forced if d < freeze)
    kept = {} if disrupted else inside
    previous.frozen, previous.published = set(kept), set(inside) - set(kept)
    if disrupted and not any(r.get("location") == "" and "reopened" in r["message"] for r in previous.diagnostics):
        d, e = disrupted[0]
        previous.diagnostics.append(
            {
                "severity": "info",
                "location": "",
                "message": f"{len(disrupted)} published shift(s) can no longer be worked (first: "
                f"{s.employees[e].employee} on {s.days[d]}), so the first {freeze} day(s) are reopened: each "
                f"published shift changed costs {PUBLISHED_FACTOR:g} x stability_weight",
            }
        )
    for key in [k for k, (ref, _) in _FROZEN.items() if ref() is None]:
        del _FROZEN[key]
    _FROZEN[id(s)] = (weakref.ref(s), Frozen(kept, dict(previous.cells), freeze))
    return kept, [k for k in previous.shifts if previous.priced(k)]


def _cpsat_apply(s: Scenario, built: cpsat.CpsatModel, previous: PreviousRoster, freeze: int) -> bool:
    """Fix the frozen days, add the change cost to the objective, hint the previous roster."""
    b: cpsat.CpsatBuilder = built.builder  # type: ignore[attr-defined]
    kept, priced = _plan_decisions(s, previous, freeze)
    for (e, d), t in kept.items():
        for u in range(len(s.shifts)):
            v = b.x(e, d, u)
            if v is not None:
                b.model.Add(v == int(u == t))
    for weight, change in _change_costs(s, b.x, b.work, previous, priced):
        b.cost("stability", weight, change)
    scale = cpsat.objective_scale([c for _, c, _ in b.terms])
    b.model.Minimize(sum(round(c * scale) * expr for _, c, expr in b.terms))
    built.objective_scale = 1.0 / scale
    return cpsat.hint(built, previous.roster())


def _change_costs(s: Scenario, x: Any, work: Any, previous: PreviousRoster, priced: list[Key]) -> list:
    """(weight, changed decisions) pairs: 1 - x for a previous shift, the work literal for a previous day off."""
    terms: dict[float, list[Any]] = {}
    for e, d in priced:
        t = previous.shifts[e, d]
        terms.setdefault(previous.weight(s, (e, d)), []).append(work(e, d) if t is None else 1 - x(e, d, t))
    return [(weight, sum(exprs)) for weight, exprs in terms.items() if weight]


def _milp_apply(s: Scenario, m: Any, previous: PreviousRoster, freeze: int) -> bool:
    """Fix the frozen days, add the change cost to a new objective, load the previous roster as the MIP start."""
    import pyomo.environ as pyo

    from optimizer.backends.pyomo_milp import active_objective

    kept, priced = _plan_decisions(s, previous, freeze)
    for e, d, t in m.X:
        if (e, d) in kept:
            m.x[e, d, t].fix(int(kept[e, d] == t))

    def x(e: int, d: int, t: int) -> Any:
        return m.x[e, d, t] if (e, d, t) in m.X else 0

    def work(e: int, d: int) -> Any:
        return sum(m.x[e, d, t] for t in range(len(s.shifts)) if (e, d, t) in m.X)

    objective = active_objective(m)
    objective.deactivate()
    costs = _change_costs(s, x, work, previous, priced)
    m.cost_stability = pyo.Expression(expr=sum(weight * change for weight, change in costs))
    m.replan_objective = pyo.Objective(expr=objective.expr + m.cost_stability, sense=pyo.minimize)
    return _milp_start(m, previous.roster())


def _milp_start(m: Any, roster: dict[Key, int]) -> bool:
    """Set the shift variables to `roster` and raise each helper variable from its lower bound until it fits.

    The helper variables (cover shortfall, overtime, weekend literals, fairness spreads) only ever
    need raising to satisfy the rules for a fixed roster, so a few passes give a complete start.
    True only when the start meets every rule: the engine returns a start as a plan when the
    solver finds nothing better, so a previous roster that no longer fits is not given.
    """
    import pyomo.environ as pyo
    from pyomo.repn import generate_standard_repn

    for e, d, t in m.X:
        if not m.x[e, d, t].fixed:
            m.x[e, d, t].set_value(int(roster.get((e, d)) == t))
    aux = {id(v) for v in m.aux.values()}
    for v in m.aux.values():
        v.set_value(v.lb or 0)
    for _ in range(4):
        moved = False
        for con in m.rules.values():
            body = pyo.value(con.body)
            low = -float("inf") if con.lower is None else pyo.value(con.lower)
            high = float("inf") if con.upper is None else pyo.value(con.upper)
            need = low - body if body < low - 1e-9 else high - body if body > high + 1e-9 else 0.0
            if not need:
                continue
            repn = generate_standard_repn(con.body, compute_values=True)
            for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                if id(var) in aux and coef * need > 0:
                    step = -(-abs(need) // abs(coef))  # whole units, rounded up
                    if var.ub is None or var.value + step <= var.ub:
                        var.set_value(var.value + step)
                        moved = True
                        break
        if not moved:
            break
    return _satisfied(m)


def _satisfied(m: Any) -> bool:
    """Whether the model's current values meet every active constraint: HiGHS takes only a feasible start."""
    import pyomo.environ as pyo

    for con in m.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(con.body)
        if con.lower is not None and body < pyo.value(con.lower) - 1e-6:
            return False
        if con.upper is not None and body > pyo.value(con.upper) + 1e-6:
            return False
    return True


def apply(s: Scenario, model: Any, previous: PreviousRoster, freeze: int) -> bool:
    """Keep the frozen days, price later changes and start from the previous roster, on any roster model."""
    from optimizer.backends.chain import ChainModel
    from optimizer.backends.cpsat_lns import LnsModel

    if isinstance(model, ChainModel):
        started = [apply(s, stage.model, previous, freeze) for stage in model.stages]
        return started[0]
    if isinstance(model, LnsModel):
        if getattr(model, "milp", None) is not None:  # the race's HiGHS partner solves this MILP
            _milp_apply(s, model.milp, previous, freeze)  # type: ignore[attr-defined]
        return _cpsat_apply(s, model.cp, previous, freeze)
    if isinstance(model, cpsat.CpsatModel):
        return _cpsat_apply(s, model, previous, freeze)
    if hasattr(model, "X") and hasattr(model, "aux"):
        return _milp_apply(s, model, previous, freeze)
    raise TypeError(f"roster replan cannot constrain a {type(model).__name__}")


def _new_roster(s: Scenario, plan: Plan) -> dict[Key, str]:
    e_of = {emp.employee: e for e, emp in enumerate(s.employees)}
    d_of = {day: d for d, day in enumerate(s.days)}
    return {(e_of[str(r.employee)], d_of[str(r.day)]): str(r.shift) for r in plan.sheets["Roster"].itertuples()}


def _what(old: str, new: str) -> str:
    if not old:
        return "now working"
    if not new:
        return "now off"
    return "shift changed"


def changes(s: Scenario, previous: PreviousRoster, plan: Plan, freeze: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every employee and day whose shift differs from the previous plan, with its cost effect, and churn KPIs."""
    new = _new_roster(s, plan)
    rows: list[dict[str, Any]] = []
    decisions = {True: 0, False: 0}
    changed = {True: 0, False: 0}
    penalty = 0.0
    for key in sorted(set(previous.shifts) | set(new), key=lambda k: (k[1], k[0])):
        e, d = key
        who, day, now = s.employees[e].employee, s.days[d], new.get(key, "")
        inside = d < freeze
        if key not in previous.shifts:
            rows.append(_row("not in the previous plan", who, day, None, now, None, inside))
            continue
        old = previous.names.get(key, "")
        decisions[inside] += 1
        if old == now:
            continue
        changed[inside] += 1
        paid = previous.weight(s, key) if previous.priced(key) else None
        penalty += paid or 0.0
        what = _what(old, now) + (" (previous shift no longer possible)" if key in previous.forced else "")
        rows.append(_row(what, who, day, old, now, paid, inside))
    for who, day, shift in previous.removed:
        rows.append(_row("no longer in Employees", who, day, shift, None, None, False))
    kpis = {
        "stability_penalty": penalty,
        "shifts_changed": changed[True] + changed[False],
        "shifts_changed_in_frozen_part": changed[True],
        "shifts_changed_after_frozen_part": changed[False],
        "share_changed_in_frozen_part": changed[True] / decisions[True] if decisions[True] else 0.0,
        "share_changed_after_frozen_part": changed[False] / decisions[False] if decisions[False] else 0.0,
    }
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), kpis


def _row(what: str, who: str, day: str, old: Any, new: Any, effect: Any, frozen: bool) -> dict[str, Any]:
    return {"what": what, "employee": who, "day": day, "old": old, "new": new, "cost_effect": effect, "frozen": frozen}
