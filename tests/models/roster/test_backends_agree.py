"""CP-SAT, the MILP, the LNS and the hybrid chain reach the same optimum on small random rosters."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from optimizer.core.status import Status
from tests.models.roster.helpers import solve_case

SHIFTS = [
    {"shift": "E", "start": "06:00", "length_minutes": 480, "night": "no"},
    {"shift": "L", "start": "14:00", "length_minutes": 480, "night": "no"},
    {"shift": "N", "start": "22:00", "length_minutes": 600, "night": "yes"},
]


def random_case(seed: int) -> dict:
    """4 employees, 7 to 10 days, 3 shift types, every kind of rule with random data."""
    rng = random.Random(seed)
    days = rng.choice([7, 10])
    staff = []
    for k in range(4):
        staff.append(
            {
                "employee": f"P{k}",
                "hourly_cost": rng.choice([0, 10, 12]),
                "overtime_cost": 18,
                "contract_minutes": 1920,
                "min_minutes": rng.choice([0, 960]),
                "max_minutes": rng.choice([2400, 2880, 3600]),
                "max_consecutive_days": rng.choice([3, 4, 5]),
                "min_consecutive_days": rng.choice([1, 2]),
                "min_consecutive_days_off": rng.choice([1, 2]),
                "max_weekends": rng.choice([0, 1, 2]),
            }
        )
    cover = [
        {
            "day": d,
            "shift": sh["shift"],
            "skill": rng.choice([None, None, "senior"]),
            "preferred": rng.randint(0, 2),
            "minimum_policy": "soft",
            "under_weight": rng.choice([50, 100]),
            "over_weight": rng.choice([0, 5]),
        }
        for d in range(days)
        for sh in SHIFTS
    ]
    seen = set()
    cover = [c for c in cover if (k := (c["day"], c["shift"], c["skill"])) not in seen and not seen.add(k)]
    requests = [
        {
            "employee": f"P{rng.randrange(4)}",
            "day": rng.randrange(days),
            "shift": rng.choice(["E", "L", "N"]),
            "request": rng.choice(["on", "off"]),
            "weight": rng.randint(1, 9),
        }
        for _ in range(6)
    ]
    return {
        "days": days,
        "staff": staff,
        "shifts": SHIFTS,
        "cover_rows": cover,
        "settings": {"min_rest_hours": 10, "weekend_fairness_weight": 3, "night_fairness_weight": 2},
        "Skills": [{"employee": "P0", "skill": "senior"}, {"employee": "P2", "skill": "senior"}],
        "ForbiddenSuccessions": [{"shift": "N", "next_shift": "E"}],
        "FixedDaysOff": [{"employee": "P1", "day": rng.randrange(days)}],
        "ShiftLimits": [{"employee": "P3", "shift": "N", "max_shifts": 1}],
        "ShiftRequests": requests,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backends_reach_the_same_optimum(tmp_path: Path, seed: int) -> None:
    case = random_case(seed)
    values = {}
    for solver in ("cpsat", "highs", "hybrid", "lns"):
        out = solve_case(tmp_path, solver=solver, expect=None, time_limit=30, **case)
        assert out.result.status is Status.OPTIMAL, (solver, out.result.status, out.result.message)
        values[solver] = out.result.objective
    first = values["cpsat"]
    assert all(abs(v - first) <= 1e-6 * max(1.0, abs(first)) for v in values.values()), values
