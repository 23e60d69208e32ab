"""Vehicle routing: which vehicle serves which stops in which order, with PyVRP or OR-Tools routing."""

from models.routing import data, explain, plan, replan, vrp
from models.routing.example import example_tables
from models.routing.formats import FORMATS
from optimizer.kinds import Formulation, KindDefinition, Replanning

KIND = KindDefinition(
    name="routing",
    description="vehicle routing: routes and schedules per vehicle for capacity, time windows, breaks and pairs",
    tables=data.TABLES,
    settings=data.Settings,
    build_scenario=data.build_scenario,
    formulations={
        "pyvrp": Formulation(family="pyvrp", build=vrp.build, extract=plan.extract, explain=explain.explain),
        "ortools": Formulation(
            family="ortools_routing", build=vrp.build, extract=plan.extract, explain=explain.explain
        ),
    },
    example_tables=example_tables,
    objective_note="vehicle fixed costs + distance + time costs + penalties for unserved stops",
    choose_solver=vrp.choose_solver,
    formats=FORMATS,
    replanning=Replanning(
        read_previous=replan.read_previous,
        apply=replan.apply,
        changes=replan.changes,
        families=("pyvrp", "ortools_routing"),
        frozen="the first {n} stop(s) of each vehicle's previous route",
        choose=vrp.choose_replan_solver,
    ),
)
