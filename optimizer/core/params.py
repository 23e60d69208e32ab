"""Solve parameters every backend receives."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SolveParams(BaseModel):
    """Limits and knobs for one solve; every backend honours time_limit and gap."""

    model_config = ConfigDict(frozen=True)

    solver: str = Field("auto", description="backend name, or 'auto' for the kind's default")
    time_limit: float = Field(60.0, gt=0, description="wall-clock seconds for the solver")
    gap: float = Field(1e-3, ge=0, le=1, description="relative optimality gap to stop at")
    threads: int = Field(2, ge=1, le=256, description="solver threads")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="random seed for reproducible runs")
