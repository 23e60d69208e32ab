"""Templates come from the schemas: every table sheet with its columns, Settings, Help, checks on entries."""

from __future__ import annotations

import openpyxl

from optimizer.kinds import get_kind
from optimizer.reports.template import example_frames, write_template
from optimizer.solve import load


def test_blank_template_has_every_sheet_its_columns_and_help(tmp_path):
    kind = get_kind("inventory")
    path = tmp_path / "blank.xlsx"
    write_template(kind, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Settings"] + [spec.name for spec in kind.tables] + ["Help"]
    for spec in kind.tables:
        ws = book[spec.name]
        assert [c.value for c in ws[1]] == spec.columns, spec.name
        assert ws.max_row == 1, spec.name
        assert ws.freeze_panes == "A2"
    settings = {row[0].value: row[1].value for row in book["Settings"].iter_rows(min_row=2)}
    assert settings["kind"] == "inventory"
    assert set(settings) == set(kind.settings.model_fields)
    help_rows = [[c.value for c in row] for row in book["Help"].iter_rows(min_row=2)]
    described = {(r[0], r[1]) for r in help_rows}
    for spec in kind.tables:
        for column in spec.columns:
            assert (spec.name, column) in described
    policy = next(r for r in help_rows if r[:2] == ["Items", "shortage_policy"])
    assert policy[4] == "one of: backorder, lost_sale"


def test_template_checks_entries_with_data_validation(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_template(get_kind("inventory"), path)
    ws = openpyxl.load_workbook(path)["Items"]
    rules = {str(v.sqref).split(":")[0]: v for v in ws.data_validations.dataValidation}
    policy_column = openpyxl.utils.get_column_letter([c.value for c in ws[1]].index("shortage_policy") + 1)
    assert rules[f"{policy_column}2"].type == "list"
    assert rules[f"{policy_column}2"].formula1 == '"backorder,lost_sale"'
    cost_column = openpyxl.utils.get_column_letter([c.value for c in ws[1]].index("unit_cost") + 1)
    assert rules[f"{cost_column}2"].type == "decimal"


def test_example_and_scaled_templates_validate(tmp_path):
    kind = get_kind("inventory")
    example = tmp_path / "example.xlsx"
    write_template(kind, example, example=True)
    assert load(example).name == "retail-example"
    scaled = tmp_path / "scaled.xlsx"
    write_template(kind, scaled, scale=4, seed=1)
    loaded = load(scaled)
    assert len(loaded.scenario.items) == 4
    frames = example_frames(kind, scale=4, seed=1)
    assert len(frames["Items"]) == 4
    assert list(frames["Demand"].columns) == ["item", "period", "quantity"]
