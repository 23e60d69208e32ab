"""Reusable typed column kinds for scenario schemas (ids, quantities, money), with their units.

Each column's description and unit feed the template's help sheet, so a schema is the one
place that says what a column means.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

BIG = 1e9  # larger numbers in a planning sheet are typing mistakes and break solvers numerically


def _id_text(value: Any) -> Any:
    """Ids typed as numbers (101, 101.0) become the text '101', dates '2027-01-04'."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


def _free_text(value: Any) -> Any:
    """Free text typed as a number, date or TRUE/FALSE reads as the sheet shows it: 42 -> '42', 2.5 -> '2.5'."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    value = _id_text(value)
    return str(value) if isinstance(value, (int, float)) else value


def _yes_no(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("yes", "y", "true", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("no", "n", "false", "0"):
        return False
    return value


def lower_text(value: Any) -> Any:
    """Choices are matched whatever their case: 'Inventory' is 'inventory'."""
    return value.strip().lower() if isinstance(value, str) else value


Id = Annotated[str, BeforeValidator(_id_text), StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Text = Annotated[str, BeforeValidator(_free_text)]  # a description or name: whatever the planner typed, as text


def column(description: str, unit: str = "", **constraints: Any) -> Any:
    """A pydantic Field carrying the planner-facing description and unit of a column."""
    return Field(description=description, json_schema_extra={"unit": unit}, **constraints)


def quantity(description: str, unit: str = "units", default: Any = ..., **constraints: Any) -> Any:
    """A non-negative amount no larger than BIG."""
    constraints.setdefault("ge", 0)
    constraints.setdefault("le", BIG)
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)
