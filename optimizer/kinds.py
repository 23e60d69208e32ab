"""The kinds of plan the engine knows, and what each must provide to plug into it.

The engine holds no problem-specific code: each kind lives in `models.<kind>` and exports
`KIND`, a KindDefinition; kinds are imported only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from optimizer.core.errors import InputError, InputErrors, UsageError
from optimizer.core.plan import Plan
from optimizer.io.schema import TableSpec, Validated
from optimizer.io.tables import RawTable

KIND_NAMES = ("production", "scheduling", "inventory", "routing", "roster")


@dataclass(frozen=True)
class Formulation:
    """One way to model a kind: a builder for a backend family and a plan reader for its solution."""

    family: str  # backend family: 'pyomo' (MILP) or 'cpsat'
    build: Callable[[Any], Any]  # scenario -> solver model
    extract: Callable[[Any, Any], Plan]  # (scenario, solved model) -> plan
    warm_start: Callable[[Any, Any], bool] | None = None  # loads a feasible start into the model


@dataclass(frozen=True)
class KindDefinition:
    """What a kind gives the engine: its input schema, scenario builder, formulations, examples."""

    name: str
    description: str
    tables: list[TableSpec]
    settings: type[BaseModel]
    build_scenario: Callable[[Validated], Any]
    formulations: dict[str, Formulation]  # solver name -> formulation; the first is the default
    example_tables: Callable[[int | None, int], dict[str, list[dict[str, Any]]]]  # (scale, seed) -> rows
    objective_note: str = ""

    def formulation_for(self, solver: str) -> tuple[str, Formulation]:
        """The formulation for a --solver name; Pyomo solver names (cbc, glpk, ...) take the MILP."""
        if solver == "auto":
            name = next(iter(self.formulations))
            return name, self.formulations[name]
        if solver in self.formulations:
            return solver, self.formulations[solver]
        milp = next((f for f in self.formulations.values() if f.family == "pyomo"), None)
        if milp is None:
            known = ", ".join(self.formulations)
            raise UsageError(f"solver '{solver}' cannot solve {self.name} scenarios; use one of: {known}")
        return solver, milp


def get_kind(name: str) -> KindDefinition:
    """The definition of kind `name`; UsageError for an unknown or not yet available kind."""
    if name not in KIND_NAMES:
        raise UsageError(f"unknown kind '{name}'; kinds are: {', '.join(KIND_NAMES)}")
    try:
        module = importlib.import_module(f"models.{name}")
    except ModuleNotFoundError:
        raise UsageError(f"kind '{name}' is not available in this version of optimizer") from None
    return module.KIND


def available_kinds() -> list[str]:
    out = []
    for name in KIND_NAMES:
        try:
            get_kind(name)
            out.append(name)
        except UsageError:
            pass
    return out


def detect_kind(tables: dict[str, RawTable]) -> KindDefinition:
    """The kind a workbook declares in its Settings sheet (setting 'kind')."""
    settings = next((t for n, t in tables.items() if n.lower() == "settings"), None)
    if settings is None:
        raise InputErrors(
            [
                InputError(
                    "Settings", "sheet Settings is missing; it needs a row 'kind' with one of: " + ", ".join(KIND_NAMES)
                )
            ]
        )
    for index, record in enumerate(settings.records()):
        if str(record.get("setting", "")).strip().lower() == "kind":
            value = str(record.get("value", "")).strip().lower()
            if value not in KIND_NAMES:
                raise InputErrors(
                    [
                        InputError(
                            settings.cell(index, "value"), f"kind must be one of {', '.join(KIND_NAMES)}, got {value!r}"
                        )
                    ]
                )
            try:
                return get_kind(value)
            except UsageError as exc:
                raise InputErrors([InputError(settings.cell(index, "value"), str(exc))]) from None
    raise InputErrors([InputError(settings.label, "no row with setting 'kind'; add one, e.g. kind | inventory")])
