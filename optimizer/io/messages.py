"""Pydantic validation errors in planner words: 'quantity must be >= 0, got -5'."""

from __future__ import annotations

from typing import Any


def show(value: Any) -> str:
    """A cell value as a planner typed it: -5 not -5.0, text in quotes."""
    if isinstance(value, float):
        if value != value:
            return "NaN"
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"{value:.6g}"  # e.g. 1e99 read as a whole number: its hundred digits would bury the message
    if isinstance(value, str):
        try:
            float(value)
            return value.strip()  # a number read from CSV text
        except ValueError:
            return repr(value)
    return str(value)


def describe(error: dict[str, Any], column: str) -> str:
    """One pydantic error dict as a sentence about `column`."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    got = error.get("input")
    got_text = f", got {show(got)}"
    if kind == "missing":
        return f"{column} is required but the cell is blank"
    if kind == "greater_than_equal":
        return f"{column} must be >= {show(ctx.get('ge'))}{got_text}"
    if kind == "greater_than":
        return f"{column} must be > {show(ctx.get('gt'))}{got_text}"
    if kind == "less_than_equal":
        return f"{column} must be <= {show(ctx.get('le'))}{got_text}"
    if kind == "less_than":
        return f"{column} must be < {show(ctx.get('lt'))}{got_text}"
    if kind == "finite_number":
        return f"{column} must be a finite number{got_text}"
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return f"{column} must be a number{got_text}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{column} must be a whole number{got_text}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{column} must be yes or no{got_text}"
    if kind == "literal_error":
        return f"{column} must be one of {ctx.get('expected')}{got_text}"
    if kind in ("string_type",):
        return f"{column} must be text{got_text}"
    if kind == "string_too_short":
        return f"{column} must not be empty"
    if kind in ("string_too_long", "too_long"):  # an id's length is checked after its text is made: "too_long"
        length = ctx.get("actual_length") or (len(got) if isinstance(got, str) else None)
        return f"{column} is too long (at most {ctx.get('max_length')} characters" + (
            f", got {length})" if length else ")"
        )
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return f"{column}: {message}" if column else message
