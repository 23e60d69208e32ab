"""The outcome of one run: status, objective, bound, gap, timings and the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimizer.core.status import Status


@dataclass
class Timings:
    """Seconds spent in each stage of a run, and the peak resident memory in MiB."""

    load_seconds: float = 0.0
    build_seconds: float = 0.0
    start_seconds: float = 0.0  # the engine's start heuristic: a first plan, part of the search, not of the build
    solve_seconds: float = 0.0
    write_seconds: float = 0.0
    wall_seconds: float = 0.0
    peak_memory_mb: float = 0.0


@dataclass
class Result:
    """Solver-neutral result; `plan` is the kind's Plan, or None when no plan was found."""

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solver: str = ""
    solver_version: str = ""
    message: str = ""
    timings: Timings = field(default_factory=Timings)
    plan: Any = None
    notes: list[str] = field(default_factory=list)  # what the Summary should say beyond the numbers
    explanation: list[dict[str, str]] = field(default_factory=list)  # Diagnostics rows: why there is no plan
