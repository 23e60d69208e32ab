"""The Curtois & Qu reader: real instances through the normal load path, and malformed files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.roster.formats import detect
from optimizer.core.errors import InputErrors
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.models.roster.checker import check_plan

SHARED = Path(
    os.environ.get("OPTIMIZER_BENCHMARKS", Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks")
)
INSTANCE1 = SHARED / "roster" / "Instance1.txt"
needs_instances = pytest.mark.skipif(not INSTANCE1.exists(), reason="benchmark instances not available")

SMALL = """# a comment
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,600,D

SECTION_STAFF
A,D=7|N=2,3360,960,5,1,1,1
B,D=7|N=0,3360,960,5,1,1,1

SECTION_DAYS_OFF
A,0

SECTION_SHIFT_ON_REQUESTS
B,0,D,3

SECTION_SHIFT_OFF_REQUESTS
A,3,D,2

SECTION_COVER
0,D,1,100,1
1,N,1,100,1
"""


def write(tmp_path: Path, text: str, name: str = "tiny.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_every_section_into_roster_tables(tmp_path: Path) -> None:
    s = load(write(tmp_path, SMALL), "nrp").scenario
    assert s.days == tuple(str(d) for d in range(7)) and s.weekdays[0] == 0
    assert [e.employee for e in s.employees] == ["A", "B"]
    assert s.employees[0].max_minutes == 3360 and s.employees[0].min_minutes == 960
    assert s.shift_limits[(1, 1)] == 0 and s.forbidden == frozenset({(1, 0)})
    assert (0, 0) in s.days_off
    assert len(s.requests) == 2 and s.requests[0].on and not s.requests[1].on
    assert s.cover[1].preferred == 1 and s.cover[1].under_weight == 100
    assert s.settings.blocks_at_ends == "free"


def test_tiny_instance_optimum_by_hand(tmp_path: Path) -> None:
    """B covers D on day 0 (request met), A the night of day 1; both must work 960 min: 2 over-cover days."""
    loaded = load(write(tmp_path, SMALL), "nrp")
    for solver in ("cpsat", "highs"):
        result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=20, gap=0))
        assert result.status is Status.OPTIMAL
        assert check_plan(loaded.scenario, result.plan) == pytest.approx(result.objective)
    assert result.objective == pytest.approx(0.0)


def test_detect() -> None:
    assert detect(Path("x.txt"), SMALL)
    assert not detect(Path("x.txt"), "NAME: X-n101\nTYPE: CVRP")


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (SMALL.replace("A,D=7|N=2,3360,960,5,1,1,1", "A,D=7|N=2,3360,960"), "tiny.txt line 10", "expected 8"),
        (SMALL.replace("A,D=7|N=2", "A,D7|N=2"), "tiny.txt line 10", "SHIFT=NUMBER"),
        (SMALL.replace("SECTION_COVER", "SECTION_WHATEVER"), "tiny.txt", "SECTION_COVER is missing"),
        (SMALL.replace("1,N,1,100,1", "1,N,one,100,1"), "tiny.txt line 24", "preferred"),
        (SMALL.replace("0,D,1,100,1", "0,X,1,100,1"), "tiny.txt line 23", "'X' is not in ShiftTypes"),
        (SMALL.replace("B,0,D,3", "B,9,D,3"), "tiny.txt line 17", "day '9' is not in the roster"),
    ],
)
def test_malformed_files_are_reported_with_their_line(tmp_path: Path, text: str, where: str, what: str) -> None:
    with pytest.raises(InputErrors) as info:
        load(write(tmp_path, text), "nrp")
    errors = [str(e) for e in info.value.errors]
    assert any(where in e and what in e for e in errors), errors


@needs_instances
def test_instance1_solves_to_its_best_known_607() -> None:
    loaded = load(INSTANCE1, "nrp")
    result = solve_loaded(loaded, SolveParams(solver="cpsat", time_limit=30, gap=0))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(607)
    assert check_plan(loaded.scenario, result.plan) == pytest.approx(607)
    roster = result.plan.sheets["Roster"]
    assert set(roster["day"]) <= {str(d) for d in range(14)}
    assert set(roster["employee"]) <= set("ABCDEFGH")
