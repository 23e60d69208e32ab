"""Which backend solves a roster scenario best (for --solver auto)."""

from __future__ import annotations

from models.roster.data import Scenario


def choose_solver(s: Scenario) -> tuple[str, str]:
    """(formulation, reason) for --solver auto."""
    return "cpsat", "CP-SAT is the default for rosters"
