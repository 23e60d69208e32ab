"""Shift rostering: who works which shift on which day, on CP-SAT with a MILP (HiGHS) alternative."""

from models.roster import cpsat, data, explain, formats, milp, plan, replan, strategy
from models.roster.example import example_tables
from optimizer.kinds import BenchmarkFormat, Formulation, KindDefinition, Replanning

KIND = KindDefinition(
    name="roster",
    description="shift rostering: shifts per employee and day under contracts, cover and requests",
    tables=data.TABLES,
    settings=data.Settings,
    build_scenario=data.build_scenario,
    formulations={
        "cpsat": Formulation(
            family="cpsat",
            build=cpsat.build,
            extract=lambda s, m: plan.extract(s, cpsat.assignment(m), {"backend won": "cpsat"}),
            explain=explain.explain,
        ),
        "lns": Formulation(
            family="cpsat_lns", build=strategy.build_lns, extract=strategy.extract_lns, explain=explain.explain
        ),
        "hybrid": Formulation(
            family="chain", build=strategy.build_hybrid, extract=strategy.extract_hybrid, explain=explain.explain
        ),
        "highs": Formulation(
            family="pyomo",
            build=milp.build,
            extract=lambda s, m: plan.extract(s, milp.assignment(m), {"backend won": "highs"}),
            explain=explain.explain,
        ),
    },
    example_tables=example_tables,
    objective_note="labour + overtime + penalties of the soft rules (nrp: request + cover penalties)",
    formats={
        "nrp": BenchmarkFormat(
            name="nrp",
            description="Curtois & Qu shift scheduling benchmark (SECTION_HORIZON, SECTION_SHIFTS, ...)",
            read=formats.read,
            detect=formats.detect,
        )
    },
    choose_solver=strategy.choose_solver,
    replanning=Replanning(
        read_previous=replan.read_previous,
        apply=replan.apply,
        changes=replan.changes,
        families=("cpsat", "cpsat_lns", "chain", "pyomo"),
        frozen="the shifts of the first {n} day(s) (reopened only if a published shift can no longer be worked)",
    ),
)
