"""Production planning: what to make on which resource in which period, as a lot-sizing MILP."""

from typing import Any

from models.production import data, explain, formats, heuristic, marginal, milp, neighbourhoods, plan, replan
from models.production.example import example_tables
from optimizer.core.plan import Plan
from optimizer.kinds import Formulation, KindDefinition, Replanning


def _extract(s: data.Scenario, m: Any) -> Plan:
    """The plan of a solved model."""
    return plan.extract(s, plan.values_from_pyomo(s, m))


def _marginals(s: data.Scenario, m: Any, p: Plan, seconds: float) -> Any:
    """Marginal values sheet: the value of one more hour per resource and period, within `seconds`."""
    values = plan.values_from_pyomo(s, m)
    return marginal.table(s, marginal.fixed_lp_marginals(m, seconds), plan.hours_used(s, values))


KIND = KindDefinition(
    name="production",
    description="capacitated production planning: quantities per product, resource and period with setups",
    tables=data.TABLES,
    settings=data.Settings,
    build_scenario=data.build_scenario,
    formulations={
        "highs": Formulation(
            family="pyomo",
            build=milp.build,
            extract=_extract,
            warm_start=heuristic.warm_start,
            timed_warm_start=True,
            explain=explain.explain,
            marginals=_marginals,
            neighbourhoods=neighbourhoods.neighbourhoods,
        )
    },
    example_tables=example_tables,
    objective_note="production + setup + overtime + holding + backlog + safety-stock penalty"
    " (+ stability penalty in a replan)",
    formats=formats.FORMATS,
    replanning=Replanning(read_previous=replan.read_previous, apply=replan.apply, changes=replan.changes),
)
