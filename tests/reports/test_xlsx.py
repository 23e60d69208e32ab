"""The xlsx writer, checked by opening what it wrote with openpyxl: order, styling, safety, atomicity."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from optimizer.reports.xlsx import HEADER_FILL, Sheet, safe_table_name, write_workbook
from tests.builders import files_in

ORDERS = pd.DataFrame(
    {
        "item": ["A", "B", "C"],
        "supplier": ["S1", "S1", "S2"],
        "quantity": [10, 20, 30],
        "cost": [100.5, 2000.25, 12.0],
        "unit_cost": [10.05, 100.0125, 0.4],
        "lead": [1.5, 2.0, 0.25],
        "variance %": [0.1, -0.2, None],
    }
)


def summary_sheet() -> Sheet:
    frame = pd.DataFrame([("status", "optimal"), ("objective", 2112.75), ("gap", 0.0)], columns=["item", "value"])
    return Sheet("Summary", frame, as_table=False)


@pytest.fixture
def book(tmp_path) -> openpyxl.Workbook:
    path = tmp_path / "out" / "plan.xlsx"  # the folder does not exist yet
    write_workbook(
        path,
        [
            Sheet("Orders", ORDERS),
            Sheet("Budget impact", ORDERS[["item", "cost"]]),
            Sheet("Diagnostics", ORDERS[["item"]]),
        ],
        first="Summary",
        fill_first=summary_sheet,
    )
    assert files_in(tmp_path) == {"out/plan.xlsx"}
    return openpyxl.load_workbook(path)


def header(ws) -> list:
    return [c.value for c in ws[1]]


def column_of(ws, name: str) -> str:
    return openpyxl.utils.get_column_letter(header(ws).index(name) + 1)


def test_reserved_first_sheet_comes_first_then_sheets_in_order(book):
    assert book.sheetnames == ["Summary", "Orders", "Budget impact", "Diagnostics"]
    summary = book["Summary"]
    assert [[c.value for c in row] for row in summary.iter_rows()] == [
        ["item", "value"],
        ["status", "optimal"],
        ["objective", 2112.75],
        ["gap", 0],
    ]
    assert summary.freeze_panes == "A2"
    assert summary["B4"].number_format == "0.0%"  # the gap reads as a percentage


def test_table_sheet_has_frozen_header_and_an_excel_table(book):
    ws = book["Orders"]
    assert ws.freeze_panes == "A2"
    assert list(ws.tables) == ["T_Orders"]
    assert ws.tables["T_Orders"].ref == "A1:G4"
    assert book["Budget impact"].tables["T_Budget_impact"].ref == "A1:B4"
    assert header(ws) == list(ORDERS.columns)
    assert [c.value for c in ws[2]][:4] == ["A", "S1", 10, 100.5]


def test_header_is_styled(book):
    for cell in book["Orders"][1]:
        assert cell.font.b
        assert cell.fill.fgColor.rgb == "FF" + HEADER_FILL.lstrip("#")


def test_number_formats_by_column(book):
    ws = book["Orders"]
    expected = {"cost": "#,##0.00", "unit_cost": "#,##0.00", "variance %": "0.0%", "quantity": "0", "lead": "#,##0.###"}
    for name, number_format in expected.items():
        letter = column_of(ws, name)
        assert ws[f"{letter}2"].number_format == number_format, name
        assert ws[f"{letter}3"].number_format == number_format, name
    assert ws[f"{column_of(ws, 'item')}2"].number_format == "General"


def test_column_widths_are_set_from_the_content(book):
    ws = book["Orders"]
    widths = {letter: dim.width for letter, dim in ws.column_dimensions.items()}
    for name in ORDERS.columns:
        assert widths.get(column_of(ws, name), 0) >= 8, name
    assert widths[column_of(ws, "variance %")] >= len("variance %") + 2 - 0.5


def test_missing_values_are_blank_cells(book):
    ws = book["Orders"]
    assert ws[f"{column_of(ws, 'variance %')}4"].value is None


def test_formula_like_text_is_written_as_text(tmp_path):
    texts = ["=1+2", "@SUM(A1)", "+CMD|' /C calc'!A0", "-2+3", '=HYPERLINK("http://x")', "http://example.com", "0012"]
    path = tmp_path / "plan.xlsx"
    write_workbook(
        path,
        [Sheet("Orders", pd.DataFrame({"item": texts}))],
        first="Summary",
        fill_first=lambda: Sheet("Summary", pd.DataFrame({"item": texts, "value": texts}), as_table=False),
    )
    book = openpyxl.load_workbook(path)
    cells = [book["Orders"].cell(row=i + 2, column=1) for i in range(len(texts))]
    cells += [book["Summary"].cell(row=i + 2, column=j) for i in range(len(texts)) for j in (1, 2)]
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
    assert [c.value for c in cells[: len(texts)]] == texts


def test_nan_and_infinity_are_blank_not_errors(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_workbook(path, [Sheet("Numbers", pd.DataFrame({"x": [1.0, math.nan, math.inf, -math.inf]}))])
    ws = openpyxl.load_workbook(path)["Numbers"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == [1, None, None, None]


def test_empty_frame_still_gets_its_header_row(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_workbook(path, [Sheet("Orders", ORDERS.iloc[0:0])])
    ws = openpyxl.load_workbook(path)["Orders"]
    assert header(ws) == list(ORDERS.columns)
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"
    assert ws["A1"].fill.fgColor.rgb == "FF" + HEADER_FILL.lstrip("#")


def test_validations_and_header_notes(tmp_path):
    path = tmp_path / "t.xlsx"
    rule = {"validate": "list", "source": ["backorder", "lost_sale"]}
    write_workbook(
        path,
        [
            Sheet(
                "Items",
                pd.DataFrame({"item": ["A"], "policy": ["backorder"]}),
                validations={"policy": rule},
                header_notes={"policy": "what happens"},
            )
        ],
    )
    ws = openpyxl.load_workbook(path)["Items"]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"backorder,lost_sale"'
    assert str(validation.sqref).startswith("B2:B")
    assert ws["B1"].comment is not None and "what happens" in ws["B1"].comment.text


def test_long_sheet_names_are_cut_to_excels_31_characters(tmp_path):
    path = tmp_path / "t.xlsx"
    name = "A very long sheet name that Excel refuses"
    write_workbook(path, [Sheet(name, pd.DataFrame({"a": [1]}))])
    assert openpyxl.load_workbook(path).sheetnames == [name[:31]]


def test_safe_table_name():
    assert safe_table_name("Budget impact") == "T_Budget_impact"
    assert safe_table_name("Reorder policy") == "T_Reorder_policy"


# --- atomic writing --------------------------------------------------------------------------------------------


def unwritable_sheet() -> Sheet:
    """A real failure half-way through: XlsxWriter refuses a dict cell value (TypeError: Unsupported type)."""
    return Sheet("Broken", pd.DataFrame({"item": ["A", "B"], "detail": ["fine", {"not": "writable"}]}))


def test_failure_mid_way_leaves_no_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "plan.xlsx"
    with pytest.raises(TypeError):
        write_workbook(
            target,
            [Sheet("Orders", ORDERS), unwritable_sheet(), Sheet("Later", ORDERS)],
            first="Summary",
            fill_first=summary_sheet,
        )
    import gc

    gc.collect()  # an unclosed XlsxWriter workbook must not write anything when collected either
    assert files_in(tmp_path) == set()


def test_failure_mid_way_leaves_an_existing_target_intact(tmp_path):
    target = tmp_path / "plan.xlsx"
    write_workbook(target, [Sheet("Orders", ORDERS)])
    before = target.read_bytes()
    with pytest.raises(TypeError):
        write_workbook(target, [unwritable_sheet()])
    assert target.read_bytes() == before
    assert files_in(tmp_path) == {"plan.xlsx"}
    assert openpyxl.load_workbook(target).sheetnames == ["Orders"]


def test_failure_while_filling_the_first_sheet_last_leaves_nothing(tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous plan")

    def failing_summary() -> Sheet:
        raise RuntimeError("summary could not be built")

    with pytest.raises(RuntimeError, match="summary could not be built"):
        write_workbook(target, [Sheet("Orders", ORDERS)], first="Summary", fill_first=failing_summary)
    assert target.read_bytes() == b"previous plan"
    assert files_in(tmp_path) == {"plan.xlsx"}


def test_failure_while_iterating_a_frame(tmp_path):
    """Failure injection in the data itself (not a mock of a file or solver): iteration raises half-way."""
    frame = ORDERS.copy()

    class Exploding(pd.DataFrame):
        @property
        def _constructor(self):
            return Exploding

        def itertuples(self, *args, **kwargs):
            for k, row in enumerate(super().itertuples(*args, **kwargs)):
                if k == 1:
                    raise OSError("disk went away")
                yield row

    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous plan")
    with pytest.raises(OSError, match="disk went away"):
        write_workbook(target, [Sheet("Orders", Exploding(frame))])
    assert target.read_bytes() == b"previous plan"
    assert files_in(tmp_path) == {"plan.xlsx"}


def test_success_replaces_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous plan")
    write_workbook(target, [Sheet("Orders", ORDERS)])
    assert files_in(tmp_path) == {"plan.xlsx"}
    assert openpyxl.load_workbook(target).sheetnames == ["Orders"]
