"""Hostile or absurd inputs are refused with a clear message before they are unpacked."""

from __future__ import annotations

import zipfile

import pytest

from optimizer.core.errors import InputErrors
from optimizer.io.tables import read_csv_folder, read_workbook
from tests.builders import tiny_workbook


def errors_of(call) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        call()
    return [str(e) for e in caught.value.errors]


def rezip(source, target, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> None:
    """Copy a workbook's zip, replacing some parts and adding others."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, replace.get(item.filename, src.read(item.filename)))
        for name, data in (extra or {}).items():
            dst.writestr(name, data)


def test_an_xml_entity_bomb_is_refused_unexpanded(tmp_path):
    good = tiny_workbook(tmp_path / "good.xlsx")
    with zipfile.ZipFile(good) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/"))
        original = z.read(sheet)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
        )
        + b"]>"
    )
    bomb = tmp_path / "bomb.xlsx"
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    rezip(good, bomb, {sheet: laughs + body})
    (message,) = errors_of(lambda: read_workbook(bomb))
    assert message.startswith("bomb.xlsx: part xl/worksheets/") and "declares an XML document type" in message


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMIZER_MAX_UNPACKED_MB", "5")
    good = tiny_workbook(tmp_path / "good.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    rezip(good, bomb, {}, extra={"xl/media/padding.bin": b"\0" * (8 * 2**20)})  # 8 MiB of zeros packs to a few KiB
    assert bomb.stat().st_size < 100_000
    (message,) = errors_of(lambda: read_workbook(bomb))
    assert "unpacks to 8 MiB, over the 5 MiB limit (a zip bomb?" in message


def test_a_file_over_the_size_limit_is_refused_and_the_limit_can_be_raised(tmp_path, monkeypatch):
    path = tiny_workbook(tmp_path / "t.xlsx")
    monkeypatch.setenv("OPTIMIZER_MAX_FILE_MB", "0.001")
    (message,) = errors_of(lambda: read_workbook(path))
    assert "MiB limit (set OPTIMIZER_MAX_FILE_MB to allow more)" in message
    monkeypatch.setenv("OPTIMIZER_MAX_FILE_MB", "50")
    assert "Demand" in read_workbook(path)


def test_a_workbook_that_is_not_a_zip_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("id,quantity\n1,2\n")
    (message,) = errors_of(lambda: read_workbook(path))
    assert message.startswith("fake.xlsx: is not a readable Excel workbook (.xlsx)")


def test_rows_are_capped_and_a_scenario_can_raise_the_cap(tmp_path, monkeypatch):
    from optimizer.io import limits

    monkeypatch.setattr(limits, "DEFAULT_MAX_ROWS", 3)  # the default cap (1,000,000) made small for the test
    path = tiny_workbook(tmp_path / "t.xlsx")
    (message,) = errors_of(lambda: read_workbook(path))
    assert "rows, over the 3 row limit (a Settings row max_rows raises it)" in message
    raised = tiny_workbook(
        tmp_path / "r.xlsx", Settings=[["setting", "value"], ["kind", "inventory"], ["max_rows", 100]]
    )
    assert len(read_workbook(raised)["Demand"].rows) == 6


def test_csv_rows_are_capped_too(tmp_path, monkeypatch):
    from optimizer.io import limits

    monkeypatch.setattr(limits, "DEFAULT_MAX_ROWS", 2)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "Demand.csv").write_text("item,period,quantity\n" + "A,W1,1\n" * 5)
    (message,) = errors_of(lambda: read_csv_folder(folder))
    assert message.startswith("Demand.csv: has ") and "over the 2 row limit" in message
    (folder / "Settings.csv").write_text("setting,value\nkind,inventory\nmax_rows,10\n")
    assert len(read_csv_folder(folder)["Demand"].rows) == 5
