"""Production planning scenario: the input tables, their typed schemas and the immutable Scenario.

Sheets: Settings, Periods, Products, Resources, Routings, Demand, optional ResourceCapacity,
BOM and Budget. Each Routings row is one way to make a product (on one resource); a multi-step
process is modelled as intermediate products linked by the BOM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.budget import budget_table
from optimizer.io.fields import Id, Text, YesNo, column, lower_text, quantity
from optimizer.io.schema import RowModel, Table, TableSpec, Validated, row_error

COST_CATEGORIES = ("production", "setup", "overtime", "holding", "backlog", "safety_stock")


class Settings(BaseModel):
    """Scenario-wide settings, one per row of the Settings sheet (setting, value)."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    kind: Annotated[Literal["production"], BeforeValidator(lower_text)] = column(
        "the kind of plan this workbook is for"
    )
    name: str = column("scenario name shown in the plan", default="production")
    currency: str = column("currency of every cost", default="EUR")
    period_unit: str = column("what one period is (week, day, month)", default="week")
    allow_backlog: YesNo = column(
        "yes: demand not met in its period waits (products with a backlog_cost); no: every demand is met on time",
        default=True,
    )
    stability_weight: float = Field(
        0.01,
        ge=0,
        le=1e6,
        description="replan only: cost per unit of production quantity changed against the previous plan after the "
        "frozen periods",
        json_schema_extra={"unit": "money/unit"},
    )
    objective_note: str = column("what the objective counts, shown in the plan's Summary", default="")


class PeriodRow(RowModel):
    period: Id = column("period label, in time order (e.g. 2027-W01)")


class ProductRow(RowModel):
    product: Id = column("product id (finished good, intermediate or component)")
    description: Text = column("free text", default="")
    holding_cost: float = quantity("cost of keeping one unit in stock for one period", "money/unit/period", default=0.0)
    backlog_cost: float | None = quantity(
        "cost per unit of demand waiting per period; blank = this product's demand may not wait",
        "money/unit/period",
        default=None,
    )
    initial_stock: float = quantity("units on hand before the first period", default=0.0)
    safety_stock: float = quantity("stock to keep at the end of every period", default=0.0)
    safety_penalty: float | None = quantity(
        "cost per unit per period below safety stock; blank = the safety stock is a hard rule",
        "money/unit/period",
        default=None,
    )
    min_lot: float = quantity("smallest quantity of one production run (per resource and period)", default=0.0)


class ResourceRow(RowModel):
    resource: Id = column("resource id: line, machine or labour pool")
    description: Text = column("free text", default="")
    capacity: float = quantity("regular hours available per period", "hours/period")
    overtime_cost: float = quantity("cost of one hour of overtime", "money/hour", default=0.0)
    max_overtime: float = quantity("most overtime hours per period", "hours/period", default=0.0)


class ResourceCapacityRow(RowModel):
    resource: Id = column("resource id (Resources)")
    period: Id = column("period (Periods)")
    capacity: float | None = quantity(
        "regular hours in this period (holidays, maintenance); blank = the resource's capacity",
        "hours",
        default=None,
    )
    max_overtime: float | None = quantity(
        "most overtime hours in this period; blank = the resource's max_overtime", "hours", default=None
    )


class RoutingRow(RowModel):
    product: Id = column("product id (Products)")
    resource: Id = column("resource that can make it (Resources)")
    hours_per_unit: float = quantity("resource hours per unit made", "hours/unit")
    setup_time: float = quantity("hours lost to set up a production run in a period", "hours", default=0.0)
    setup_cost: float = quantity("cost of each production run (per period the product is made)", "money", default=0.0)
    unit_cost: float = quantity("production cost per unit on this resource", "money/unit", default=0.0)


class BomRow(RowModel):
    parent: Id = column("product made (Products)")
    component: Id = column("product consumed (Products)")
    quantity_per: float = quantity("units of component per unit of parent", "units/unit", gt=0, ge=None)
    lead_time_offset: int = Field(
        0,
        ge=0,
        le=1000,
        description="periods before the parent's production that the component is used",
        json_schema_extra={"unit": "periods"},
    )

    @model_validator(mode="after")
    def _not_itself(self) -> BomRow:
        if self.parent == self.component:
            raise row_error("component", f"product {self.parent!r} cannot be a component of itself")
        return self


class DemandRow(RowModel):
    product: Id = column("product id (Products)")
    period: Id = column("period (Periods)")
    quantity: float = quantity("units to deliver in the period")


BUDGET = budget_table(COST_CATEGORIES, "period (Periods); blank = the whole horizon", "Periods")
BudgetRow = BUDGET.row


TABLES = [
    TableSpec("Periods", PeriodRow, "planning periods in time order", key=("period",)),
    TableSpec("Products", ProductRow, "products with stock costs and rules", key=("product",)),
    TableSpec("Resources", ResourceRow, "resources with regular hours and overtime", key=("resource",)),
    TableSpec(
        "Routings",
        RoutingRow,
        "which resource can make which product, hours per unit and setups",
        key=("product", "resource"),
        references={"product": ("Products", "product"), "resource": ("Resources", "resource")},
    ),
    TableSpec(
        "Demand",
        DemandRow,
        "external demand per product and period (missing rows mean no demand)",
        key=("product", "period"),
        references={"product": ("Products", "product"), "period": ("Periods", "period")},
        allow_empty=True,
    ),
    TableSpec(
        "ResourceCapacity",
        ResourceCapacityRow,
        "capacity of a resource in one period where it differs from its usual capacity",
        key=("resource", "period"),
        references={"resource": ("Resources", "resource"), "period": ("Periods", "period")},
        required=False,
        allow_empty=True,
    ),
    TableSpec(
        "BOM",
        BomRow,
        "bill of materials: components each product consumes",
        key=("parent", "component"),
        references={"parent": ("Products", "product"), "component": ("Products", "product")},
        required=False,
        allow_empty=True,
    ),
    BUDGET,
]


@dataclass(frozen=True)
class Routing:
    """One way to make a product: on one resource, with its rate and setup."""

    product: int  # index into Scenario.products
    resource: int  # index into Scenario.resources
    hours_per_unit: float
    setup_time: float
    setup_cost: float
    unit_cost: float


@dataclass(frozen=True)
class Component:
    """A BOM line: making one unit of parent uses quantity_per units of component, offset periods before."""

    parent: int
    component: int
    quantity_per: float
    offset: int


@dataclass(frozen=True)
class Scenario:
    """A validated production scenario, indexed by position; ids are kept for the reports."""

    settings: Settings
    periods: tuple[str, ...]
    products: tuple[ProductRow, ...]
    resources: tuple[ResourceRow, ...]
    routings: tuple[Routing, ...]
    bom: tuple[Component, ...]
    demand: tuple[tuple[float, ...], ...]  # external demand [product][period]
    capacity: tuple[tuple[float, ...], ...]  # regular hours [resource][period]
    max_overtime: tuple[tuple[float, ...], ...]  # [resource][period]
    budget: tuple[BudgetRow, ...]
    products_table: Table  # the Products input table, to name cells in diagnostics
    resources_table: Table
    tables: dict[str, Table] = field(default_factory=dict)  # every input table, to name cells in explanations

    def cell(self, table: str, index: int, column: str) -> str:
        """Input location of row `index`'s `column` in `table`, e.g. 'Demand!C4'."""
        return self.tables[table].location(index, column) if table in self.tables else table

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    def product_cell(self, i: int, column: str = "product") -> str:
        """Input location of product i's cell in `column`, e.g. 'Products!C5'."""
        return self.products_table.location(i, column)

    def resource_cell(self, r: int, column: str = "resource") -> str:
        """Input location of resource r's cell in `column`, e.g. 'Resources!E3'."""
        return self.resources_table.location(r, column)

    def may_backlog(self, i: int) -> bool:
        """Demand of product i may wait: backlog is allowed and the product has a backlog cost."""
        return bool(self.settings.allow_backlog) and self.products[i].backlog_cost is not None

    def consumed_in(self, t: int, offset: int) -> int:
        """Period a component is used for production in t; needs before the horizon come from initial stock."""
        return max(0, t - offset)


def _bom_cycle(bom: list[Component], n: int) -> list[int] | None:
    """A cycle of products in the BOM (parent -> component), or None."""
    children: dict[int, list[int]] = {}
    for c in bom:
        children.setdefault(c.parent, []).append(c.component)
    state = [0] * n  # 0 new, 1 on the path, 2 done
    path: list[int] = []

    def visit(u: int) -> list[int] | None:
        state[u] = 1
        path.append(u)
        for v in children.get(u, []):
            if state[v] == 1:
                return path[path.index(v) :] + [v]
            if state[v] == 0 and (found := visit(v)) is not None:
                return found
        path.pop()
        state[u] = 2
        return None

    for u in range(n):
        if state[u] == 0 and (found := visit(u)) is not None:
            return found
    return None


def build_scenario(validated: Validated) -> Scenario:
    """Index the validated tables by position for the model builder; a BOM cycle is an input error."""
    periods = tuple(r.period for r in validated.rows("Periods"))
    t_of = {p: t for t, p in enumerate(periods)}
    products = tuple(validated.rows("Products"))
    i_of = {r.product: i for i, r in enumerate(products)}
    resources = tuple(validated.rows("Resources"))
    r_of = {r.resource: k for k, r in enumerate(resources)}
    routings = tuple(
        Routing(i_of[r.product], r_of[r.resource], r.hours_per_unit, r.setup_time, r.setup_cost, r.unit_cost)
        for r in validated.rows("Routings")
    )
    n = len(periods)
    demand = [[0.0] * n for _ in products]
    for r in validated.rows("Demand"):
        demand[i_of[r.product]][t_of[r.period]] = r.quantity
    capacity = [[r.capacity] * n for r in resources]
    overtime = [[r.max_overtime] * n for r in resources]
    if "ResourceCapacity" in validated.tables:
        for r in validated.rows("ResourceCapacity"):
            k, t = r_of[r.resource], t_of[r.period]
            if r.capacity is not None:
                capacity[k][t] = r.capacity
            if r.max_overtime is not None:
                overtime[k][t] = r.max_overtime
    bom: list[Component] = []
    if "BOM" in validated.tables:
        bom = [
            Component(i_of[r.parent], i_of[r.component], r.quantity_per, r.lead_time_offset)
            for r in validated.rows("BOM")
        ]
        cycle = _bom_cycle(bom, len(products))
        if cycle is not None:
            names = " -> ".join(products[i].product for i in cycle)
            raise InputErrors([InputError("BOM", f"the bill of materials has a cycle: {names}")])
    return Scenario(
        settings=validated.settings,
        periods=periods,
        products=products,
        resources=resources,
        routings=routings,
        bom=tuple(bom),
        demand=tuple(tuple(d) for d in demand),
        capacity=tuple(tuple(c) for c in capacity),
        max_overtime=tuple(tuple(o) for o in overtime),
        budget=tuple(validated.rows("Budget")) if "Budget" in validated.tables else (),
        products_table=validated.tables["Products"],
        resources_table=validated.tables["Resources"],
        tables=dict(validated.tables),
    )
