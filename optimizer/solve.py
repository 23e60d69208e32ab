"""The one place that pairs a problem with a backend: load, build, solve, extract the plan.

Timings of each stage are measured here, and the solver's time limit is what is left of the
run's limit after loading and building, so the limit holds for the whole run.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.backends import child
from optimizer.backends.beside import Beside
from optimizer.backends.outcome import ProgressCallback
from optimizer.backends.registry import backend_solve
from optimizer.core.errors import InputError, InputErrors, UsageError
from optimizer.core.params import SolveParams
from optimizer.core.plan import DIAGNOSTIC_COLUMNS
from optimizer.core.result import Result, Timings
from optimizer.core.status import Status
from optimizer.io.schema import validate
from optimizer.io.tables import RawTable, read_tables
from optimizer.io.what_if import apply_what_if
from optimizer.kinds import KindDefinition, detect_format, detect_kind, find_format

TABLE_FORMATS = ("xlsx", "csv")
MARGINALS_MIN_SECONDS = 1.0  # less time than this left after the solve: skip the marginal values
# Time kept back from the solver to read the plan and write the workbook. Measured: 2000 inventory
# items (717k columns) took 15 s from the solver's stop to the written workbook, 300 items 3.4 s.
WRITE_RESERVE_SHARE, WRITE_RESERVE_CAP = 0.02, 10.0
WRITE_RESERVE_MIN = 0.25  # the plan of 100 jobs took 0.2 s to extract and write: 2% of a short limit is not enough
WRITE_SECONDS_PER_VARIABLE = 2.5e-5
WRITE_RESERVE_MAX_SHARE = 0.25  # a huge model on a tiny limit still leaves most of the limit to the solver
# A model whose build alone would take more than this share of the limit is not built: the kind's quick plan
# (made from the scenario alone) is the answer, so the limit holds. Decided by the limit, not the clock.
QUICK_PLAN_SHARE = 0.4
# A timed start heuristic run before the solver may use this share of the time left (the solver gets the rest);
# beside the solver, in its own time, it may use all of it: a large plant has no other plan to begin from
START_SHARE = 0.5


@dataclass
class Loaded:
    """A validated scenario with where it came from."""

    kind: KindDefinition
    scenario: Any
    path: Path
    sha256: str
    load_seconds: float
    what_if: str | None = None

    @property
    def name(self) -> str:
        settings = getattr(self.scenario, "settings", None)
        base = getattr(settings, "name", None) or self.path.stem
        return f"{base} [{self.what_if}]" if self.what_if else base


def file_sha256(path: Path) -> str:
    """sha256 of a file, or of a folder's files in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def read_input(path: Path, fmt: str | None = None) -> tuple[dict[str, RawTable], str]:
    """Raw tables of an input and the format they were read in: a workbook, a CSV folder or a benchmark file."""
    if fmt is None and path.is_file() and path.suffix.lower() not in (".xlsx", ".xlsm"):
        detected = detect_format(path)
        if detected is None:
            raise InputErrors(
                [InputError(path.name, "is not a scenario: give an .xlsx workbook, a folder of .csv files or --format")]
            )
        return detected.read(path), detected.name
    if fmt is None or fmt in TABLE_FORMATS:
        return read_tables(path, fmt), fmt or ("csv" if path.is_dir() else "xlsx")
    _, benchmark = find_format(fmt)
    return benchmark.read(path), fmt


def load(path: Path, fmt: str | None = None, what_if: str | None = None) -> Loaded:
    """Read and validate an input, with the changes of a what-if scenario when named.

    Raises InputErrors listing every problem, UsageError for a bad format.
    """
    start = time.perf_counter()
    tables, _ = read_input(path, fmt)
    if what_if is not None:
        tables = apply_what_if(tables, what_if)
    kind = detect_kind(tables)
    child.prepare(f.family for f in kind.formulations.values())  # native solvers: start their server early
    validated = validate(tables, kind.tables, kind.settings)
    scenario = kind.build_scenario(validated)
    sha = file_sha256(path)
    return Loaded(kind, scenario, path, sha, time.perf_counter() - start, what_if)


@dataclass
class ReplanRequest:
    """A replan: the previous plan's sheets and how many leading periods stay exactly as they were."""

    previous_sheets: dict[str, RawTable]
    freeze: int


def model_variables(model: Any) -> int:
    """How many variables a Pyomo model has (0 for other models): counted per indexed component, so cheap."""
    if not hasattr(model, "component_objects"):
        return 0
    from pyomo.environ import Var

    return sum(len(var) for var in model.component_objects(Var, descend_into=True))


def write_reserve(time_limit: float, model: Any) -> float:
    """Seconds of the limit kept for extracting the plan and writing it: 2% (0.25-10 s), more for big models."""
    base = max(WRITE_RESERVE_MIN, min(WRITE_RESERVE_CAP, WRITE_RESERVE_SHARE * time_limit))
    sized = WRITE_SECONDS_PER_VARIABLE * model_variables(model) if model is not None else 0.0
    return min(max(base, sized), WRITE_RESERVE_MAX_SHARE * time_limit)


def _warm_start(formulation: Any, scenario: Any, model: Any, seconds: float) -> bool:
    """Run the kind's start heuristic, if it has one; True when the model now holds a feasible plan."""
    if formulation.warm_start is None:
        return False
    if formulation.timed_warm_start:  # the start stops with what it has when its share of the limit is used
        return formulation.warm_start(scenario, model, seconds)
    return formulation.warm_start(scenario, model)


def _beside(formulation: Any, scenario: Any, model: Any, solver_name: str) -> Beside | None:
    """Fix-and-optimize to run beside HiGHS (and the start heuristic too, for a model too large to give HiGHS the start).

    Only for HiGHS and a kind with neighbourhoods and a timed start; every other model gets its start first and
    the solver alone. A model small enough takes the start plan and each cheaper plan fix-and-optimize finds.
    """
    if formulation.family != "pyomo" or formulation.neighbourhoods is None or not formulation.timed_warm_start:
        return None
    from optimizer.backends.pyomo_milp import is_highs, takes_start

    if not is_highs(solver_name):
        return None
    return Beside(
        start=lambda seconds: _warm_start(formulation, scenario, model, seconds),
        neighbourhoods=lambda: formulation.neighbourhoods(scenario, model),
        start_first=takes_start(model),
    )


def _too_short_to_build(formulation: Any, scenario: Any, time_limit: float) -> float | None:
    """The model's estimated build seconds when they exceed QUICK_PLAN_SHARE of the limit and a quick plan exists."""
    if formulation.quick_plan is None or formulation.build_estimate is None:
        return None
    estimate = formulation.build_estimate(scenario)
    return estimate if estimate > QUICK_PLAN_SHARE * time_limit else None


def _quick_result(loaded: Loaded, formulation: Any, solver_name: str, time_limit: float, estimate: float) -> Result:
    """The kind's quick plan, with no model built and no solver run; it says so, and that it has no bound."""
    started = time.perf_counter()
    plan = formulation.quick_plan(loaded.scenario)
    short = f"the time limit ({time_limit:g} s) is too short to build the model (about {estimate:.0f} s)"
    timings = Timings(load_seconds=loaded.load_seconds, start_seconds=time.perf_counter() - started)
    notes = [f"solver: none ({solver_name} not run: {short})"]
    if plan is None:
        message = f"{short} and the start heuristic found no plan; give a longer --time-limit"
        return Result(status=Status.NO_SOLUTION, message=message, timings=timings, notes=notes)
    message = (
        f"{short}: this is the start heuristic's plan, not optimised, with no bound to measure its gap against; "
        "give a longer --time-limit for an optimised plan"
    )
    objective = float(plan.costs["amount"].sum())
    return Result(
        status=Status.FEASIBLE,
        objective=objective,
        solver="start heuristic",
        message=message,
        timings=timings,
        plan=plan,
        notes=notes,
    )


def solve_loaded(
    loaded: Loaded,
    params: SolveParams,
    progress: ProgressCallback | None = None,
    started: float | None = None,
    replan: ReplanRequest | None = None,
) -> Result:
    """Build the kind's model for params.solver, solve it within the time limit and extract the plan.

    With `replan`, the previous plan's decisions in the frozen periods are kept, later changes
    are penalised, the previous plan is the start, and the plan gains a Changes sheet.
    """
    started = time.perf_counter() - loaded.load_seconds if started is None else started
    freeze = None if replan is None else replan.freeze
    solver_name, formulation, reason = loaded.kind.choose(params.solver, loaded.scenario, freeze)
    too_short = None if replan is not None else _too_short_to_build(formulation, loaded.scenario, params.time_limit)
    if too_short is not None:
        return _quick_result(loaded, formulation, solver_name, params.time_limit, too_short)
    child.prepare([formulation.family])  # a native solver runs in a child process: start its server while we build
    build_start = time.perf_counter()
    replanning, previous = None, None
    if replan is not None:
        replanning = loaded.kind.replanning
        if replanning is None or formulation.family not in replanning.families:
            raise UsageError(f"replan is not available for {loaded.kind.name} scenarios with solver '{solver_name}'")
        previous = replanning.read_previous(loaded.scenario, replan.previous_sheets)
    reserve = [write_reserve(params.time_limit, None)]  # the plan must still be written within the limit

    def seconds_left() -> float:
        return params.time_limit - reserve[0] - (time.perf_counter() - started)

    model = (
        formulation.build(loaded.scenario, params.time_limit)
        if formulation.sized_build
        else formulation.build(loaded.scenario)
    )
    if replanning is not None:
        has_start = replanning.apply(loaded.scenario, model, previous, replan.freeze)
    build_seconds = time.perf_counter() - build_start
    beside = _beside(formulation, loaded.scenario, model, solver_name) if replanning is None else None
    if replanning is None and (beside is None or beside.start_first):
        has_start = _warm_start(formulation, loaded.scenario, model, START_SHARE * max(0.0, seconds_left()))
    elif beside is not None:
        has_start = False  # the backend runs the start beside its solver
    start_seconds = time.perf_counter() - build_start - build_seconds
    reserve[0] = write_reserve(params.time_limit, model)

    run_params = params.model_copy(update={"solver": solver_name})
    outcome = backend_solve(
        formulation.family, model, run_params, max(0.1, seconds_left()), progress, has_start, beside
    )
    plan = formulation.extract(loaded.scenario, model) if outcome.status.has_plan else None
    notes = [f"solver: {solver_name} ({formulation.family} backend), {reason}"]
    if beside is not None:
        notes.append(
            "fix-and-optimize ran beside the solver from its start plan, each cheaper plan offered to it"
            if beside.start_first
            else "the start heuristic and fix-and-optimize ran beside the solver, within its time"
        )
    if plan is not None and formulation.marginals is not None:
        left = seconds_left()
        if left >= MARGINALS_MIN_SECONDS:
            sheet = formulation.marginals(loaded.scenario, model, plan, left / 2)
            if sheet is not None:
                plan.sheets["Marginal values"] = sheet
        else:
            notes.append("marginal values not computed: no time left within the time limit")
    explanation = []
    if outcome.status is Status.INFEASIBLE and formulation.explain is not None:
        left = seconds_left()
        if left >= 1.0:
            explanation = formulation.explain(loaded.scenario, run_params, left)
        else:
            explanation = [{"severity": "info", "location": "", "message": "no time left to explain the infeasibility"}]
    if replanning is not None:
        notes.append(f"replan: {replanning.frozen.format(n=replan.freeze)} kept as in the previous plan")
        if plan is not None:
            changes, kpis = replanning.changes(loaded.scenario, previous, plan, replan.freeze)
            plan.sheets["Changes"] = changes
            plan.kpis.update(kpis)
        extra = pd.DataFrame(previous.diagnostics, columns=DIAGNOSTIC_COLUMNS)
        if plan is not None and not extra.empty:
            plan.diagnostics = pd.concat([plan.diagnostics, extra], ignore_index=True)
        elif not extra.empty:  # no plan: what no longer fits may be why, so it still goes to Diagnostics
            explanation += previous.diagnostics
    timings = Timings(
        load_seconds=loaded.load_seconds,
        build_seconds=build_seconds,
        start_seconds=start_seconds,
        solve_seconds=outcome.seconds,
    )
    return Result(
        status=outcome.status,
        objective=outcome.objective,
        bound=outcome.bound,
        gap=outcome.gap,
        solver=outcome.solver,
        solver_version=outcome.solver_version,
        message=outcome.message or f"solver status {outcome.raw_status}",
        timings=timings,
        plan=plan,
        notes=notes,
        explanation=explanation,
    )
