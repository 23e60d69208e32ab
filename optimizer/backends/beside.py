"""Work the engine does beside a solver that runs in its own process: the kind's start heuristic, then improving it.

For models too large for the solver to take the start plan (see pyomo_milp), the solver works on
the bound from the first second while this process makes the start plan and improves it by
fix-and-optimize over the kind's neighbourhoods; the better of the two plans is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Beside:
    """The kind's side of the work: a timed start heuristic and its neighbourhoods of model variables."""

    start: Callable[[float], bool]  # seconds it may use -> True when the model then holds a feasible plan
    # stages of groups of the model's variables freed together; the next stage once a round of one finds nothing cheaper
    neighbourhoods: Callable[[], list[list[list[Any]]]]
    start_first: bool = False  # the start runs before the solver, which takes its plan (a model small enough)
