"""Roster plan: a roster (employee, day) -> shift turned into the Roster, grid and cover tables.

Costs and penalties are recomputed here from the roster itself (not read off the solver), so
the Summary's breakdown by rule is the same whichever backend found the roster.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from models.roster.data import Scenario
from models.roster.rules import PENALTY_RULES
from optimizer.core.plan import COST_COLUMNS, DIAGNOSTIC_COLUMNS, Plan

Assignment = dict[tuple[int, int], int]  # (employee, day) -> shift type
PALETTE = ("#FFE699", "#9DC3E6", "#8E7CC3", "#A9D08E", "#F4B183", "#D9D9D9", "#FF99CC", "#99FFCC")


def shift_colours(s: Scenario) -> dict[str, str]:
    """Fill colour of each shift type in the grid: its `colour` cell, else one of a fixed palette."""
    return {sh.shift: sh.colour or PALETTE[t % len(PALETTE)] for t, sh in enumerate(s.shifts)}


def _hhmm(minutes: int) -> str:
    day, rest = divmod(minutes, 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if day == 0 else f"{text} (+{day})"


def cover_counts(s: Scenario, a: Assignment) -> list[int]:
    """People with the skill on each cover row's day and shift."""
    return [
        sum(
            1
            for e in range(len(s.employees))
            if a.get((e, c.day)) == c.shift and (c.skill is None or c.skill in s.skills[e])
        )
        for c in s.cover
    ]


def weekends_worked(s: Scenario, a: Assignment, e: int) -> int:
    return sum(1 for days in s.weekends() if any((e, d) in a for d in days))


def employee_minutes(s: Scenario, a: Assignment, e: int) -> int:
    return sum(s.shifts[t].length_minutes for (e2, _), t in a.items() if e2 == e)


def penalties(s: Scenario, a: Assignment) -> dict[str, dict[int, float]]:
    """Penalty of each soft rule by day (fairness is booked on the last day)."""
    out: dict[str, dict[int, float]] = {r: defaultdict(float) for r in PENALTY_RULES}
    for c, n in zip(s.cover, cover_counts(s, a), strict=True):
        out["cover_under"][c.day] += c.under_weight * max(0, c.preferred - n)
        out["cover_over"][c.day] += c.over_weight * max(0, n - c.preferred)
    for r in s.requests:
        got = a.get((r.employee, r.day))
        if r.on and got != r.shift:
            out["shift_on_request"][r.day] += r.weight
        if not r.on and got is not None and (r.shift is None or got == r.shift):
            out["shift_off_request"][r.day] += r.weight
    last = s.n_days - 1
    n = len(s.employees)
    if s.settings.weekend_fairness_weight > 0 and n > 1 and s.weekends():
        counts = [weekends_worked(s, a, e) for e in range(n)]
        out["weekend_fairness"][last] += s.settings.weekend_fairness_weight * (max(counts) - min(counts))
    nights = {t for t, sh in enumerate(s.shifts) if sh.night}
    if s.settings.night_fairness_weight > 0 and n > 1 and nights:
        counts = [sum(1 for (e2, _), t in a.items() if e2 == e and t in nights) for e in range(n)]
        out["night_fairness"][last] += s.settings.night_fairness_weight * (max(counts) - min(counts))
    return out


def labour_costs(s: Scenario, a: Assignment) -> tuple[dict[int, float], dict[int, float]]:
    """(labour, overtime) cost by day: minutes past contract_minutes, in day order, are overtime."""
    labour: dict[int, float] = defaultdict(float)
    overtime: dict[int, float] = defaultdict(float)
    for e, emp in enumerate(s.employees):
        regular, over = s.hourly(e)
        done = 0
        for d in range(s.n_days):
            t = a.get((e, d))
            if t is None:
                continue
            length = s.shifts[t].length_minutes
            extra = 0 if emp.contract_minutes is None else max(0, done + length - max(emp.contract_minutes, done))
            labour[d] += regular * (length - extra)
            overtime[d] += over * extra
            done += length
    return labour, overtime


def objective(s: Scenario, a: Assignment) -> float:
    """Labour + overtime + every soft penalty: what the models minimise."""
    labour, overtime = labour_costs(s, a)
    return sum(labour.values()) + sum(overtime.values()) + sum(sum(p.values()) for p in penalties(s, a).values())


def _roster(s: Scenario, a: Assignment) -> pd.DataFrame:
    rows = []
    for (e, d), t in sorted(a.items(), key=lambda kv: (kv[0][1], kv[1], kv[0][0])):
        sh = s.shifts[t]
        rows.append(
            {
                "employee": s.employees[e].employee,
                "day": s.days[d],
                "shift": sh.shift,
                "start": _hhmm(sh.start),
                "end": _hhmm(sh.start + sh.length_minutes),
                "minutes": sh.length_minutes,
            }
        )
    return pd.DataFrame(rows, columns=["employee", "day", "shift", "start", "end", "minutes"])


def _grid(s: Scenario, a: Assignment) -> pd.DataFrame:
    """Employee x day: the shift worked, blank when off."""
    names = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    columns = [f"{day} {names[w]}" for day, w in zip(s.days, s.weekdays, strict=True)]
    rows = []
    for e, emp in enumerate(s.employees):
        row = {"employee": emp.employee}
        for d, col in enumerate(columns):
            t = a.get((e, d))
            row[col] = "" if t is None else s.shifts[t].shift
        row["shifts"] = sum(1 for d in range(s.n_days) if (e, d) in a)
        row["minutes"] = employee_minutes(s, a, e)
        row["weekends"] = weekends_worked(s, a, e)
        rows.append(row)
    return pd.DataFrame(rows, columns=["employee", *columns, "shifts", "minutes", "weekends"])


def _cover(s: Scenario, a: Assignment) -> pd.DataFrame:
    rows = []
    for c, n in zip(s.cover, cover_counts(s, a), strict=True):
        rows.append(
            {
                "day": s.days[c.day],
                "shift": s.shifts[c.shift].shift,
                "skill": c.skill or "",
                "minimum": c.minimum,
                "preferred": c.preferred,
                "assigned": n,
                "under": max(0, c.preferred - n),
                "over": max(0, n - c.preferred),
                "penalty": c.under_weight * max(0, c.preferred - n) + c.over_weight * max(0, n - c.preferred),
            }
        )
    cols = ["day", "shift", "skill", "minimum", "preferred", "assigned", "under", "over", "penalty"]
    return pd.DataFrame(rows, columns=cols)


def _costs(s: Scenario, a: Assignment) -> pd.DataFrame:
    """Cost per category and week: labour, overtime, penalties (all soft rules)."""
    amounts: dict[tuple[str, str], float] = defaultdict(float)
    labour, overtime = labour_costs(s, a)
    for category, by_day in (("labour", labour), ("overtime", overtime)):
        for d, v in by_day.items():
            amounts[category, s.week_of(d)] += v
    for by_day in penalties(s, a).values():
        for d, v in by_day.items():
            amounts["penalties", s.week_of(d)] += v
    rows = [(c, p, v) for (c, p), v in amounts.items() if v]
    rows.sort(key=lambda r: (int(r[1][1:]), r[0]))
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def _diagnostics(s: Scenario, a: Assignment) -> pd.DataFrame:
    rows = []
    for c, n in zip(s.cover, cover_counts(s, a), strict=True):
        if n < c.minimum:
            rows.append(
                {
                    "severity": "warning",
                    "location": f"Cover day {s.days[c.day]} shift {s.shifts[c.shift].shift}",
                    "message": f"{n} of the minimum {c.minimum} {c.skill or 'people'} on shift "
                    f"{s.shifts[c.shift].shift} on day {s.days[c.day]} (soft minimum)",
                }
            )
    refused = [r for r in s.requests if (a.get((r.employee, r.day)) != r.shift) == r.on and r.on]
    if refused:
        rows.append(
            {
                "severity": "info",
                "location": "ShiftRequests",
                "message": f"{len(refused)} of {sum(1 for r in s.requests if r.on)} 'on' requests could not be granted",
            }
        )
    return pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS)


def extract(s: Scenario, a: Assignment, notes: dict[str, str | float] | None = None) -> Plan:
    """The plan of roster `a`: Roster, Roster grid, Cover, costs, KPIs with the penalty of each rule."""
    pen = penalties(s, a)
    kpis: dict[str, float | int | str] = {
        "employees": len(s.employees),
        "days": s.n_days,
        "shifts assigned": len(a),
        "cover shortfall (people)": sum(
            max(0, c.preferred - n) for c, n in zip(s.cover, cover_counts(s, a), strict=True)
        ),
    }
    for rule in PENALTY_RULES:
        kpis[f"penalty: {rule}"] = float(sum(pen[rule].values()))
    labour, overtime = labour_costs(s, a)
    kpis["cost: labour"] = float(sum(labour.values()))
    kpis["cost: overtime"] = float(sum(overtime.values()))
    kpis.update(notes or {})
    return Plan(
        sheets={"Roster": _roster(s, a), "Roster grid": _grid(s, a), "Cover": _cover(s, a)},
        costs=_costs(s, a),
        kpis=kpis,
        diagnostics=_diagnostics(s, a),
        cell_colours={"Roster grid": shift_colours(s)},
    )
