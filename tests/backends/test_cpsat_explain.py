"""CP-SAT infeasibility explained by rule literals: a small conflicting set and the cost without it."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from optimizer.backends.cpsat import CpsatModel, solve
from optimizer.backends.cpsat_explain import explain_conflict
from optimizer.core.params import SolveParams
from optimizer.core.status import Status


def three_tasks() -> CpsatModel:
    """Tasks A, B, C of 4 hours on one machine; A and B must both end by hour 4 (they cannot); C by 12."""
    model = cp_model.CpModel()
    built = CpsatModel(model)
    ends = {}
    intervals = []
    for name in "ABC":
        start = model.NewIntVar(0, 20, f"start_{name}")
        end = model.NewIntVar(0, 24, f"end_{name}")
        intervals.append(model.NewIntervalVar(start, 4, end, name))
        ends[name] = end
    model.AddNoOverlap(intervals)
    for name, due, row in (("A", 4, 2), ("B", 4, 3), ("C", 12, 4)):
        rule = built.rule(f"Jobs!D{row}", f"job {name} must end by {due}")
        model.Add(ends[name] <= due).OnlyEnforceIf(rule)
    makespan = model.NewIntVar(0, 24, "makespan")
    model.AddMaxEquality(makespan, list(ends.values()))
    model.Minimize(makespan)
    return built


def test_rules_hold_in_a_normal_solve():
    outcome = solve(three_tasks(), SolveParams(), 10)
    assert outcome.status is Status.INFEASIBLE  # the rule literals are fixed on, not free to switch rules off


def test_the_conflict_is_the_two_rules_that_cannot_hold_together_and_its_cost():
    conflict = explain_conflict(three_tasks, SolveParams(), 10)
    assert conflict.found
    assert sorted(conflict.rules) == [("Jobs!D2", "job A must end by 4"), ("Jobs!D3", "job B must end by 4")]
    assert conflict.cost == 12  # without those two rules the three tasks end at 12


def test_a_feasible_model_has_no_conflict():
    def relaxed() -> CpsatModel:
        built = three_tasks()
        built.rules.pop(1)  # forget B's rule: its literal stays free and the rule can be dropped
        return built

    conflict = explain_conflict(relaxed, SolveParams(), 5)
    assert not conflict.found and "not in rules" in conflict.message


def test_explain_rows_name_the_cells_and_the_cost():
    from optimizer.backends.cpsat_explain import explain_rows

    rows = explain_rows(three_tasks, SolveParams(), 10)
    assert sorted(r["location"] for r in rows if r["severity"] == "error") == ["Jobs!D2", "Jobs!D3"]
    assert rows[-1]["message"] == "without the rules listed above, the best plan costs 12.00"


def test_a_crash_of_the_explaining_solver_is_reported_not_raised(monkeypatch):
    from optimizer.backends import child

    if not child.enabled():
        pytest.skip("solver isolation is switched off here")
    monkeypatch.setenv(child.FAULT_ENV, "segfault")  # a real SIGSEGV in the explaining CP-SAT process
    conflict = explain_conflict(three_tasks, SolveParams(), 10)
    assert not conflict.found
    assert "the search for the conflict failed" in conflict.message and "SIGSEGV" in conflict.message
