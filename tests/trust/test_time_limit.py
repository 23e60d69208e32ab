"""Time limits, for every kind: a whole run (load, solve, write) ends within a few seconds of the limit."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.kinds import available_kinds, get_kind
from optimizer.reports.template import write_template

LIMIT = 6.0
SLACK = 4.0  # process start-up aside, what the engine may overrun by


# Known overruns at --scale 300 with a 6 s limit (open work in the issues), kind -> reason: not run until
# fixed, strict once run. None today: inventory, whose build alone took 6.1 s of the 6 s limit on a slower machine
# (2026-12-02), now answers such a limit with its start plan without building the model.
OVERRUNS: dict[str, str] = {}  # kind -> why it overruns: a known gap kept visible as a strict xfail
KINDS = [
    pytest.param(k, marks=pytest.mark.xfail(run=False, strict=True, reason=OVERRUNS[k])) if k in OVERRUNS else k
    for k in available_kinds()
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_run_ends_within_its_time_limit_and_says_how(kind, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    write_template(get_kind(kind), path, scale=300)  # large enough that no kind finishes early
    summary = tmp_path / "summary.json"
    started = time.perf_counter()
    result = CliRunner().invoke(
        app,
        [
            "solve",
            str(path),
            "-o",
            str(tmp_path / "plan.xlsx"),
            "--summary",
            str(summary),
            "-q",
            "--time-limit",
            str(LIMIT),
        ],
    )
    wall = time.perf_counter() - started
    assert result.exit_code in (0, 1), result.output
    assert wall <= LIMIT + SLACK, f"{kind}: {wall:.1f} s for a {LIMIT} s limit"
    document = json.loads(summary.read_text())
    if document["status"] == "feasible" and document["bound"] is not None:
        assert document["gap"] is not None and document["gap"] >= 0  # a time-out with an incumbent says its gap
    assert document["status"] != "optimal" or document["gap"] in (0, None) or document["gap"] <= 1e-3
