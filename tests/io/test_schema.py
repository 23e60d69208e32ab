"""Validation of a real workbook through `optimizer.solve.load`: every planner mistake is an error with
its exact `Sheet!Cell` location, and all of them are reported together."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.core.errors import InputErrors
from optimizer.io.schema import RowModel, TableSpec, validate
from optimizer.io.tables import RawTable
from optimizer.kinds import get_kind
from optimizer.reports.template import write_template
from optimizer.solve import load
from tests.builders import edit_cells, tiny_sheets, tiny_workbook

ITEM_COLUMNS = (
    "item, description, unit_cost, holding_cost, shortage_cost, shortage_policy, initial_stock, "
    "safety_stock, safety_stock_policy, safety_penalty, volume"
)


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        load(path)
    return [str(e) for e in caught.value.errors]


@pytest.fixture
def example(tmp_path) -> Path:
    path = tmp_path / "example.xlsx"
    write_template(get_kind("inventory"), path, example=True)
    return path


def test_tiny_workbook_is_valid(tmp_path):
    loaded = load(tiny_workbook(tmp_path / "tiny.xlsx"))
    assert loaded.kind.name == "inventory"
    assert loaded.name == "tiny"
    assert loaded.scenario.periods == ("W1", "W2", "W3", "W4")
    assert [i.item for i in loaded.scenario.items] == ["A", "B", "C"]
    assert loaded.scenario.demand[0] == (0.0, 10.0, 12.0, 8.0)
    assert len(loaded.sha256) == 64


def test_example_template_is_valid(example):
    loaded = load(example)
    assert loaded.kind.name == "inventory"
    assert loaded.name == "retail-example"


def test_negative_demand_in_example_row_7(example):
    edit_cells(example, {"Demand": {"C7": -5}})
    assert errors_of(example) == ["Demand!C7: quantity must be >= 0, got -5"]


def test_text_in_a_number_cell(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Items": {"C4": "cheap"}})
    assert errors_of(path) == ["Items!C4: holding_cost must be a number, got 'cheap'"]


def test_text_in_a_whole_number_cell(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"ItemSuppliers": {"C2": 1.5}})
    assert errors_of(path) == ["ItemSuppliers!C2: lead_time must be a whole number, got 1.5"]


def test_unknown_reference(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"A4": "X9"}})
    assert errors_of(path) == ["Demand!A4: item 'X9' is not in Items"]


def test_unknown_period_reference_in_budget(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Budget": {"B2": "W9"}})
    assert errors_of(path) == ["Budget!B2: period 'W9' is not in Periods"]


def test_duplicate_ids(tmp_path):
    path = tiny_workbook(
        tmp_path / "t.xlsx",
        Suppliers=[["supplier"], ["S1"], ["S2"], ["S1"]],
        Periods=[["period"], ["W1"], ["W2"], ["W3"], ["W4"], ["W2"]],
    )
    assert sorted(errors_of(path)) == [
        "Periods!A6: duplicate period 'W2' (first at row 3)",
        "Suppliers!A4: duplicate supplier 'S1' (first at row 2)",
    ]


def test_duplicate_of_a_composite_key(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"B3": "W2"}})
    assert errors_of(path) == ["Demand!A3: duplicate item 'A', period 'W2' (first at row 2)"]


def test_numeric_ids_are_text_so_101_and_101_0_collide(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Suppliers=[["supplier"], [101], ["101"], ["S1"]])
    assert errors_of(path) == ["Suppliers!A3: duplicate supplier '101' (first at row 2)"]


def test_missing_sheet_names_the_expected_columns(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Periods=None)
    assert errors_of(path) == [
        "Periods: sheet Periods is missing; it needs columns period, warehouse_capacity, purchasing_budget"
    ]


def test_optional_sheet_may_be_missing(tmp_path):
    loaded = load(tiny_workbook(tmp_path / "t.xlsx", Budget=None))
    assert loaded.scenario.budget == ()


def test_missing_column_names_the_expected_columns(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Demand=[["item", "period", "qty"], ["A", "W1", 3]])
    assert errors_of(path) == ["Demand!A1: missing column(s) quantity; expected columns: item, period, quantity"]


def test_missing_column_located_at_a_header_below_row_one(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Demand=[[None], ["item", "period"], ["A", "W1"]])
    assert errors_of(path) == ["Demand!A2: missing column(s) quantity; expected columns: item, period, quantity"]


def test_empty_table(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Suppliers=[["supplier", "name"]], ItemSuppliers=None)
    errors = errors_of(path)
    assert "Suppliers: table is empty; add at least one row under supplier, name, capacity" in errors


def test_blank_sheet_of_a_required_table(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Periods=[])
    assert "Periods: sheet is empty; it needs columns period, warehouse_capacity, purchasing_budget" in errors_of(path)


def test_demand_may_be_empty(tmp_path):
    loaded = load(tiny_workbook(tmp_path / "t.xlsx", Demand=[["item", "period", "quantity"]]))
    assert loaded.scenario.demand == ((0.0,) * 4,) * 3


def test_wrong_choice_in_a_literal_column(tmp_path):
    sheets = tiny_sheets()
    policies = ["shortage_policy", "backorder", "", "later"]
    items = [row + [policy] for row, policy in zip(sheets["Items"], policies, strict=True)]
    path = tiny_workbook(tmp_path / "t.xlsx", Items=items)
    assert errors_of(path) == ["Items!E4: shortage_policy must be one of 'backorder' or 'lost_sale', got 'later'"]


def test_blank_required_cell(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"C5": None}})
    assert errors_of(path) == ["Demand!C5: quantity is required but the cell is blank"]


@pytest.mark.parametrize(
    "value,message",
    [
        ("NaN", "quantity must be a finite number, got NaN"),
        ("inf", "quantity must be a finite number, got inf"),
        (1e300, "quantity must be <= 1e+09, got 1e+300"),
        (1e9 + 1, "quantity must be <= 1e+09, got 1e+09"),
    ],
)
def test_nan_infinite_and_huge_numbers(tmp_path, value, message):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"C6": value}})
    assert errors_of(path) == [f"Demand!C6: {message}"]


def test_a_true_false_cell_is_not_a_quantity(tmp_path):
    """TRUE in a quantity cell is a typing or paste mistake; it must not silently become 1 unit."""
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"C6": True}})
    assert errors_of(path) == ["Demand!C6: quantity must be a number, got 'TRUE'"]


def test_limit_itself_is_accepted(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"C6": 1e9}})
    assert load(path).scenario.demand[1][2] == 1e9


def test_cross_column_rule_is_located_at_its_column(tmp_path):
    path = tiny_workbook(
        tmp_path / "t.xlsx",
        ItemSuppliers=[["item", "supplier", "min_order_qty", "max_order_qty"], ["A", "S1", 10, 50], ["B", "S1", 10, 5]],
    )
    assert errors_of(path) == ["ItemSuppliers!C3: min_order_qty 10 is larger than max_order_qty 5"]


def test_pack_size_must_be_positive(tmp_path):
    path = tiny_workbook(
        tmp_path / "t.xlsx", ItemSuppliers=[["item", "supplier", "pack_size"], ["A", "S1", 0], ["B", "S1", 6]]
    )
    assert errors_of(path) == ["ItemSuppliers!C2: pack_size must be > 0, got 0"]


def test_settings_error_is_located_at_its_value_cell(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Settings=[["setting", "value"], ["kind", "inventory"], ["Currency", 12]])
    assert errors_of(path) == ["Settings!B3: setting currency must be text, got 12"]


def test_a_misspelt_setting_is_an_error_that_names_the_nearest_setting(tmp_path):
    """Ignored, a misspelt row would leave its setting at the default without a word to the planner."""
    path = tiny_workbook(
        tmp_path / "t.xlsx", Settings=[["setting", "value"], ["kind", "inventory"], ["Curency", "USD"], ["colour", 1]]
    )
    errors = errors_of(path)
    assert [e.split(";")[0].split(" (")[0] for e in errors] == [
        "Settings!A3: unknown setting 'Curency'",
        "Settings!A4: unknown setting 'colour'",
    ]
    assert "did you mean currency?" in errors[0] and "did you mean" not in errors[1]
    known = sorted({*get_kind("inventory").settings.model_fields, "kind", "max_rows"})
    assert errors[1].endswith(f"(the settings: {', '.join(known)})")


def test_a_setting_given_twice_is_an_error_at_the_second_row(tmp_path):
    path = tiny_workbook(
        tmp_path / "t.xlsx",
        Settings=[["setting", "value"], ["kind", "inventory"], ["currency", "EUR"], ["name", "x"], ["Currency", "USD"]],
    )
    assert errors_of(path) == ["Settings!A5: setting currency is given twice (first at A3)"]


@pytest.mark.parametrize(
    ("value", "shown"), [("many", "'many'"), ("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"), (0, "0")]
)
def test_max_rows_must_be_a_whole_number_and_a_valid_one_is_accepted(tmp_path, value, shown):
    bad = tiny_workbook(
        tmp_path / "bad.xlsx", Settings=[["setting", "value"], ["kind", "inventory"], ["max_rows", value]]
    )
    assert errors_of(bad) == [f"Settings!B3: setting max_rows must be a whole number >= 1, got {shown}"]
    good = tiny_workbook(
        tmp_path / "good.xlsx", Settings=[["setting", "value"], ["kind", "inventory"], ["max_rows", 5000]]
    )
    assert load(good).kind.name == "inventory"


def test_an_id_over_200_characters_says_how_long_it_is(tmp_path):
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Demand": {"A2": "x" * 300}})
    assert errors_of(path) == ["Demand!A2: item is too long (at most 200 characters, got 300)"]


def test_a_misspelt_optional_column_is_an_error_at_its_header_and_a_planners_own_column_is_not(tmp_path):
    """Ignored, 'Safety stock (units)' would leave every item's safety stock at 0 without a word; 'Notes' is the
    planner's own column and stays allowed."""
    items = [
        ["item", "unit_cost", "holding_cost", "shortage_cost", "Safety stock (units)", "Notes"],
        ["A", 10, 0.5, 5, 4, "fragile"],
        ["B", 4, 0.2, 3, 0, ""],
        ["C", 2, 0.1, 1, 0, ""],
    ]
    (error,) = errors_of(tiny_workbook(tmp_path / "t.xlsx", Items=items))
    assert error.startswith(
        "Items!E1: column 'safety_stock_units' is not one this sheet reads; did you mean safety_stock?"
    )
    items[0][4] = "safety_stock"
    assert load(tiny_workbook(tmp_path / "ok.xlsx", Items=items)).kind.name == "inventory"


def test_a_misspelt_optional_sheet_is_an_error_and_a_planners_own_sheet_is_not(tmp_path):
    orders = [["item", "supplier", "arrival_period", "quantity"], ["A", "S1", "W2", 5]]
    (error,) = errors_of(tiny_workbook(tmp_path / "t.xlsx", OpenOrder=orders, Notes=[["note"], ["call S1"]]))
    assert error.startswith("OpenOrder: sheet 'OpenOrder' is not one this kind reads; did you mean OpenOrders?")
    loaded = load(tiny_workbook(tmp_path / "ok.xlsx", OpenOrders=orders, Notes=[["note"], ["call S1"]]))
    assert loaded.scenario.receipts[0] == (0.0, 5.0, 0.0, 0.0)  # item A's open order arrives in W2


def test_every_error_is_collected_not_just_the_first(tmp_path):
    path = edit_cells(
        tiny_workbook(tmp_path / "t.xlsx"),
        {
            "Demand": {"C7": -5, "A4": "X9"},
            "Items": {"D4": "lots"},
            "ItemSuppliers": {"C3": -1},
        },
    )
    assert sorted(errors_of(path)) == sorted(
        [
            "Demand!C7: quantity must be >= 0, got -5",
            "Demand!A4: item 'X9' is not in Items",
            "Items!D4: shortage_cost must be a number, got 'lots'",
            "ItemSuppliers!C3: lead_time must be >= 0, got -1",
        ]
    )


def test_three_mistakes_in_three_sheets_give_three_errors(example):
    edit_cells(example, {"Demand": {"C7": -5}, "ItemSuppliers": {"D2": "soon"}, "Budget": {"C3": -100}})
    assert sorted(errors_of(example)) == [
        "Budget!C3: amount must be >= 0, got -100",
        "Demand!C7: quantity must be >= 0, got -5",
        "ItemSuppliers!D2: lead_time must be a whole number, got 'soon'",
    ]


def test_a_row_with_two_independent_mistakes_reports_both(tmp_path):
    """A bad quantity must not hide the unknown period in the same row (the period cell itself is valid text)."""
    path = tiny_workbook(
        tmp_path / "t.xlsx",
        Demand=[["item", "period", "quantity"], ["A", "W9", -1], ["B", "W1", 2]],
    )
    assert sorted(errors_of(path)) == [
        "Demand!B2: period 'W9' is not in Periods",
        "Demand!C2: quantity must be >= 0, got -1",
    ]


# A mistake in a row of a table that other sheets refer to must be reported once, not as a flood of
# "'X' is not in <table>" messages about ids that are in fact listed there.


def test_a_row_with_a_mistake_still_counts_as_listed_for_references(tmp_path):
    """One mistake, one message: item B is listed in Items (row 3), so no sheet may call it unknown."""
    path = edit_cells(tiny_workbook(tmp_path / "t.xlsx"), {"Items": {"D3": None}})
    assert errors_of(path) == ["Items!D3: shortage_cost is required but the cell is blank"]


def test_one_bad_period_cell_in_the_example_gives_one_error(example):
    edit_cells(example, {"Periods": {"B3": "big"}})
    assert errors_of(example) == ["Periods!B3: warehouse_capacity must be a number, got 'big'"]


def test_a_missing_column_does_not_make_every_listed_id_unknown(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Suppliers=[["Supplier ID", "name"], ["S1", "Acme"]])
    assert errors_of(path) == ["Suppliers!A1: missing column(s) supplier; expected columns: supplier, name, capacity"]


def test_non_xlsx_file_renamed_xlsx(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    (error,) = errors_of(path)
    assert error.startswith("plan.xlsx: is not a readable Excel workbook (.xlsx)")


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "scenario.xlsx"
    assert errors_of(path) == [f"{path}: file or folder does not exist"]


def test_workbook_without_settings_sheet(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Settings=None)
    (error,) = errors_of(path)
    assert error.startswith("Settings: sheet Settings is missing; it needs a row 'kind' with one of: ")
    assert "inventory" in error


def test_settings_without_kind(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Settings=[["setting", "value"], ["name", "x"]])
    assert errors_of(path) == ["Settings: no row with setting 'kind'; add one, e.g. kind | inventory"]


def test_unknown_kind(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Settings=[["setting", "value"], ["name", "x"], ["kind", "bakery"]])
    assert errors_of(path) == [
        "Settings!B3: kind must be one of production, scheduling, inventory, routing, roster, got 'bakery'"
    ]


def test_kind_is_case_and_space_insensitive(tmp_path):
    path = tiny_workbook(tmp_path / "t.xlsx", Settings=[["Setting", "Value"], [" KIND ", " Inventory "]])
    assert load(path).kind.name == "inventory"


# --- validate() on in-memory raw tables: the mechanism, independent of any kind ---------------------------------


class _Row(RowModel):
    code: str
    size: float


def _raw(name: str, header: list[str], rows: list[list], first_row: int = 2) -> RawTable:
    return RawTable(name, name, header, rows, list(range(first_row, first_row + len(rows))), header_row=first_row - 1)


def test_validate_collects_errors_across_tables_and_keeps_good_rows():
    from pydantic import BaseModel

    class NoSettings(BaseModel):
        pass

    specs = [TableSpec("Parts", _Row, "parts", key=("code",)), TableSpec("Extra", _Row, "extra", required=False)]
    raw = {"Parts": _raw("Parts", ["code", "size"], [["a", 1], ["b", -1.5], ["a", "x"], ["c", 2]])}
    # -1.5 is fine for a plain float; 'x' is not, and the row's valid code cell is still checked for duplicates
    with pytest.raises(InputErrors) as caught:
        validate(raw, specs, NoSettings)
    assert [str(e) for e in caught.value.errors] == [
        "Parts!B4: size must be a number, got 'x'",
        "Parts!A4: duplicate code 'a' (first at row 2)",
    ]

    raw = {"parts": _raw("parts", ["code", "size"], [["a", 1], ["c", 2]])}  # sheet names match case-insensitively
    validated = validate(raw, specs, NoSettings)
    assert [r.code for r in validated.rows("Parts")] == ["a", "c"]
    assert "Extra" not in validated.tables
    assert validated.tables["Parts"].location(1, "size") == "parts!B3"


def test_an_id_typed_as_a_number_in_a_row_with_errors_still_satisfies_references():
    """Items row: id typed as the number 101 and a bad cost; Demand's '101' must not be called unknown."""
    from pydantic import BaseModel

    from optimizer.io.fields import Id

    class Item(RowModel):
        item: Id
        cost: float

    class Need(RowModel):
        item: Id
        qty: float

    class NoSettings(BaseModel):
        pass

    specs = [
        TableSpec("Items", Item, "items", key=("item",)),
        TableSpec("Needs", Need, "needs", references={"item": ("Items", "item")}),
    ]
    raw = {
        "Items": _raw("Items", ["item", "cost"], [[101.0, "cheap"]]),
        "Needs": _raw("Needs", ["item", "qty"], [["101", 5]]),
    }
    with pytest.raises(InputErrors) as caught:
        validate(raw, specs, NoSettings)
    assert [str(e) for e in caught.value.errors] == ["Items!B2: cost must be a number, got 'cheap'"]
