"""Scenario templates: every sheet with its headers, a Help sheet, data validation, optional example rows.

Everything comes from the kind's schemas (column descriptions, units, allowed values, ranges),
so the template and the validator can never disagree.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pandas as pd
from annotated_types import Ge, Gt, Le
from pydantic.fields import FieldInfo

from optimizer.io.schema import TableSpec
from optimizer.kinds import KindDefinition
from optimizer.reports.xlsx import Sheet, write_workbook


def _literal_choices(annotation: Any) -> list[str] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Literal:
            return [str(a) for a in typing.get_args(arg)]
    return None


def _base_type(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)) and args:
        return _base_type(args[0])
    if typing.get_origin(annotation) is typing.Annotated:
        return _base_type(args[0])
    return annotation


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for meta in info.metadata:
        if isinstance(meta, Ge):
            low = meta.ge
        elif isinstance(meta, Gt):
            low = meta.gt
        elif isinstance(meta, Le):
            high = meta.le
    return low, high


def describe_field(name: str, info: FieldInfo) -> dict[str, Any]:
    """Help-sheet row of one column: meaning, unit, required, allowed values."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    choices = _literal_choices(info.annotation)
    low, high = _bounds(info)
    base = _base_type(info.annotation)
    if choices:
        allowed = "one of: " + ", ".join(choices)
    elif base in (int, float):
        kind = "whole number" if base is int else "number"
        allowed = kind + (f" >= {low:g}" if low is not None else "") + (f", <= {high:g}" if high is not None else "")
    elif base is bool:
        allowed = "yes or no"
    else:
        allowed = "text"
    default = None if info.is_required() else info.default
    return {
        "column": name,
        "required": "yes" if info.is_required() else f"no (blank = {default if default not in (None, '') else 'none'})",
        "unit": extra.get("unit", ""),
        "allowed": allowed,
        "meaning": info.description or "",
    }


def validation_rule(info: FieldInfo) -> dict[str, Any] | None:
    """Excel data validation for a column with fixed choices or a numeric range."""
    choices = _literal_choices(info.annotation)
    if choices:
        return {"validate": "list", "source": choices, "error_message": "Choose one of: " + ", ".join(choices)}
    base = _base_type(info.annotation)
    low, high = _bounds(info)
    if base in (int, float) and (low is not None or high is not None):
        rule: dict[str, Any] = {"validate": "integer" if base is int else "decimal"}
        if low is not None and high is not None:
            rule.update(criteria="between", minimum=low, maximum=high)
        elif low is not None:
            rule.update(criteria=">=", value=low)
        else:
            rule.update(criteria="<=", value=high)
        rule["error_message"] = describe_field("", info)["allowed"]
        return rule
    return None


def _help_rows(kind: KindDefinition) -> list[dict[str, Any]]:
    rows = []
    for name, info in kind.settings.model_fields.items():
        rows.append({"sheet": "Settings", **describe_field(name, info)})
    for spec in kind.tables:
        for name, info in spec.row.model_fields.items():
            row = {"sheet": spec.name, **describe_field(name, info)}
            if name in spec.references:
                target, column = spec.references[name]
                row["meaning"] += f" (must be a {column} listed in {target})"
            rows.append(row)
    return rows


def _table_sheet(spec: TableSpec, rows: list[dict[str, Any]]) -> Sheet:
    columns = spec.columns
    frame = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    validations = {}
    notes = {}
    for name, info in spec.row.model_fields.items():
        rule = validation_rule(info)
        if rule is not None:
            validations[name] = rule
        described = describe_field(name, info)
        notes[name] = f"{described['meaning']} [{described['unit'] or described['allowed']}]"
    formats = {c: "text" for c in columns if frame[c].dtype == object}
    return Sheet(spec.name, frame, formats=formats, validations=validations, header_notes=notes)


def _settings_sheet(kind: KindDefinition, rows: list[dict[str, Any]]) -> Sheet:
    given = {r["setting"]: r["value"] for r in rows}
    out = []
    for name, info in kind.settings.model_fields.items():
        value = given.get(name, kind.name if name == "kind" else (None if info.is_required() else info.default))
        out.append({"setting": name, "value": value, "meaning": info.description or ""})
    return Sheet("Settings", pd.DataFrame(out, columns=["setting", "value", "meaning"]), as_table=False)


def write_scenario(kind: KindDefinition, path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    """A scenario workbook for `kind` holding `rows` per sheet, with the Help sheet and entry checks."""
    sheets = [_settings_sheet(kind, rows.get("Settings", []))]
    sheets += [_table_sheet(spec, rows.get(spec.name, [])) for spec in kind.tables]
    sheets.append(
        Sheet(
            "Help",
            pd.DataFrame(_help_rows(kind), columns=["sheet", "column", "required", "unit", "allowed", "meaning"]),
        )
    )
    write_workbook(path, sheets)


def write_template(
    kind: KindDefinition, path: Path, example: bool = False, scale: int | None = None, seed: int = 7
) -> None:
    """A scenario workbook for `kind`: blank, the example (`example`), or a synthetic one of `scale` entities."""
    write_scenario(kind, path, kind.example_tables(scale, seed) if (example or scale) else {})


def example_frames(kind: KindDefinition, scale: int | None = None, seed: int = 7) -> dict[str, pd.DataFrame]:
    """The example as DataFrames per sheet (for CSV folders and tests)."""
    rows = kind.example_tables(scale, seed)
    frames = {"Settings": pd.DataFrame(rows["Settings"], columns=["setting", "value"])}
    for spec in kind.tables:
        frames[spec.name] = pd.DataFrame(rows.get(spec.name, []), columns=spec.columns)
    return frames
