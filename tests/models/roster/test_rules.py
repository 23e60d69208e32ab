"""Each roster rule alone on a two-employee instance: known optimum on CP-SAT and on the MILP.

Every case is solved by both backends (they must agree), every plan is checked by the
independent checker, and the optimum is worked out by hand in the test's docstring.
"""

from __future__ import annotations

from pathlib import Path

from models.roster.rules import RULES
from optimizer.core.status import Status
from tests.models.roster.helpers import cover, employees, optimum, solve_case

EL = [
    {"shift": "E", "start": "06:00", "length_minutes": 480},
    {"shift": "L", "start": "14:00", "length_minutes": 480},
]


def test_every_rule_is_listed_once_as_hard_soft_or_cost() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert {r.level for r in RULES} == {"hard", "soft", "cost"}
    assert all(r.add.__doc__ for r in RULES)


def test_one_shift_per_day(tmp_path: Path) -> None:
    """E and L both need 2 on the one day: each person works one shift, 2 people short = 200."""
    rows = [cover(0, "E", 2), cover(0, "L", 2)]
    assert optimum(tmp_path, days=1, staff=employees(), shifts=EL, cover_rows=rows) == 200


def test_fixed_days_off(tmp_path: Path) -> None:
    """A is off on day 0, which needs 2: one short = 100."""
    out = optimum(
        tmp_path, days=1, staff=employees(), cover_rows=[cover(0, "D", 2)], FixedDaysOff=[{"employee": "A", "day": 0}]
    )
    assert out == 100


def test_max_shifts_per_type(tmp_path: Path) -> None:
    """A may work D once; days 0 and 1 need 2 each: one short = 100."""
    rows = [cover(0, "D", 2), cover(1, "D", 2)]
    limits = [{"employee": "A", "shift": "D", "max_shifts": 1}]
    assert optimum(tmp_path, days=2, staff=employees(), cover_rows=rows, ShiftLimits=limits) == 100


def test_min_minutes(tmp_path: Path) -> None:
    """A must work 960 minutes (two shifts) although every shift is 1 over the wanted 0: 2."""
    rows = [cover(d, "D", 0, over_weight=1) for d in range(3)]
    staff = [{"employee": "A", "min_minutes": 960}, {"employee": "B"}]
    assert optimum(tmp_path, days=3, staff=staff, cover_rows=rows) == 2


def test_max_minutes(tmp_path: Path) -> None:
    """Each may work 480 minutes; two days need 2 each: two short = 200."""
    rows = [cover(0, "D", 2), cover(1, "D", 2)]
    assert optimum(tmp_path, days=2, staff=employees(max_minutes=480), cover_rows=rows) == 200


def test_max_consecutive_days(tmp_path: Path) -> None:
    """At most 2 days in a row; 3 days need 2 each: each person misses a day, 200."""
    rows = [cover(d, "D", 2) for d in range(3)]
    assert optimum(tmp_path, days=3, staff=employees(max_consecutive_days=2), cover_rows=rows) == 200


def test_min_consecutive_days(tmp_path: Path) -> None:
    """Only the middle day of 5 needs someone; a lone working day inside the horizon is too short: 1 over."""
    rows = [cover(2, "D", 1)] + [cover(d, "D", 0, over_weight=1) for d in (0, 1, 3, 4)]
    staff = employees(min_consecutive_days=2)
    assert optimum(tmp_path, days=5, staff=staff, cover_rows=rows) == 1


def test_min_consecutive_days_allows_short_runs_at_the_ends(tmp_path: Path) -> None:
    """A run touching the first day may be short (it continues before the roster): 0; strict: 1."""
    rows = [cover(0, "D", 1)] + [cover(d, "D", 0, over_weight=1) for d in (1, 2)]
    staff = employees(min_consecutive_days=2)
    assert optimum(tmp_path / "free", days=3, staff=staff, cover_rows=rows) == 0
    strict = {"blocks_at_ends": "strict"}
    assert optimum(tmp_path / "strict", days=3, staff=staff, cover_rows=rows, settings=strict) == 1


def test_min_consecutive_days_off(tmp_path: Path) -> None:
    """B is away; A covers days 1 and 3 and may not rest on day 2 alone: works it, 5 over."""
    rows = [cover(1, "D", 1), cover(3, "D", 1), cover(2, "D", 0, over_weight=5)]
    staff = employees(min_consecutive_days_off=2)
    off = [{"employee": "B", "day": d} for d in range(5)]
    assert optimum(tmp_path, days=5, staff=staff, cover_rows=rows, FixedDaysOff=off) == 5


def test_max_weekends(tmp_path: Path) -> None:
    """One weekend each; both Saturdays of two weeks need 2: two short = 200."""
    rows = [cover(5, "D", 2), cover(12, "D", 2)]
    assert optimum(tmp_path, days=14, staff=employees(max_weekends=1), cover_rows=rows) == 200


def test_max_weekends_counts_a_sunday(tmp_path: Path) -> None:
    """Saturday of week 1 and Sunday of week 2 need 2 each: one weekend each, 200."""
    rows = [cover(5, "D", 2), cover(13, "D", 2)]
    assert optimum(tmp_path, days=14, staff=employees(max_weekends=1), cover_rows=rows) == 200


def test_forbidden_succession(tmp_path: Path) -> None:
    """No E after L; L on day 0 and E on day 1 need 2 each: each works one of them, 200."""
    rows = [cover(0, "L", 2), cover(1, "E", 2)]
    succ = [{"shift": "L", "next_shift": "E"}]
    assert optimum(tmp_path, days=2, staff=employees(), shifts=EL, cover_rows=rows, ForbiddenSuccessions=succ) == 200


def test_min_rest(tmp_path: Path) -> None:
    """L ends 22:00, E starts 06:00: 8 h rest < 11 h; same case as above, 200 (0 without the rule)."""
    rows = [cover(0, "L", 2), cover(1, "E", 2)]
    assert optimum(tmp_path / "no", days=2, staff=employees(), shifts=EL, cover_rows=rows) == 0
    rest = {"min_rest_hours": 11}
    assert optimum(tmp_path / "yes", days=2, staff=employees(), shifts=EL, cover_rows=rows, settings=rest) == 200


def test_cover_minimum_hard(tmp_path: Path) -> None:
    """A hard minimum of 2 outweighs both off requests (50 each): 100."""
    rows = [{"day": 0, "shift": "D", "minimum": 2, "minimum_policy": "hard", "under_weight": 0}]
    req = [{"employee": e, "day": 0, "request": "off", "weight": 50} for e in "AB"]
    assert optimum(tmp_path, days=1, staff=employees(), cover_rows=rows, ShiftRequests=req) == 100


def test_cover_minimum_hard_infeasible(tmp_path: Path) -> None:
    """Three people needed, two employed: infeasible on both backends."""
    rows = [{"day": 0, "shift": "D", "minimum": 3, "minimum_policy": "hard"}]
    for solver in ("cpsat", "highs"):
        out = solve_case(tmp_path, days=1, staff=employees(), cover_rows=rows, solver=solver, expect=None)
        assert out.result.status is Status.INFEASIBLE
        assert out.result.plan is None


def test_cover_under_and_skills(tmp_path: Path) -> None:
    """Two seniors needed, only A is one: 1 short x 30."""
    rows = [cover(0, "D", 2, skill="senior", under_weight=30)]
    skills = [{"employee": "A", "skill": "senior"}]
    assert optimum(tmp_path, days=1, staff=employees(), cover_rows=rows, Skills=skills) == 30


def test_cover_over(tmp_path: Path) -> None:
    """Both must work 480 minutes, the day wants 1: one over x 7."""
    rows = [cover(0, "D", 1, over_weight=7)]
    assert optimum(tmp_path, days=1, staff=employees(min_minutes=480), cover_rows=rows) == 7


def test_shift_on_request(tmp_path: Path) -> None:
    """A asks for day 0 (weight 3) but a second person there costs 5: refused, 3."""
    rows = [cover(0, "D", 0, over_weight=5)]
    req = [{"employee": "A", "day": 0, "shift": "D", "request": "on", "weight": 3}]
    assert optimum(tmp_path, days=1, staff=employees(), cover_rows=rows, ShiftRequests=req) == 3


def test_shift_off_request(tmp_path: Path) -> None:
    """A asks for day 0 off (weight 4); the day needs both: granted costs 100, refused 4."""
    rows = [cover(0, "D", 2)]
    req = [{"employee": "A", "day": 0, "request": "off", "weight": 4}]
    out = solve_case(tmp_path, days=1, staff=employees(), cover_rows=rows, ShiftRequests=req)
    assert out.result.objective == 4
    assert ("A", "0", "D") in out.roster


def test_weekend_fairness(tmp_path: Path) -> None:
    """A asks for both Saturdays (3 each); fairness 10 per weekend of spread: B takes one, 3.

    Both working both Saturdays would be 2 over x 5 = 10, and so would B working the Sundays."""
    rows = [cover(d, "D", int(d in (5, 12)), over_weight=5) for d in (5, 6, 12, 13)]
    req = [{"employee": "A", "day": d, "shift": "D", "request": "on", "weight": 3} for d in (5, 12)]
    fair = {"weekend_fairness_weight": 10}
    assert optimum(tmp_path / "no", days=14, staff=employees(), cover_rows=rows, ShiftRequests=req) == 0
    assert optimum(tmp_path / "yes", days=14, staff=employees(), cover_rows=rows, ShiftRequests=req, settings=fair) == 3


def test_night_fairness(tmp_path: Path) -> None:
    """Two nights, A asks for both (2 each); fairness 5 per night of spread: B takes one, 2."""
    shifts = [{"shift": "N", "start": "22:00", "length_minutes": 600, "night": "yes"}]
    rows = [cover(d, "N", int(d != 1), over_weight=5) for d in range(3)]
    req = [{"employee": "A", "day": d, "shift": "N", "request": "on", "weight": 2} for d in (0, 2)]
    fair = {"night_fairness_weight": 5}
    out = optimum(tmp_path, days=3, staff=employees(), shifts=shifts, cover_rows=rows, ShiftRequests=req, settings=fair)
    assert out == 2


def test_labour(tmp_path: Path) -> None:
    """One 8-hour shift needed: the cheaper A (20/h) works it, 160."""
    staff = [{"employee": "A", "hourly_cost": 20}, {"employee": "B", "hourly_cost": 30}]
    assert optimum(tmp_path, days=1, staff=staff, cover_rows=[cover(0, "D", 1, under_weight=1000)]) == 160


def test_overtime(tmp_path: Path) -> None:
    """A: 30/h for 480 min then 45/h; B: 40/h. Two days need one: A+B = 240+320 = 560 beats A twice (600)."""
    staff = [
        {"employee": "A", "hourly_cost": 30, "overtime_cost": 45, "contract_minutes": 480},
        {"employee": "B", "hourly_cost": 40},
    ]
    rows = [cover(d, "D", 1, under_weight=1000) for d in range(2)]
    assert optimum(tmp_path, days=2, staff=staff, cover_rows=rows) == 560


def test_min_rest_forbids_overlapping_shifts_even_without_a_rest_setting(tmp_path: Path) -> None:
    """N (22:00, 10 h) ends at 08:00, after E starts at 06:00 the next day: never both; 200 short."""
    shifts = [EL[0], {"shift": "N", "start": "22:00", "length_minutes": 600}]
    rows = [cover(0, "N", 2), cover(1, "E", 2)]
    assert optimum(tmp_path, days=2, staff=employees(), shifts=shifts, cover_rows=rows) == 200
