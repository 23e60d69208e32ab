"""Roster as a MILP on Pyomo (solved by HiGHS): the same rules of rules.py, as linear constraints.

Used to cross-check CP-SAT on small instances and, on instances where its LP bound is strong,
as the solver of choice or the source of CP-SAT's hint. Pyomo is imported inside `build`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.roster.data import Scenario
from models.roster.rules import add_rules, allowed, reduce_pattern


class MilpBuilder:
    """The rules' Builder on a Pyomo ConcreteModel."""

    def __init__(self, s: Scenario) -> None:
        import pyomo.environ as pyo

        self.pyo = pyo
        self.s = s
        self.cache: dict[str, Any] = {}
        self.terms: list[tuple[str, float, Any]] = []
        m = pyo.ConcreteModel(name=s.settings.name)
        keys = [
            (e, d, t)
            for e in range(len(s.employees))
            for d in range(s.n_days)
            for t in range(len(s.shifts))
            if allowed(s, e, d, t)
        ]
        m.X = pyo.Set(initialize=keys, dimen=3, ordered=True)
        m.x = pyo.Var(m.X, domain=pyo.Binary)
        m.aux = pyo.VarList(domain=pyo.NonNegativeIntegers)
        m.rules = pyo.ConstraintList()
        self.m = m
        self.keys = set(keys)
        self.day_vars: dict[tuple[int, int], list[Any]] = {}
        for e, d, t in keys:
            self.day_vars.setdefault((e, d), []).append(m.x[e, d, t])
        for vs in self.day_vars.values():
            m.rules.add(sum(vs) <= 1)  # also for one variable: Pyomo passes HiGHS only variables in use

    def x(self, e: int, d: int, t: int) -> Any | None:
        return self.m.x[e, d, t] if (e, d, t) in self.keys else None

    def work(self, e: int, d: int) -> Any:
        vs = self.day_vars.get((e, d))
        if not vs:
            return 0
        return vs[0] if len(vs) == 1 else sum(vs)

    def new_bool(self, name: str) -> Any:
        return self.new_int(0, 1, name)

    def new_int(self, lb: int, ub: int, name: str) -> Any:
        v = self.m.aux.add()
        v.setlb(lb)
        v.setub(ub)
        return v

    def add(self, constraint: Any, rule: str) -> None:
        if isinstance(constraint, bool):
            if not constraint:
                v = self.new_int(0, 0, rule)
                self.m.rules.add(v >= 1)  # a constant violation: infeasible
            return
        self.m.rules.add(constraint)

    def forbid(self, pattern: Sequence[tuple[Any, int]], rule: str) -> None:
        lits = reduce_pattern(pattern)
        if lits is None:
            return
        if not lits:
            self.add(False, rule)
            return
        self.m.rules.add(sum((1 - lit) if value else lit for lit, value in lits) >= 1)

    def implies(self, a: Any, b: Any, rule: str) -> None:
        self.m.rules.add(a <= b)

    def cost(self, rule: str, coef: float, expr: Any) -> None:
        if coef:
            self.terms.append((rule, coef, expr))


def build(s: Scenario) -> Any:
    """The Pyomo model of every rule, with its objective named `objective`."""
    b = MilpBuilder(s)
    add_rules(s, b)
    pyo = b.pyo
    b.m.objective = pyo.Objective(expr=sum(c * expr for _, c, expr in b.terms) + 0.0, sense=pyo.minimize)
    return b.m


def assignment(m: Any) -> dict[tuple[int, int], int]:
    """The solved roster: (employee, day) -> shift type."""
    return {(e, d): t for (e, d, t) in m.X if m.x[e, d, t].value is not None and m.x[e, d, t].value > 0.5}
