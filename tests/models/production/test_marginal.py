"""Marginal value of capacity: the reported value of one more hour equals the saving of a re-solve with it."""

from __future__ import annotations

import pytest

from tests.models.production.helpers import product, resource, routing, solve_case


def runs(r) -> set[tuple[str, str, str]]:
    frame = r.production[r.production["setup"] == "yes"]
    return set(zip(frame["product"], frame["resource"], frame["period"], strict=True))


def marginal(r, res: str) -> list[float]:
    return r.column("Marginal values", "value_of_one_more_hour", "resource", res)


def test_overtime_price_is_the_value_of_a_regular_hour(tmp_path):
    """Overtime at 3 covers the shortfall: one more regular hour saves 3; a re-solve with 11 hours confirms it."""
    case = dict(
        periods=1,
        products=[product()],
        routings=[routing()],
        demand={"A": [15]},
    )
    base = solve_case(tmp_path / "base", resources=[resource(capacity=10, overtime_cost=3, max_overtime=10)], **case)
    assert marginal(base, "R1") == [pytest.approx(3)]
    more = solve_case(tmp_path / "more", resources=[resource(capacity=11, overtime_cost=3, max_overtime=10)], **case)
    assert base.result.objective - more.result.objective == pytest.approx(3)
    sheet = base.result.plan.sheets["Marginal values"]
    assert "would save 3.00 EUR" in sheet["meaning"].iloc[0]


@pytest.mark.parametrize("period", ["P1", "P2", "P3"])
def test_each_period_against_a_resolve(tmp_path, period):
    """Two products share R1 with a holiday in P2; each reported value matches the re-solve with one more hour there."""
    case = dict(
        periods=3,
        products=[product("A", holding_cost=1, backlog_cost=5), product("B", holding_cost=2, backlog_cost=7)],
        resources=[resource(capacity=10)],
        routings=[routing("A", hours_per_unit=1, setup_cost=3), routing("B", hours_per_unit=0.5, setup_cost=4)],
        demand={"A": [3, 7, 6], "B": [4, 5, 9]},
    )
    holiday = {"resource": "R1", "period": "P2", "capacity": 6}
    base = solve_case(tmp_path / "base", capacity=[holiday], **case)
    values = dict(zip(base.scenario.periods, marginal(base, "R1"), strict=True))
    t = base.scenario.periods.index(period)
    capacity = [holiday] if period != "P2" else []
    capacity.append({"resource": "R1", "period": period, "capacity": base.scenario.capacity[0][t] + 1})
    more = solve_case(tmp_path / f"more-{period}", capacity=capacity, **case)
    assert runs(base) == runs(more)  # the same production runs: the LP's dual is the saving
    assert base.result.objective - more.result.objective == pytest.approx(values[period], abs=1e-6)


def test_spare_capacity_is_worth_nothing(tmp_path):
    r = solve_case(tmp_path, periods=2, products=[product()], routings=[routing()], demand={"A": [5, 5]})
    assert marginal(r, "R1") == [0, 0]
    assert "not a bottleneck" in r.result.plan.sheets["Marginal values"]["meaning"].iloc[0]
