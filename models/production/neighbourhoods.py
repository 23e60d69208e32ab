"""Neighbourhoods for fix-and-optimize on the production MILP: one resource's products over a window of periods.

A resource's products compete for its hours, so re-planning them together can move setups
between them; a window of periods keeps each step small. Freed with them: the overtime of every
resource they can run on, and the stock of their components (what a parent makes earlier or later
changes only when its components wait in stock). Everything else stays as in the incumbent.

Quantities and stock outside the window stay fixed too, so a step cannot move production across the
window's edges. The last stage does (as Helber and Sahling's steps do): windows of 4 periods that free only
the setups there, with every other decision of the resource's products free over the whole horizon. Its
steps are slower (on X11119A 1-3 s, a held window of 8 periods 0.3-3 s), so it comes after the held
windows' stages. On X11119A the held stages stop at 9,250.9 (still after 180 s); the window of periods
11-14 reaches the optimum, 9,245.2, in about 2 s (benchmarks/LOTSIZING.md).

The windows come in stages, narrow first: a narrow window's step is small, so its rounds are quick;
once a round of them finds nothing cheaper, wider windows can still move a setup further. Measured on
the Trigeiro lot-sizing files (fix-and-optimize alone from the start plan, 50 s on one core): windows of
12 periods alone stopped at 25,512.9 on X11218A and 11,547.0 on X11129A; windows of 8, then 12, 16 and
20 reached their proven optima, 25,455.4 and 11,541.4 (a first stage of 6 periods trapped X11218A at
25,487.7). Through the command line at 60 s both now end at their optima (were 25,491.4 and 11,547.0).
At 200 products x 52 weeks x 10 resources (300 s, gap 1%), where windows of 8, 12 and 16 periods had
gained about the same, the run ends as before: 1% reached at 182.9 s (was 174.4 s).
With one resource, the whole horizon's window is the whole model, which HiGHS solves beside fix-and-optimize;
that step is then left out (pyomo_beside._short_of_the_whole).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.production.data import Scenario

FIRST_WIDTH = 8  # periods per window in the first stage
WIDEN = 1.5  # each stage's windows are this much wider than the stage before, up to the whole horizon
SETUP_WIDTH = 4  # periods per window in the last stage, which frees setups there and quantities everywhere


def widths(n_periods: int) -> list[int]:
    """Window widths stage by stage: FIRST_WIDTH, widened by WIDEN, the last one the whole horizon."""
    out = []
    width = FIRST_WIDTH
    while width < n_periods:
        out.append(width)
        width = max(width + 1, round(width * WIDEN))
    return out + [n_periods]


def windows(n_periods: int, width: int) -> list[range]:
    """Windows of `width` periods, half a width apart (a change at one's edge can be undone), the last ending the horizon."""
    stride = max(1, width // 2)
    out = []
    for first in range(0, n_periods, stride):
        out.append(range(first, min(n_periods, first + width)))
        if first + width >= n_periods:
            break
    return out


def _held(m: Any, i: int, periods: range) -> list[Any]:
    """Product i's stock, backlog and safety-stock shortfall in `periods`."""
    out = []
    for t in periods:
        for var in (m.stock, m.backlog, m.safety_gap):
            if (i, t) in var:
                out.append(var[i, t])
    return out


def neighbourhoods(s: Scenario, m: Any) -> list[list[list[Any]]]:
    """Stages of groups of the model's variables freed together: for each window, each resource's products' decisions."""
    layout = _Layout.of(s, m)
    stages = [
        [
            _group(s, m, layout, products, periods)
            for periods in windows(s.n_periods, width)
            for products in layout.on_resource
            if products
        ]
        for width in widths(s.n_periods)
    ]
    if s.n_periods > SETUP_WIDTH:  # else its one window is the last stage's
        stages.append(_setup_stage(s, m, layout))
    return stages


def _setup_stage(s: Scenario, m: Any, layout: _Layout) -> list[list[Any]]:
    """For each window of SETUP_WIDTH periods and each resource: its products' setups in the window, with all their
    other decisions over the whole horizon (the setups outside the window stay as they are)."""
    per_resource = [
        _setups_and_rest(m, _group(s, m, layout, products, range(s.n_periods)))
        for products in layout.on_resource
        if products
    ]
    return [
        rest + [v for v in setups if v.index()[1] in periods]
        for periods in windows(s.n_periods, SETUP_WIDTH)
        for setups, rest in per_resource
    ]


def _setups_and_rest(m: Any, group: list[Any]) -> tuple[list[Any], list[Any]]:
    """`group` split into its setup decisions (the model's `run` variables) and the rest."""
    return [v for v in group if v.parent_component() is m.run], [v for v in group if v.parent_component() is not m.run]


@dataclass(frozen=True)
class _Layout:
    """What the groups of every stage are made from, read from the scenario and model once."""

    on_resource: list[list[int]]  # per resource, the products it can make
    components_of: dict[int, set[int]]  # per parent product, its components
    serve_of: dict[int, list[tuple[int, int, int]]]  # per product, its keys of the model's `serve` variables

    @classmethod
    def of(cls, s: Scenario, m: Any) -> _Layout:
        components_of: dict[int, set[int]] = {}
        for c in s.bom:
            components_of.setdefault(c.parent, set()).add(c.component)
        serve_of: dict[int, list[tuple[int, int, int]]] = {}
        for i, t, tau in m.SERVE:
            serve_of.setdefault(i, []).append((i, t, tau))
        on_resource: list[list[int]] = [[] for _ in s.resources]
        for i, routes in enumerate(m.structure.routes_of):
            for r in sorted({s.routings[k].resource for k in routes}):
                on_resource[r].append(i)
        return cls(on_resource, components_of, serve_of)


def _group(s: Scenario, m: Any, layout: _Layout, products: list[int], periods: range) -> list[Any]:
    """The decisions of `products` in `periods`, with their components' stock and their resources' overtime."""
    routes_of = m.structure.routes_of
    group: list[Any] = []
    resources: set[int] = set()
    for i in products:
        for k in routes_of[i]:
            resources.add(s.routings[k].resource)
            group += [m.make[k, t] for t in periods]
            group += [m.run[k, t] for t in periods if (k, t) in m.run]
        group += _held(m, i, periods)
        group += [m.serve[key] for key in layout.serve_of.get(i, []) if key[1] in periods]
        for c in sorted(layout.components_of.get(i, ())):
            group += _held(m, c, periods)
    for r in sorted(resources):
        group += [m.overtime[r, t] for t in periods if (r, t) in m.overtime]
    return group
