"""Which backend solves a roster best: the MILP-then-CP-SAT chain (`hybrid`) and the race of both (`race`).

Measured on the Curtois & Qu instances (README): HiGHS proves the small ones optimal in
seconds where CP-SAT's bound stays near zero, while on the larger ones CP-SAT's search finds
far better rosters than HiGHS in the same time. The hybrid runs HiGHS first for a share of the
time; when it has not proven optimality, its roster becomes CP-SAT's hint for the rest (the
repeatable search). The race (the fastest search) runs HiGHS for the whole limit and CP-SAT with
LNS side by side from the start, and keeps the better roster.
"""

from __future__ import annotations

from typing import Any

from models.roster import cpsat, milp, plan
from models.roster.data import Scenario
from models.roster.rules import allowed
from optimizer.backends.chain import ChainModel, Stage
from optimizer.backends.cpsat_lns import LnsModel, Neighbourhood
from optimizer.backends.highs_partner import PartnerSpec
from optimizer.backends.pyomo_arrays import compile_model
from optimizer.core.params import SolveParams
from optimizer.core.plan import Plan

MILP_SHARE = 0.4  # of the time left, for HiGHS before CP-SAT takes over (repeatable search)
HYBRID_MAX_SIZE = 1500  # shift variables up to which HiGHS goes first (measured: it proves Instance1-5 fast)
# shift variables up to which the fastest search gives HiGHS alone every thread: there the MILP proves the optimum
# (Instance1-4) or finds the best roster late in its tree search, which a race slows (measured at 60 s on 2 cores,
# Instance5 (676 variables): HiGHS alone 1146-1148, with 1 thread 1237, raced against CP-SAT 1161, sharing rosters
# with CP-SAT's rounds on one thread each 1235; Instance6 (1040): HiGHS alone 1956, the race 1952)
MILP_ALONE_MAX_SIZE = 800
# shift variables up to which the fastest hybrid runs HiGHS (1 thread, never restarted) beside CP-SAT with LNS
# (the other threads), sharing their rosters. Measured at 60 s: the race without sharing Instance6 1952,
# Instance7 1067, where HiGHS alone reached 1956 and 1367.
RACE_MAX_SIZE = 1500
# repeatable search: work limits per second of the run's time limit (not of the time left, which varies a little
# from run to run). CP-SAT's two interleaved workers did 0.23-0.27 deterministic units a second on the 20-nurse
# example and Instance5 with the machine loaded 7 deep; HiGHS's node count stops its tree search.
CPSAT_WORK_PER_SECOND = 0.06
HIGHS_NODES_PER_SECOND = 20


def size(s: Scenario) -> int:
    """Shift variables of the model: (employee, day, shift) triples that may be worked."""
    return sum(
        1 for e in range(len(s.employees)) for d in range(s.n_days) for t in range(len(s.shifts)) if allowed(s, e, d, t)
    )


def repeatable(s: Scenario) -> bool:
    """Settings search = repeatable: work limits instead of the clock, so a rerun gives the same roster."""
    return s.settings.search == "repeatable"


def choose_solver(s: Scenario) -> tuple[str, str]:
    """(formulation, reason) for --solver auto: HiGHS alone or the hybrid for small models, CP-SAT with LNS for large.

    The fastest search on the smallest models gives HiGHS every thread (the MILP is strong there);
    the repeatable search always takes the hybrid, whose work limits make reruns agree.
    """
    n = size(s)
    if n <= MILP_ALONE_MAX_SIZE and not repeatable(s):
        return (
            "highs",
            f"{n} shift variables (<= {MILP_ALONE_MAX_SIZE}): HiGHS alone on every thread (the MILP is strong)",
        )
    if n <= HYBRID_MAX_SIZE:
        how = "HiGHS first to prove the optimum, then CP-SAT from its roster"
        if repeatable(s):
            how += " (repeatable work limits)"
        elif n <= RACE_MAX_SIZE:
            how = "HiGHS (one thread) and CP-SAT with LNS side by side, handing each other their best rosters"
        return "hybrid", f"{n} shift variables (<= {HYBRID_MAX_SIZE}): {how}"
    how = (
        "CP-SAT with employee and day neighbourhoods under repeatable work limits"
        if repeatable(s)
        else "CP-SAT with employee and day neighbourhoods"
    )
    return "lns", f"{n} shift variables (> {HYBRID_MAX_SIZE}): {how}"


def build_lns(s: Scenario) -> LnsModel:
    """CP-SAT, then rounds that re-plan a few employees' whole rosters or everyone over a few days.

    Repeatable search: the first solve and every round stop at work limits (cpsat_lns), so a
    rerun with the same seed and threads gives the same roster.
    """
    built = cpsat.build(s)
    if repeatable(s):
        built.work_per_second = CPSAT_WORK_PER_SECOND
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


def _highs_work(model: Any, params: SolveParams) -> None:
    """HiGHS stops after a node count set by the run's time limit (its root work is not counted)."""
    model.highs_options = {"mip_max_nodes": max(1, round(HIGHS_NODES_PER_SECOND * MILP_SHARE * params.time_limit))}


def _cpsat_work(lns: LnsModel, params: SolveParams) -> None:
    """CP-SAT and its rounds share the work limit of the time HiGHS leaves."""
    lns.cp.work_per_second = CPSAT_WORK_PER_SECOND * (1 - MILP_SHARE)


def build_chain(s: Scenario) -> ChainModel:
    """HiGHS on the MILP, then CP-SAT hinted with HiGHS's roster; with work limits when repeatable."""
    work = repeatable(s)
    return ChainModel(
        [
            Stage(
                "highs", "pyomo", milp.build(s), share=MILP_SHARE, solver="highs", prepare=_highs_work if work else None
            ),
            Stage("cpsat", "cpsat_lns", build_lns(s), handoff=_handoff, prepare=_cpsat_work if work else None),
        ]
    )


def build_hybrid(s: Scenario) -> ChainModel:
    """Both backends (--solver hybrid): the race for the fastest search on small models, else HiGHS then CP-SAT."""
    return build_race(s) if not repeatable(s) and size(s) <= RACE_MAX_SIZE else build_chain(s)


def milp_partner(model: Any, lns: LnsModel) -> PartnerSpec:
    """The MILP `model` as HiGHS arrays, with the HiGHS column and the CP-SAT variable of each shift literal."""
    compiled = compile_model(model)  # the same reader the MILP backend uses
    column_of = {id(var): k for k, var in enumerate(compiled.variables)}
    xs = lns.cp.builder.xs  # type: ignore[attr-defined]
    keys = sorted(xs)
    columns = [column_of[id(model.x[key])] for key in keys]
    return PartnerSpec(compiled.arrays, columns, [xs[key].Index() for key in keys])


def _attach_partner(lns: LnsModel, params: SolveParams) -> None:
    """The MILP as it is when the solve starts (a replan has fixed days and priced changes on it) becomes the partner."""
    lns.partner = milp_partner(lns.milp, lns)  # type: ignore[attr-defined]


def build_race(s: Scenario) -> ChainModel:
    """HiGHS (one thread) and CP-SAT with LNS (the other threads) side by side for the whole time, sharing rosters.

    HiGHS is never stopped and restarted: its search tree is what proves small rosters and finds the
    best ones on mid-sized ones (measured at 60 s, HiGHS alone: Instance4 1716 proven, Instance5 1146,
    Instance6 1956, where a restart from its roster after 15% of the time ended at 1237 and 2045).
    Both run in one process (cpsat_lns with a HiGHS partner): each HiGHS roster better than the
    rounds' is taken by them, each better roster of the rounds is handed to HiGHS.
    """
    lns = build_lns(s)
    lns.milp = milp.build(s)  # type: ignore[attr-defined]  # replan.apply constrains it like the CP-SAT model
    return ChainModel([Stage("highs+cpsat", "cpsat_lns", lns, prepare=_attach_partner)])


def _report(chain: ChainModel) -> str:
    """What every stage found, with the stages of a chain inside it and what a shared search did in brackets."""
    inner = [
        f" [{st.name}: {_report(st.model)}]"
        for st in chain.stages
        if isinstance(st.model, ChainModel) and st.model.outcomes
    ]
    shared = [
        f" [{st.name}: {out.message}]"
        for st, out in zip(chain.stages, chain.outcomes, strict=False)
        if isinstance(st.model, LnsModel) and st.model.partner is not None
    ]
    return chain.report() + "".join(inner + shared)


def _winning(chain: ChainModel) -> tuple[str, Any]:
    """(backend, model) of the stage whose roster a chain kept, looking into a chain inside it."""
    stage = chain.stages[chain.winner]
    return _winning(stage.model) if isinstance(stage.model, ChainModel) else (stage.name, stage.model)


def _search_note(s: Scenario, chain: ChainModel) -> str:
    """Whether a rerun gives the same roster: which stages the clock, not their work limit, stopped."""
    if not repeatable(s):
        return "fastest: HiGHS and CP-SAT against the clock, a rerun may give another roster"
    clock = [
        stage.name
        for stage, out in zip(chain.stages, chain.outcomes, strict=False)
        if out.raw_status == "kTimeLimit" or "before the repeatable work limit" in out.message
    ]
    if not clock:
        return "repeatable: every stage stopped at its work limit or its proof"
    return f"repeatable asked, but the clock stopped {' and '.join(clock)}: a rerun may give another roster"


def extract_hybrid(s: Scenario, chain: ChainModel) -> Plan:
    """The plan of the backend that found the best roster, saying which one won and whether a rerun repeats it."""
    name, model = _winning(chain)
    roster = milp.assignment(model) if name == "highs" else cpsat.assignment(model.cp)
    if isinstance(model, LnsModel) and model.partner is not None:
        name = model.found_by  # the shared search: whose plan the rounds kept last
    notes = {"backend won": name, "backends": _report(chain), "search": _search_note(s, chain)}
    return plan.extract(s, roster, notes)
