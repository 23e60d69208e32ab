"""Marginal value of capacity: what one more regular hour per resource and period would save.

After the MILP, the production runs (setups) are fixed at the plan's choice and the remaining
LP is solved by HiGHS; the dual of each capacity row is the cost saved by one more hour, valid
for small changes while the plan's runs stay as they are. Pyomo is imported inside functions.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.production.data import Scenario

COLUMNS = ["resource", "period", "value_of_one_more_hour", "spare_hours", "meaning"]
LP_TIME_LIMIT = 60.0


def fixed_lp_duals(m: Any) -> dict[tuple[int, int], float] | None:
    """Solve the MILP's LP with every run fixed at its current value; capacity duals by (resource, period).

    The model is left as it was (runs unfixed, values of the MILP plan restored). None when the LP
    cannot be solved (it then has no meaning to report).
    """
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.results import TerminationCondition
    from pyomo.contrib.solver.solvers.highs import Highs

    saved = {id(v): v.value for v in m.component_data_objects(pyo.Var, descend_into=True)}
    fixed = []
    for v in m.run.values():
        if not v.fixed:
            v.fix(1.0 if (v.value or 0.0) > 0.5 else 0.0)
            v.domain = pyo.NonNegativeReals  # a fixed integer column still makes HiGHS solve a MIP (no duals)
            fixed.append(v)
    try:
        solver = Highs()
        solver.config.time_limit = LP_TIME_LIMIT
        solver.config.load_solutions = False
        solver.config.raise_exception_on_nonoptimal_result = False
        solver.config.solver_options["threads"] = 1
        results = solver.solve(m)
        if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
            return None
        rows = list(m.capacity.values())
        duals = results.solution_loader.get_duals(rows)
        return {key: float(duals[m.capacity[key]]) for key in m.capacity}
    finally:
        for v in fixed:
            v.unfix()
            v.domain = pyo.Binary
        for v in m.component_data_objects(pyo.Var, descend_into=True):
            v.set_value(saved[id(v)], skip_validation=True)


def table(s: Scenario, duals: dict[tuple[int, int], float] | None, hours: list[list[float]]) -> pd.DataFrame:
    """Marginal values sheet: one row per resource and period, in planner words."""
    currency = s.settings.currency
    rows = []
    for r, res in enumerate(s.resources):
        for t, period in enumerate(s.periods):
            spare = max(0.0, s.capacity[r][t] - hours[r][t])
            if duals is None:
                value, meaning = None, "not computed: the plan's LP with fixed runs could not be solved"
            elif (r, t) not in duals:
                value, meaning = 0.0, "nothing is made on this resource in the plan's runs"
            else:
                value = round(max(0.0, -duals[r, t]), 6)  # a <= row in a minimisation has a dual <= 0
                if value > 1e-9:
                    meaning = (
                        f"one more hour of {res.resource} in {period} would save {value:,.2f} {currency}"
                        f" (with the same production runs)"
                    )
                elif spare > 1e-6:
                    meaning = f"not a bottleneck: {spare:,.2f} hours are spare"
                else:
                    meaning = "fully used, but one more hour would save nothing"
            rows.append(
                {
                    "resource": res.resource,
                    "period": period,
                    "value_of_one_more_hour": value,
                    "spare_hours": round(spare, 6),
                    "meaning": meaning,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)
