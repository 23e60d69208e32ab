"""What a backend hands back to the runner: a solver-neutral status with its numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from optimizer.core.status import Status, relative_gap


@dataclass
class Progress:
    """One progress report while a solver runs."""

    seconds: float
    incumbent: float | None
    bound: float | None
    gap: float | None


ProgressCallback = Callable[[Progress], None]


@dataclass
class SolverOutcome:
    """A finished solve: status, objective of the incumbent, best bound, gap and solver identity."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    solver_version: str
    raw_status: str = ""
    message: str = ""


def finished(
    status: Status,
    objective: float | None,
    bound: float | None,
    seconds: float,
    solver: str,
    solver_version: str,
    raw_status: str,
    message: str = "",
) -> SolverOutcome:
    """A SolverOutcome with its gap; an optimal solve without a reported bound is bounded by itself."""
    if status is Status.OPTIMAL and bound is None:
        bound = objective
    return SolverOutcome(
        status, objective, bound, relative_gap(objective, bound), seconds, solver, solver_version, raw_status, message
    )
