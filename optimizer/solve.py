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

from optimizer.backends.outcome import ProgressCallback, SolverOutcome
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.result import Result, Timings
from optimizer.io.schema import validate
from optimizer.io.tables import read_tables
from optimizer.kinds import KindDefinition, detect_kind

FORMATS = ("xlsx", "csv")


@dataclass
class Loaded:
    """A validated scenario with where it came from."""

    kind: KindDefinition
    scenario: Any
    path: Path
    sha256: str
    load_seconds: float

    @property
    def name(self) -> str:
        settings = getattr(self.scenario, "settings", None)
        return getattr(settings, "name", None) or self.path.stem


def file_sha256(path: Path) -> str:
    """sha256 of a file, or of a folder's files in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def load(path: Path, fmt: str | None = None) -> Loaded:
    """Read and validate an input; raises InputErrors listing every problem, UsageError for a bad format."""
    start = time.perf_counter()
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; formats: {', '.join(FORMATS)}")
    tables = read_tables(path, fmt)
    kind = detect_kind(tables)
    validated = validate(tables, kind.tables, kind.settings)
    scenario = kind.build_scenario(validated)
    sha = file_sha256(path)
    return Loaded(kind, scenario, path, sha, time.perf_counter() - start)


def _backend_solve(
    family: str, model: Any, params: SolveParams, limit: float, progress: ProgressCallback | None, has_start: bool
) -> SolverOutcome:
    if family == "pyomo":
        from optimizer.backends import pyomo_milp

        return pyomo_milp.solve(model, params, limit, progress, warm_start=has_start)
    raise UsageError(f"no backend for formulation family '{family}'")


def solve_loaded(
    loaded: Loaded, params: SolveParams, progress: ProgressCallback | None = None, started: float | None = None
) -> Result:
    """Build the kind's model for params.solver, solve it within the time limit and extract the plan."""
    started = time.perf_counter() - loaded.load_seconds if started is None else started
    solver_name, formulation = loaded.kind.formulation_for(params.solver)
    build_start = time.perf_counter()
    model = formulation.build(loaded.scenario)
    has_start = formulation.warm_start(loaded.scenario, model) if formulation.warm_start else False
    build_seconds = time.perf_counter() - build_start
    write_reserve = min(10.0, 0.02 * params.time_limit)  # the plan must still be written within the limit
    remaining = max(1.0, params.time_limit - write_reserve - (time.perf_counter() - started))
    run_params = params.model_copy(update={"solver": solver_name})
    outcome = _backend_solve(formulation.family, model, run_params, remaining, progress, has_start)
    plan = formulation.extract(loaded.scenario, model) if outcome.status.has_plan else None
    timings = Timings(
        load_seconds=loaded.load_seconds,
        build_seconds=build_seconds,
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
    )
