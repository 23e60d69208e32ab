"""Backend families by name: the one table that says which module solves which kind of model.

Modules are imported only when a family is used, so a missing optional library costs nothing
until a scenario needs it. Each module has
`solve(model, params, limit, progress, warm_start) -> SolverOutcome`; the Pyomo one also takes `beside`
(work of the engine's own to run while its solver does, see optimizer.backends.beside).
"""

from __future__ import annotations

import importlib
from typing import Any

from optimizer.backends.beside import Beside
from optimizer.backends.outcome import ProgressCallback, SolverOutcome
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams

BACKENDS: dict[str, str] = {
    "pyomo": "optimizer.backends.pyomo_milp",
    "cpsat": "optimizer.backends.cpsat",
    "cpsat_lns": "optimizer.backends.cpsat_lns",  # CP-SAT with neighbourhoods a kind names
    "chain": "optimizer.backends.chain",  # stages of other backends, each handing its plan on as a start
    "pyvrp": "optimizer.backends.pyvrp_solver",
    "ortools_routing": "optimizer.backends.ortools_routing",
}


def backend_solve(
    family: str,
    model: Any,
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
    beside: Beside | None = None,
) -> SolverOutcome:
    """Solve `model` with the backend of `family` within `limit` seconds."""
    module_name = BACKENDS.get(family)
    if module_name is None:
        raise UsageError(f"no backend for formulation family '{family}'; families: {', '.join(BACKENDS)}")
    module = importlib.import_module(module_name)
    if beside is not None:
        return module.solve(model, params, limit, progress, warm_start, beside=beside)
    return module.solve(model, params, limit, progress, warm_start)
