"""Reusable column kinds: ids and free text typed as numbers become text, yes/no words become booleans, quantities are
bounded."""

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from optimizer.io.fields import BIG, Id, Text, YesNo, quantity


class Row(BaseModel):
    code: Id
    note: Text = ""
    flag: YesNo = False
    amount: float = quantity("an amount", default=0.0)


@pytest.mark.parametrize("value,text", [(101, "101"), (101.0, "101"), ("  A1 ", "A1"), ("007", "007")])
def test_ids_are_text(value, text):
    assert Row(code=value).code == text


@pytest.mark.parametrize("value", ["", "   ", 1.5, True, "x" * 201])
def test_bad_ids(value):
    with pytest.raises(ValidationError):
        Row(code=value)


@pytest.mark.parametrize(
    "word,flag", [("yes", True), (" Y ", True), ("TRUE", True), ("no", False), ("n", False), ("0", False)]
)
def test_yes_no(word, flag):
    assert Row(code="a", flag=word).flag is flag


@pytest.mark.parametrize("amount,ok", [(0, True), (BIG, True), (-0.01, False), (BIG * 1.0001, False)])
def test_quantity_bounds(amount, ok):
    if ok:
        assert Row(code="a", amount=amount).amount == amount
    else:
        with pytest.raises(ValidationError):
            Row(code="a", amount=amount)


@pytest.mark.parametrize(
    "value,text",
    [("Line 2, old press", "Line 2, old press"), (42, "42"), (42.0, "42"), (2.5, "2.5"), (-5, "-5"), (True, "TRUE")]
    + [(dt.datetime(2027, 1, 4), "2027-01-04"), ("", "")],
)
def test_free_text_is_what_the_sheet_shows(value, text):
    """A description typed as a number or a date is still a description: Excel stores it as one, not as text."""
    assert Row(code="a", note=value).note == text
