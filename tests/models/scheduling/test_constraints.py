"""Each scheduling rule on its own, on two- or three-operation shops with optima worked out by hand."""

from __future__ import annotations

from pathlib import Path

from tests.models.scheduling.helpers import shop, solve_case


def _rows(result, job: str) -> list[tuple[str, int, int]]:
    frame = result.plan.sheets["Schedule"]
    return [(r.machine, r.start, r.end) for r in frame[frame["job"] == job].itertuples()]


def test_setups_choose_the_cheaper_changeover_order(tmp_path: Path) -> None:
    # A then B costs 3 + 5 + 3 = 11, B then A costs 3 + 1 + 3 = 7
    sheets = shop(
        [{"job": "A", "family": "red"}, {"job": "B", "family": "blue"}],
        {"A": [{"M": 3}], "B": [{"M": 3}]},
        Setups=[
            {"machine": "M", "from_family": "red", "to_family": "blue", "time": 5},
            {"machine": None, "from_family": "blue", "to_family": "red", "time": 1},
        ],
    )
    result = solve_case(tmp_path, sheets)
    assert result.objective == 7
    assert _rows(result, "B") == [("M", 0, 3)] and _rows(result, "A") == [("M", 4, 7)]
    assert result.plan.kpis["total_setup_time"] == 1


def test_calendar_keeps_operations_out_of_unavailable_periods(tmp_path: Path) -> None:
    # the 2-long op fits before the stop at 2; the 4-long one must wait until 10
    sheets = shop(
        [{"job": "A"}, {"job": "B"}],
        {"A": [{"M": 4}], "B": [{"M": 2}]},
        Calendar=[{"machine": "M", "unavailable_from": 2, "unavailable_to": 10}],
    )
    result = solve_case(tmp_path, sheets)
    assert result.objective == 14
    assert _rows(result, "B") == [("M", 0, 2)] and _rows(result, "A") == [("M", 10, 14)]
    assert "off" in set(result.plan.sheets["Gantt"].iloc[0])


def test_release_and_weighted_tardiness(tmp_path: Path) -> None:
    # A (weight 1, due 3) and B (weight 10, due 5, released at 1), 3 each on one machine:
    # A first: A 0-3, B 3-6 -> 10; B first: B 1-4, A 4-7 -> 4. Optimum 4.
    sheets = shop(
        [{"job": "A", "due": 3, "weight": 1}, {"job": "B", "release": 1, "due": 5, "weight": 10}],
        {"A": [{"M": 3}], "B": [{"M": 3}]},
        objective="weighted_tardiness",
    )
    result = solve_case(tmp_path, sheets)
    assert result.objective == 4
    assert _rows(result, "B") == [("M", 1, 4)]
    assert result.plan.kpis["late_jobs"] == 1
    assert result.plan.costs["amount"].sum() == 4


def test_blend_weighs_makespan_and_tardiness(tmp_path: Path) -> None:
    sheets = shop(
        [{"job": "A", "due": 3, "weight": 1}, {"job": "B", "release": 1, "due": 5, "weight": 10}],
        {"A": [{"M": 3}], "B": [{"M": 3}]},
        objective="blend",
    )
    sheets["Settings"] += [{"setting": "makespan_weight", "value": 2}, {"setting": "tardiness_weight", "value": 0.5}]
    result = solve_case(tmp_path, sheets)
    assert result.objective == 2 * 7 + 0.5 * 4


def test_job_precedence(tmp_path: Path) -> None:
    # without the rule both jobs run at 0 on their own machines; with it A waits for B
    sheets = shop(
        [{"job": "A"}, {"job": "B"}],
        {"A": [{"M1": 2}], "B": [{"M2": 5}]},
        JobPrecedence=[{"before": "B", "after": "A"}],
    )
    result = solve_case(tmp_path, sheets)
    assert result.objective == 7
    assert _rows(result, "A") == [("M1", 5, 7)]


def test_machine_choice_uses_each_machines_own_time(tmp_path: Path) -> None:
    # both ops are quicker on M2 (3 vs 4); sharing M2 ends at 6, one on each ends at 4
    sheets = shop([{"job": "A"}, {"job": "B"}], {"A": [{"M1": 4, "M2": 3}], "B": [{"M1": 4, "M2": 3}]})
    result = solve_case(tmp_path, sheets)
    assert result.objective == 4
    assert sorted(m for j in "AB" for m, _, _ in _rows(result, j)) == ["M1", "M2"]


def test_sequence_order_within_a_job(tmp_path: Path) -> None:
    sheets = shop([{"job": "A"}], {"A": [{"M1": 2}, {"M2": 3}, {"M1": 1}]})
    result = solve_case(tmp_path, sheets)
    assert result.objective == 6
    assert _rows(result, "A") == [("M1", 0, 2), ("M2", 2, 5), ("M1", 5, 6)]


def test_equal_sequence_numbers_may_run_in_parallel(tmp_path: Path) -> None:
    sheets = shop([{"job": "A"}], {"A": [{"M1": 2}, {"M2": 3}]})
    sheets["Operations"][1]["sequence"] = 1
    result = solve_case(tmp_path, sheets)
    assert result.objective == 3
