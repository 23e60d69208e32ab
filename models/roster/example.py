"""Roster examples: a 4-week hospital ward (20 nurses, skills, requests), or N nurses for trials.

Shifts are early, late and night with 11 hours' rest between them; every shift needs a senior
nurse and a hard minimum of nurses; full-time and part-time contracts pay overtime above the
contract hours; nurses ask for shifts and days off, and some have leave booked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

START = dt.date(2027, 1, 4)  # a Monday
DAYS = 28
SHIFTS = [
    {"shift": "E", "start": "07:00", "length_minutes": 480, "night": "no", "colour": "#FFE699"},
    {"shift": "L", "start": "14:30", "length_minutes": 480, "night": "no", "colour": "#9DC3E6"},
    {"shift": "N", "start": "22:00", "length_minutes": 600, "night": "yes", "colour": "#8E7CC3"},
]
# preferred and hard minimum nurses per shift on weekdays; weekends need one fewer preferred
NEED = {"E": (5, 3), "L": (4, 3), "N": (3, 2)}
FULL_TIME = {"contract_minutes": 9120, "min_minutes": 7680, "max_minutes": 10560}
PART_TIME = {"contract_minutes": 4800, "min_minutes": 3840, "max_minutes": 6240}


def _staff(rng: np.random.Generator, n: int) -> tuple[list[dict], list[dict]]:
    staff, skills = [], []
    for k in range(n):
        emp = f"N{k + 1:03d}"
        senior = k % 3 == 0
        full = k % 4 != 3
        hourly = float(np.round(rng.uniform(34, 42) if senior else rng.uniform(27, 33), 2))
        staff.append(
            {
                "employee": emp,
                "name": f"Nurse {k + 1}",
                "hourly_cost": hourly,
                "overtime_cost": round(hourly * 1.5, 2),
                **(FULL_TIME if full else PART_TIME),
                "max_consecutive_days": 5,
                "min_consecutive_days": 2,
                "min_consecutive_days_off": 2,
                "max_weekends": 3 if full else 2,
            }
        )
        skills.append({"employee": emp, "skill": "rn"})
        if senior:
            skills.append({"employee": emp, "skill": "senior"})
    return staff, skills


def example_tables(scale: int | None, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Rows for every sheet: the 20-nurse ward, or `scale` nurses with cover in proportion."""
    rng = np.random.default_rng(seed)
    n = 20 if scale is None else max(4, scale)
    factor = n / 20
    days = [(START + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    staff, skills = _staff(rng, n)
    cover = []
    for d, day in enumerate(days):
        weekend = (START + dt.timedelta(days=d)).weekday() >= 5
        for shift, (preferred, minimum) in NEED.items():
            pref = max(1, round((preferred - weekend) * factor))
            low = min(pref, max(1, round(minimum * factor)))
            cover.append(
                {
                    "day": day,
                    "shift": shift,
                    "skill": "rn",
                    "minimum": low,
                    "preferred": pref,
                    "minimum_policy": "hard",
                    "under_weight": 400,
                    "over_weight": 40,
                }
            )
            seniors = round(factor)  # hard minimum of seniors; every shift wants at least one
            cover.append(
                {
                    "day": day,
                    "shift": shift,
                    "skill": "senior",
                    "minimum": seniors,
                    "preferred": max(1, seniors),
                    "minimum_policy": "hard",
                    "under_weight": 400,
                    "over_weight": 0,
                }
            )
    requests, days_off = [], []
    for k, emp in enumerate(staff):
        for _ in range(int(rng.integers(1, 4))):
            d = int(rng.integers(0, DAYS))
            if rng.random() < 0.5:
                requests.append(
                    {
                        "employee": emp["employee"],
                        "day": days[d],
                        "shift": None,
                        "request": "off",
                        "weight": float(rng.choice([40, 80, 150])),
                    }
                )
            else:
                shift = str(rng.choice(["E", "L"]))
                requests.append(
                    {
                        "employee": emp["employee"],
                        "day": days[d],
                        "shift": shift,
                        "request": "on",
                        "weight": float(rng.choice([30, 60])),
                    }
                )
        if k % 5 == 2:  # a week of leave
            first = int(rng.integers(0, DAYS - 7))
            days_off += [{"employee": emp["employee"], "day": days[d]} for d in range(first, first + 5)]
    weeks = [f"W{w + 1}" for w in range(DAYS // 7)]
    weekly = sum(e["hourly_cost"] * e["contract_minutes"] / 60 for e in staff) / len(weeks)
    budget = [{"category": "labour", "period": w, "amount": round(weekly, -2)} for w in weeks]
    budget += [
        {"category": "overtime", "period": None, "amount": round(weekly * 0.2, -2)},
        {"category": "penalties", "period": None, "amount": round(500 * factor, -1)},
    ]
    name = "ward-4-weeks" if scale is None else f"synthetic-{n}-nurses"
    return {
        "Settings": [
            {"setting": "kind", "value": "roster"},
            {"setting": "name", "value": name},
            {"setting": "currency", "value": "EUR"},
            {"setting": "horizon_days", "value": DAYS},
            {"setting": "start_date", "value": START.isoformat()},
            {"setting": "min_rest_hours", "value": 11},
            {"setting": "weekend_fairness_weight", "value": 50},
            {"setting": "night_fairness_weight", "value": 20},
        ],
        "Employees": staff,
        "ShiftTypes": SHIFTS,
        "Skills": skills,
        "ShiftLimits": [{"employee": e["employee"], "shift": "N", "max_shifts": 8} for e in staff],
        "ForbiddenSuccessions": [{"shift": "N", "next_shift": "E"}, {"shift": "N", "next_shift": "L"}],
        "FixedDaysOff": days_off,
        "ShiftRequests": requests,
        "Cover": cover,
        "Budget": budget,
    }


def short_staffed_tables(seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """The ward with 12 of its 20 nurses away in week 2: its hard minimum cover cannot be met (infeasible)."""
    rows = example_tables(None, seed)
    away = [e["employee"] for e in rows["Employees"][:12]]
    week2 = [(START + dt.timedelta(days=d)).isoformat() for d in range(7, 14)]
    taken = {(r["employee"], r["day"]) for r in rows["FixedDaysOff"]}
    rows["FixedDaysOff"] += [{"employee": e, "day": d} for e in away for d in week2 if (e, d) not in taken]
    rows["Settings"] = [r for r in rows["Settings"] if r["setting"] != "name"]
    rows["Settings"].append({"setting": "name", "value": "ward-short-staffed"})
    return rows
