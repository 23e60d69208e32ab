"""A plan in neutral tables: what the writers and the JSON summary need, nothing solver-specific."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DIAGNOSTIC_COLUMNS = ["severity", "location", "message"]
COST_COLUMNS = ["category", "period", "amount"]


@dataclass
class Plan:
    """Plan sheets in writing order, costs by category and period, KPIs and diagnostics."""

    sheets: dict[str, pd.DataFrame]
    costs: pd.DataFrame  # columns COST_COLUMNS
    kpis: dict[str, float | int | str] = field(default_factory=dict)
    diagnostics: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DIAGNOSTIC_COLUMNS))

    def cost_by_category(self) -> dict[str, float]:
        if self.costs.empty:
            return {}
        totals = self.costs.groupby("category", sort=False)["amount"].sum()
        return {str(k): float(v) for k, v in totals.items()}
