"""Bad roster input: every problem reported with its cell, nothing solved."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.core.errors import InputErrors
from optimizer.solve import load
from tests.builders import write_folder


def sheets(**changes: list[dict]) -> dict[str, list[dict]]:
    base = {
        "Settings": [{"setting": "kind", "value": "roster"}, {"setting": "horizon_days", "value": 7}],
        "Employees": [{"employee": "A"}, {"employee": "B"}],
        "ShiftTypes": [{"shift": "D", "start": "08:00", "length_minutes": 480}],
        "Cover": [{"day": 0, "shift": "D", "preferred": 1}],
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("changes", "where", "what"),
    [
        ({"Cover": [{"day": 9, "shift": "D", "preferred": 1}]}, "Cover.csv!A2", "day '9' is not in the roster"),
        ({"Cover": [{"day": 0, "shift": "X", "preferred": 1}]}, "Cover.csv!B2", "'X' is not in ShiftTypes"),
        (
            {"Cover": [{"day": 0, "shift": "D", "preferred": 1}, {"day": 0, "shift": "D", "preferred": 2}]},
            "Cover.csv!A3",
            "duplicate",
        ),
        (
            {"Cover": [{"day": 0, "shift": "D", "minimum": 2, "preferred": 1}]},
            "Cover.csv!D2",
            "below minimum",
        ),
        ({"Employees": [{"employee": "A", "min_minutes": 900, "max_minutes": 480}]}, "Employees.csv!B2", "above"),
        (
            {"ShiftRequests": [{"employee": "A", "day": 1, "request": "on", "weight": 1}]},
            "ShiftRequests.csv",
            "needs a shift",
        ),
        (
            {"ShiftTypes": [{"shift": "D", "start": "8h", "length_minutes": 480}]},
            "ShiftTypes.csv!B2",
            "start",
        ),
        (
            {"ShiftTypes": [{"shift": "D", "length_minutes": 480, "colour": "yellow"}]},
            "ShiftTypes.csv!C2",
            "colour",
        ),
        ({"Budget": [{"category": "labour", "period": "W9", "amount": 10}]}, "Budget.csv!B2", "not a week"),
    ],
)
def test_bad_cells_are_reported_with_their_location(tmp_path: Path, changes: dict, where: str, what: str) -> None:
    with pytest.raises(InputErrors) as info:
        load(write_folder(tmp_path, sheets(**changes)))
    errors = [str(e) for e in info.value.errors]
    assert any(e.startswith(where) and what in e for e in errors), errors


def test_start_date_names_days_by_date_and_sets_weekdays(tmp_path: Path) -> None:
    settings = [{"setting": "kind", "value": "roster"}, {"setting": "horizon_days", "value": 14}]
    settings.append({"setting": "start_date", "value": "2027-01-09"})  # a Saturday
    cover = [{"day": "2027-01-10", "shift": "D", "preferred": 1}]
    s = load(write_folder(tmp_path, sheets(Settings=settings, Cover=cover))).scenario
    assert s.days[0] == "2027-01-09" and s.weekdays[:3] == (5, 6, 0)
    assert s.weekends() == [[0, 1], [7, 8]]
    assert s.cover[0].day == 1
