"""The PyVRP and OR-Tools routing backends on neutral RoutingModels built by hand (no spreadsheet)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.backends import ortools_routing, pyvrp_solver
from optimizer.backends.routing_model import Break, Depot, RoutingModel, Stop, VehicleType
from optimizer.core.errors import UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status

BACKENDS = {"pyvrp": pyvrp_solver, "ortools": ortools_routing}


def _model(windows=((0, 100), (0, 100)), **vehicle) -> RoutingModel:
    """A depot and two stops on a line at 10 and 20; distance = duration."""
    d = np.array([[0, 10, 20], [10, 0, 10], [20, 10, 0]], dtype=np.int64)
    stops = tuple(Stop(f"S{i}", i + 1, (1,), (0,), 0, (w,)) for i, w in enumerate(windows))
    vt = VehicleType("V", 2, 0, 0, (5,), **vehicle)
    return RoutingModel((Depot("D", 0),), stops, (vt,), d, d.copy())


@pytest.mark.parametrize("name", BACKENDS)
def test_both_backends_find_the_line_route(name: str) -> None:
    model = _model()
    outcome = BACKENDS[name].solve(model, SolveParams(seed=1), 1.0, None, False)
    assert outcome.status is Status.FEASIBLE and outcome.gap is None and outcome.bound is None
    assert outcome.objective == 40
    assert [sorted(v.stop for v in r.visits) for r in model.solution.routes] == [[0, 1]]  # either direction
    assert model.solution.unserved == []


@pytest.mark.parametrize("name", BACKENDS)
def test_unreachable_window_is_no_plan(name: str) -> None:
    """Stop 2 must start by 5 but is 20 away: no plan, reported without one."""
    model = _model(windows=((0, 100), (0, 5)), shift_end=200)
    outcome = BACKENDS[name].solve(model, SolveParams(), 1.0, None, False)
    assert outcome.status in (Status.NO_SOLUTION, Status.INFEASIBLE)
    assert outcome.objective is None and model.solution is None


def test_pyvrp_refuses_what_it_cannot_model() -> None:
    model = _model(breaks=(Break(5, 10, 3),))
    with pytest.raises(UsageError, match="driver breaks"):
        pyvrp_solver.solve(model, SolveParams(), 1.0, None, False)


def test_ortools_status_names_cover_its_enum() -> None:
    from ortools.constraint_solver import routing_enums_pb2

    names = routing_enums_pb2.RoutingSearchStatus.Value.keys()
    assert set(ortools_routing.STATUS_NAMES.values()) == set(names)
