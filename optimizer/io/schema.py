"""Validate raw tables against typed row schemas and collect every error with its location.

A kind declares its tables as TableSpecs (a pydantic row model, a key, references to other
tables) and its settings as a pydantic model; `validate` checks all of them, never stopping
at the first error, and returns typed rows or raises InputErrors with every problem found.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.messages import describe, show
from optimizer.io.tables import RawTable, column_letter, sheet_key

Row = TypeVar("Row", bound=BaseModel)


class RowModel(BaseModel):
    """Base of every row schema: immutable, no NaN or infinity, unknown columns ignored."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False, extra="ignore")


def row_error(column: str, message: str) -> PydanticCustomError:
    """A cross-column error in a row validator, located at `column`'s cell."""
    return PydanticCustomError("row_rule", message, {"column": column})


@dataclass(frozen=True)
class TableSpec:
    """One input table: its sheet name, row schema, unique key and references to other tables."""

    name: str
    row: type[RowModel]
    description: str
    key: tuple[str, ...] = ()
    references: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, column)
    required: bool = True
    allow_empty: bool = False

    @property
    def columns(self) -> list[str]:
        return list(self.row.model_fields)

    @property
    def required_columns(self) -> list[str]:
        return [n for n, f in self.row.model_fields.items() if f.is_required()]


@dataclass
class Table(Generic[Row]):
    """Validated rows of one table with the input row number of each, for messages later on."""

    spec: TableSpec
    rows: list[Any]  # a validated row model, or None for a row with errors
    raw: RawTable | None
    partial: dict[int, dict[str, Any]] = field(default_factory=dict)  # valid cells of rows with errors
    broken: bool = False  # required columns missing: its rows cannot be checked against others

    def value(self, index: int, column: str) -> Any:
        """A cell's validated value, also in a row with errors elsewhere; None when unknown."""
        row = self.rows[index]
        if row is not None:
            return getattr(row, column)
        return self.partial.get(index, {}).get(column)

    def location(self, index: int, column: str | None = None) -> str:
        if self.raw is None:
            return self.spec.name
        return self.raw.cell(index, column)


@dataclass
class Validated:
    """Every table of a scenario, typed, plus its settings."""

    tables: dict[str, Table]
    settings: Any
    settings_rows: dict[str, int]

    def rows(self, name: str) -> list[Any]:
        return self.tables[name].rows


# difflib's likeness (0-1) above which a header or sheet name the kind does not read is taken for a misspelt one of
# its names: 'safety_stock_units' for safety_stock (0.8) and 'Calender' for Calendar (0.88) are; 'notes' is not
NEAR_NAME = 0.75


def _near(name: str, candidates: list[str]) -> str | None:
    """The candidate `name` most likely misspells, if one is near enough (NEAR_NAME)."""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=NEAR_NAME)
    return close[0] if close else None


def _misspelt_columns(spec: TableSpec, raw: RawTable, errors: list[InputError]) -> None:
    """A header the sheet does not read that is near an optional column the sheet lacks: that column misspelt, which
    would otherwise be left at its default without a word. Other headers (a planner's own notes) are left alone;
    a required column missing is said by _validate_table with every expected column."""
    absent = [c for c in spec.columns if c not in raw.columns and c not in spec.required_columns]
    for name, index in raw.columns.items():
        near = None if name in spec.row.model_fields else _near(name, absent)
        if near is not None:
            errors.append(
                InputError(
                    f"{raw.label}!{column_letter(index)}{raw.header_row}",
                    f"column {name!r} is not one this sheet reads; did you mean {near}? "
                    f"(columns: {', '.join(spec.columns)})",
                )
            )


def _validate_table(spec: TableSpec, raw: RawTable, errors: list[InputError]) -> Table:
    _misspelt_columns(spec, raw, errors)
    missing = [c for c in spec.required_columns if c not in raw.columns]
    if missing:
        errors.append(
            InputError(
                raw.header_cell(),
                f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(spec.columns)}",
            )
        )
        return Table(spec, [], raw, broken=True)
    if not raw.rows and not spec.allow_empty:
        errors.append(InputError(raw.label, f"table is empty; add at least one row under {', '.join(spec.columns)}"))
        return Table(spec, [], raw)
    records = raw.records()
    adapter = TypeAdapter(list[spec.row])
    try:
        rows = adapter.validate_python(records)
    except ValidationError as exc:
        bad_cells: dict[int, set[str]] = {}  # row index -> columns in error ('*': the whole row)
        for err in exc.errors():
            loc = err.get("loc", ())
            index = loc[0] if loc and isinstance(loc[0], int) else None
            column = str(loc[1]) if len(loc) > 1 else (err.get("ctx") or {}).get("column")
            if index is None:
                errors.append(InputError(raw.label, describe(err, column or "")))
                continue
            bad_cells.setdefault(index, set()).add(column or "*")
            text = describe(err, column) if len(loc) > 1 else str(err.get("msg"))
            errors.append(InputError(raw.cell(index, column), text))
        # keep the good rows, and the good cells of bad rows, so that key and reference checks still run
        rows = []
        partial: dict[int, dict[str, Any]] = {}
        for i, record in enumerate(records):
            if i not in bad_cells:
                rows.append(spec.row.model_validate(record))
                continue
            rows.append(None)
            partial[i] = _valid_cells(spec, record, bad_cells.get(i, set()))
        return Table(spec, rows, raw, partial=partial)
    return Table(spec, rows, raw)


@functools.cache
def _cell_adapter(row: type[RowModel], name: str) -> TypeAdapter:
    """A validator for one column of a row schema, built once."""
    info = row.model_fields[name]
    # pydantic keeps a column's validators and limits (e.g. Id's number-to-text) in its metadata
    return TypeAdapter(Annotated[info.annotation, *info.metadata]) if info.metadata else TypeAdapter(info.annotation)


def _valid_cells(spec: TableSpec, record: dict[str, Any], bad: set[str]) -> dict[str, Any]:
    """Cells of a row with errors that validate on their own (for key and reference checks)."""
    if "*" in bad:
        return {}
    cells = {}
    for name in spec.row.model_fields:
        if name in bad or name not in record:
            continue
        try:
            cells[name] = _cell_adapter(spec.row, name).validate_python(record[name])
        except ValidationError:
            continue
    return cells


def _check_keys(table: Table, errors: list[InputError]) -> None:
    key = table.spec.key
    if not key:
        return
    seen: dict[tuple, int] = {}
    for i in range(len(table.rows)):
        value = tuple(table.value(i, k) for k in key)
        if table.rows[i] is None and any(v is None for v in value):
            continue  # a row with errors: its unknown cells cannot show a duplicate (a valid blank can)
        if value in seen:
            first = table.location(seen[value]).split("!")[-1]
            shown = ", ".join(f"{k} {v!r}" for k, v in zip(key, value, strict=True))
            errors.append(InputError(table.location(i, key[0]), f"duplicate {shown} (first at {first})"))
        else:
            seen[value] = i


def _check_references(table: Table, tables: dict[str, Table], errors: list[InputError]) -> None:
    if table.broken:
        return
    for column, (target, target_column) in table.spec.references.items():
        if target not in tables or tables[target].broken:
            continue
        other = tables[target]
        known = {other.value(j, target_column) for j in range(len(other.rows))}
        for i in range(len(table.rows)):
            value = table.value(i, column)
            if value is not None and value not in known:
                errors.append(InputError(table.location(i, column), f"{column} {value!r} is not in {target}"))


# Settings rows read before validation, by every kind: `kind` (optimizer.kinds picks the model) and `max_rows`
# (optimizer.io.limits raises the row cap with it while reading the file)
SHARED_SETTINGS = ("kind", "max_rows")


def _validate_settings(
    model: type[BaseModel], raw: RawTable | None, errors: list[InputError]
) -> tuple[Any, dict[str, int]]:
    """Settings are a two-column sheet (setting, value); each known setting is a field of `model`.

    A setting the kind does not know, or one given twice, is an error: ignored, a misspelt name would
    silently leave its default in the plan, and of two rows only one can win."""
    values: dict[str, Any] = {}
    where: dict[str, int] = {}
    if raw is not None:
        records = raw.records()
        rows = _setting_rows(model, raw, records, errors)
        where = {name: i for name, i in rows.items() if name in model.model_fields}
        values = {name: records[i]["value"] for name, i in where.items() if "value" in records[i]}
        if "max_rows" in rows:
            _check_max_rows(raw, rows["max_rows"], records[rows["max_rows"]], errors)
    try:
        return model.model_validate(values), where
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else ""
            if raw is not None and name in where:
                location = raw.cell(where[name], "value")
            else:
                location = raw.label if raw is not None else "Settings"
            errors.append(InputError(location, describe(err, f"setting {name}")))
        return None, where


def _setting_name(key: Any) -> str:
    """A Settings row's name as the kinds spell their fields: lower case, spaces as underscores."""
    return str(key).strip().lower().replace(" ", "_")


def _setting_rows(
    model: type[BaseModel], raw: RawTable, records: list[dict[str, Any]], errors: list[InputError]
) -> dict[str, int]:
    """The row of each setting `raw` gives (`model`'s and the shared ones); a name not a setting of the kind, or a
    repeat, is an error."""
    known = sorted(set(model.model_fields) | set(SHARED_SETTINGS))
    rows: dict[str, int] = {}
    for index, record in enumerate(records):
        key = record.get("setting")
        if key is None:
            continue
        name = _setting_name(key)
        location = raw.cell(index, "setting")
        if name in rows:
            earlier = raw.cell(rows[name], "setting").split("!")[-1]
            errors.append(InputError(location, f"setting {name} is given twice (first at {earlier})"))
        elif name not in known:
            errors.append(InputError(location, _unknown_setting(key, known)))
        else:
            rows[name] = index
    return rows


def _unknown_setting(key: Any, known: list[str]) -> str:
    """The message for a Settings row the kind does not know, with the nearest known name if one is close."""
    close = _near(_setting_name(key), known)
    hint = f"; did you mean {close}?" if close else ""
    return f"unknown setting {key!r}{hint} (the settings: {', '.join(known)})"


def _check_max_rows(raw: RawTable, index: int, record: dict[str, Any], errors: list[InputError]) -> None:
    """The `max_rows` row (at `index`) must hold a whole number of at least 1 (else the reader would keep its default
    cap unsaid); a blank value leaves the default."""
    if "value" not in record:
        return
    value = record["value"]
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    whole = isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()
    if not whole or value < 1:  # is_integer is False for NaN and infinity too
        got = show(record["value"])
        errors.append(InputError(raw.cell(index, "value"), f"setting max_rows must be a whole number >= 1, got {got}"))


def validate_one(spec: TableSpec, raw: RawTable) -> Table:
    """Validate a table that stands alone (no references to others); InputErrors with every problem."""
    errors: list[InputError] = []
    table = _validate_table(spec, raw, errors)
    _check_keys(table, errors)
    if errors:
        raise InputErrors(errors)
    return table


def _misspelt_sheets(by_lower: dict[str, RawTable], specs: list[TableSpec], errors: list[InputError]) -> None:
    """A sheet the kind does not read whose name is near an optional sheet it lacks (e.g. 'Calender'): that sheet
    misspelt, which would otherwise be skipped without a word. A missing required sheet is said by validate."""
    names = {sheet_key(spec.name): spec.name for spec in specs}
    absent = [key for key, spec in zip(names, specs, strict=True) if key not in by_lower and not spec.required]
    for key, raw in by_lower.items():
        near = None if key in names or key == "settings" else _near(key, absent)
        if near is not None:
            errors.append(
                InputError(
                    raw.label,
                    f"sheet {raw.name!r} is not one this kind reads; did you mean {names[near]}? "
                    f"(sheets: Settings, {', '.join(spec.name for spec in specs)})",
                )
            )


def validate(raw_tables: dict[str, RawTable], specs: list[TableSpec], settings_model: type[BaseModel]) -> Validated:
    """Validate every table and the settings; raise InputErrors listing every problem."""
    errors: list[InputError] = []
    by_lower = {sheet_key(name): raw for name, raw in raw_tables.items()}
    _misspelt_sheets(by_lower, specs, errors)
    tables: dict[str, Table] = {}
    for spec in specs:
        raw = by_lower.get(sheet_key(spec.name))
        if raw is None:
            if spec.required:
                errors.append(
                    InputError(spec.name, f"sheet {spec.name} is missing; it needs columns {', '.join(spec.columns)}")
                )
            continue
        if not raw.header and spec.required and not spec.allow_empty:
            errors.append(InputError(raw.label, f"sheet is empty; it needs columns {', '.join(spec.columns)}"))
            continue
        tables[spec.name] = _validate_table(spec, raw, errors)
    for table in tables.values():
        _check_keys(table, errors)
        _check_references(table, tables, errors)
    settings, where = _validate_settings(settings_model, by_lower.get("settings"), errors)
    if errors:
        raise InputErrors(errors)
    return Validated(tables, settings, where)
