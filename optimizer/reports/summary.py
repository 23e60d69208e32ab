"""The run's summary as key/value rows (Summary sheet) and as the `--summary` JSON document."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from optimizer import __version__
from optimizer.core.params import SolveParams
from optimizer.core.result import Result


@dataclass
class RunInfo:
    """What a summary says beyond the Result: input identity, kind, parameters, output."""

    kind: str
    scenario: str
    input_path: str
    input_sha256: str
    params: SolveParams
    plan_file: str | None = None
    objective_note: str = ""
    notes: list[str] = field(default_factory=list)


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


ENGINE_PACKAGES = ("pyomo", "highspy", "ortools", "pyvrp")


def engine_versions() -> str:
    """The engine and every solver library's version, for the reproducibility stamp."""
    return ", ".join([f"optimizer {__version__}"] + [f"{name} {package_version(name)}" for name in ENGINE_PACKAGES])


def summary_json(result: Result, info: RunInfo, errors: list[str] | None = None) -> dict[str, Any]:
    """The `--summary` document, keys as in DESIGN.md."""
    plan = result.plan
    t = result.timings
    return {
        "kind": info.kind,
        "scenario": info.scenario,
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "solver": result.solver,
        "solver_version": result.solver_version,
        "engine": engine_versions(),
        "load_seconds": round(t.load_seconds, 3),
        "build_seconds": round(t.build_seconds, 3),
        "start_seconds": round(t.start_seconds, 3),
        "solve_seconds": round(t.solve_seconds, 3),
        "write_seconds": round(t.write_seconds, 3),
        "wall_seconds": round(t.wall_seconds, 3),
        "peak_memory_mb": round(t.peak_memory_mb, 1),
        "costs": plan.cost_by_category() if plan is not None else {},
        "kpis": dict(plan.kpis) if plan is not None else {},
        "plan_file": info.plan_file,
        "input_sha256": info.input_sha256,
        "seed": info.params.seed,
        "threads": info.params.threads,
        "time_limit": info.params.time_limit,
        "message": result.message,
        "explanation": [
            f"{r['location']}: {r['message']}" if r["location"] else r["message"] for r in result.explanation
        ],
        "notes": list(info.notes),
        "errors": errors or [],
    }


def summary_rows(result: Result, info: RunInfo) -> list[tuple[str, Any]]:
    """Key/value rows of the Summary sheet, in the order a planner reads them."""
    t = result.timings
    rows: list[tuple[str, Any]] = [
        ("scenario", info.scenario),
        ("kind", info.kind),
        ("status", result.status.value),
        ("objective", result.objective),
        ("objective includes", info.objective_note),
        ("bound", result.bound),
        ("gap", result.gap),
        ("solver", f"{result.solver} {result.solver_version}".strip()),
        ("solver message", result.message),
        ("engine", engine_versions()),
        ("python", platform.python_version()),
        ("seed", info.params.seed),
        ("threads", info.params.threads),
        ("time limit (s)", info.params.time_limit),
        ("gap limit", info.params.gap),
        ("input", info.input_path),
        ("input sha256", info.input_sha256),
        ("load seconds", round(t.load_seconds, 3)),
        ("build seconds", round(t.build_seconds, 3)),
        ("start heuristic seconds", round(t.start_seconds, 3)),
        ("solve seconds", round(t.solve_seconds, 3)),
        ("write seconds", round(t.write_seconds, 3)),
        ("wall seconds", round(t.wall_seconds, 3)),
        ("peak memory (MiB)", round(t.peak_memory_mb, 1)),
    ]
    if result.plan is not None:
        for category, amount in result.plan.cost_by_category().items():
            rows.append((f"cost: {category}", round(amount, 2)))
        for name, value in result.plan.kpis.items():
            rows.append((f"kpi: {name}", value))
    rows += [("note", n) for n in info.notes]
    return rows
