"""The Budget sheet every kind may have: amount per cost category and period, compared in 'Budget impact'.

Only the cost categories and what a period is differ between kinds, so one function makes the
sheet's schema for each.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, create_model

from optimizer.io.fields import Id, column, lower_text, quantity
from optimizer.io.schema import RowModel, TableSpec

DESCRIPTION = "budget per cost category and period, compared with the plan in 'Budget impact'"


def budget_table(
    categories: tuple[str, ...], period_meaning: str, periods_table: str | None = None, description: str = DESCRIPTION
) -> TableSpec:
    """The Budget sheet of a kind with these cost categories; periods refer to `periods_table` when given."""
    category = Annotated[Literal[categories], BeforeValidator(lower_text)]  # type: ignore[valid-type]
    row = create_model(
        "BudgetRow",
        __base__=RowModel,
        category=(category, column("cost category: " + ", ".join(categories))),
        period=(Id | None, column(period_meaning, default=None)),
        amount=(float, quantity("budgeted amount", "money")),
    )
    references = {"period": (periods_table, "period")} if periods_table else {}
    return TableSpec(
        "Budget",
        row,
        description,
        key=("category", "period"),
        references=references,
        required=False,
        allow_empty=True,
    )
