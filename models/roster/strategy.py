"""Which backend solves a roster best, and the MILP-then-CP-SAT chain (`--solver hybrid`).

Measured on the Curtois & Qu instances (README): HiGHS proves the small ones optimal in
seconds where CP-SAT's bound stays near zero, while on the larger ones CP-SAT's search finds
far better rosters than HiGHS in the same time. The hybrid runs HiGHS first for a share of the
time; when it has not proven optimality, its roster becomes CP-SAT's hint for the rest.
"""

from __future__ import annotations

from typing import Any

from models.roster import cpsat, milp, plan
from models.roster.data import Scenario
from models.roster.rules import allowed
from optimizer.backends.chain import ChainModel, Stage
from optimizer.backends.cpsat_lns import LnsModel, Neighbourhood
from optimizer.core.plan import Plan

MILP_SHARE = 0.4  # of the time left, for HiGHS before CP-SAT takes over
HYBRID_MAX_SIZE = 1500  # shift variables up to which HiGHS goes first (measured: it proves Instance1-5 fast)


def size(s: Scenario) -> int:
    """Shift variables of the model: (employee, day, shift) triples that may be worked."""
    return sum(
        1 for e in range(len(s.employees)) for d in range(s.n_days) for t in range(len(s.shifts)) if allowed(s, e, d, t)
    )


def choose_solver(s: Scenario) -> tuple[str, str]:
    """(formulation, reason) for --solver auto: the hybrid for small models, CP-SAT with LNS for large ones."""
    n = size(s)
    if n <= HYBRID_MAX_SIZE:
        return "hybrid", f"{n} shift variables (<= {HYBRID_MAX_SIZE}): HiGHS first to prove the optimum, then CP-SAT"
    return "lns", f"{n} shift variables (> {HYBRID_MAX_SIZE}): CP-SAT with employee and day neighbourhoods"


def build_lns(s: Scenario) -> LnsModel:
    """CP-SAT, then rounds that re-plan a few employees' whole rosters or everyone over a few days."""
    built = cpsat.build(s)
    xs = built.builder.xs  # type: ignore[attr-defined]
    by_employee: list[list[int]] = [[] for _ in s.employees]
    by_day: list[list[int]] = [[] for _ in range(s.n_days)]
    for (e, d, _), v in xs.items():
        by_employee[e].append(v.Index())
        by_day[d].append(v.Index())
    hoods = [
        Neighbourhood("employees", [g for g in by_employee if g], size=2.0),
        Neighbourhood("days", by_day, window=True, size=4.0),
    ]
    return LnsModel(built, hoods)


def extract_lns(s: Scenario, lns: LnsModel) -> Plan:
    rounds = ", ".join(f"{name} {r[1]}/{r[0]}" for name, r in lns.rounds.items())
    notes = {"backend won": "cpsat (LNS)", "backends": f"cpsat then LNS rounds improved/tried: {rounds or 'none'}"}
    return plan.extract(s, cpsat.assignment(lns.cp), notes)


def _handoff(milp_model: Any, lns: LnsModel) -> bool:
    """HiGHS's roster as CP-SAT's complete hint."""
    return cpsat.hint(lns.cp, milp.assignment(milp_model))


def build_hybrid(s: Scenario) -> ChainModel:
    """HiGHS on the MILP, then CP-SAT hinted with HiGHS's roster."""
    return ChainModel(
        [
            Stage("highs", "pyomo", milp.build(s), share=MILP_SHARE, solver="highs"),
            Stage("cpsat", "cpsat_lns", build_lns(s), handoff=_handoff),
        ]
    )


def extract_hybrid(s: Scenario, chain: ChainModel) -> Plan:
    """The plan of the stage that found the best roster, saying which backend won."""
    name = chain.stages[chain.winner].name
    roster = milp.assignment(chain.best) if name == "highs" else cpsat.assignment(chain.best.cp)
    return plan.extract(s, roster, {"backend won": name, "backends": chain.report()})
