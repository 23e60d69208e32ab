"""A quick feasible plan to warm-start the MILP and to fall back on: placeholder."""

from __future__ import annotations

from typing import Any

from models.production.data import Scenario


def warm_start(s: Scenario, m: Any) -> bool:
    """Load a feasible plan into the model's variables; False when there is none."""
    return False
