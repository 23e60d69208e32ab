"""The run history: every solve, replan and batch run, in SQLite under $OPTIMIZER_HOME or any SQLAlchemy URL.

Nightly jobs look up the newest good plan of a scenario here (`replan --previous latest`), and a
planner can see what ran, when, on which input and with what outcome.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HOME_VARIABLE = "OPTIMIZER_HOME"
_metadata = sa.MetaData()
runs = sa.Table(
    "runs",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.String(32), nullable=False),  # ISO 8601, UTC
    sa.Column("command", sa.String(16), nullable=False),  # solve | replan | batch
    sa.Column("input_path", sa.Text, nullable=False),
    sa.Column("input_sha256", sa.String(64)),
    sa.Column("scenario", sa.Text),
    sa.Column("kind", sa.String(32)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("objective", sa.Float),
    sa.Column("gap", sa.Float),
    sa.Column("wall_seconds", sa.Float),
    sa.Column("solver", sa.String(64)),
    sa.Column("versions", sa.Text),
    sa.Column("output_path", sa.Text),
    sa.Column("message", sa.Text),
)


def home() -> Path:
    """Where the engine keeps its own files: $OPTIMIZER_HOME, else ~/.optimizer."""
    return Path(os.environ.get(HOME_VARIABLE) or Path.home() / ".optimizer")


def default_url() -> str:
    return f"sqlite:///{home() / 'history.sqlite'}"


@dataclass
class RunRecord:
    """One row of the history."""

    command: str
    input_path: str
    status: str
    input_sha256: str | None = None
    scenario: str | None = None
    kind: str | None = None
    objective: float | None = None
    gap: float | None = None
    wall_seconds: float | None = None
    solver: str | None = None
    versions: str | None = None
    output_path: str | None = None
    message: str | None = None
    started_at: str = ""
    id: int | None = None


class History:
    """The run history behind one database URL; the tables are made on first use."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url)
        _metadata.create_all(self.engine)

    def record(self, run: RunRecord) -> int:
        """Store a run (stamped now, UTC, when not stamped) and return its id."""
        values = {k: v for k, v in run.__dict__.items() if k != "id"}
        values["started_at"] = run.started_at or datetime.now(UTC).isoformat(timespec="seconds")
        with self.engine.begin() as connection:
            result = connection.execute(runs.insert().values(**values))
            return int(result.inserted_primary_key[0])

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """The newest runs first."""
        query = sa.select(runs).order_by(runs.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [RunRecord(**row._mapping) for row in connection.execute(query)]

    def latest_plan(self, input_path: Path, scenario: str | None = None) -> RunRecord | None:
        """The newest run with a plan (optimal or feasible) of the same input file, or else the same scenario name,
        whose plan file still exists."""
        with_plan = runs.c.status.in_(("optimal", "feasible"))
        same_input = runs.c.input_path == str(input_path.resolve())
        conditions = [same_input] if scenario is None else [same_input, runs.c.scenario == scenario]
        for condition in conditions:
            query = sa.select(runs).where(with_plan, condition).order_by(runs.c.id.desc())
            with self.engine.connect() as connection:
                for row in connection.execute(query):
                    record = RunRecord(**row._mapping)
                    if record.output_path and Path(record.output_path).exists():
                        return record
        return None


def record_quietly(url: str | None, run: RunRecord) -> str | None:
    """Record a run; a history that cannot be written is a warning (returned), never a failed solve."""
    try:
        History(url).record(run)
    except Exception as exc:  # a locked, read-only or unreachable database must not lose the plan
        return f"run not recorded in the history ({url or default_url()}): {exc}"
    return None


def as_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    return [dict(r.__dict__) for r in records]
