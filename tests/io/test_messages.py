"""Pydantic errors in planner words: values shown as typed, one sentence per error kind."""

import pytest

from optimizer.io.messages import describe, show


@pytest.mark.parametrize(
    "value,text",
    [
        (-5.0, "-5"),
        (-5, "-5"),
        (10**99, "1e+99"),
        (999_999_999_999, "999999999999"),
        (2.5, "2.5"),
        (1e300, "1e+300"),
        (float("nan"), "NaN"),
        ("abc", "'abc'"),
        (None, "None"),
    ],
)
def test_show(value, text):
    assert show(value) == text


@pytest.mark.parametrize(
    "error,text",
    [
        ({"type": "missing"}, "qty is required but the cell is blank"),
        ({"type": "greater_than_equal", "ctx": {"ge": 0}, "input": -5.0}, "qty must be >= 0, got -5"),
        ({"type": "greater_than", "ctx": {"gt": 0}, "input": 0}, "qty must be > 0, got 0"),
        ({"type": "less_than_equal", "ctx": {"le": 1e9}, "input": 2e9}, "qty must be <= 1e+09, got 2e+09"),
        ({"type": "finite_number", "input": "inf"}, "qty must be a finite number, got inf"),
        ({"type": "float_parsing", "input": "abc"}, "qty must be a number, got 'abc'"),
        ({"type": "int_from_float", "input": 1.5}, "qty must be a whole number, got 1.5"),
        ({"type": "bool_parsing", "input": "perhaps"}, "qty must be yes or no, got 'perhaps'"),
        (
            {"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}, "input": "c"},
            "qty must be one of 'a' or 'b', got 'c'",
        ),
        ({"type": "string_type", "input": 12}, "qty must be text, got 12"),
        ({"type": "string_too_short"}, "qty must not be empty"),
        ({"type": "string_too_long", "ctx": {"max_length": 200}}, "qty is too long (at most 200 characters)"),
        (
            {"type": "too_long", "ctx": {"max_length": 200, "actual_length": 300}, "input": "x" * 300},
            "qty is too long (at most 200 characters, got 300)",
        ),
        ({"type": "value_error", "msg": "Value error, no good"}, "qty: no good"),
    ],
)
def test_describe(error, text):
    assert describe(error, "qty") == text
