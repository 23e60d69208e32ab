"""Native solvers in a child process: real crashes and hangs become a status, normal solves are unchanged."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model
from typer.testing import CliRunner

from optimizer.backends import child, cpsat, ortools_routing, pyvrp_solver
from optimizer.backends.cpsat import CpsatModel, Response
from optimizer.cli import app
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import load, solve_loaded
from tests.backends.test_cpsat import knapsack
from tests.backends.test_routing_backends import _model as line_model
from tests.builders import tiny_workbook
from tests.processes import run_script

FT06 = Path(__file__).parents[2] / "scenarios" / "scheduling-ft06.xlsx"  # optimum makespan 55 (Fisher & Thompson)


def _stream_then_hang(payload: int, limit: float, channel: child.Channel) -> None:
    """A job that sends one incumbent and then never returns."""
    channel.incumbent(payload, force=True)
    while True:
        time.sleep(1)


def _answer(payload: int, limit: float, channel: child.Channel) -> tuple[int, bool]:
    return payload * 2, child._in_child


def _refuse(payload: str, limit: float, channel: child.Channel) -> None:
    raise UsageError(payload)


def test_an_exception_in_the_job_is_raised_again_in_the_parent() -> None:
    with pytest.raises(UsageError, match="not this one"):
        child.run("test", _refuse, "not this one", 5, None)


def test_a_job_runs_in_a_child_and_its_result_comes_back() -> None:
    out = child.run("test", _answer, 21, 5, None)
    assert out.finished and out.value == (42, True)  # computed in a process where the child flag is set


@pytest.mark.parametrize(("fault", "signal"), [("segfault", "signal 11 (SIGSEGV)"), ("abort", "signal 6 (SIGABRT)")])
def test_a_native_crash_in_the_cpsat_process_is_status_error_naming_the_signal(monkeypatch, fault, signal) -> None:
    monkeypatch.setenv(child.FAULT_ENV, fault)
    result = solve_loaded(load(FT06), SolveParams(time_limit=10))
    assert result.status is Status.ERROR and result.plan is None
    assert f"the CP-SAT solver process ended with {signal}" in result.message


@pytest.mark.parametrize("backend", [pyvrp_solver, ortools_routing])
def test_a_native_crash_in_a_routing_process_is_status_error(monkeypatch, backend) -> None:
    monkeypatch.setenv(child.FAULT_ENV, "segfault")
    model = line_model()
    outcome = backend.solve(model, SolveParams(seed=1), 2.0, None, False)
    assert outcome.status is Status.ERROR and model.solution is None
    assert "solver process ended with signal 11 (SIGSEGV)" in outcome.message


def test_a_hung_solver_process_is_killed_soon_after_its_limit(monkeypatch) -> None:
    monkeypatch.setenv(child.FAULT_ENV, "hang")
    started = time.perf_counter()
    result = solve_loaded(load(FT06), SolveParams(time_limit=2))
    wall = time.perf_counter() - started
    assert result.status is Status.ERROR
    assert "still running" in result.message and "was ended" in result.message
    assert wall <= 2 + child.grace(2) + 2, f"{wall:.1f} s"


def test_a_killed_child_keeps_the_last_incumbent_it_sent() -> None:
    started = time.perf_counter()
    out = child.run("test", _stream_then_hang, 7, 0.5, None)
    assert out.killed and not out.error and out.incumbent == 7
    assert time.perf_counter() - started <= 0.5 + child.grace(0.5) + 2


def test_a_streamed_cpsat_incumbent_reads_like_a_solver() -> None:
    built, take = knapsack()
    reference = cpsat.solve(built, SolveParams(), 10)
    values = list(built.solver.ResponseProto().solution)
    kept = Response.incumbent((reference.objective / 0.5, reference.bound / 0.5, values), "ended")
    assert kept.StatusName() == "FEASIBLE" and kept.ObjectiveValue() == pytest.approx(reference.objective / 0.5)
    assert [kept.BooleanValue(x) for x in take] == [built.true(x) for x in take]
    assert kept.Value(sum(take)) == sum(built.value(x) for x in take)


def test_the_cli_writes_summary_and_diagnostics_and_exits_1_when_the_solver_crashes(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(child.FAULT_ENV, "segfault")
    plan, summary = tmp_path / "plan.xlsx", tmp_path / "summary.json"
    result = CliRunner().invoke(app, ["solve", str(FT06), "-o", str(plan), "--summary", str(summary), "-q"])
    assert result.exit_code == 1, result.output
    document = json.loads(summary.read_text())
    assert document["status"] == "error" and document["objective"] is None
    assert plan.exists()
    import openpyxl

    sheets = openpyxl.load_workbook(plan, read_only=True).sheetnames
    assert "Summary" in sheets and "Schedule" not in sheets
    text = " ".join(
        str(c)
        for row in openpyxl.load_workbook(plan, read_only=True)["Summary"].iter_rows(values_only=True)
        for c in row
    )
    assert "SIGSEGV" in text


def _solve_all(monkeypatch, isolate: str) -> dict[str, float]:
    monkeypatch.setenv(child.ISOLATE_ENV, isolate)
    objectives = {"cpsat": cpsat.solve(knapsack()[0], SolveParams(seed=3), 10).objective}
    for name, backend in (("pyvrp", pyvrp_solver), ("ortools", ortools_routing)):
        model = line_model()
        objectives[name] = backend.solve(model, SolveParams(seed=1), 1.0, None, False).objective
        objectives[name + " routes"] = [sorted(v.stop for v in r.visits) for r in model.solution.routes]
    objectives["ft06"] = solve_loaded(load(FT06), SolveParams(time_limit=10, seed=3)).objective
    return objectives


def test_isolated_solves_give_the_same_results_as_in_process(monkeypatch) -> None:
    isolated, here = _solve_all(monkeypatch, "1"), _solve_all(monkeypatch, "0")
    assert isolated == here
    assert isolated["ft06"] == 55 and isolated["pyvrp"] == isolated["ortools"] == 40  # known optima
    assert isolated["cpsat"] == pytest.approx(-0.5 * _knapsack_best())


def _knapsack_best() -> int:
    """The knapsack's optimum by brute force over all subsets."""
    weights, values = [3, 4, 5, 8, 9, 2, 7, 6, 5, 4, 3, 8], [4, 5, 6, 10, 11, 3, 9, 7, 6, 5, 4, 9]
    return max(
        sum(v for i, v in enumerate(values) if mask >> i & 1)
        for mask in range(1 << 12)
        if sum(w for i, w in enumerate(weights) if mask >> i & 1) <= 20
    )


def test_progress_from_the_child_reaches_the_parent() -> None:
    model = cp_model.CpModel()
    durations = [7, 3, 9, 4, 6, 8, 5, 2, 9, 6, 3, 7]
    starts = [model.NewIntVar(0, 100, f"s{i}") for i in range(len(durations))]
    intervals = [
        model.NewIntervalVar(s, d, s + d, f"i{i}") for i, (s, d) in enumerate(zip(starts, durations, strict=True))
    ]
    model.AddNoOverlap(intervals)
    model.Minimize(sum((i % 3 + 1) * (s + d) for i, (s, d) in enumerate(zip(starts, durations, strict=True))))
    seen = []
    outcome = cpsat.solve(CpsatModel(model), SolveParams(threads=1), 5, seen.append)
    assert outcome.status.has_plan and seen
    assert all(p.incumbent is not None for p in seen)
    assert seen[-1].incumbent == pytest.approx(outcome.objective)


def test_a_daemon_or_switched_off_process_solves_in_process(monkeypatch) -> None:
    monkeypatch.setenv(child.ISOLATE_ENV, "0")
    assert not child.enabled()
    monkeypatch.setenv(child.ISOLATE_ENV, "1")
    assert child.enabled()


UNGUARDED_SCRIPT = """
import sys
from pathlib import Path

from optimizer.core.params import SolveParams
from optimizer.solve import load, solve_loaded

result = solve_loaded(load(Path(sys.argv[1])), SolveParams(time_limit=30))
print(result.status.value, result.objective)
"""


def test_a_script_without_a_main_guard_gets_the_plan_a_guarded_caller_gets(tmp_path) -> None:
    """multiprocessing runs the main script again in a spawned child unless told not to: a planner's script with no
    `if __name__ == "__main__"` would start its solve again there, and the child would die (or the parent hang)."""
    workbook = tiny_workbook(tmp_path / "tiny.xlsx")  # an inventory plan: HiGHS in its own process
    script = tmp_path / "plan_it.py"
    script.write_text(UNGUARDED_SCRIPT)
    run = run_script(script, str(workbook))
    assert run.returncode == 0, run.stderr
    status, objective = run.stdout.split()
    here = solve_loaded(load(workbook), SolveParams(time_limit=30))
    assert status == here.status.value == "optimal"
    assert float(objective) == pytest.approx(here.objective, rel=1e-9)
