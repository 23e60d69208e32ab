"""Marginal value of capacity: what one more regular hour per resource and period would save.

After the MILP, the production runs (setups) are fixed at the plan's choice and the remaining
LP is solved by HiGHS; the dual of each capacity row is the cost saved by one more hour, valid
for small changes while the plan's runs stay as they are. Pyomo is imported inside functions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.production.data import Scenario

COLUMNS = ["resource", "period", "value_of_one_more_hour", "rate_per_hour", "spare_hours", "meaning"]
LP_TIME_LIMIT = 30.0
RESOLVE_SECONDS = 10.0


@dataclass
class Marginals:
    """Per (resource, period): the dual rate of its capacity row and the exact saving of one more hour."""

    rate: dict[tuple[int, int], float] = field(default_factory=dict)  # cost saved per hour, for small changes
    one_more_hour: dict[tuple[int, int], float] = field(default_factory=dict)


def fixed_lp_marginals(m: Any, seconds: float = LP_TIME_LIMIT) -> Marginals | None:
    """Solve the MILP's LP with every run fixed at its current value; rate and one-hour saving per capacity row.

    The dual of a row holds only while the LP's basis does, which may be less than an hour, so each
    binding row is re-solved with one more hour (warm, a few dual simplex steps) within `seconds`
    in all; rows left over keep the dual rate. The model is left as it was. None when the LP cannot
    be solved in time.
    """
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.results import TerminationCondition
    from pyomo.contrib.solver.solvers.highs import Highs

    started = time.perf_counter()
    saved = {id(v): v.value for v in m.component_data_objects(pyo.Var, descend_into=True)}
    runs = list(m.run.values())
    for v in runs:  # held at the plan's choice by bounds, as continuous columns: an LP with duals
        value = 1.0 if (v.value or 0.0) > 0.5 else 0.0
        v.domain = pyo.UnitInterval
        v.setlb(value)
        v.setub(value)
    try:
        solver = Highs()
        solver.config.time_limit = max(0.5, min(LP_TIME_LIMIT, 0.6 * seconds))
        solver.config.load_solutions = False
        solver.config.raise_exception_on_nonoptimal_result = False
        solver.config.solver_options["threads"] = 1
        solver.config.solver_options["output_flag"] = False
        results = solver.solve(m)
        if results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
            return None
        duals = results.solution_loader.get_duals(list(m.capacity.values()))
        out = Marginals(rate={key: max(0.0, -float(duals[m.capacity[key]])) for key in m.capacity})
        out.one_more_hour = dict(out.rate)
        _resolve_binding(solver, m, out, min(RESOLVE_SECONDS, seconds - (time.perf_counter() - started)))
        return out
    finally:
        for v in runs:
            v.domain = pyo.Binary
            v.setlb(None)
            v.setub(None)
        for v in m.component_data_objects(pyo.Var, descend_into=True):
            v.set_value(saved[id(v)], skip_validation=True)


def _resolve_binding(solver: Any, m: Any, out: Marginals, budget_seconds: float) -> None:
    """Exact saving of one more hour on each row with a positive rate, by re-solving the LP warm."""
    import highspy

    highs = getattr(solver, "_solver_model", None)
    rows = getattr(solver, "_pyomo_con_to_solver_con_map", None)
    if highs is None or rows is None:  # a Pyomo release renamed them: keep the dual rates
        return
    base = highs.getInfo().objective_function_value
    lp = highs.getLp()
    deadline = time.perf_counter() + budget_seconds
    for key, rate in sorted(out.rate.items(), key=lambda kv: -kv[1]):
        if rate <= 1e-9 or time.perf_counter() > deadline:
            continue
        j = rows[m.capacity[key]]
        lower, upper = lp.row_lower_[j], lp.row_upper_[j]
        highs.changeRowBounds(j, lower, upper + 1.0)
        highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            out.one_more_hour[key] = max(0.0, base - highs.getInfo().objective_function_value)
        highs.changeRowBounds(j, lower, upper)


def table(s: Scenario, marginals: Marginals | None, hours: list[list[float]]) -> pd.DataFrame:
    """Marginal values sheet: one row per resource and period, in planner words."""
    currency = s.settings.currency
    rows = []
    for r, res in enumerate(s.resources):
        for t, period in enumerate(s.periods):
            spare = max(0.0, s.capacity[r][t] - hours[r][t])
            rate = value = None
            if marginals is None:
                meaning = "not computed: the plan's LP with fixed runs could not be solved"
            elif (r, t) not in marginals.rate:
                value, rate, meaning = 0.0, 0.0, "nothing can be made on this resource"
            else:
                value, rate = round(marginals.one_more_hour[r, t], 6), round(marginals.rate[r, t], 6)
                if value > 1e-9:
                    meaning = (
                        f"one more hour of {res.resource} in {period} would save {value:,.2f} {currency}"
                        " (with the same production runs)"
                    )
                    if abs(rate - value) > 1e-6:
                        meaning += f"; the first minutes are worth {rate:,.2f} {currency} an hour"
                elif spare > 1e-6:
                    meaning = f"not a bottleneck: {spare:,.2f} hours are spare"
                else:
                    meaning = "fully used, but one more hour would save nothing"
            rows.append(
                {
                    "resource": res.resource,
                    "period": period,
                    "value_of_one_more_hour": value,
                    "rate_per_hour": rate,
                    "spare_hours": round(spare, 6),
                    "meaning": meaning,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)
