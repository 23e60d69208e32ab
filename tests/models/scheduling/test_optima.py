"""Known optima on tiny random shops, found by brute force in the test, for each objective."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.models.scheduling.helpers import brute_force, shop, solve_case


def random_shop(seed: int, objective: str) -> dict:
    """3 jobs, 5 operations, 2 machines, some with a choice; setups, a stop, releases, dues, a precedence."""
    rng = random.Random(seed)
    jobs = [
        {
            "job": j,
            "release": rng.randint(0, 3),
            "due": rng.randint(4, 12),
            "weight": rng.choice([1, 2, 3]),
            "family": rng.choice(["x", "y"]),
        }
        for j in "ABC"
    ]
    lengths = {"A": 2, "B": 2, "C": 1}
    ops = {}
    for j, n in lengths.items():
        steps = []
        for _ in range(n):
            if rng.random() < 0.4:
                steps.append({"M1": rng.randint(1, 5), "M2": rng.randint(1, 5)})
            else:
                steps.append({rng.choice(["M1", "M2"]): rng.randint(1, 5)})
        ops[j] = steps
    extra = {
        "Setups": [
            {"machine": None, "from_family": "x", "to_family": "y", "time": rng.randint(0, 3)},
            {"machine": "M1", "from_family": "y", "to_family": "x", "time": rng.randint(0, 3)},
        ],
        "Calendar": [{"machine": "M2", "unavailable_from": 3, "unavailable_to": 3 + rng.randint(1, 4)}],
    }
    if seed % 2:
        extra["JobPrecedence"] = [{"before": "C", "after": "A"}]
    sheets = shop(jobs, ops, objective=objective, **extra)
    sheets["Settings"] += [{"setting": "makespan_weight", "value": 1.5}, {"setting": "tardiness_weight", "value": 1}]
    return sheets


@pytest.mark.parametrize("objective", ["makespan", "weighted_tardiness", "blend"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimum_matches_brute_force(tmp_path: Path, seed: int, objective: str) -> None:
    sheets = random_shop(seed, objective)
    result = solve_case(tmp_path, sheets)
    assert result.objective == pytest.approx(brute_force(sheets))


def test_same_seed_same_schedule(tmp_path: Path) -> None:
    sheets = random_shop(4, "blend")
    first = solve_case(tmp_path / "a", sheets).plan.sheets["Schedule"]
    second = solve_case(tmp_path / "b", sheets).plan.sheets["Schedule"]
    assert first.equals(second)
