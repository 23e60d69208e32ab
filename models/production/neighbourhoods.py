"""Neighbourhoods for fix-and-optimize on the production MILP: one resource's products over a window of periods.

A resource's products compete for its hours, so re-planning them together can move setups
between them; a window of periods keeps each step small. Freed with them: the overtime of every
resource they can run on, and the stock of their components (what a parent makes earlier or later
changes only when its components wait in stock). Everything else stays as in the incumbent.

Quantities and stock outside the window stay fixed too, so a step cannot move production across the
window's edges. Windows of setups do (as Helber and Sahling's steps do): 4 periods that free only the setups
there, with every other decision of the resource's products free over the whole horizon. From X11119A's plan
9,250.9, where no held window finds anything cheaper, the setups of periods 11-14 reach the optimum, 9,245.2, in
about 2 s.

The first stage holds windows of 8 periods at every start, then the windows of setups. Every start, because a
cheaper plan can straddle two windows half a width apart: from 9,274.8, where 5 of 12 traced 60 s runs of X11119A
passed, periods 2-9 lead towards the optimum (9,262.3 in 3 s), where 1-8 and 5-12 find nothing and periods 10-17
lead to plans no window improves (9,256.8). The windows of setups in the same stage, because with them last a round of
the held stages took so long that the race ended before them. Measured at 60 s (seeds 0, 1, 3, 5, 2026-12-07):
X11119A at its optimum in 4 of 4 runs at 39-43 s (before: 2 of 4, else 9,258.6 and 9,256.8; with every start but
the windows of setups last: 1 of 4, else 9,250.9); X11219A at its best known plan in 3 of 4 (before: 1 of 4)
(benchmarks/LOTSIZING.md).

The windows come in stages, narrow first: a narrow window's step is small, so its rounds are quick;
once a round of them finds nothing cheaper, wider windows can still move a setup further. Measured on
the Trigeiro lot-sizing files (fix-and-optimize alone from the start plan, 50 s on one core): windows of
12 periods alone stopped at 25,512.9 on X11218A and 11,547.0 on X11129A; windows of 8, then 12, 16 and
20 reached their proven optima, 25,455.4 and 11,541.4 (a first stage of 6 periods trapped X11218A at
25,487.7). Through the command line at 60 s both now end at their optima (were 25,491.4 and 11,547.0).
At 200 products x 52 weeks x 10 resources (300 s, gap 1%), where windows of 8, 12 and 16 periods had
gained about the same, the run ends as before: 1% reached at 182.9 s (was 174.4 s); with the first stage's
windows at every start and the windows of setups in it, 150.2 s (186.2 s the same day before the change).
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


def every_window(n_periods: int, width: int) -> list[range]:
    """Windows of `width` periods at every start: those of `windows` first (a round that is cut short has still gone
    over the whole horizon), then the ones between them. A move whose periods straddle two half-width windows is
    found only in a window between them (see neighbourhoods)."""
    spaced = windows(n_periods, width)
    between = [range(f, f + width) for f in range(n_periods - width + 1) if range(f, f + width) not in spaced]
    return spaced + between


def _held(m: Any, i: int, periods: range) -> list[Any]:
    """Product i's stock, backlog and safety-stock shortfall in `periods`."""
    out = []
    for t in periods:
        for var in (m.stock, m.backlog, m.safety_gap):
            if (i, t) in var:
                out.append(var[i, t])
    return out


def neighbourhoods(s: Scenario, m: Any) -> list[list[list[Any]]]:
    """Stages of groups of the model's variables freed together: for each window, each resource's products' decisions.

    The first stage has a window at every start (every_window), then the windows of setups (see the module's
    docstring); the wider stages' windows are half a width apart."""
    layout = _Layout.of(s, m)
    stages = [
        [
            _group(s, m, layout, products, periods)
            for periods in (every_window if stage == 0 else windows)(s.n_periods, width)
            for products in layout.on_resource
            if products
        ]
        for stage, width in enumerate(widths(s.n_periods))
    ]
    if s.n_periods > SETUP_WIDTH:  # else its one window is the whole horizon's
        stages[0] += _setup_windows(s, m, layout)
    return stages


def _setup_windows(s: Scenario, m: Any, layout: _Layout) -> list[list[Any]]:
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
