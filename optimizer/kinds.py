"""The kinds of plan the engine knows, and what each must provide to plug into it.

The engine holds no problem-specific code: each kind lives in `models.<kind>` and exports
`KIND`, a KindDefinition; kinds are imported only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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

    family: str  # backend family, a key of optimizer.backends.registry.BACKENDS ('pyomo', 'cpsat', ...)
    build: Callable[[Any], Any]  # scenario -> solver model
    extract: Callable[[Any, Any], Plan]  # (scenario, solved model) -> plan
    warm_start: Callable[[Any, Any], bool] | None = None  # loads a feasible start into the model
    timed_warm_start: bool = False  # warm_start takes a third argument: the seconds it may use
    # build takes a second argument, the run's time limit, to size optional parts (valid cuts) to it; the limit,
    # not the clock, so the same input and limit always give the same model
    sized_build: bool = False
    # (scenario, params, seconds) -> Diagnostics rows saying why there is no plan
    explain: Callable[[Any, Any, float], list[dict[str, str]]] | None = None
    marginals: Callable[[Any, Any, Plan, float], Any] | None = None  # (scenario, model, plan, seconds) -> sheet or None
    # For limits too short to build the model: its estimated build seconds, and a plan made from the scenario alone
    # (the start heuristic's, or None). A limit under build_estimate / QUICK_PLAN_SHARE gets the quick plan.
    build_estimate: Callable[[Any], float] | None = None
    quick_plan: Callable[[Any], Plan | None] | None = None
    # (scenario, model) -> stages of groups of the model's variables re-optimised together by fix-and-optimize (a
    # stage's rounds go on while they find a cheaper plan, then the next stage's); beside the solver (see solve.py)
    neighbourhoods: Callable[[Any, Any], list[list[list[Any]]]] | None = None


@dataclass(frozen=True)
class BenchmarkFormat:
    """A standard benchmark file format read into the kind's own raw tables (Settings included).

    `read` raises InputErrors with file and line locations; `detect(path, head)` says from the
    file name and its first 4 KiB of text whether a file is in this format.
    """

    name: str
    description: str
    read: Callable[[Path], dict[str, RawTable]]
    detect: Callable[[Path, str], bool]


@dataclass(frozen=True)
class Replanning:
    """How a kind replans against its previous plan.

    `read_previous(scenario, plan_sheets)` reads the previous plan's decisions (as the new
    scenario's indices) and returns an object with a `diagnostics` list of rows for decisions
    that no longer fit; `apply(scenario, model, previous, freeze)` fixes the first `freeze`
    periods, penalises later changes and loads the previous plan as the start (True if loaded);
    `changes(scenario, previous, plan, freeze)` gives the Changes sheet and the churn KPIs.
    """

    read_previous: Callable[[Any, dict[str, RawTable]], Any]
    apply: Callable[[Any, Any, Any, int], bool]
    changes: Callable[[Any, Any, Plan, int], tuple[Any, dict[str, Any]]]
    families: tuple[str, ...] = ("pyomo",)  # formulation families it can constrain
    frozen: str = "the first {n} period(s)"  # what --freeze N keeps, in the kind's words, for the Summary
    # (scenario, freeze) -> (formulation, reason) for --solver auto in a replan, or None to choose as for a solve
    choose: Callable[[Any, int], tuple[str, str] | None] | None = None


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
    formats: dict[str, BenchmarkFormat] = field(default_factory=dict)  # benchmark file formats it reads
    choose_solver: Callable[[Any], tuple[str, str]] | None = None  # scenario -> (formulation, reason) for 'auto'
    replanning: Replanning | None = None

    def choose(self, solver: str, scenario: Any, replan_freeze: int | None = None) -> tuple[str, Formulation, str]:
        """(solver name, formulation, why it was chosen) for a --solver name, a scenario and, in a replan, its freeze."""
        if solver == "auto" and replan_freeze is not None and self.replanning and self.replanning.choose:
            picked = self.replanning.choose(scenario, replan_freeze)
            if picked is not None:
                return picked[0], self.formulations[picked[0]], picked[1]
        if solver == "auto" and self.choose_solver is not None:
            name, reason = self.choose_solver(scenario)
            return name, self.formulations[name], reason
        name, formulation = self.formulation_for(solver)
        reason = "the default for this kind" if solver == "auto" else "asked for with --solver"
        return name, formulation, reason

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
    except Exception as exc:  # a kind that fails to import must not take the other kinds down
        raise UsageError(f"kind '{name}' could not be loaded: {type(exc).__name__}: {exc}") from None
    kind = getattr(module, "KIND", None)
    if not isinstance(kind, KindDefinition):
        raise UsageError(f"kind '{name}' is not available in this version of optimizer")
    return kind


def available_kinds() -> list[str]:
    out = []
    for name in KIND_NAMES:
        try:
            get_kind(name)
            out.append(name)
        except UsageError:
            pass
    return out


def find_format(name: str) -> tuple[KindDefinition, BenchmarkFormat]:
    """The kind that reads benchmark format `name`, and the format."""
    for kind_name in available_kinds():
        kind = get_kind(kind_name)
        if name in kind.formats:
            return kind, kind.formats[name]
    known = sorted({f for k in available_kinds() for f in get_kind(k).formats})
    raise UsageError(f"unknown format '{name}'; formats: {', '.join(['xlsx', 'csv', *known])}")


def detect_format(path: Path) -> BenchmarkFormat | None:
    """The benchmark format a file is in, judged from its name and first 4 KiB; None when none claims it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    for kind_name in available_kinds():
        for fmt in get_kind(kind_name).formats.values():
            if fmt.detect(path, head):
                return fmt
    return None


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
