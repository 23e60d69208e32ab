"""Optima against brute force: every integer production plan of a one-product, three-period case.

With integer data and the runs fixed, the remaining LP is a network flow with integer
capacities, so the best integer plan found by enumeration is the MILP optimum.
"""

from __future__ import annotations

import itertools
import random

import pytest

from optimizer.core.status import Status
from tests.models.production.helpers import product, resource, routing, solve_case


def brute_force(d, init, cap, max_ot, ot_cost, a, setup_time, setup_cost, unit_cost, hold, back, min_lot):
    """Cheapest plan by enumeration; backlog allowed at `back` per unit and period (None: not allowed)."""
    best = None
    ranges = [range(0, int((cap + max_ot - setup_time) / a) + 1 if cap + max_ot >= setup_time else 1) for _ in d]
    for plan in itertools.product(*ranges):
        if any(0 < x < min_lot for x in plan):
            continue
        cost, net = 0.0, init
        for t, x in enumerate(plan):
            hours = a * x + (setup_time if x > 0 else 0)
            overtime = max(0.0, hours - cap)
            if overtime > max_ot + 1e-9:
                break
            net += x - d[t]
            if net < 0 and back is None:
                break
            cost += ot_cost * overtime + unit_cost * x + (setup_cost if x > 0 else 0)
            cost += hold * max(net, 0) + (back or 0) * max(-net, 0)
            if t == len(d) - 1:
                cost += unit_cost * max(-net, 0)  # backlog left at the end must still be made
        else:
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_random_single_product_matches_enumeration(tmp_path, seed):
    rng = random.Random(seed)
    d = [rng.randint(0, 6) for _ in range(3)]
    init = rng.randint(0, 2)
    cap, max_ot = rng.randint(3, 6), rng.randint(0, 3)
    ot_cost, setup_time = rng.choice([1, 4]), rng.choice([0, 1])
    setup_cost, unit_cost = rng.randint(0, 8), rng.randint(0, 2)
    hold, back = rng.choice([1, 2]), rng.choice([None, 3])
    min_lot = rng.choice([0, 3])
    expected = brute_force(d, init, cap, max_ot, ot_cost, 1, setup_time, setup_cost, unit_cost, hold, back, min_lot)
    r = solve_case(
        tmp_path,
        periods=3,
        products=[product(holding_cost=hold, backlog_cost=back, initial_stock=init, min_lot=min_lot)],
        resources=[resource(capacity=cap, overtime_cost=ot_cost, max_overtime=max_ot)],
        routings=[routing(setup_time=setup_time, setup_cost=setup_cost, unit_cost=unit_cost)],
        demand={"A": d},
        expect=Status.INFEASIBLE if expected is None else Status.OPTIMAL,
    )
    if expected is not None:  # with none, no plan meets the demand within capacity and the model must say so
        assert r.result.objective == pytest.approx(expected)
