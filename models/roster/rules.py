"""Every roster rule as a named function, listed as hard, soft or cost in one place (RULES).

A rule adds its constraints and objective terms to a `Builder`, the small interface that the
CP-SAT builder (cpsat.py) and the MILP builder (milp.py) both implement, so both backends solve
exactly the same model. Expressions are linear sums of the builder's 0/1 variables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from models.roster.data import Scenario

Expr = Any  # a linear expression of the backend (or a plain number)


class Builder(Protocol):
    """What a rule may ask of a model builder."""

    s: Scenario
    cache: dict[str, Any]  # rules keep shared literals here (e.g. weekends worked)

    def x(self, e: int, d: int, t: int) -> Any | None:
        """0/1 variable: employee e works shift type t on day d; None when that is not allowed."""

    def work(self, e: int, d: int) -> Any:
        """0/1 literal (or 0): employee e works on day d."""

    def new_bool(self, name: str) -> Any: ...

    def new_int(self, lb: int, ub: int, name: str) -> Any: ...

    def add(self, constraint: Any, rule: str) -> None:
        """A linear constraint (`expr <= expr`); a constant False makes the model infeasible."""

    def forbid(self, pattern: Sequence[tuple[Any, int]], rule: str) -> None:
        """Not all of (literal == value) hold at once; literals may be constants 0/1."""

    def implies(self, a: Any, b: Any, rule: str) -> None:
        """Literal a = 1 forces literal b = 1."""

    def cost(self, rule: str, coef: float, expr: Expr) -> None:
        """Add coef * expr to the objective, booked under `rule`."""


@dataclass(frozen=True)
class Rule:
    name: str
    level: Literal["hard", "soft", "cost"]
    description: str
    add: Callable[[Scenario, Builder], None]


def allowed(s: Scenario, e: int, d: int, t: int) -> bool:
    """Whether employee e may work shift t on day d at all (fixed days off, zero limits, length)."""
    if (e, d) in s.days_off or s.shift_limits.get((e, t), 1) <= 0:
        return False
    cap = s.employees[e].max_minutes
    return cap is None or s.shifts[t].length_minutes <= cap


def day_shifts(b: Builder, e: int, d: int) -> list[tuple[int, Any]]:
    """(shift type, variable) pairs that exist for employee e on day d."""
    out = []
    for t in range(len(b.s.shifts)):
        v = b.x(e, d, t)
        if v is not None:
            out.append((t, v))
    return out


def minutes(b: Builder, e: int) -> Expr:
    """Minutes employee e works in the horizon."""
    return sum(b.s.shifts[t].length_minutes * v for d in range(b.s.n_days) for t, v in day_shifts(b, e, d))


def reduce_pattern(pattern: Sequence[tuple[Any, int]]) -> list[tuple[Any, int]] | None:
    """The pattern without constants that match; None when a constant cannot match (nothing to forbid)."""
    out = []
    for lit, value in pattern:
        if isinstance(lit, int):
            if lit != value:
                return None
            continue
        out.append((lit, value))
    return out


# ---- hard rules -------------------------------------------------------------------------------


def one_shift_per_day(s: Scenario, b: Builder) -> None:
    """At most one shift per employee and day (the builders tie `work` to the shift variables)."""


def fixed_days_off(s: Scenario, b: Builder) -> None:
    """No shift on a fixed day off: such variables are never created (see `allowed`)."""


def max_shifts_per_type(s: Scenario, b: Builder) -> None:
    """At most max_shifts shifts of a type per employee (ShiftLimits)."""
    for (e, t), limit in s.shift_limits.items():
        xs = [v for d in range(s.n_days) if (v := b.x(e, d, t)) is not None]
        if len(xs) > limit:
            b.add(sum(xs) <= limit, "max_shifts_per_type")


def min_minutes(s: Scenario, b: Builder) -> None:
    """Each employee works at least min_minutes in the horizon."""
    for e, emp in enumerate(s.employees):
        if emp.min_minutes > 0:
            b.add(minutes(b, e) >= emp.min_minutes, "min_minutes")


def max_minutes(s: Scenario, b: Builder) -> None:
    """Each employee works at most max_minutes in the horizon."""
    for e, emp in enumerate(s.employees):
        if emp.max_minutes is not None:
            b.add(minutes(b, e) <= emp.max_minutes, "max_minutes")


def max_consecutive_days(s: Scenario, b: Builder) -> None:
    """No run of more than max_consecutive_days working days."""
    for e, emp in enumerate(s.employees):
        k = emp.max_consecutive_days
        if k is None or k >= s.n_days:
            continue
        for d in range(s.n_days - k):
            window = [b.work(e, d + j) for j in range(k + 1)]
            if all(not isinstance(w, int) for w in window):
                b.add(sum(window) <= k, "max_consecutive_days")


def _no_short_runs(s: Scenario, b: Builder, e: int, least: int, on: int, rule: str) -> None:
    """Forbid runs of `on` (1 = work, 0 = off) shorter than `least` between two days of the other value."""
    n, strict = s.n_days, s.settings.blocks_at_ends == "strict"
    for length in range(1, least):
        for d in range(-1, n - length + 1):
            end = d + length + 1  # the day after the run
            if not strict and (d < 0 or end >= n):
                continue
            pattern: list[tuple[Any, int]] = []
            pattern += [(b.work(e, d) if d >= 0 else 0, 1 - on)]
            pattern += [(b.work(e, d + 1 + j), on) for j in range(length)]
            pattern += [(b.work(e, end) if end < n else 0, 1 - on)]
            if on == 0 and d < 0 or on == 0 and end >= n:
                continue  # days off running into the outside are never too short (outside counts as off)
            b.forbid(pattern, rule)


def min_consecutive_days(s: Scenario, b: Builder) -> None:
    """Runs of working days are at least min_consecutive_days long."""
    for e, emp in enumerate(s.employees):
        if emp.min_consecutive_days > 1:
            _no_short_runs(s, b, e, emp.min_consecutive_days, 1, "min_consecutive_days")


def min_consecutive_days_off(s: Scenario, b: Builder) -> None:
    """Runs of days off (between working days) are at least min_consecutive_days_off long."""
    for e, emp in enumerate(s.employees):
        if emp.min_consecutive_days_off > 1:
            _no_short_runs(s, b, e, emp.min_consecutive_days_off, 0, "min_consecutive_days_off")


def weekend_literals(s: Scenario, b: Builder, e: int) -> list[Any]:
    """One literal per weekend: 1 when employee e works its Saturday or Sunday (cached on the builder)."""
    cache = b.cache.setdefault("weekends", {})
    if e not in cache:
        lits = []
        for k, days in enumerate(s.weekends()):
            works = [w for d in days if not isinstance(w := b.work(e, d), int)]
            if not works:
                lits.append(0)
                continue
            if len(works) == 1:
                lits.append(works[0])
                continue
            lit = b.new_bool(f"weekend_{e}_{k}")
            for w in works:
                b.implies(w, lit, "max_weekends")
            b.add(lit <= sum(works), "max_weekends")
            lits.append(lit)
        cache[e] = lits
    return cache[e]


def max_weekends(s: Scenario, b: Builder) -> None:
    """At most max_weekends weekends worked (a weekend is worked when Saturday or Sunday is)."""
    for e, emp in enumerate(s.employees):
        if emp.max_weekends is not None and emp.max_weekends < len(s.weekends()):
            lits = [w for w in weekend_literals(s, b, e) if not isinstance(w, int)]
            if len(lits) > emp.max_weekends:
                b.add(sum(lits) <= emp.max_weekends, "max_weekends")


def _no_succession(s: Scenario, b: Builder, pairs: frozenset[tuple[int, int]], rule: str) -> None:
    for e in range(len(s.employees)):
        for d in range(s.n_days - 1):
            for a, c in pairs:
                va, vc = b.x(e, d, a), b.x(e, d + 1, c)
                if va is not None and vc is not None:
                    b.forbid([(va, 1), (vc, 1)], rule)


def forbidden_succession(s: Scenario, b: Builder) -> None:
    """No shift on the day after a shift it may not follow (ForbiddenSuccessions)."""
    _no_succession(s, b, s.forbidden, "forbidden_succession")


def min_rest(s: Scenario, b: Builder) -> None:
    """At least min_rest_hours between the end of one shift and the start of the next day's shift."""
    _no_succession(s, b, s.rest_forbidden() - s.forbidden, "min_rest")


def cover_count(b: Builder, c: Any) -> Expr:
    """People with the cover row's skill working its shift on its day."""
    s = b.s
    return sum(
        v
        for e in range(len(s.employees))
        if (c.skill is None or c.skill in s.skills[e]) and (v := b.x(e, c.day, c.shift)) is not None
    )


def cover_minimum(s: Scenario, b: Builder) -> None:
    """Hard cover minimum: at least `minimum` people with the skill on the shift."""
    for c in s.cover:
        if c.hard and c.minimum > 0:
            b.add(cover_count(b, c) >= c.minimum, "cover_minimum")


# ---- soft rules ---------------------------------------------------------------------------------


def cover_under(s: Scenario, b: Builder) -> None:
    """under_weight per person below the preferred cover."""
    for k, c in enumerate(s.cover):
        if c.preferred > 0 and c.under_weight > 0:
            low = c.minimum if c.hard else 0
            under = b.new_int(0, c.preferred - low, f"under_{k}")
            b.add(under + cover_count(b, c) >= c.preferred, "cover_under")
            b.cost("cover_under", c.under_weight, under)


def cover_over(s: Scenario, b: Builder) -> None:
    """over_weight per person above the preferred cover."""
    for k, c in enumerate(s.cover):
        if c.over_weight > 0:
            over = b.new_int(0, len(s.employees), f"over_{k}")
            b.add(cover_count(b, c) - over <= c.preferred, "cover_over")
            b.cost("cover_over", c.over_weight, over)


def shift_on_request(s: Scenario, b: Builder) -> None:
    """Weight of an 'on' request when the employee does not work the requested shift."""
    for r in s.requests:
        if r.on:
            v = b.x(r.employee, r.day, r.shift)
            b.cost("shift_on_request", r.weight, 1 - (0 if v is None else v))


def shift_off_request(s: Scenario, b: Builder) -> None:
    """Weight of an 'off' request when the employee works that shift (any shift when blank)."""
    for r in s.requests:
        if not r.on:
            v = b.work(r.employee, r.day) if r.shift is None else b.x(r.employee, r.day, r.shift)
            if v is not None:
                b.cost("shift_off_request", r.weight, v)


def _spread(s: Scenario, b: Builder, rule: str, weight: float, counts: list[Expr], top: int) -> None:
    hi, lo = b.new_int(0, top, f"{rule}_max"), b.new_int(0, top, f"{rule}_min")
    for c in counts:
        b.add(c <= hi, rule)
        b.add(c >= lo, rule)
    b.cost(rule, weight, hi - lo)


def weekend_fairness(s: Scenario, b: Builder) -> None:
    """weekend_fairness_weight per weekend between the most and the least weekends worked."""
    weight = s.settings.weekend_fairness_weight
    if weight > 0 and len(s.employees) > 1 and s.weekends():
        counts = [sum(weekend_literals(s, b, e)) for e in range(len(s.employees))]
        _spread(s, b, "weekend_fairness", weight, counts, len(s.weekends()))


def night_fairness(s: Scenario, b: Builder) -> None:
    """night_fairness_weight per night shift between the most and the least night shifts worked."""
    nights = [t for t, sh in enumerate(s.shifts) if sh.night]
    weight = s.settings.night_fairness_weight
    if weight > 0 and len(s.employees) > 1 and nights:
        counts = [
            sum(v for d in range(s.n_days) for t in nights if (v := b.x(e, d, t)) is not None)
            for e in range(len(s.employees))
        ]
        _spread(s, b, "night_fairness", weight, counts, s.n_days)


# ---- costs -----------------------------------------------------------------------------------


def labour(s: Scenario, b: Builder) -> None:
    """hourly_cost for every hour worked."""
    for e in range(len(s.employees)):
        regular, _ = s.hourly(e)
        if regular > 0:
            b.cost("labour", regular, minutes(b, e))


def overtime(s: Scenario, b: Builder) -> None:
    """overtime_cost - hourly_cost extra for every hour above contract_minutes."""
    for e, emp in enumerate(s.employees):
        regular, over = s.hourly(e)
        if emp.contract_minutes is None or over <= regular:
            continue
        top = s.n_days * max(sh.length_minutes for sh in s.shifts)
        if emp.max_minutes is not None:
            top = min(top, emp.max_minutes)
        if top <= emp.contract_minutes:
            continue
        extra = b.new_int(0, top - emp.contract_minutes, f"overtime_{e}")
        b.add(minutes(b, e) - extra <= emp.contract_minutes, "overtime")
        b.cost("overtime", over - regular, extra)


RULES: tuple[Rule, ...] = (
    Rule("one_shift_per_day", "hard", "at most one shift per employee and day", one_shift_per_day),
    Rule("fixed_days_off", "hard", "no work on fixed days off", fixed_days_off),
    Rule("max_shifts_per_type", "hard", "most shifts of a type per employee", max_shifts_per_type),
    Rule("min_minutes", "hard", "least minutes worked", min_minutes),
    Rule("max_minutes", "hard", "most minutes worked", max_minutes),
    Rule("max_consecutive_days", "hard", "most working days in a row", max_consecutive_days),
    Rule("min_consecutive_days", "hard", "least working days in a row", min_consecutive_days),
    Rule("min_consecutive_days_off", "hard", "least days off in a row", min_consecutive_days_off),
    Rule("max_weekends", "hard", "most weekends worked", max_weekends),
    Rule("forbidden_succession", "hard", "no forbidden shift the next day", forbidden_succession),
    Rule("min_rest", "hard", "least rest hours between shifts", min_rest),
    Rule("cover_minimum", "hard", "hard minimum cover per day, shift and skill", cover_minimum),
    Rule("cover_under", "soft", "people below preferred cover", cover_under),
    Rule("cover_over", "soft", "people above preferred cover", cover_over),
    Rule("shift_on_request", "soft", "'on' requests not granted", shift_on_request),
    Rule("shift_off_request", "soft", "'off' requests not granted", shift_off_request),
    Rule("weekend_fairness", "soft", "spread of weekends worked", weekend_fairness),
    Rule("night_fairness", "soft", "spread of night shifts worked", night_fairness),
    Rule("labour", "cost", "regular labour cost", labour),
    Rule("overtime", "cost", "overtime premium", overtime),
)

PENALTY_RULES = tuple(r.name for r in RULES if r.level == "soft")


def add_rules(s: Scenario, b: Builder) -> None:
    """Add every rule to the builder."""
    for rule in RULES:
        rule.add(s, b)
