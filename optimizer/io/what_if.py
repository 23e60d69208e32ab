"""What-if scenarios: named changes to a workbook's input cells, listed in its `Scenarios` sheet.

Each row changes one column of one sheet (optionally only rows matching `where`), e.g.
`demand +10% | Demand | quantity | percent | 10`. Changes apply to the raw tables before
validation, so a what-if that breaks a rule is reported like any other input mistake.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import field_validator

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.fields import Id, lower_text
from optimizer.io.fields import column as described
from optimizer.io.schema import RowModel, TableSpec, validate_one
from optimizer.io.tables import RawTable, normalise_header, sheet_key

SHEET = "Scenarios"


class ScenarioChange(RowModel):
    """One change of a named what-if scenario."""

    scenario: Id = described("name of the what-if scenario; rows with the same name apply together")
    sheet: Id = described("sheet whose cells change, e.g. Demand")
    column: Id = described("column that changes, e.g. quantity")
    change: Literal["set", "add", "multiply", "percent"] = described(
        "set: replace by value; add: add value; multiply: times value; percent: change by value %"
    )
    value: float | str = described("the new value, amount, factor or percentage")
    where: str | None = described("only rows matching, e.g. 'resource=L1; period=Tue' (blank: every row)", default=None)

    _lower = field_validator("change", mode="before")(lambda v: lower_text(v))


SPEC = TableSpec(SHEET, ScenarioChange, "named what-if changes to the input", key=())


def scenario_names(tables: dict[str, RawTable]) -> list[str]:
    """Names of the what-if scenarios a workbook lists, in first-seen order (none without a Scenarios sheet)."""
    raw = _find(tables, SHEET)
    if raw is None:
        return []
    return list(dict.fromkeys(row.scenario for row in validate_one(SPEC, raw).rows))


def _sheet_key(tables: dict[str, RawTable], name: str) -> str | None:
    """The key of sheet `name` in `tables`, matched like validation does (case and spaces ignored)."""
    wanted = sheet_key(name)
    return next((n for n in tables if sheet_key(n) == wanted), None)


def _find(tables: dict[str, RawTable], name: str) -> RawTable | None:
    key = _sheet_key(tables, name)
    return None if key is None else tables[key]


def _conditions(text: str | None) -> list[tuple[str, str]]:
    if not text:
        return []
    out = []
    for part in text.split(";"):
        if part.strip():
            name, _, value = part.partition("=")
            out.append((normalise_header(name), value.strip()))
    return out


def _same(cell: Any, text: str) -> bool:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip().lower() == text.lower()


def _changed(old: Any, change: str, value: float | str) -> Any:
    if change == "set":
        return value
    if not isinstance(value, float):
        raise ValueError(f"'{change}' needs a number, got {value!r}")
    number = 0.0 if old is None or old == "" else old
    if not isinstance(number, (int, float)) or isinstance(number, bool):
        raise ValueError(f"cannot {change} the text {old!r}")
    if change == "add":
        return number + value
    if change == "multiply":
        return number * value
    return number * (1 + value / 100)


def apply_what_if(tables: dict[str, RawTable], name: str) -> dict[str, RawTable]:
    """A copy of `tables` with the changes of what-if scenario `name`; InputErrors located in the Scenarios sheet."""
    raw = _find(tables, SHEET)
    if raw is None:
        raise InputErrors([InputError(SHEET, f"what-if '{name}' needs a {SHEET} sheet listing it")])
    checked = validate_one(SPEC, raw)
    rows = [(i, r) for i, r in enumerate(checked.rows) if r.scenario == name]
    if not rows:
        known = ", ".join(dict.fromkeys(r.scenario for r in checked.rows))
        raise InputErrors([InputError(raw.label, f"no what-if scenario named '{name}'; the sheet lists: {known}")])
    out = dict(tables)
    errors: list[InputError] = []
    for index, row in rows:
        key = _sheet_key(out, row.sheet)
        if key is None:
            errors.append(InputError(raw.cell(index, "sheet"), f"sheet '{row.sheet}' is not in the workbook"))
            continue
        target = out[key] = copy.deepcopy(out[key])
        col = normalise_header(row.column)
        if col not in target.columns:
            errors.append(InputError(raw.cell(index, "column"), f"sheet {row.sheet} has no column '{row.column}'"))
            continue
        conditions = _conditions(row.where)
        unknown = [c for c, _ in conditions if c not in target.columns]
        if unknown:
            errors.append(InputError(raw.cell(index, "where"), f"sheet {row.sheet} has no column '{unknown[0]}'"))
            continue
        j = target.columns[col]
        matched, failed = 0, False
        for cells in target.rows:
            if all(
                _same(cells[target.columns[c]] if target.columns[c] < len(cells) else None, v) for c, v in conditions
            ):
                while len(cells) <= j:
                    cells.append(None)
                try:
                    cells[j] = _changed(cells[j], row.change, row.value)
                except ValueError as exc:
                    errors.append(InputError(raw.cell(index, "value"), str(exc)))
                    failed = True
                    break
                matched += 1
        if matched == 0 and not failed:
            errors.append(InputError(raw.cell(index, "where"), f"no row of {row.sheet} matches '{row.where}'"))
    if errors:
        raise InputErrors(errors)
    return out
