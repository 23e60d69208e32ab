"""Echelon data for (l,S) inequalities: valid for components too, whose demand is their parents' production.

For a product i and its period u, the echelon position is its own net stock s - b plus, for each
BOM line (parent p, q units per unit, offset o), q times p's echelon position at min(u + o, n - 1):
every parent period whose use of i falls in 0..u (use is in max(0, tau - o)). Its echelon demand
D(u) is its own demand plus q times p's echelon demand of the parent periods using i in u, and
its initial echelon stock I = own initial stock + q times p's. Adding the balance rows of i and of
all its ancestors (weighted) cancels the parents' production: with x = what i makes,

    E(u) = I + x(0..u) - D(0..u),   E(u) = S(u) - B(u)   (S: the stock terms, B: the backlog terms).

A parent's backlog defers its need of i, so it enters E with a minus sign. The cut, for a last
period l and any set of periods T <= l, with y = runs of i (all its routings have one), is

    sum_{t in T} (x_t - D'(t..l) y_t - B(t - 1)) <= S(l),   B(-1) = 0,

where D'(t..l) = max(0, D(0..l) - I) - max(0, D(0..t-1) - I) is the echelon demand left after
the initial echelon stock. Proof: let t* be the first period of T with a run (none: the left side
is -sum B <= 0 <= S(l)). Periods of T before t* make nothing; after t*, x_t - D' y_t - B <= x_t.
So the left side is at most x(t*..l) - D'(t*..l) - B(t* - 1), and x(t*..l) = D(t*..l) + E(l) -
E(t* - 1) with E(l) <= S(l) (B >= 0) and -E(t* - 1) = B - S <= B(t* - 1) - max(0, I - D(0..t*-1))
(S >= 0, and S = E + B >= I - D(0..t*-1) + B as x >= 0). As D(t..l) - max(0, I - D(0..t-1)) <= D'(t..l) in
every case of I against D(0..t-1) and D(0..l), the left side is at most S(l). For a product
without parents this is the single-level (l,S) inequality on net demand. Holds with backlog
allowed or forbidden, any offset and quantity per unit, initial and safety stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models.production.data import Scenario

if TYPE_CHECKING:
    from models.production.milp import Structure

Term = tuple[float, int, int]  # coefficient, product, period of a stock or backlog variable


@dataclass(frozen=True)
class Echelon:
    """One product's echelon: cumulative net echelon demand and the stock and backlog terms of its position."""

    product: int
    cum: tuple[float, ...]  # [l] echelon demand of periods 0..l left after the initial echelon stock
    stock: tuple[tuple[Term, ...], ...]  # [l] S(l): stock variables of the echelon at the end of l
    waiting: tuple[tuple[Term, ...], ...]  # [t] B(t - 1): its backlog variables at the end of t - 1 (none at 0)

    def demand(self, t: int, last: int) -> float:
        """D'(t..last): net echelon demand of periods t..last."""
        return self.cum[last] - (self.cum[t - 1] if t > 0 else 0.0)


def held(terms: tuple[Term, ...], var: Any) -> Any:
    """sum(coef * var[product, period]) over `terms`: an echelon's stock or backlog as a Pyomo expression."""
    return sum(coef * var[j, u] for coef, j, u in terms)


class _Tree:
    """Echelon demand, initial stock and positions of products, each computed once from the BOM upwards."""

    def __init__(self, s: Scenario, st: Structure) -> None:
        self.s, self.st = s, st
        self.demand_memo: dict[int, tuple[list[float], float]] = {}
        self.position_memo: dict[tuple[int, int], dict[tuple[int, int], float]] = {}

    def demand(self, i: int) -> tuple[list[float], float]:
        """Echelon demand per period of product i and its initial echelon stock."""
        if i not in self.demand_memo:
            demand, initial = list(self.s.demand[i]), self.s.products[i].initial_stock
            for b in self.st.parents_of[i]:
                c = self.s.bom[b]
                parent_demand, parent_initial = self.demand(c.parent)
                initial += c.quantity_per * parent_initial
                for tau, d in enumerate(parent_demand):
                    demand[self.s.consumed_in(tau, c.offset)] += c.quantity_per * d
            self.demand_memo[i] = demand, initial
        return self.demand_memo[i]

    def position(self, i: int, u: int) -> dict[tuple[int, int], float]:
        """{(product, period): coefficient}: i's net stock at the end of u plus q times each parent's position."""
        if (i, u) not in self.position_memo:
            out = {(i, u): 1.0}
            for b in self.st.parents_of[i]:
                c = self.s.bom[b]
                for key, coef in self.position(c.parent, min(u + c.offset, self.s.n_periods - 1)).items():
                    out[key] = out.get(key, 0.0) + c.quantity_per * coef
            self.position_memo[i, u] = out
        return self.position_memo[i, u]

    def echelon(self, i: int) -> Echelon:
        """Product i's echelon."""
        demand, initial = self.demand(i)
        total, cum = 0.0, []
        for d in demand:
            total += d
            cum.append(max(0.0, total - initial))
        backlog = set(self.st.backlog_products)
        at = [self.position(i, u) for u in range(self.s.n_periods)]
        stock = tuple(tuple((coef, j, u) for (j, u), coef in p.items()) for p in at)
        waiting = ((),) + tuple(tuple((coef, j, u) for (j, u), coef in p.items() if j in backlog) for p in at[:-1])
        return Echelon(i, tuple(cum), stock, waiting)


def echelons(s: Scenario, st: Structure, products: list[int]) -> list[Echelon]:
    """The echelon of each product in `products`."""
    tree = _Tree(s, st)
    return [tree.echelon(i) for i in products]
