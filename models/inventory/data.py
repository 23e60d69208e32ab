"""Inventory reorder scenario: the input tables, their typed schemas and the immutable Scenario.

Sheets: Settings, Periods, Items, Suppliers, ItemSuppliers, Demand, optional OpenOrders and Budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from optimizer.io.budget import budget_table
from optimizer.io.fields import Id, Text, column, lower_text, quantity
from optimizer.io.schema import RowModel, Table, TableSpec, Validated, row_error

COST_CATEGORIES = ("purchasing", "ordering", "holding", "shortage", "safety_stock")


class Settings(BaseModel):
    """Scenario-wide settings, one per row of the Settings sheet (setting, value)."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    kind: Annotated[Literal["inventory"], BeforeValidator(lower_text)] = column("the kind of plan this workbook is for")
    name: str = column("scenario name shown in the plan", default="inventory")
    currency: str = column("currency of every cost and price", default="EUR")
    period_unit: str = column("what one period is (week, day, month)", default="week")
    stability_weight: float = Field(
        0.01,
        ge=0,
        le=1e6,
        description="replan only: cost per unit of order quantity changed against the previous plan after the frozen periods",
        json_schema_extra={"unit": "money/unit"},
    )


class PeriodRow(RowModel):
    period: Id = column("period label, in time order (e.g. 2026-W01)")
    warehouse_capacity: float | None = quantity(
        "storage volume available at the end of the period; blank = unlimited", "m3", default=None
    )
    purchasing_budget: float | None = quantity(
        "spending limit on orders placed in the period; blank = unlimited", "money", default=None
    )


class ItemRow(RowModel):
    item: Id = column("item id, as used in the other sheets")
    description: Text = column("free text", default="")
    unit_cost: float = quantity("purchase price per unit when the supplier row gives none", "money/unit")
    holding_cost: float = quantity("cost of keeping one unit in stock for one period", "money/unit/period")
    shortage_cost: float = quantity(
        "cost per unit of demand not met: per period while backlogged (backlog left at the end also costs unit_cost), or once when lost",
        "money/unit",
    )
    shortage_policy: Annotated[Literal["backorder", "lost_sale"], BeforeValidator(lower_text)] = column(
        "unmet demand waits (backorder) or is lost (lost_sale)", default="backorder"
    )
    initial_stock: float = quantity("units on hand before the first period", default=0.0)
    safety_stock: float = quantity("stock to keep at the end of every period", default=0.0)
    safety_stock_policy: Annotated[Literal["soft", "hard"], BeforeValidator(lower_text)] = column(
        "hard: never below; soft: below costs safety_penalty", default="soft"
    )
    safety_penalty: float | None = quantity(
        "cost per unit per period that the net position (on hand less backlog) is below safety stock (soft); blank = shortage_cost",
        "money/unit/period",
        default=None,
    )
    volume: float = quantity("storage volume of one unit", "m3/unit", default=0.0)


class SupplierRow(RowModel):
    supplier: Id = column("supplier id")
    name: Text = column("free text", default="")
    capacity: float | None = quantity(
        "units the supplier can ship per period over all items; blank = unlimited", default=None
    )


class OfferRow(RowModel):
    item: Id = column("item id (Items)")
    supplier: Id = column("supplier id (Suppliers)")
    unit_price: float | None = quantity(
        "price per unit from this supplier; blank = the item's unit_cost", "money/unit", default=None
    )
    lead_time: int = Field(
        0, ge=0, le=1000, description="periods between ordering and arrival", json_schema_extra={"unit": "periods"}
    )
    order_cost: float = quantity("fixed cost of each order placed", "money/order", default=0.0)
    min_order_qty: float = quantity("smallest order quantity (MOQ)", default=0.0)
    pack_size: float = quantity("orders are whole multiples of this", default=1.0, gt=0, ge=None)
    max_order_qty: float | None = quantity("largest order quantity; blank = unlimited", default=None)

    @model_validator(mode="after")
    def _moq_below_max(self) -> OfferRow:
        if self.max_order_qty is not None and self.min_order_qty > self.max_order_qty:
            raise row_error(
                "min_order_qty",
                f"min_order_qty {self.min_order_qty:g} is larger than max_order_qty {self.max_order_qty:g}",
            )
        return self


class DemandRow(RowModel):
    item: Id = column("item id (Items)")
    period: Id = column("period (Periods)")
    quantity: float = quantity("forecast demand in the period")


class OpenOrderRow(RowModel):
    item: Id = column("item id (Items)")
    supplier: Id | None = column("supplier id (Suppliers), for information", default=None)
    arrival_period: Id = column("period the order arrives (Periods)")
    quantity: float = quantity("units arriving")


BUDGET = budget_table(COST_CATEGORIES, "period (Periods); blank = the whole horizon", "Periods")
BudgetRow = BUDGET.row


TABLES = [
    TableSpec(
        "Periods", PeriodRow, "planning periods in time order, with storage and spending limits", key=("period",)
    ),
    TableSpec("Items", ItemRow, "items to plan, with costs and stock rules", key=("item",)),
    TableSpec("Suppliers", SupplierRow, "suppliers and their shipping capacity", key=("supplier",)),
    TableSpec(
        "ItemSuppliers",
        OfferRow,
        "which supplier sells which item, at what price, lead time and order rules",
        key=("item", "supplier"),
        references={"item": ("Items", "item"), "supplier": ("Suppliers", "supplier")},
    ),
    TableSpec(
        "Demand",
        DemandRow,
        "forecast demand per item and period (missing rows mean no demand)",
        key=("item", "period"),
        references={"item": ("Items", "item"), "period": ("Periods", "period")},
        allow_empty=True,
    ),
    TableSpec(
        "OpenOrders",
        OpenOrderRow,
        "orders already placed that will arrive in the horizon",
        references={
            "item": ("Items", "item"),
            "supplier": ("Suppliers", "supplier"),
            "arrival_period": ("Periods", "period"),
        },
        required=False,
        allow_empty=True,
    ),
    BUDGET,
]


@dataclass(frozen=True)
class Offer:
    """One item-supplier pair with its price resolved."""

    item: int  # index into Scenario.items
    supplier: int  # index into Scenario.suppliers
    unit_price: float
    lead_time: int
    order_cost: float
    min_order_qty: float
    pack_size: float
    max_order_qty: float | None


@dataclass(frozen=True)
class Scenario:
    """A validated inventory scenario, indexed by position; ids are kept for the reports."""

    settings: Settings
    periods: tuple[str, ...]
    items: tuple[ItemRow, ...]
    suppliers: tuple[SupplierRow, ...]
    offers: tuple[Offer, ...]
    demand: tuple[tuple[float, ...], ...]  # [item][period]
    receipts: tuple[tuple[float, ...], ...]  # open orders arriving [item][period]
    warehouse_capacity: tuple[float | None, ...]
    purchasing_budget: tuple[float | None, ...]
    budget: tuple[BudgetRow, ...]
    items_table: Table  # the Items input table, to name cells in diagnostics
    tables: dict[str, Table] = field(default_factory=dict)  # every input table, to name cells in explanations

    def cell(self, table: str, index: int, column: str) -> str:
        """Input location of row `index`'s `column` in `table`, e.g. 'Periods!C4'."""
        return self.tables[table].location(index, column) if table in self.tables else table

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    def item_cell(self, i: int, column: str = "item") -> str:
        """Input location of item i's cell in `column`, e.g. 'Items!E5'."""
        return self.items_table.location(i, column)

    @cached_property
    def offers_of(self) -> tuple[tuple[int, ...], ...]:
        """Offer indices of each item, found once: a scan of every offer per item is quadratic at scale."""
        found: list[list[int]] = [[] for _ in self.items]
        for o, offer in enumerate(self.offers):
            found[offer.item].append(o)
        return tuple(tuple(offers) for offers in found)

    @cached_property
    def demand_before(self) -> tuple[tuple[float, ...], ...]:
        """Per item, the demand of the periods before t, for t = 0..n: any span's demand in one subtraction."""
        return tuple(tuple(accumulate(row, initial=0.0)) for row in self.demand)

    @cached_property
    def receipts_before(self) -> tuple[tuple[float, ...], ...]:
        """Per item, the open orders arriving before period t, for t = 0..n."""
        return tuple(tuple(accumulate(row, initial=0.0)) for row in self.receipts)

    def safety_penalty(self, i: int) -> float:
        item = self.items[i]
        return item.shortage_cost if item.safety_penalty is None else item.safety_penalty


def build_scenario(validated: Validated) -> Scenario:
    """Index the validated tables by position for the model builder."""
    periods = tuple(r.period for r in validated.rows("Periods"))
    period_index = {p: t for t, p in enumerate(periods)}
    items = tuple(validated.rows("Items"))
    item_index = {r.item: i for i, r in enumerate(items)}
    suppliers = tuple(validated.rows("Suppliers"))
    supplier_index = {r.supplier: s for s, r in enumerate(suppliers)}
    offers = tuple(
        Offer(
            item=item_index[r.item],
            supplier=supplier_index[r.supplier],
            unit_price=items[item_index[r.item]].unit_cost if r.unit_price is None else r.unit_price,
            lead_time=r.lead_time,
            order_cost=r.order_cost,
            min_order_qty=r.min_order_qty,
            pack_size=r.pack_size,
            max_order_qty=r.max_order_qty,
        )
        for r in validated.rows("ItemSuppliers")
    )
    n = len(periods)
    demand = [[0.0] * n for _ in items]
    for r in validated.rows("Demand"):
        demand[item_index[r.item]][period_index[r.period]] = r.quantity
    receipts = [[0.0] * n for _ in items]
    if "OpenOrders" in validated.tables:
        for r in validated.rows("OpenOrders"):
            receipts[item_index[r.item]][period_index[r.arrival_period]] += r.quantity
    period_rows = validated.rows("Periods")
    items_table = validated.tables["Items"]
    return Scenario(
        settings=validated.settings,
        periods=periods,
        items=items,
        suppliers=suppliers,
        offers=offers,
        demand=tuple(tuple(d) for d in demand),
        receipts=tuple(tuple(r) for r in receipts),
        warehouse_capacity=tuple(r.warehouse_capacity for r in period_rows),
        purchasing_budget=tuple(r.purchasing_budget for r in period_rows),
        budget=tuple(validated.rows("Budget")) if "Budget" in validated.tables else (),
        items_table=items_table,
        tables=dict(validated.tables),
    )
