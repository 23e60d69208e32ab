"""Production planning as a multi-level capacitated lot-sizing MILP (big-bucket) on Pyomo.

Decisions per routing k (product on resource) and period t: make[k, t] units and run[k, t]
(a production run: setup time and cost, minimum lot); per product and period: stock at the end,
backlog (demand waiting) and the shortfall below a soft safety stock; per resource and period:
overtime hours. Components are used `offset` periods before their parent is made. Setup links
use the tightest big-M the data allows (remaining requirement, capacity of the period), and
(l,S) inequalities strengthen every product, components on their echelon stock (see
models.production.echelon). Pyomo is imported inside `build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.production.data import Scenario
from models.production.echelon import Echelon, echelons, held

FL_COLUMNS = 30_000  # the facility-location split of production by the period it serves, up to this many columns
LS_ROWS_ALL = 20_000  # up to this many (l,S) rows, every window t..l is added
LS_WINDOW = 2  # above it, windows t..l of at most this many periods past t (most of the bound, a third of the rows)
ECHELON_WINDOW = 0  # components: one row per period (l = t); wider windows slow the LP more than they raise it
# components get rows up to this many products x periods. Measured (52 weeks): 40 products, 60 s: 0.99% gap with them,
# 1.33% without; 100 products, 120 s: 1.26% with, 1.18% without; 200 products, 300 s: the LP root bound +0.09% but the
# LP 5x slower (11 -> 51 s), 1.27% with them, 1.14% without
ECHELON_PAIRS = 3_000


@dataclass(frozen=True)
class Structure:
    """Index lists and bounds derived once from a scenario, shared by the model, heuristic and plan."""

    routes_of: tuple[tuple[int, ...], ...]  # routings per product
    runs: tuple[int, ...]  # routings that need a run variable (setup time, setup cost or minimum lot)
    parents_of: tuple[tuple[int, ...], ...]  # BOM lines (indices into s.bom) where the product is the component
    requirement: tuple[tuple[float, ...], ...]  # most units of product worth making from period t on
    make_bound: tuple[tuple[float, ...], ...]  # [routing][period] most units a run can make
    backlog_products: tuple[int, ...]
    overtime_resources: tuple[int, ...]


def needs_run(s: Scenario, k: int) -> bool:
    r = s.routings[k]
    return r.setup_time > 0 or r.setup_cost > 0 or s.products[r.product].min_lot > 0


def _topological(s: Scenario) -> list[int]:
    """Products with every parent before its components."""
    children: dict[int, list[int]] = {}
    indegree = [0] * len(s.products)
    for c in s.bom:
        children.setdefault(c.parent, []).append(c.component)
        indegree[c.component] += 1
    order = [i for i in range(len(s.products)) if indegree[i] == 0]
    for u in order:
        for v in children.get(u, []):
            indegree[v] -= 1
            if indegree[v] == 0:
                order.append(v)
    return order


def structure(s: Scenario) -> Structure:
    """Routings per product, BOM parents and the bounds used by big-M links."""
    n, n_products = s.n_periods, len(s.products)
    routes_of: list[list[int]] = [[] for _ in range(n_products)]
    for k, r in enumerate(s.routings):
        routes_of[r.product].append(k)
    parents_of: list[list[int]] = [[] for _ in range(n_products)]
    for b, c in enumerate(s.bom):
        parents_of[c.component].append(b)
    requirement: list[list[float]] = [[0.0] * (n + 1) for _ in range(n_products)]
    for i in _topological(s):
        product = s.products[i]
        d = s.demand[i]
        after = [0.0] * (n + 1)
        for t in range(n - 1, -1, -1):
            after[t] = after[t + 1] + d[t]
        for t in range(n):
            need = after[t] + product.safety_stock
            if s.may_backlog(i):  # demand from before t may still be waiting
                need += max(0.0, after[0] - after[t] - product.initial_stock)
            for b in parents_of[i]:
                c = s.bom[b]
                start = 0 if t == 0 else t + c.offset
                if start < n:
                    need += c.quantity_per * requirement[c.parent][start]
            # a minimum lot may force one run beyond the need
            requirement[i][t] = need + product.min_lot if need > 0 else 0.0
    make_bound = []
    for r in s.routings:
        row = []
        for t in range(n):
            bound = requirement[r.product][t]
            if r.hours_per_unit > 0:
                hours = s.capacity[r.resource][t] + s.max_overtime[r.resource][t] - r.setup_time
                bound = min(bound, max(0.0, hours) / r.hours_per_unit)
            row.append(bound if bound >= s.products[r.product].min_lot else 0.0)
        make_bound.append(tuple(row))
    return Structure(
        routes_of=tuple(tuple(x) for x in routes_of),
        runs=tuple(k for k in range(len(s.routings)) if needs_run(s, k)),
        parents_of=tuple(tuple(x) for x in parents_of),
        requirement=tuple(tuple(x[:n]) for x in requirement),
        make_bound=tuple(make_bound),
        backlog_products=tuple(i for i in range(n_products) if s.may_backlog(i)),
        overtime_resources=tuple(k for k in range(len(s.resources)) if any(x > 0 for x in s.max_overtime[k])),
    )


def backlog_rate(s: Scenario, st: Structure, i: int, t: int) -> float:
    """Cost per unit waiting at the end of t; backlog left at the horizon's end must still be made."""
    rate = s.products[i].backlog_cost or 0.0
    if t == s.n_periods - 1:
        rate += max((s.routings[k].unit_cost for k in st.routes_of[i]), default=0.0)
    return rate


def consumption(s: Scenario, st: Structure) -> list[list[list[tuple[float, int, int]]]]:
    """[product][period] -> (units per unit, routing, period made) of parents using the product then."""
    n = s.n_periods
    out: list[list[list[tuple[float, int, int]]]] = [[[] for _ in range(n)] for _ in s.products]
    for c in s.bom:
        for t in range(n):
            used = s.consumed_in(t, c.offset)
            for k in st.routes_of[c.parent]:
                out[c.component][used].append((c.quantity_per, k, t))
    return out


def build(s: Scenario) -> Any:
    """The Pyomo model of scenario `s`: production + setup + overtime + holding + backlog + safety cost."""
    import pyomo.environ as pyo

    st = structure(s)
    m = pyo.ConcreteModel(name=s.settings.name)
    m.structure = st  # kept for the plan and the marginal values
    n, n_products = s.n_periods, len(s.products)
    periods = range(n)
    backlog_set = set(st.backlog_products)
    soft = [
        (i, t) for i, p in enumerate(s.products) if p.safety_stock > 0 and p.safety_penalty is not None for t in periods
    ]
    hard = [
        (i, t) for i, p in enumerate(s.products) if p.safety_stock > 0 and p.safety_penalty is None for t in periods
    ]

    m.KT = pyo.Set(initialize=[(k, t) for k in range(len(s.routings)) for t in periods], dimen=2, ordered=True)
    m.RUN = pyo.Set(initialize=[(k, t) for k in st.runs for t in periods], dimen=2, ordered=True)
    m.IT = pyo.Set(initialize=[(i, t) for i in range(n_products) for t in periods], dimen=2, ordered=True)
    m.BT = pyo.Set(initialize=[(i, t) for i in st.backlog_products for t in periods], dimen=2, ordered=True)
    m.OT = pyo.Set(initialize=[(r, t) for r in st.overtime_resources for t in periods], dimen=2, ordered=True)
    m.RT = pyo.Set(initialize=[(r, t) for r in range(len(s.resources)) for t in periods], dimen=2, ordered=True)
    m.SOFT = pyo.Set(initialize=soft, dimen=2, ordered=True)

    m.make = pyo.Var(m.KT, domain=pyo.NonNegativeReals, bounds=lambda _, k, t: (0, st.make_bound[k][t]))
    m.run = pyo.Var(m.RUN, domain=pyo.Binary)
    m.stock = pyo.Var(m.IT, domain=pyo.NonNegativeReals)
    backlog_cap = {}
    for i in st.backlog_products:
        total = 0.0
        for t in periods:
            total += s.demand[i][t]
            backlog_cap[i, t] = total
    m.backlog = pyo.Var(m.BT, domain=pyo.NonNegativeReals, bounds=lambda _, i, t: (0, backlog_cap[i, t]))
    m.overtime = pyo.Var(m.OT, domain=pyo.NonNegativeReals, bounds=lambda _, r, t: (0, s.max_overtime[r][t]))
    m.safety_gap = pyo.Var(  # below safety stock; with backlog the net position, and so the gap, has no floor
        m.SOFT,
        domain=pyo.NonNegativeReals,
        bounds=lambda _, i, t: (0, None if i in backlog_set else s.products[i].safety_stock),
    )

    used = consumption(s, st)

    def net(i: int, t: int) -> Any:
        """On hand less backlog at the end of period t."""
        return m.stock[i, t] - m.backlog[i, t] if i in backlog_set else m.stock[i, t]

    def balance(m, i, t):
        """Opening net stock + made - demand - components used = closing net stock."""
        before = s.products[i].initial_stock if t == 0 else net(i, t - 1)
        made = sum(m.make[k, t] for k in st.routes_of[i])
        consumed = sum(q * m.make[k, tau] for q, k, tau in used[i][t])
        return net(i, t) == before + made - consumed - s.demand[i][t]

    m.balance = pyo.Constraint(m.IT, rule=balance)

    components_with_backlog = [(i, t) for i, t in m.BT if st.parents_of[i] and t > 0]

    def waiting_grows_by_demand_only(m, i, t):
        """Backlog grows only by external demand: components for parents come from stock on hand."""
        return m.backlog[i, t] <= m.backlog[i, t - 1] + s.demand[i][t]

    m.waiting = pyo.Constraint(components_with_backlog, rule=waiting_grows_by_demand_only)
    m.waiting0 = pyo.Constraint(
        [i for i in st.backlog_products if st.parents_of[i]],
        rule=lambda m, i: m.backlog[i, 0] <= s.demand[i][0],
    )

    on_resource: list[list[int]] = [[] for _ in s.resources]
    for k, routing in enumerate(s.routings):
        on_resource[routing.resource].append(k)

    def capacity(m, r, t):
        """Hours of production and setups on a resource stay within its regular hours plus overtime."""
        ks = on_resource[r]
        hours = sum(s.routings[k].hours_per_unit * m.make[k, t] for k in ks if s.routings[k].hours_per_unit > 0)
        hours += sum(s.routings[k].setup_time * m.run[k, t] for k in ks if s.routings[k].setup_time > 0)
        if isinstance(hours, (int, float)):
            return pyo.Constraint.Skip
        extra = m.overtime[r, t] if (r, t) in m.OT else 0.0
        return hours <= s.capacity[r][t] + extra

    m.capacity = pyo.Constraint(m.RT, rule=capacity)
    m.setup = pyo.Constraint(m.RUN, rule=lambda m, k, t: m.make[k, t] <= st.make_bound[k][t] * m.run[k, t])
    lots = [(k, t) for k, t in m.RUN if s.products[s.routings[k].product].min_lot > 0]
    m.min_lot = pyo.Constraint(
        lots, rule=lambda m, k, t: m.make[k, t] >= s.products[s.routings[k].product].min_lot * m.run[k, t]
    )
    m.safety_hard = pyo.Constraint(hard, rule=lambda m, i, t: net(i, t) >= s.products[i].safety_stock)
    m.safety_soft = pyo.Constraint(
        m.SOFT, rule=lambda m, i, t: net(i, t) + m.safety_gap[i, t] >= s.products[i].safety_stock
    )
    located = _add_facility_location(pyo, m, s, st)
    m.echelons = _add_ls_inequalities(pyo, m, s, st, skip=located)  # where more (l,S) cuts may be separated
    m.ls_cuts = pyo.ConstraintList()  # filled by models.production.cuts from LP solutions

    rt = s.routings
    m.cost_production = pyo.Expression(expr=sum(rt[k].unit_cost * m.make[k, t] for k, t in m.KT if rt[k].unit_cost))
    m.cost_setup = pyo.Expression(expr=sum(rt[k].setup_cost * m.run[k, t] for k, t in m.RUN if rt[k].setup_cost))
    m.cost_overtime = pyo.Expression(expr=sum(s.resources[r].overtime_cost * m.overtime[r, t] for r, t in m.OT))
    m.cost_holding = pyo.Expression(
        expr=sum(s.products[i].holding_cost * m.stock[i, t] for i, t in m.IT if s.products[i].holding_cost)
    )
    m.cost_backlog = pyo.Expression(expr=sum(backlog_rate(s, st, i, t) * m.backlog[i, t] for i, t in m.BT))
    m.cost_safety = pyo.Expression(expr=sum(s.products[i].safety_penalty * m.safety_gap[i, t] for i, t in m.SOFT))
    m.objective = pyo.Objective(
        expr=m.cost_production + m.cost_setup + m.cost_overtime + m.cost_holding + m.cost_backlog + m.cost_safety,
        sense=pyo.minimize,
    )
    return m


def net_demand(s: Scenario, i: int) -> list[float]:
    """External demand of product i left after its initial stock serves the earliest periods."""
    left = s.products[i].initial_stock
    out = []
    for d in s.demand[i]:
        used = min(left, d)
        left -= used
        out.append(d - used)
    return out


def _add_facility_location(pyo: Any, m: Any, s: Scenario, st: Structure) -> set[int]:
    """Split production of simple products by the period it serves: serve[i, t, tau] <= d'_tau run_t.

    For products with only external demand, no backlog, no safety stock and a run variable on
    every routing, production in t is assigned (first in, first out) to net demand of periods
    tau >= t; this gives the lot-sizing LP its tightest form (all (l,S) inequalities). Added only
    while small; returns the products it covers.
    """
    n = s.n_periods
    runs = set(st.runs)
    simple = [
        i
        for i, p in enumerate(s.products)
        if st.routes_of[i]
        and not st.parents_of[i]
        and not s.may_backlog(i)
        and p.safety_stock == 0
        and all(k in runs for k in st.routes_of[i])
    ]
    demand = {i: net_demand(s, i) for i in simple}
    triples = [(i, t, tau) for i in simple for tau in range(n) if demand[i][tau] > 0 for t in range(tau + 1)]
    if not triples or len(triples) > FL_COLUMNS:
        m.SERVE = pyo.Set(initialize=[], dimen=3)
        return set()
    m.SERVE = pyo.Set(initialize=triples, dimen=3, ordered=True)
    m.serve = pyo.Var(m.SERVE, domain=pyo.NonNegativeReals, bounds=lambda _, i, t, tau: (0, demand[i][tau]))
    by_demand: dict[tuple[int, int], list[int]] = {}
    by_made: dict[tuple[int, int], list[int]] = {}
    for i, t, tau in triples:
        by_demand.setdefault((i, tau), []).append(t)
        by_made.setdefault((i, t), []).append(tau)
    m.served = pyo.Constraint(
        list(by_demand), rule=lambda m, i, tau: sum(m.serve[i, t, tau] for t in by_demand[i, tau]) == demand[i][tau]
    )
    m.split = pyo.Constraint(
        list(by_made),
        rule=lambda m, i, t: (
            sum(m.serve[i, t, tau] for tau in by_made[i, t]) <= sum(m.make[k, t] for k in st.routes_of[i])
        ),
    )
    m.serve_link = pyo.Constraint(
        m.SERVE,
        rule=lambda m, i, t, tau: m.serve[i, t, tau] <= demand[i][tau] * sum(m.run[k, t] for k in st.routes_of[i]),
    )
    return set(simple)


def _add_ls_inequalities(pyo: Any, m: Any, s: Scenario, st: Structure, skip: set[int]) -> list[Echelon]:
    """(l,S) inequalities of one period t and last periods l: made in t <= D'(t..l) run_t + S(l) + B(t-1).

    What is made in t serves the net echelon demand of t..l (the product's own and, for a
    component, its parents' production), backlog of the echelon waiting from before t, or is still
    in the echelon's stock at the end of l (see models.production.echelon for the proof). They cut
    off fractional runs that the big-M link allows; components get them only in models up to
    ECHELON_PAIRS. Returns the echelons of every product they hold for, to separate more.
    """
    n = s.n_periods
    runs = set(st.runs)
    covered = [i for i in range(len(s.products)) if i not in skip and st.routes_of[i] and set(st.routes_of[i]) <= runs]
    found = {e.product: e for e in echelons(s, st, covered)}
    echelon_rows = len(s.products) * n <= ECHELON_PAIRS
    with_rows = [i for i in covered if echelon_rows or not st.parents_of[i]]
    small = len(with_rows) * n * (n + 1) // 2 <= LS_ROWS_ALL
    rows = []
    for i in with_rows:
        e, ks = found[i], st.routes_of[i]
        window = n if small else ECHELON_WINDOW if st.parents_of[i] else LS_WINDOW
        for t in range(n):
            for last in range(t, min(n, t + window + 1)):
                if e.demand(t, last) < min(st.make_bound[k][t] for k in ks) - 1e-9:
                    rows.append((i, t, last))
    m.LS = pyo.Set(initialize=rows, dimen=3, ordered=True)

    def ls(m, i, t, last):
        e, ks = found[i], st.routes_of[i]
        made = sum(m.make[k, t] for k in ks)
        cover = e.demand(t, last) * sum(m.run[k, t] for k in ks)
        return made <= cover + held(e.stock[last], m.stock) + held(e.waiting[t], m.backlog)

    m.ls = pyo.Constraint(m.LS, rule=ls)
    return list(found.values())
