"""Tables from benchmark text files report problems by file and line."""

from __future__ import annotations

import pytest

from optimizer.core.errors import InputErrors
from optimizer.io.text_tables import numbered_lines, numbers, settings_table, text_table


def test_numbered_lines_skip_blanks_and_keep_numbers(tmp_path):
    path = tmp_path / "ft.txt"
    path.write_text("2 2\n\n0 3 1 2\r\n1 4 0 1\n", encoding="utf-8")
    assert numbered_lines(path) == [(1, "2 2"), (3, "0 3 1 2"), (4, "1 4 0 1")]


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00bad"), "not a text file"),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path, setup, message):
    path = tmp_path / "x.txt"
    setup(path)
    with pytest.raises(InputErrors) as caught:
        numbered_lines(path)
    assert message in str(caught.value.errors[0])


def test_numbers_name_the_line():
    assert numbers("ft.txt", 3, "1 2.5 -4") == [1.0, 2.5, -4.0]
    with pytest.raises(InputErrors) as caught:
        numbers("ft.txt", 3, "1 x 4")
    assert str(caught.value.errors[0]) == "ft.txt line 3: expected a number, got 'x'"
    with pytest.raises(InputErrors) as caught:
        numbers("ft.txt", 7, "1 2", count=3)
    assert str(caught.value.errors[0]) == "ft.txt line 7: expected 3 numbers, got 2"


def test_text_table_locations_name_file_line_and_column():
    table = text_table("Operations", "ft06.txt", ["job", "machine", "time"], [["J1", 0, 3], ["J2", 1, 4]], [2, 5])
    assert table.cell(1, "time") == "ft06.txt line 5 (column time)"
    assert table.cell(0, None) == "ft06.txt line 2"
    assert table.records() == [{"job": "J1", "machine": 0, "time": 3}, {"job": "J2", "machine": 1, "time": 4}]
    settings = settings_table("ft06.txt", {"kind": "scheduling", "objective": "makespan"})
    assert settings.records()[0] == {"setting": "kind", "value": "scheduling"}
    assert settings.cell(0, "value") == "ft06.txt (column value)"
