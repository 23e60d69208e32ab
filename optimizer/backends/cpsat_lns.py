"""CP-SAT with large neighbourhood search over neighbourhoods the kind names (e.g. employees, days).

CP-SAT's own LNS picks neighbourhoods from the constraint graph; a kind often knows better
ones (a few employees' whole rosters, a window of days). A first full CP-SAT solve gets a
start (and may prove optimality); then each round frees a few groups of variables, fixes the
others to the incumbent and re-solves that small problem from the incumbent as a hint. The
neighbourhood size adapts: it grows when sub-problems are solved to optimality quickly and
shrinks when they time out. Minimisation only.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.backends.cpsat import CpsatModel, ortools_version
from optimizer.backends.cpsat import solve as cpsat_solve
from optimizer.backends.highs_partner import HighsPartner, PartnerSpec
from optimizer.backends.outcome import Progress, ProgressCallback, SolverOutcome, finished
from optimizer.core.params import SolveParams
from optimizer.core.status import Status


@dataclass
class Neighbourhood:
    """Groups of CP-SAT variable indices freed together; `window`: pick consecutive groups, else random ones."""

    name: str
    groups: list[list[int]]
    window: bool = False
    size: float = 2.0  # groups freed per round, adapted as the search goes


@dataclass
class LnsModel:
    """A CP-SAT model and its neighbourhoods; `first_share` of the time goes to the first full solve."""

    cp: CpsatModel
    neighbourhoods: list[Neighbourhood]
    first_share: float = 0.15
    round_seconds: float = 1.0
    round_parameters: dict[str, Any] = field(default_factory=dict)  # CP-SAT parameters for the rounds only
    partner: PartnerSpec | None = None  # HiGHS on the same problem beside the rounds (fastest search), plans shared
    found_by: str = "cpsat"  # after solving: which solver found the kept plan ('highs' when the partner's)
    solver: Any = None  # after solving: an object with Value / BooleanValue over the best solution
    rounds: dict[str, list[int]] = field(default_factory=dict)  # neighbourhood -> [rounds, improvements]

    def value(self, expression: Any) -> int:
        return int(self.solver.Value(expression))

    def true(self, literal: Any) -> bool:
        return bool(self.solver.BooleanValue(literal))


class _Solution:
    """Values of a stored solution, read like a CpSolver's (variables and their negations)."""

    def __init__(self, values: list[int]) -> None:
        self.values = values

    def Value(self, var: Any) -> int:  # noqa: N802  (CpSolver's name)
        return self.values[var.Index()]

    def BooleanValue(self, literal: Any) -> bool:  # noqa: N802
        index = literal.Index()
        return bool(self.values[index]) if index >= 0 else not self.values[-index - 1]


def _objective(proto: Any, values: list[int]) -> int:
    obj = proto.objective
    return int(sum(c * values[v] for v, c in zip(obj.vars, obj.coeffs, strict=True)) + obj.offset)


def _pick(rng: random.Random, hood: Neighbourhood) -> set[int]:
    k = max(1, min(len(hood.groups), round(hood.size)))
    if hood.window:
        first = rng.randrange(0, len(hood.groups) - k + 1)
        chosen = hood.groups[first : first + k]
    else:
        chosen = rng.sample(hood.groups, k)
    return {i for g in chosen for i in g}


class _Search:
    """The incumbent shared by the round threads; each thread re-solves neighbourhoods on its own model copy."""

    def __init__(self, lns: LnsModel, values: list[int], params: SolveParams, limit: float, started: float) -> None:
        self.lns, self.values, self.params, self.limit, self.started = lns, values, params, limit, started
        proto = lns.cp.model.Proto()
        self.best = _objective(proto, values)
        self.primary = sorted({i for h in lns.neighbourhoods for g in h.groups for i in g})
        self.saved = {i: list(proto.variables[i].domain) for i in self.primary}
        self.lock = threading.Lock()
        self.hoods = [h for h in lns.neighbourhoods if h.groups]
        self.improved: list[tuple[float, int]] = []  # (seconds, objective) of each improvement
        self.partner: HighsPartner | None = None
        self.seen = 0  # the partner's incumbents looked at so far
        self.taken = 0  # the partner's plans that became the rounds' incumbent
        self.found_by_partner = False  # the incumbent is HiGHS's plan (not improved by a round since)

    def left(self) -> float:
        if self.partner is not None and self.partner.proven():
            return 0.0
        return self.limit - (time.perf_counter() - self.started)

    def take_partner(self, model: Any) -> None:
        """HiGHS's newest plan, when better than the incumbent, completed to every CP-SAT variable and kept."""
        from ortools.sat.python import cp_model

        partner, scale = self.partner, self.lns.cp.objective_scale
        with self.lock:
            if partner is None or partner.version == self.seen:
                return
            self.seen, offer = partner.version, partner.latest
            if offer is None or offer.objective >= self.best * scale - 1e-6:
                return
            values = list(self.values)
        for index, value in zip(partner.spec.variables, offer.shared, strict=True):
            values[index] = int(value)
        solver = _complete(self, model, values)
        if solver.ResponseProto().status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return
        found = list(solver.ResponseProto().solution)
        value = _objective(model.Proto(), found)
        with self.lock:
            if value < self.best:
                self.best, self.values, self.found_by_partner = value, found, True
                self.taken += 1
                self.improved.append((time.perf_counter() - self.started, value))

    def give_partner(self, value: int, values: list[int]) -> None:
        """A better plan of the rounds to HiGHS (as its shared variables)."""
        if self.partner is not None:
            shared = [values[i] for i in self.partner.spec.variables]
            self.partner.give(value * self.lns.cp.objective_scale, shared)

    def worker(self, seed: int) -> None:
        """Rounds until the time is up: free a neighbourhood, fix the rest to the incumbent, re-solve."""
        from ortools.sat.python import cp_model

        rng = random.Random(seed)
        model = self.lns.cp.model.Clone()
        proto = model.Proto()
        while self.hoods and (left := self.left()) > 0.3:
            self.take_partner(model)
            with self.lock:
                # neighbourhoods that improved more often are tried more often
                weights = [(r[1] + 1) / (r[0] + 2) for r in (self.lns.rounds.get(h.name, [0, 0]) for h in self.hoods)]
                hood = rng.choices(self.hoods, weights=weights)[0]
                values, free = list(self.values), _pick(rng, hood)
            restrict(proto, self.primary, self.saved, values, free)
            solver = cp_model.CpSolver()
            p = solver.parameters
            for name, value in {**self.lns.cp.parameters, **self.lns.round_parameters}.items():
                setattr(p, name, value)
            p.num_workers = 1  # one sub-problem per thread; threads share the cores
            p.random_seed = rng.randrange(1 << 30)
            p.max_time_in_seconds = min(self.lns.round_seconds, left)
            code = solver.Solve(model)
            better = False
            with self.lock:
                stats = self.lns.rounds.setdefault(hood.name, [0, 0])
                stats[0] += 1
                if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    found = list(solver.ResponseProto().solution)
                    value = _objective(proto, found)
                    if value < self.best:
                        self.best, self.values, better, self.found_by_partner = value, found, True, False
                        stats[1] += 1
                        self.improved.append((time.perf_counter() - self.started, value))
                # solved to optimality: try bigger neighbourhoods; stopped by the clock: smaller ones
                if code == cp_model.OPTIMAL:
                    hood.size = min(len(hood.groups), hood.size * 1.1)
                else:
                    hood.size = max(1.0, hood.size / 1.3)
            if better:
                self.give_partner(value, found)


ROUND_WORK = 0.25  # repeatable search: CP-SAT deterministic work units per round (rounds' own parameters may say)
# repeatable search: the first solve is one worker stopped at its first solution (one worker is deterministic;
# measured on the 20-nurse roster: CP-SAT's interleaved workers found none in 0.45 work units and took 13 s for one)
MIN_ROUND_WORK = 0.02  # work units a round is charged at least, so tiny sub-problems do not run for ever
FIRST_REPEATABLE = {
    "num_workers": 1,
    "interleave_search": False,
    "linearization_level": 0,
    "stop_after_first_solution": True,
}


def restrict(proto: Any, primary: list[int], saved: dict[int, list[int]], values: list[int], free: set[int]) -> None:
    """A round's sub-problem: primary variables in `free` get back their domains, the others are fixed to
    `values`; `values` (the incumbent) is the complete hint."""
    for i in primary:
        dom = proto.variables[i].domain
        dom.clear()
        dom.extend(saved[i] if i in free else [values[i], values[i]])
    proto.solution_hint.vars.clear()
    proto.solution_hint.values.clear()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)


def _round(search: _Search, model: Any, values: list[int], free: set[int], seed: int, wall: float) -> Any:
    """One sub-problem on `model` (a clone): the free variables searched, the rest fixed; the solved CpSolver."""
    from ortools.sat.python import cp_model

    proto = model.Proto()
    restrict(proto, search.primary, search.saved, values, free)
    solver = cp_model.CpSolver()
    p = solver.parameters
    for name, value in {**search.lns.cp.parameters, "max_deterministic_time": ROUND_WORK}.items():
        setattr(p, name, value)
    for name, value in search.lns.round_parameters.items():
        setattr(p, name, value)
    p.interleave_search = False
    p.num_workers = 1
    p.random_seed = seed
    p.max_time_in_seconds = max(0.01, wall)
    solver.Solve(model)
    return solver


def _complete(search: _Search, model: Any, values: list[int]) -> Any:
    """`values` with every neighbourhood variable fixed and the others solved for (a round freeing nothing)."""
    return _round(search, model, values, set(), search.params.seed, min(2.0, max(0.1, search.left())))


def _into(out: list[Any], k: int, search: _Search, model: Any, values: list[int], free: set[int], seed: int) -> None:
    """A round for a batch thread: its solver goes to out[k]."""
    out[k] = _round(search, model, values, free, seed, search.left())


def _repeatable_rounds(search: _Search, budget: float, progress: ProgressCallback | None, bound: Any) -> bool:
    """Rounds in batches of `threads` from one incumbent, merged in a fixed order, until `budget` work units.

    Each round stops at a deterministic work limit, so the same seed gives the same rounds and the
    same roster; True when the budget, not the clock, ended the search.
    """
    from ortools.sat.python import cp_model

    lns, rng = search.lns, random.Random(search.params.seed)
    width = max(1, search.params.threads)
    models = [lns.cp.model.Clone() for _ in range(width)]
    used, scale, clock = 0.0, lns.cp.objective_scale, False
    while search.hoods and used < budget and not clock:
        if search.left() <= 0.3:
            return False
        picks = []
        for _ in range(width):
            weights = [(r[1] + 1) / (r[0] + 2) for r in (lns.rounds.get(h.name, [0, 0]) for h in search.hoods)]
            hood = rng.choices(search.hoods, weights=weights)[0]
            picks.append((hood, _pick(rng, hood), rng.randrange(1 << 30)))
        solvers: list[Any] = [None] * width
        threads = [
            threading.Thread(target=_into, args=(solvers, k, search, models[k], search.values, free, seed), daemon=True)
            for k, (_, free, seed) in enumerate(picks)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for (hood, _, _), solver in zip(picks, solvers, strict=True):
            stats = lns.rounds.setdefault(hood.name, [0, 0])
            stats[0] += 1
            used += max(solver.deterministic_time, MIN_ROUND_WORK)  # tiny rounds still cost their set-up
            code = solver.ResponseProto().status
            if (
                code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
                and solver.deterministic_time < solver.parameters.max_deterministic_time
            ):
                clock = True  # this round was stopped by the clock, not its work limit
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = list(solver.ResponseProto().solution)
                value = _objective(models[0].Proto(), found)
                if value < search.best:
                    search.best, search.values = value, found
                    stats[1] += 1
                    search.improved.append((time.perf_counter() - search.started, value))
                    if progress is not None:
                        gap = None if bound is None else abs(value * scale - bound) / max(abs(value * scale), 1e-9)
                        progress(Progress(search.improved[-1][0], value * scale, bound, gap))
            if code == cp_model.OPTIMAL:
                hood.size = min(len(hood.groups), hood.size * 1.1)
            else:
                hood.size = max(1.0, hood.size / 1.3)
    return not clock


def _solve_with(
    cp: CpsatModel, overrides: dict[str, Any], params: SolveParams, limit: float, progress: Any, warm_start: bool
) -> tuple[SolverOutcome, float]:
    """One CP-SAT solve with these parameters on top of the model's; the outcome and the work it used."""
    saved = (cp.work_per_second, dict(cp.parameters))
    cp.work_per_second = None
    cp.parameters.update(overrides)
    try:
        out = cpsat_solve(cp, params, max(0.01, limit), progress, warm_start)
    finally:
        cp.work_per_second, cp.parameters = saved
    return out, getattr(cp.solver, "deterministic_time", overrides["max_deterministic_time"])


def _hint_all(cp: CpsatModel, values: list[int]) -> None:
    """Every variable's value as the model's hint."""
    hint = cp.model.Proto().solution_hint
    hint.vars.clear()
    hint.values.clear()
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def _solve_repeatable(
    lns: LnsModel, params: SolveParams, limit: float, progress: ProgressCallback | None, warm_start: bool
) -> SolverOutcome:
    """A start, a whole-model solve that may prove it, then rounds: work limits of cp.work_per_second x time limit."""
    started = time.perf_counter()
    cp = lns.cp
    budget = cp.work_per_second * params.time_limit  # the run's limit, not the time left: the same every run
    # the first solution costs what it costs (measured: 100 nurses needed more than 1.2 work units); the budget is
    # for the proving solve (first_share) and the rounds
    first, _ = _solve_with(cp, {**FIRST_REPEATABLE, "max_deterministic_time": 1e6}, params, limit, None, False)
    used, by_work = 0.0, True
    if first.status.has_plan and first.status is not Status.OPTIMAL:
        _hint_all(cp, list(cp.solver.ResponseProto().solution))
        start, start_solver = first, cp.solver
        prove = {"num_workers": 1, "interleave_search": False, "max_deterministic_time": lns.first_share * budget}
        left = limit - (time.perf_counter() - started)
        first, work = _solve_with(cp, prove, params, left, progress, warm_start)
        used += work
        by_work = by_work and (work < prove["max_deterministic_time"] or first.seconds < left - 0.3)
        if not first.status.has_plan or first.objective > start.objective:
            first, cp.solver = replace(start, bound=first.bound or start.bound), start_solver
    if first.status in (Status.OPTIMAL, Status.INFEASIBLE, Status.ERROR) or not first.status.has_plan:
        lns.solver = cp.solver
        return first
    search = _Search(lns, list(cp.solver.ResponseProto().solution), params, limit, started)
    by_work = _repeatable_rounds(search, budget - used, progress, first.bound) and by_work
    lns.solver = _Solution(search.values)
    cp.solver = lns.solver
    objective, bound = search.best * cp.objective_scale, first.bound
    status = Status.OPTIMAL if bound is not None and bound >= objective - 1e-9 else Status.FEASIBLE
    rounds = ", ".join(f"{n} {r[1]}/{r[0]}" for n, r in lns.rounds.items())
    stop = (
        "stopped at the repeatable work limit (the same input, seed and threads give the same plan)"
        if by_work
        else "stopped at the time limit before the repeatable work limit: a rerun may give another plan"
    )
    message = f"first solve {first.objective:g}, then neighbourhood rounds (improved/tried: {rounds}); {stop}"
    seconds = time.perf_counter() - started
    return finished(status, objective, bound, seconds, "cpsat", ortools_version(), first.raw_status, message)


def _lns_job(payload: tuple[Any, ...], limit: float, channel: Any) -> tuple[SolverOutcome, list[int] | None, dict]:
    """In the child: rebuild the model from its text, run the whole search; the outcome, best values and rounds."""
    from ortools.sat.python import cp_model

    text, parameters, scale, work, hoods, shares, params, report, warm_start = payload
    model = cp_model.CpModel()
    model.Proto().parse_text_format(text)
    cp = CpsatModel(model, scale, parameters=parameters, work_per_second=work)
    first_share, round_seconds, round_parameters, partner = shares
    lns = LnsModel(cp, hoods, first_share, round_seconds, round_parameters, partner=partner)
    outcome = solve_here(lns, params, limit, channel.progress if report else None, warm_start)
    values = None
    if outcome.status.has_plan:
        solver = lns.solver
        values = solver.values if isinstance(solver, _Solution) else list(solver.ResponseProto().solution)
    return outcome, values, (lns.rounds, lns.found_by)


def solve(
    lns: LnsModel,
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
) -> SolverOutcome:
    """The whole search in a child process (a native crash or hang becomes status 'error'); see solve_here."""
    from optimizer.backends import child

    if not child.enabled():
        return solve_here(lns, params, limit, progress, warm_start)
    began = time.perf_counter()
    cp = lns.cp
    cp.set_rules(on=True)
    shares = (lns.first_share, lns.round_seconds, lns.round_parameters, lns.partner)
    payload = (
        str(cp.model.Proto()),
        cp.parameters,
        cp.objective_scale,
        cp.work_per_second,
        lns.neighbourhoods,
        shares,
        params,
        progress is not None,
        warm_start,
    )
    run = child.run("CP-SAT (LNS)", _lns_job, payload, child.job_limit(limit, began), progress)
    if not run.finished:
        message = child.failure("CP-SAT (LNS)", run, limit)
        return finished(Status.ERROR, None, None, run.seconds, "cpsat", ortools_version(), "child ended", message)
    outcome, values, rounds = run.value
    outcome.seconds = run.seconds  # the solve as the run sees it, starting the process included
    lns.rounds, lns.found_by = rounds
    if values is not None:
        lns.solver = _Solution(values)
        cp.solver = lns.solver
    return outcome


def _partner(lns: LnsModel, params: SolveParams, limit: float) -> HighsPartner | None:
    """HiGHS started beside the rounds on one of the threads, when the model has a MILP partner."""
    if lns.partner is None:
        return None
    partner = HighsPartner(lns.partner, 1, params.seed, params.gap)
    partner.start(max(0.2, limit - 0.3))
    return partner


def _lower_bounds(proto: Any) -> list[int]:
    """Every variable at its lower bound: a place to start when only HiGHS has a plan."""
    return [int(v.domain[0]) for v in proto.variables]


def _partner_note(search: _Search) -> str:
    partner = search.partner
    if partner is None:
        return ""
    return (
        f"; HiGHS beside ({partner.status}): its plans taken {search.taken} times, "
        f"the rounds' plans given to it {partner.given} times"
    )


def solve_here(
    lns: LnsModel,
    params: SolveParams,
    limit: float,
    progress: ProgressCallback | None = None,
    warm_start: bool = False,
) -> SolverOutcome:
    """A first full solve, then neighbourhood rounds on `params.threads` threads; the best solution is kept.

    With `cp.work_per_second` (repeatable search) and neighbourhoods, every stop is a work limit instead.
    With `lns.partner`, HiGHS runs on one of the threads for the whole time and the two share their plans.
    """
    if lns.cp.work_per_second is not None and lns.neighbourhoods:
        return _solve_repeatable(lns, params, limit, progress, warm_start)
    started = time.perf_counter()
    partner = _partner(lns, params, limit)
    if partner is not None:
        params = params.model_copy(update={"threads": max(1, params.threads - 1)})
    first = cpsat_solve(lns.cp, params, max(0.5, lns.first_share * limit), progress, warm_start)
    retry = partner is None or partner.latest is None
    if retry and not first.status.has_plan and first.status is Status.NO_SOLUTION and limit - first.seconds > 1:
        first = cpsat_solve(lns.cp, params, limit - (time.perf_counter() - started), progress, warm_start)
    stop = first.status in (Status.OPTIMAL, Status.INFEASIBLE, Status.ERROR)
    if stop or not (first.status.has_plan or (partner is not None and partner.latest is not None)):
        if partner is not None:
            partner.finish()
        lns.solver = lns.cp.solver
        return first
    proto = lns.cp.model.Proto()
    values = list(lns.cp.solver.ResponseProto().solution) if first.status.has_plan else _lower_bounds(proto)
    search = _Search(lns, values, params, limit, started)
    if not first.status.has_plan:
        search.best = 1 << 62  # HiGHS's plan, taken at the first round, is the start
    search.partner = partner
    rng = random.Random(params.seed)
    threads = [
        threading.Thread(target=search.worker, args=(rng.randrange(1 << 30),), daemon=True)
        for _ in range(max(1, params.threads))
    ]
    for thread in threads:
        thread.start()
    scale, shown = lns.cp.objective_scale, 0
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=0.2)
        if progress is not None and len(search.improved) > shown:
            shown = len(search.improved)
            seconds, value = search.improved[-1]
            bound = first.bound
            gap = None if bound is None else abs(value * scale - bound) / max(abs(value * scale), 1e-9)
            progress(Progress(seconds, value * scale, bound, gap))
    bound = first.bound
    if partner is not None:
        partner.finish()
        search.take_partner(lns.cp.model.Clone())  # HiGHS's last plan, if it came after the last round
        if partner.bound is not None and partner.bound > -1e30:
            bound = partner.bound if bound is None else max(bound, partner.bound)
    if search.best >= 1 << 62:
        lns.solver = lns.cp.solver
        return first
    lns.solver = _Solution(search.values)
    lns.cp.solver = lns.solver
    lns.found_by = "highs" if search.found_by_partner else "cpsat"
    seconds = time.perf_counter() - started
    objective = search.best * scale
    proven = partner is not None and partner.proven() and objective <= partner.latest.objective + 1e-6
    status = Status.OPTIMAL if proven or (bound is not None and bound >= objective - 1e-9) else Status.FEASIBLE
    if status is Status.OPTIMAL:
        bound = objective
    rounds = ", ".join(f"{n} {r[1]}/{r[0]}" for n, r in lns.rounds.items())
    found = "none" if first.objective is None else f"{first.objective:g}"
    message = f"first solve {found}, then neighbourhood rounds (improved/tried: {rounds}){_partner_note(search)}"
    return finished(status, objective, bound, seconds, "cpsat", ortools_version(), first.raw_status, message)
