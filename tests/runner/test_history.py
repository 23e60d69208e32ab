"""The run history: SQLite under $OPTIMIZER_HOME by default, any SQLAlchemy URL with --db."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.runner.history import History, RunRecord, default_url, record_quietly
from tests.builders import tiny_workbook

runner = CliRunner()


def a_run(path: Path, status: str = "optimal", output: Path | None = None, scenario: str = "tiny") -> RunRecord:
    return RunRecord(
        command="solve",
        input_path=str(path.resolve()),
        status=status,
        scenario=scenario,
        kind="inventory",
        objective=10.0,
        output_path=str(output.resolve()) if output else None,
    )


def test_default_database_lives_under_optimizer_home(engine_home):
    assert default_url() == f"sqlite:///{engine_home / 'history.sqlite'}"
    History().record(a_run(Path("a.xlsx")))
    assert (engine_home / "history.sqlite").exists()


def test_recent_lists_newest_first_with_a_limit(tmp_path):
    history = History(f"sqlite:///{tmp_path / 'h.sqlite'}")
    ids = [history.record(a_run(tmp_path / f"{i}.xlsx")) for i in range(3)]
    recent = history.recent(2)
    assert [r.id for r in recent] == [ids[2], ids[1]]
    assert recent[0].started_at.endswith("+00:00") and recent[0].input_path.endswith("2.xlsx")


def test_latest_plan_skips_runs_without_a_plan_or_whose_plan_file_is_gone(tmp_path):
    history = History(f"sqlite:///{tmp_path / 'h.sqlite'}")
    scenario = tmp_path / "in.xlsx"
    kept, gone = tmp_path / "kept.xlsx", tmp_path / "gone.xlsx"
    kept.write_bytes(b"plan")
    history.record(a_run(scenario, output=kept))
    history.record(a_run(scenario, output=gone))  # newer, but its file was deleted
    history.record(a_run(scenario, status="infeasible", output=kept))
    history.record(a_run(tmp_path / "other.xlsx", output=kept, scenario="other"))
    found = history.latest_plan(scenario)
    assert found is not None and found.output_path == str(kept.resolve()) and found.status == "optimal"
    assert history.latest_plan(tmp_path / "never.xlsx") is None
    # a moved input is still found by its scenario name
    assert history.latest_plan(tmp_path / "moved.xlsx", scenario="tiny").output_path == str(kept.resolve())


def test_an_unwritable_history_is_a_warning_not_a_failure(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    warning = record_quietly(f"sqlite:///{blocker / 'sub' / 'h.sqlite'}", a_run(tmp_path / "a.xlsx"))
    assert warning is not None and "not recorded" in warning


def test_solve_records_the_run_and_history_lists_it(tmp_path, engine_home):
    tiny = tiny_workbook(tmp_path / "tiny.xlsx")
    plan = tmp_path / "plan.xlsx"
    result = runner.invoke(app, ["solve", str(tiny), "-o", str(plan), "--quiet", "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    (run,) = History().recent()
    assert (run.command, run.status, run.kind) == ("solve", "optimal", "inventory")
    assert run.input_path == str(tiny.resolve()) and run.output_path == str(plan.resolve())
    assert run.input_sha256 and run.objective is not None and run.wall_seconds > 0
    assert "highs" in run.versions and "optimizer" in run.versions
    listed = runner.invoke(app, ["history", "--limit", "5"], terminal_width=250)
    assert listed.exit_code == 0 and "optimal" in listed.output and "solve" in listed.output


def test_db_option_points_at_another_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    tiny = tiny_workbook(tmp_path / "tiny.xlsx")
    result = runner.invoke(app, ["solve", str(tiny), "-o", str(tmp_path / "p.xlsx"), "-q", "--db", url])
    assert result.exit_code == 0
    assert len(History(url).recent()) == 1 and History().recent() == []


def test_history_with_a_bad_url_is_a_usage_error():
    result = runner.invoke(app, ["history", "--db", "nosuchdialect://x"])
    assert result.exit_code == 2 and "cannot read the run history" in result.output
