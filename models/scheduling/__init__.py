"""Detailed scheduling: which machine does which operation when, as a CP-SAT flexible job shop."""

from models.scheduling import cpsat, data, explain, replan
from models.scheduling.example import example_tables
from models.scheduling.formats import FORMATS
from optimizer.kinds import Formulation, KindDefinition, Replanning

KIND = KindDefinition(
    name="scheduling",
    description="flexible job shop: machine, start and end of every operation",
    tables=data.TABLES,
    settings=data.Settings,
    build_scenario=data.build_scenario,
    formulations={
        "cpsat": Formulation(
            family="cpsat",
            build=cpsat.build,
            extract=cpsat.extract,
            warm_start=cpsat.warm_start,
            explain=explain.explain,
        )
    },
    example_tables=example_tables,
    objective_note="makespan, weighted tardiness, or makespan_weight x makespan + tardiness_weight x weighted "
    "tardiness (Settings objective)",
    formats=FORMATS,
    replanning=Replanning(
        replan.read_previous,
        replan.apply,
        replan.changes,
        families=("cpsat",),
        frozen="operations started before time {n}",
    ),
)
