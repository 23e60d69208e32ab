"""The greedy warm start is a real plan: every hard rule holds, checked by the independent checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.inventory.heuristic import greedy_plan
from models.inventory.plan import extract
from optimizer.kinds import get_kind
from optimizer.reports.template import write_template
from optimizer.solve import load
from tests.models.inventory.checker import check_plan


@pytest.mark.parametrize("scale, seed", [(None, 7), (40, 1), (80, 2)])
def test_greedy_plan_satisfies_every_hard_rule(tmp_path: Path, scale, seed) -> None:
    path = tmp_path / "scenario.xlsx"
    write_template(get_kind("inventory"), path, example=True, scale=scale, seed=seed)
    scenario = load(path).scenario
    values = greedy_plan(scenario)
    assert values is not None
    plan = extract(scenario, values)
    cost = check_plan(scenario, plan)
    assert cost > 0
    assert len(plan.sheets["Orders"]) > 0
