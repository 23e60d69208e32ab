"""Marginal value of capacity: what one more regular hour per resource and period would save.

After the MILP, the production runs (setups) are fixed at the plan's choice and the remaining
LP is solved by HiGHS; the dual of each capacity row is the cost saved by one more hour, valid
for small changes while the plan's runs stay as they are. Pyomo is imported inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.production.data import Scenario
from optimizer.backends.fixed_lp import fixed_lp_values

COLUMNS = ["resource", "period", "value_of_one_more_hour", "rate_per_hour", "spare_hours", "meaning"]
LP_TIME_LIMIT = 30.0


@dataclass
class Marginals:
    """Per (resource, period): the dual rate of its capacity row and the exact saving of one more hour."""

    rate: dict[tuple[int, int], float] = field(default_factory=dict)  # cost saved per hour, for small changes
    one_more_hour: dict[tuple[int, int], float] = field(default_factory=dict)


def fixed_lp_marginals(m: Any, seconds: float = LP_TIME_LIMIT) -> Marginals | None:
    """Rate and one-hour saving per capacity row, from the LP with every production run held at the plan's choice.

    The dual of a row holds only while the LP's basis does, which may be less than an hour, so each
    binding row is also re-solved with one more hour (see optimizer.backends.fixed_lp). None when the
    LP cannot be solved in `seconds`.
    """
    values = fixed_lp_values(m, m.run.values(), dict(m.capacity.items()), seconds=seconds)
    if values is None:
        return None
    return Marginals(rate=dict(values.rate), one_more_hour=dict(values.one_more))


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
