"""Raw tables from workbooks and CSV folders: headers, blank rows, and the location of every cell."""

from __future__ import annotations

import pytest

from optimizer.core.errors import InputErrors
from optimizer.io.tables import RawTable, column_letter, normalise_header, read_csv_folder, read_tables, read_workbook
from tests.builders import write_sheets


@pytest.mark.parametrize(
    "index,letters",
    [
        (0, "A"),
        (1, "B"),
        (2, "C"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
    ],
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters


@pytest.mark.parametrize(
    "raw,name",
    [
        ("Unit cost ", "unit_cost"),
        ("unit_cost", "unit_cost"),
        ("  QUANTITY", "quantity"),
        ("Lead-Time (periods)", "lead_time_periods"),
        ("Min order qty", "min_order_qty"),
        ("variance %", "variance"),
        (None, ""),
        ("   ", ""),
        (3, "3"),
    ],
)
def test_normalise_header(raw, name):
    assert normalise_header(raw) == name


def test_header_below_row_one_and_blank_rows_keep_their_sheet_row_numbers(tmp_path):
    path = write_sheets(
        tmp_path / "t.xlsx",
        {
            "Demand": [
                [None, None, None],
                [None, None, None],
                ["Item", "Period ", "QUANTITY"],  # header on row 3, normalised
                ["A", "W1", 1],  # row 4
                [None, None, None],  # row 5: blank, dropped
                ["  ", None, ""],  # row 6: only whitespace, dropped
                ["B", "W2", 2],  # row 7
            ]
        },
    )
    table = read_workbook(path)["Demand"]
    assert table.header == ["item", "period", "quantity"]
    assert table.header_row == 3
    assert table.header_cell() == "Demand!A3"
    assert table.row_numbers == [4, 7]
    assert [r[:3] for r in table.rows] == [["A", "W1", 1], ["B", "W2", 2]]
    assert table.cell(0, "quantity") == "Demand!C4"
    assert table.cell(1, "item") == "Demand!A7"
    assert table.cell(1, "no_such_column") == "Demand!row 7"
    assert table.cell(1, None) == "Demand!row 7"


def test_table_starting_in_a_later_column_keeps_real_column_letters(tmp_path):
    path = write_sheets(tmp_path / "t.xlsx", {"Demand": [[None, "item", "period", "quantity"], [None, "A", "W1", -1]]})
    table = read_workbook(path)["Demand"]
    assert table.columns == {"item": 1, "period": 2, "quantity": 3}
    assert table.cell(0, "quantity") == "Demand!D2"
    assert table.records() == [{"item": "A", "period": "W1", "quantity": -1}]


def test_records_leave_out_blank_cells_and_strip_text():
    table = RawTable(
        "Items", "Items", ["item", "description", "unit_cost"], [["  A ", "   ", 3], ["B", None, None]], [2, 3]
    )
    assert table.records() == [{"item": "A", "unit_cost": 3}, {"item": "B"}]


def test_short_rows_and_duplicate_headers():
    table = RawTable("X", "X", ["a", "b", "a", ""], [["1"]], [2])
    assert table.columns == {"a": 0, "b": 1}  # the first of two equal headers wins, blank headers are ignored
    assert table.records() == [{"a": "1"}]


def test_empty_sheet_has_no_header_and_no_rows(tmp_path):
    path = write_sheets(tmp_path / "t.xlsx", {"Empty": [], "Other": [["a"], [1]]})
    tables = read_workbook(path)
    assert tables["Empty"].header == [] and tables["Empty"].rows == []
    assert tables["Other"].row_numbers == [2]


def test_csv_folder_tables_are_named_by_file_and_located_by_file_name(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "Demand.csv").write_text("item,period,quantity\nA,W1,1\n\nA,W2,-5\n", encoding="utf-8")
    (folder / "Items.csv").write_bytes("\ufeffItem,Unit Cost\nA,3\n".encode())  # Excel's BOM
    (folder / "notes.txt").write_text("ignored")
    tables = read_csv_folder(folder)
    assert set(tables) == {"Demand", "Items"}
    demand = tables["Demand"]
    assert demand.label == "Demand.csv"
    assert demand.row_numbers == [2, 4]  # the blank line 3 is dropped, line numbers are kept
    assert demand.cell(1, "quantity") == "Demand.csv!C4"
    assert demand.cell(0, "period") == "Demand.csv!B2"
    assert tables["Items"].header == ["item", "unit_cost"]
    assert tables["Items"].records() == [{"item": "A", "unit_cost": "3"}]


def test_csv_that_is_not_utf8_is_an_input_error_naming_the_file(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "Items.csv").write_bytes(b"item,description\nA,caf\xe9 cr\xe8me\n")
    (folder / "Demand.csv").write_text("item,period,quantity\n")
    with pytest.raises(InputErrors) as caught:
        read_csv_folder(folder)
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].location == "Items.csv"
    assert "UTF-8" in caught.value.errors[0].message


def test_read_tables_reports_missing_wrong_and_empty_inputs(tmp_path):
    with pytest.raises(InputErrors) as missing:
        read_tables(tmp_path / "nope.xlsx")
    assert [str(e) for e in missing.value.errors] == [f"{tmp_path / 'nope.xlsx'}: file or folder does not exist"]

    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(InputErrors) as wrong:
        read_tables(text)
    assert wrong.value.errors[0].location == "notes.txt"
    assert "is not a scenario" in wrong.value.errors[0].message

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputErrors) as none:
        read_tables(empty)
    assert [str(e) for e in none.value.errors] == [f"{empty}: folder holds no .csv files"]


def test_non_workbook_renamed_xlsx_is_an_input_error(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("item,period,quantity\nA,W1,3\n")
    with pytest.raises(InputErrors) as caught:
        read_tables(fake)
    (error,) = caught.value.errors
    assert error.location == "fake.xlsx"
    assert error.message.startswith("is not a readable Excel workbook (.xlsx)")


def test_read_tables_detects_a_workbook_by_its_extension_in_any_case(tmp_path):
    path = write_sheets(tmp_path / "t.xlsx", {"S": [["a"], [1]]})
    upper = path.rename(tmp_path / "T.XLSX")
    assert read_tables(upper)["S"].records() == [{"a": 1}]
