"""The MILP against a Wagner-Whitin dynamic program written here, on single-item lot-sizing instances.

One item, one supplier, no capacities, MOQ or packs; shortage so dear that none is optimal. The
DP's optimum (purchasing + ordering + holding) must equal the MILP's objective.
"""

from __future__ import annotations

import itertools
import random

import pytest

from tests.models.inventory.helpers import item, offer, solve_case


def wagner_whitin(demand: list[float], K: float, h: float, c: float, lead: int = 0, initial: float = 0.0) -> float:
    """Least cost to meet every demand on time: O(T^2) over the arrival period of each order.

    Initial stock serves the earliest demand (it costs nothing more); holding is charged on the
    closing stock of every period; an order placed in t arrives in t + lead.
    """
    T = len(demand)
    net, left, initial_holding = [], initial, 0.0
    for d in demand:
        used = min(left, d)
        left -= used
        net.append(d - used)
        initial_holding += h * left
    assert sum(net[:lead]) == 0, "demand before the first arrival must be covered by initial stock"
    INF = float("inf")
    best = [INF] * (T + 1)  # best[j]: net demand of periods < j met by orders arriving before j
    best[lead] = 0.0
    for j in range(lead, T):  # last period covered by the order arriving in i
        for i in range(lead, j + 1):
            if best[i] == INF:
                continue
            covered = net[i : j + 1]
            holding = h * sum((k - i) * d for k, d in enumerate(covered, start=i))
            cost = (K if sum(covered) > 0 else 0.0) + holding
            best[j + 1] = min(best[j + 1], best[i] + cost)
    return best[T] + c * sum(net) + initial_holding


def brute_force(demand: list[float], K: float, h: float, c: float) -> float:
    """Every set of order periods (lead time 0, no initial stock), each order covering up to the next.

    An 'order' that covers no demand is not placed and costs nothing.
    """
    T = len(demand)
    best = float("inf")
    for pattern in itertools.product((False, True), repeat=T - 1):
        starts = [0] + [t + 1 for t, on in enumerate(pattern) if on]
        cost = 0.0
        for a, b in zip(starts, starts[1:] + [T], strict=True):
            covered = demand[a:b]
            cost += (K if sum(covered) > 0 else 0.0) + sum(h * (k - a) * d for k, d in enumerate(covered, start=a))
        best = min(best, cost)
    return best + c * sum(demand)


def solve_lot_sizing(folder, demand, K, h, c, lead=0, initial=0.0):
    return solve_case(
        folder,
        periods=len(demand),
        items=[item(unit_cost=c, holding_cost=h, shortage_cost=10_000.0, initial_stock=initial)],
        offers=[offer(order_cost=K, lead_time=lead)],
        demand={"A": demand},
    )


TEXTBOOK = dict(demand=[20.0, 50, 10, 50, 50, 10, 20, 40, 20, 30], K=100.0, h=1.0, c=5.0)


def test_dynamic_program_agrees_with_brute_force():
    assert wagner_whitin(**TEXTBOOK) == brute_force(**TEXTBOOK) == 580.0 + 5.0 * 300
    rng = random.Random(11)
    for _ in range(20):
        demand = [float(rng.randint(0, 60)) for _ in range(rng.randint(2, 9))]
        args = dict(demand=demand, K=float(rng.randint(0, 200)), h=float(rng.randint(1, 4)), c=2.0)
        assert wagner_whitin(**args) == pytest.approx(brute_force(**args))


def test_textbook_instance(tmp_path):
    solved = solve_lot_sizing(tmp_path / "textbook", **TEXTBOOK)
    assert solved.result.objective == pytest.approx(wagner_whitin(**TEXTBOOK), rel=1e-6)
    assert sum(solved.column("shortage")) == 0


RANDOM_INSTANCES = []
_rng = random.Random(2024)
for _k in range(5):
    _T = _rng.randint(8, 12)
    RANDOM_INSTANCES.append(
        dict(
            demand=[float(_rng.choice([0, _rng.randint(5, 120)])) for _ in range(_T)],
            K=float(_rng.randint(20, 400)),
            h=float(_rng.randint(1, 6)),
            c=float(_rng.randint(1, 20)),
        )
    )


@pytest.mark.parametrize("instance", RANDOM_INSTANCES, ids=[f"random{k}" for k in range(5)])
def test_random_instances(tmp_path, instance):
    solved = solve_lot_sizing(tmp_path / "random", **instance)
    assert solved.result.objective == pytest.approx(wagner_whitin(**instance), rel=1e-6)
    assert sum(solved.column("shortage")) == 0


def test_lead_time_two_with_initial_stock_covering_the_first_periods(tmp_path):
    demand = [30.0, 20, 40, 10, 0, 50, 25, 35, 15, 45]
    args = dict(demand=demand, K=150.0, h=2.0, c=4.0, lead=2, initial=50.0)
    solved = solve_lot_sizing(tmp_path / "lead2", **args)
    assert solved.result.objective == pytest.approx(wagner_whitin(**args), rel=1e-6)
    # 30 + 20 from stock, then every order is placed two periods before it arrives
    assert solved.column("closing")[:2] == [20.0, 0.0]
    assert all(r.arrival_period == f"P{int(r.order_period[1:]) + 2}" for r in solved.orders.itertuples())
    assert sum(solved.column("shortage")) == 0
