"""Input errors read as 'Sheet!Cell: what is wrong' and InputErrors carries every one of them."""

from optimizer.core.errors import InputError, InputErrors


def test_input_error_text_with_and_without_location():
    assert str(InputError("Demand!C7", "quantity must be >= 0, got -5")) == "Demand!C7: quantity must be >= 0, got -5"
    assert str(InputError("", "something is wrong")) == "something is wrong"


def test_input_errors_keeps_every_error_in_order():
    errors = [InputError("Items!B2", "first"), InputError("Demand!C3", "second"), InputError("Budget", "third")]
    exc = InputErrors(errors)
    assert exc.errors == errors
    assert str(exc).splitlines() == ["Items!B2: first", "Demand!C3: second", "Budget: third"]
