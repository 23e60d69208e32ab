"""Validate raw tables against typed row schemas and collect every error with its location.

A kind declares its tables as TableSpecs (a pydantic row model, a key, references to other
tables) and its settings as a pydantic model; `validate` checks all of them, never stopping
at the first error, and returns typed rows or raises InputErrors with every problem found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.messages import describe, show
from optimizer.io.tables import RawTable

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
    rows: list[Any]
    raw: RawTable | None

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


def _validate_table(spec: TableSpec, raw: RawTable, errors: list[InputError]) -> Table:
    missing = [c for c in spec.required_columns if c not in raw.columns]
    if missing:
        errors.append(
            InputError(
                raw.header_cell(),
                f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(spec.columns)}",
            )
        )
        return Table(spec, [], raw)
    if not raw.rows and not spec.allow_empty:
        errors.append(InputError(raw.label, f"table is empty; add at least one row under {', '.join(spec.columns)}"))
        return Table(spec, [], raw)
    records = raw.records()
    adapter = TypeAdapter(list[spec.row])
    try:
        rows = adapter.validate_python(records)
    except ValidationError as exc:
        bad_rows = set()
        for err in exc.errors():
            loc = err.get("loc", ())
            index = loc[0] if loc and isinstance(loc[0], int) else None
            column = str(loc[1]) if len(loc) > 1 else (err.get("ctx") or {}).get("column")
            if index is None:
                errors.append(InputError(raw.label, describe(err, column or "")))
                continue
            bad_rows.add(index)
            text = describe(err, column) if len(loc) > 1 else str(err.get("msg"))
            errors.append(InputError(raw.cell(index, column), text))
        # keep the good rows so that reference checks still run on them
        rows = []
        for i, record in enumerate(records):
            if i not in bad_rows:
                rows.append(spec.row.model_validate(record))
            else:
                rows.append(None)
    return Table(spec, rows, raw)


def _check_keys(table: Table, errors: list[InputError]) -> None:
    key = table.spec.key
    if not key:
        return
    seen: dict[tuple, int] = {}
    for i, row in enumerate(table.rows):
        if row is None:
            continue
        value = tuple(getattr(row, k) for k in key)
        if value in seen:
            first = table.location(seen[value]).split("!")[-1]
            shown = ", ".join(f"{k} {show(v)}" for k, v in zip(key, value))
            errors.append(InputError(table.location(i, key[0]), f"duplicate {shown} (first at {first})"))
        else:
            seen[value] = i


def _check_references(table: Table, tables: dict[str, Table], errors: list[InputError]) -> None:
    for column, (target, target_column) in table.spec.references.items():
        if target not in tables:
            continue
        known = {getattr(r, target_column) for r in tables[target].rows if r is not None}
        for i, row in enumerate(table.rows):
            if row is None:
                continue
            value = getattr(row, column)
            if value is not None and value not in known:
                errors.append(InputError(table.location(i, column), f"{column} {show(value)} is not in {target}"))


def _validate_settings(
    model: type[BaseModel], raw: RawTable | None, errors: list[InputError]
) -> tuple[Any, dict[str, int]]:
    """Settings are a two-column sheet (setting, value); each known setting is a field of `model`."""
    values: dict[str, Any] = {}
    where: dict[str, int] = {}
    if raw is not None:
        for index, record in enumerate(raw.records()):
            key = record.get("setting")
            if key is None:
                continue
            name = str(key).strip().lower().replace(" ", "_")
            if name in model.model_fields and "value" in record:
                values[name] = record["value"]
                where[name] = index
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


def validate(
    raw_tables: dict[str, RawTable], specs: list[TableSpec], settings_model: type[BaseModel]
) -> Validated:
    """Validate every table and the settings; raise InputErrors listing every problem."""
    errors: list[InputError] = []
    by_lower = {name.lower().replace(" ", ""): raw for name, raw in raw_tables.items()}
    tables: dict[str, Table] = {}
    for spec in specs:
        raw = by_lower.get(spec.name.lower().replace(" ", ""))
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
