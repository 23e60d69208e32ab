"""Roster examples (placeholder until the ward example lands)."""

from __future__ import annotations

from typing import Any


def example_tables(scale: int | None, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    return {}
