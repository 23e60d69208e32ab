"""Roster on CP-SAT: one literal per allowed (employee, day, shift), the rules of rules.py on top.

Money and penalty weights become integers with one scale for the whole objective (cents, or
1 when every weight is whole). Run constraints are clauses over day literals, weekends are
literals, and cover is a linear sum, so CP-SAT's LP relaxation sees the cover structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.roster.data import Scenario
from models.roster.rules import add_rules, allowed, reduce_pattern
from optimizer.backends.cpsat import CpsatModel, run_model

SCALES = (1, 10, 100, 60, 600, 1000, 6000, 10000, 60000)


def objective_scale(coefs: Sequence[float]) -> int:
    """The smallest scale making every coefficient whole (cents, per-minute rates), else 10000 (rounded)."""
    for scale in SCALES:
        if all(abs(c * scale - round(c * scale)) <= 1e-9 * max(1.0, abs(c * scale)) for c in coefs):
            return scale
    return 10000


class CpsatBuilder:
    """The rules' Builder on a CpModel."""

    def __init__(self, s: Scenario) -> None:
        from ortools.sat.python import cp_model

        self.s = s
        self.model = cp_model.CpModel()
        self.cache: dict[str, Any] = {}
        self.terms: list[tuple[str, float, Any]] = []
        self.xs: dict[tuple[int, int, int], Any] = {}
        self.ws: dict[tuple[int, int], Any] = {}
        self.own_ws: set[tuple[int, int]] = set()  # days whose work literal is not a shift literal

        for e in range(len(s.employees)):
            for d in range(s.n_days):
                day = []
                for t in range(len(s.shifts)):
                    if allowed(s, e, d, t):
                        v = self.model.NewBoolVar(f"x_{e}_{d}_{t}")
                        self.xs[e, d, t] = v
                        day.append(v)
                if len(day) == 1:
                    self.ws[e, d] = day[0]
                elif day:
                    w = self.model.NewBoolVar(f"w_{e}_{d}")
                    self.model.Add(sum(day) == w)  # one shift a day at most, w says whether there is one
                    self.ws[e, d] = w
                    self.own_ws.add((e, d))

    def x(self, e: int, d: int, t: int) -> Any | None:
        return self.xs.get((e, d, t))

    def work(self, e: int, d: int) -> Any:
        return self.ws.get((e, d), 0)

    def new_bool(self, name: str) -> Any:
        return self.model.NewBoolVar(name)

    def new_int(self, lb: int, ub: int, name: str) -> Any:
        return self.model.NewIntVar(lb, ub, name)

    def add(self, constraint: Any, rule: str) -> None:
        if isinstance(constraint, bool):
            if not constraint:
                self.model.AddBoolOr([]).WithName(rule)  # a constant violation: infeasible
            return
        self.model.Add(constraint).WithName(rule)

    def forbid(self, pattern: Sequence[tuple[Any, int]], rule: str) -> None:
        lits = reduce_pattern(pattern)
        if lits is None:
            return
        self.model.AddBoolOr([lit.Not() if value else lit for lit, value in lits]).WithName(rule)

    def implies(self, a: Any, b: Any, rule: str) -> None:
        self.model.AddImplication(a, b).WithName(rule)

    def cost(self, rule: str, coef: float, expr: Any) -> None:
        if coef:
            self.terms.append((rule, coef, expr))


def build(s: Scenario) -> CpsatModel:
    """The CP-SAT model of every rule; the objective is scaled to integers."""
    b = CpsatBuilder(s)
    add_rules(s, b)
    scale = objective_scale([c for _, c, _ in b.terms])
    b.model.Minimize(sum(round(c * scale) * expr for _, c, expr in b.terms))
    built = CpsatModel(b.model, objective_scale=1.0 / scale)
    built.parameters["linearization_level"] = 2  # the cover sums in the LP give CP-SAT its bound
    built.builder = b  # type: ignore[attr-defined]
    return built


def hint(built: CpsatModel, roster: dict[tuple[int, int], int], seconds: float = 2.0) -> bool:
    """Hint roster (employee, day) -> shift to CP-SAT, completed to every variable; True when given.

    The shift literals alone would leave CP-SAT to guess the cover, weekend and overtime
    variables; a short solve with the shifts fixed gives a complete, feasible hint.
    """
    from ortools.sat.python import cp_model

    b: CpsatBuilder = built.builder  # type: ignore[attr-defined]
    model = built.model
    model.ClearHints()
    fixed = model.Clone()
    for (e, d, t), v in b.xs.items():
        var = fixed.GetBoolVarFromProtoIndex(v.Index())
        fixed.Add(var == int(roster.get((e, d)) == t))
    parameters = cp_model.CpSolver().parameters
    parameters.num_workers = 1
    parameters.max_time_in_seconds = seconds
    solver, _ = run_model(fixed, parameters, label="CP-SAT hint")  # in the solver child process, like every solve
    if solver.ResponseProto().status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (e, d, t), v in b.xs.items():
            model.AddHint(v, roster.get((e, d)) == t)
        return True
    for i in range(len(model.Proto().variables)):
        model.AddHint(model.GetIntVarFromProtoIndex(i), solver.Value(fixed.GetIntVarFromProtoIndex(i)))
    return True


def assignment(built: CpsatModel) -> dict[tuple[int, int], int]:
    """The solved roster: (employee, day) -> shift type."""
    b: CpsatBuilder = built.builder  # type: ignore[attr-defined]
    return {(e, d): t for (e, d, t), v in b.xs.items() if built.true(v)}
