"""Inventory reorder: what to order from which supplier and when, as a MILP."""

from models.inventory import data, explain, heuristic, marginal, milp, plan, replan
from models.inventory.example import example_tables
from optimizer.kinds import Formulation, KindDefinition, Replanning

KIND = KindDefinition(
    name="inventory",
    description="multi-item purchase planning: order quantities per item, supplier and period",
    tables=data.TABLES,
    settings=data.Settings,
    build_scenario=data.build_scenario,
    formulations={
        "highs": Formulation(
            family="pyomo",
            build=milp.build_for_limit,
            sized_build=True,
            extract=lambda s, m: plan.extract(s, plan.values_from_pyomo(s, m)),
            warm_start=heuristic.warm_start,
            explain=explain.explain,
            marginals=marginal.marginal_values,
            build_estimate=milp.build_estimate,
            quick_plan=heuristic.quick_plan,
        )
    },
    example_tables=example_tables,
    objective_note="purchasing + ordering + holding + shortage + safety-stock penalty (+ stability penalty in a replan)",
    replanning=Replanning(read_previous=replan.read_previous, apply=replan.apply, changes=replan.changes),
)
