"""The live progress display shows the solver's incumbent, bound and gap on a terminal only."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from optimizer.backends.outcome import Progress
from optimizer.core.params import SolveParams
from optimizer.kinds import get_kind
from optimizer.progress import live_progress
from optimizer.reports.template import write_template
from optimizer.solve import load, solve_loaded


def test_progress_is_drawn_on_a_terminal_with_incumbent_bound_and_gap() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with live_progress("demo", enabled=True, console=console) as update:
        assert update is not None
        update(Progress(seconds=2.5, incumbent=1234.5, bound=1200.0, gap=0.0279))
    text = screen.getvalue()
    assert "1,234.50" in text and "1,200.00" in text and "2.79%" in text


def test_no_progress_when_quiet_or_not_a_terminal() -> None:
    with live_progress("demo", enabled=False) as update:
        assert update is None
    with live_progress("demo", enabled=True, console=Console(file=io.StringIO(), force_terminal=False)) as update:
        assert update is None


def test_a_real_solve_reports_progress_from_highs_callbacks(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    write_template(get_kind("inventory"), path, example=True)
    seen: list[Progress] = []
    result = solve_loaded(load(path), SolveParams(time_limit=4, gap=1e-6), progress=seen.append)
    assert seen, "HiGHS reported no progress"
    assert any(p.bound is not None for p in seen)
    assert result.status.has_plan
