"""Why a schedule cannot be made: the deadlines, releases, job precedences and machine calendars in conflict.

The CP-SAT model is built once more with every such input row behind its own rule literal
(cpsat.build_rules with explaining=True: wide domains that assume none of them), so that
optimizer.backends.cpsat_explain can ask CP-SAT for a small set of rows that cannot all hold
and price the best schedule without them. Operation order within a job, eligible machines and
one operation at a time per machine stay hard: they describe the shop, not a wish.
"""

from __future__ import annotations

from collections.abc import Callable

from models.scheduling import cpsat
from models.scheduling.data import Scenario
from optimizer.backends.cpsat import CpsatModel
from optimizer.backends.cpsat_explain import explain_rows
from optimizer.core.params import SolveParams


def build(s: Scenario) -> cpsat.SchedulingModel:
    """The explanation model: every relaxable rule behind a literal, with the scenario's objective."""
    built = cpsat.build_rules(s, explaining=True)
    cpsat.set_objective(s, built)
    return built


def _copies(s: Scenario, built: cpsat.SchedulingModel) -> Callable[[], CpsatModel]:
    """A builder of fresh copies of one explanation model (the explanation solves it several times)."""

    def copy() -> CpsatModel:
        model = built.model.Clone()
        rules = [(model.GetBoolVarFromProtoIndex(lit.Index()), where, text) for lit, where, text in built.rules]
        return CpsatModel(model, objective_scale=built.objective_scale, parameters=dict(built.parameters), rules=rules)

    return copy


def explain(s: Scenario, params: SolveParams, limit: float) -> list[dict[str, str]]:
    """Diagnostics rows: the input rows whose rules cannot all hold, and the schedule's cost without them."""
    built = build(s)
    rows = explain_rows(_copies(s, built), params, limit)
    if built.restricted:  # a large shop: the proof holds for the machine choices the model kept
        rows.append(
            {
                "severity": "info",
                "location": "Eligible",
                "message": f"large scenario: each operation could use only {built.restricted} of its eligible "
                "machines (a start plan's and the fastest); with every machine a plan may exist",
            }
        )
    return rows
