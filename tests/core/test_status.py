"""Status mapping: every raw status of every real solver enum has an explicit planner-facing Status."""

from __future__ import annotations

import math

import pytest

from optimizer.core import status as st
from optimizer.core.status import Status, from_cpsat, from_highs, from_pyomo, relative_gap

LIMIT = "limit"


def highs_names() -> list[str]:
    highspy = pytest.importorskip("highspy")
    return list(highspy.HighsModelStatus.__members__)


def pyomo_names() -> list[str]:
    from pyomo.contrib.solver.common.results import TerminationCondition

    return [m.name for m in TerminationCondition]


def pyomo_legacy_names() -> list[str]:
    from pyomo.opt import TerminationCondition

    return [m.name for m in TerminationCondition]


def cpsat_names() -> list[str]:
    cp_model = pytest.importorskip("ortools.sat.python.cp_model")
    return list(cp_model.CpSolverStatus.__members__)


# (real member names, the module's map, the function that applies it)
SOURCES = {
    "highs": (highs_names, st.HIGHS_MODEL_STATUS, from_highs),
    "pyomo": (pyomo_names, st.PYOMO_TERMINATION, from_pyomo),
    "pyomo_legacy": (pyomo_legacy_names, st.PYOMO_LEGACY_TERMINATION, from_pyomo),
}


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_member_of_the_real_enum_is_mapped(source):
    names, mapping, _ = SOURCES[source]
    real = names()
    assert real, "the solver enum has no members"
    missing = sorted(set(real) - set(mapping))
    assert missing == [], f"{source}: raw statuses without a mapping: {missing}"


def test_every_cpsat_status_is_mapped():
    real = cpsat_names()
    assert set(real) == {"OPTIMAL", "FEASIBLE", "INFEASIBLE", "MODEL_INVALID", "UNKNOWN"}
    assert sorted(set(real) - set(st.CPSAT_STATUS)) == []
    for name in real:
        for has_solution in (True, False):
            assert isinstance(from_cpsat(name, has_solution), Status)


@pytest.mark.parametrize(
    "mapping", [st.HIGHS_MODEL_STATUS, st.PYOMO_TERMINATION, st.PYOMO_LEGACY_TERMINATION, st.CPSAT_STATUS]
)
def test_map_values_are_statuses_or_the_limit_marker(mapping):
    for name, value in mapping.items():
        assert isinstance(value, Status) or value == LIMIT, name


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_real_member_maps_to_a_status_with_and_without_incumbent(source):
    names, _, resolve = SOURCES[source]
    for name in names():
        for has_solution in (True, False):
            assert isinstance(resolve(name, has_solution), Status), name


ALL_MAPS = [
    (st.HIGHS_MODEL_STATUS, from_highs),
    (st.PYOMO_TERMINATION, from_pyomo),
    (st.PYOMO_LEGACY_TERMINATION, from_pyomo),
    (st.CPSAT_STATUS, from_cpsat),
]


@pytest.mark.parametrize("mapping,resolve", ALL_MAPS)
def test_limit_stop_is_feasible_with_incumbent_and_no_solution_without(mapping, resolve):
    limits = [name for name, value in mapping.items() if value == LIMIT]
    assert limits
    for name in limits:
        assert resolve(name, True) is Status.FEASIBLE, name
        assert resolve(name, False) is Status.NO_SOLUTION, name


@pytest.mark.parametrize(
    "resolve,name",
    [
        (from_highs, "kTimeLimit"),
        (from_highs, "kIterationLimit"),
        (from_highs, "kSolutionLimit"),
        (from_highs, "kInterrupt"),
        (from_pyomo, "maxTimeLimit"),
        (from_pyomo, "iterationLimit"),
        (from_pyomo, "maxIterations"),
        (from_pyomo, "interrupted"),
        (from_cpsat, "UNKNOWN"),
    ],
)
def test_a_time_or_work_limit_is_never_optimal(resolve, name):
    assert resolve(name, True) is Status.FEASIBLE
    assert resolve(name, False) is Status.NO_SOLUTION
    assert Status.OPTIMAL not in (resolve(name, True), resolve(name, False))


@pytest.mark.parametrize(
    "resolve,name,has_solution,expected",
    [
        (from_highs, "kOptimal", True, Status.OPTIMAL),
        (from_highs, "kInfeasible", False, Status.INFEASIBLE),
        (from_highs, "kUnbounded", False, Status.UNBOUNDED),
        (from_highs, "kUnboundedOrInfeasible", False, Status.INFEASIBLE),
        (from_highs, "kSolveError", False, Status.ERROR),
        (from_highs, "kLoadError", False, Status.ERROR),
        (from_pyomo, "convergenceCriteriaSatisfied", True, Status.OPTIMAL),
        (from_pyomo, "provenInfeasible", False, Status.INFEASIBLE),
        (from_pyomo, "unbounded", False, Status.UNBOUNDED),
        (from_pyomo, "licensingProblems", False, Status.ERROR),
        (from_pyomo, "optimal", True, Status.OPTIMAL),
        (from_pyomo, "infeasible", False, Status.INFEASIBLE),
        (from_pyomo, "noSolution", False, Status.NO_SOLUTION),
        (from_pyomo, "solverFailure", False, Status.ERROR),
        (from_pyomo, "feasible", True, Status.FEASIBLE),
        (from_cpsat, "OPTIMAL", True, Status.OPTIMAL),
        (from_cpsat, "FEASIBLE", True, Status.FEASIBLE),
        (from_cpsat, "INFEASIBLE", False, Status.INFEASIBLE),
        (from_cpsat, "MODEL_INVALID", False, Status.ERROR),
    ],
)
def test_proven_outcomes(resolve, name, has_solution, expected):
    assert resolve(name, has_solution) is expected


@pytest.mark.parametrize("resolve,name", [(from_highs, "kOptimal"), (from_pyomo, "optimal"), (from_cpsat, "OPTIMAL")])
def test_optimal_claimed_without_a_solution_is_an_error_not_a_plan(resolve, name):
    result = resolve(name, False)
    assert result is Status.ERROR
    assert not result.has_plan


@pytest.mark.parametrize("resolve", [from_highs, from_pyomo, from_cpsat])
def test_an_unknown_raw_status_never_raises_and_is_never_optimal(resolve):
    assert resolve("someStatusFromAFutureRelease", True) is Status.FEASIBLE
    assert resolve("someStatusFromAFutureRelease", False) is Status.ERROR


def test_has_plan_and_exit_code():
    assert {s for s in Status if s.has_plan} == {Status.OPTIMAL, Status.FEASIBLE}
    assert Status.OPTIMAL.exit_code == 0
    assert Status.FEASIBLE.exit_code == 0
    for s in (Status.INFEASIBLE, Status.UNBOUNDED, Status.NO_SOLUTION, Status.ERROR):
        assert s.exit_code == 1
    assert [s.value for s in Status] == ["optimal", "feasible", "infeasible", "unbounded", "no_solution", "error"]


@pytest.mark.parametrize(
    "objective,bound,expected",
    [
        (100.0, 90.0, 0.1),
        (100.0, 100.0, 0.0),
        (200.0, 150.0, 0.25),
        (-100.0, -110.0, 0.1),
        (0.0, 0.0, 0.0),
        (1e-12, 0.0, 1e-12 / 1e-9),
    ],
)
def test_relative_gap(objective, bound, expected):
    assert relative_gap(objective, bound) == pytest.approx(expected)


@pytest.mark.parametrize(
    "objective,bound",
    [(None, 1.0), (1.0, None), (None, None), (1.0, math.inf), (math.inf, 1.0), (1.0, -math.inf), (math.nan, 1.0)],
)
def test_relative_gap_unknown(objective, bound):
    assert relative_gap(objective, bound) is None
