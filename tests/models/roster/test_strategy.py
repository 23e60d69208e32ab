"""--solver auto: the HiGHS-then-CP-SAT chain for small rosters, CP-SAT with LNS for large ones."""

from __future__ import annotations

from pathlib import Path

from models.roster.strategy import HYBRID_MAX_SIZE, choose_solver, size
from optimizer.core.params import SolveParams
from optimizer.solve import load, solve_loaded
from tests.builders import write_folder


def scenario(tmp_path: Path, employees: int, days: int):
    sheets = {
        "Settings": [{"setting": "kind", "value": "roster"}, {"setting": "horizon_days", "value": days}],
        "Employees": [{"employee": f"E{k}"} for k in range(employees)],
        "ShiftTypes": [{"shift": "D", "length_minutes": 480}, {"shift": "N", "length_minutes": 480}],
        "Cover": [{"day": 0, "shift": "D", "preferred": 1}],
        "FixedDaysOff": [{"employee": "E0", "day": 0}],
    }
    return load(write_folder(tmp_path / f"{employees}x{days}", sheets))


def test_small_rosters_take_the_hybrid_and_large_ones_lns(tmp_path: Path) -> None:
    small = scenario(tmp_path, 3, 7)
    assert size(small.scenario) == 3 * 7 * 2 - 2  # E0's day off has no shift variables
    name, reason = choose_solver(small.scenario)
    assert name == "hybrid" and "HiGHS" in reason
    large = scenario(tmp_path, 40, 28)
    assert size(large.scenario) > HYBRID_MAX_SIZE
    assert choose_solver(large.scenario)[0] == "lns"


def test_auto_states_its_choice_and_the_winning_backend(tmp_path: Path) -> None:
    loaded = scenario(tmp_path, 3, 7)
    result = solve_loaded(loaded, SolveParams(time_limit=20, gap=0))
    assert any("hybrid" in note for note in result.notes)
    assert result.plan.kpis["backend won"] == "highs" and "plan kept from highs" in result.plan.kpis["backends"]
