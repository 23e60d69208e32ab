"""An independent checker of roster plans: every hard rule, and the objective recomputed.

It reads the plan's `Roster` sheet (ids as written in the input) and the scenario's input data,
and follows the column descriptions of the input schema, never the model code (rules.py, plan.py).
"""

from __future__ import annotations

from models.roster.data import Scenario
from optimizer.core.plan import Plan


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    """(first day, length) of each maximal run of `value` in flags."""
    out, start = [], None
    for d, f in enumerate([*flags, not value]):
        if f == value and start is None:
            start = d
        elif f != value and start is not None:
            out.append((start, d - start))
            start = None
    return out


def roster_of(s: Scenario, plan: Plan) -> dict[tuple[int, int], int]:
    """(employee index, day index) -> shift index from the Roster sheet; one row per worked day."""
    e_of = {emp.employee: e for e, emp in enumerate(s.employees)}
    d_of = {day: d for d, day in enumerate(s.days)}
    t_of = {sh.shift: t for t, sh in enumerate(s.shifts)}
    out: dict[tuple[int, int], int] = {}
    for r in plan.sheets["Roster"].itertuples(index=False):
        key = (e_of[str(r.employee)], d_of[str(r.day)])
        assert key not in out, f"one_shift_per_day: {r.employee} has two shifts on day {r.day}"
        out[key] = t_of[str(r.shift)]
    return out


def check_plan(s: Scenario, plan: Plan) -> float:
    """Assert every hard rule of `s` on the plan; return the objective recomputed from the input."""
    a = roster_of(s, plan)
    n, strict = s.n_days, s.settings.blocks_at_ends == "strict"
    weekends: list[list[int]] = []
    for d in range(n):
        if s.weekdays[d] == 6 and d > 0 and s.weekdays[d - 1] == 5:
            weekends[-1].append(d)
        elif s.weekdays[d] in (5, 6):
            weekends.append([d])
    total = 0.0
    for e, emp in enumerate(s.employees):
        who = emp.employee
        works = [(e, d) in a for d in range(n)]
        mins = 0
        for d in range(n):
            if works[d]:
                assert (e, d) not in s.days_off, f"fixed_days_off: {who} works day {s.days[d]}"
                mins += s.shifts[a[e, d]].length_minutes
        for t in range(len(s.shifts)):
            count = sum(1 for d in range(n) if a.get((e, d)) == t)
            limit = s.shift_limits.get((e, t))
            assert limit is None or count <= limit, f"max_shifts_per_type: {who} works {count} x {t}"
        assert mins >= emp.min_minutes, f"min_minutes: {who} works {mins}"
        assert emp.max_minutes is None or mins <= emp.max_minutes, f"max_minutes: {who} works {mins}"
        for start, length in _runs(works, True):
            if emp.max_consecutive_days is not None:
                assert length <= emp.max_consecutive_days, f"max_consecutive_days: {who} from {start}"
            at_end = start == 0 or start + length == n
            if strict or not at_end:
                assert length >= emp.min_consecutive_days, f"min_consecutive_days: {who} {length} from {start}"
        for start, length in _runs(works, False):
            if start > 0 and start + length < n:  # off runs touching an end continue outside
                assert length >= emp.min_consecutive_days_off, f"min_consecutive_days_off: {who} from {start}"
        worked_weekends = sum(1 for wk in weekends if any(works[d] for d in wk))
        if emp.max_weekends is not None:
            assert worked_weekends <= emp.max_weekends, f"max_weekends: {who} works {worked_weekends}"
        for d in range(n - 1):
            if works[d] and works[d + 1]:
                first, second = s.shifts[a[e, d]], s.shifts[a[e, d + 1]]
                assert (a[e, d], a[e, d + 1]) not in s.forbidden, f"forbidden_succession: {who} day {d}"
                rest = second.start + 1440 - (first.start + first.length_minutes)
                assert rest >= s.settings.min_rest_hours * 60, f"min_rest: {who} rests {rest} min after day {d}"
        # costs: hourly up to contract_minutes, overtime_cost above it
        hourly = emp.hourly_cost
        over_rate = hourly if emp.overtime_cost is None else emp.overtime_cost
        over = 0 if emp.contract_minutes is None else max(0, mins - emp.contract_minutes)
        total += hourly * (mins - over) / 60 + over_rate * over / 60
    for c in s.cover:
        people = sum(
            1
            for e in range(len(s.employees))
            if a.get((e, c.day)) == c.shift and (c.skill is None or c.skill in s.skills[e])
        )
        if c.hard:
            assert people >= c.minimum, f"cover_minimum: {people} < {c.minimum} on day {c.day} shift {c.shift}"
        total += c.under_weight * max(0, c.preferred - people) + c.over_weight * max(0, people - c.preferred)
    for r in s.requests:
        got = a.get((r.employee, r.day))
        if r.on:
            total += r.weight * (got != r.shift)
        else:
            total += r.weight * (got is not None and (r.shift is None or got == r.shift))
    people = range(len(s.employees))
    if s.settings.weekend_fairness_weight and len(people) > 1 and weekends:
        counts = [sum(1 for wk in weekends if any((e, d) in a for d in wk)) for e in people]
        total += s.settings.weekend_fairness_weight * (max(counts) - min(counts))
    nights = [t for t, sh in enumerate(s.shifts) if sh.night]
    if s.settings.night_fairness_weight and len(people) > 1 and nights:
        counts = [sum(1 for (e2, _), t in a.items() if e2 == e and t in nights) for e in people]
        total += s.settings.night_fairness_weight * (max(counts) - min(counts))
    return total
