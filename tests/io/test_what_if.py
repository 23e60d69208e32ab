"""What-if scenarios change raw input cells by name; their mistakes are located in the Scenarios sheet."""

from __future__ import annotations

import pytest

from optimizer.core.errors import InputErrors
from optimizer.io.tables import RawTable
from optimizer.io.what_if import apply_what_if, scenario_names

HEADER = ["scenario", "sheet", "column", "change", "value", "where"]


def raw(name: str, header: list[str], rows: list[list]) -> RawTable:
    return RawTable(name, name, header, [list(r) for r in rows], list(range(2, 2 + len(rows))))


def tables(*changes: list) -> dict[str, RawTable]:
    return {
        "Demand": raw("Demand", ["item", "period", "quantity"], [["A", "W1", 10], ["A", "W2", 20], ["B", "W1", 5]]),
        "Budget": raw("Budget", ["category", "period", "amount"], [["purchasing", None, 1000]]),
        "Scenarios": raw("Scenarios", HEADER, list(changes)),
    }


def column_of(table: RawTable, name: str) -> list:
    return [row[table.columns[name]] for row in table.rows]


def test_changes_of_one_scenario_apply_together_and_the_input_is_untouched():
    given = tables(
        ["peak", "Demand", "quantity", "percent", 10, None],
        ["peak", "Budget", "Amount", "multiply", 0.95, None],
        ["other", "Demand", "quantity", "set", 0, None],
    )
    changed = apply_what_if(given, "peak")
    assert column_of(changed["Demand"], "quantity") == pytest.approx([11, 22, 5.5])
    assert column_of(changed["Budget"], "amount") == pytest.approx([950])
    assert column_of(given["Demand"], "quantity") == [10, 20, 5]  # the original tables are not changed
    assert scenario_names(given) == ["peak", "other"]


def test_where_limits_a_change_to_matching_rows():
    changed = apply_what_if(tables(["A down", "Demand", "quantity", "add", -4, "item=A; period = W2"]), "A down")
    assert column_of(changed["Demand"], "quantity") == [10, 16, 5]
    changed = apply_what_if(tables(["B set", "Demand", "quantity", "set", 7, "item=b"]), "B set")
    assert column_of(changed["Demand"], "quantity") == [10, 20, 7]


def test_a_workbook_without_scenarios_lists_none():
    assert scenario_names({"Demand": tables()["Demand"]}) == []


@pytest.mark.parametrize(
    "change, message",
    [
        (["x", "Orders", "quantity", "set", 1, None], "Scenarios!B2: sheet 'Orders' is not in the workbook"),
        (["x", "Demand", "qty", "set", 1, None], "Scenarios!C2: sheet Demand has no column 'qty'"),
        (["x", "Demand", "quantity", "set", 1, "colour=red"], "Scenarios!F2: sheet Demand has no column 'colour'"),
        (["x", "Demand", "quantity", "set", 1, "item=Z"], "Scenarios!F2: no row of Demand matches 'item=Z'"),
        (["x", "Demand", "quantity", "percent", "lots", None], "Scenarios!E2: 'percent' needs a number, got 'lots'"),
        (["x", "Demand", "item", "add", 1, None], "Scenarios!E2: cannot add the text 'A'"),
        (["x", "Demand", "quantity", "double", 2, None], "Scenarios!D2: change must be one of"),
    ],
)
def test_mistakes_are_located_in_the_scenarios_sheet(change, message):
    with pytest.raises(InputErrors) as caught:
        apply_what_if(tables(change), "x")
    assert str(caught.value.errors[0]).startswith(message)


def test_an_unknown_scenario_name_lists_the_known_ones():
    with pytest.raises(InputErrors) as caught:
        apply_what_if(tables(["peak", "Demand", "quantity", "set", 1, None]), "slump")
    assert str(caught.value.errors[0]) == "Scenarios: no what-if scenario named 'slump'; the sheet lists: peak"
