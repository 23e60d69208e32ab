"""Neighbourhoods for fix-and-optimize on the production MILP: one resource's products over a window of periods.

A resource's products compete for its hours, so re-planning them together can move setups
between them; a window of periods keeps each step small. Freed with them: the overtime of every
resource they can run on, and the stock of their components (what a parent makes earlier or later
changes only when its components wait in stock). Everything else stays as in the incumbent.
"""

from __future__ import annotations

from typing import Any

from models.production.data import Scenario

WINDOW = 12  # periods per neighbourhood (measured at 200 products x 52 weeks: 8, 12 and 16 gained about the same)
STRIDE = 8  # periods between window starts: windows overlap, so a change at a window's edge can be undone


def windows(n_periods: int) -> list[range]:
    """Overlapping windows of WINDOW periods, STRIDE apart, the last one ending with the horizon."""
    out = []
    for first in range(0, n_periods, STRIDE):
        out.append(range(first, min(n_periods, first + WINDOW)))
        if first + WINDOW >= n_periods:
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


def neighbourhoods(s: Scenario, m: Any) -> list[list[Any]]:
    """Groups of the model's variables freed together: for each window, for each resource, its products' decisions."""
    st = m.structure
    components_of: dict[int, set[int]] = {}
    for c in s.bom:
        components_of.setdefault(c.parent, set()).add(c.component)
    serve_of: dict[int, list[tuple[int, int, int]]] = {}
    for i, t, tau in m.SERVE:
        serve_of.setdefault(i, []).append((i, t, tau))
    on_resource: list[list[int]] = [[] for _ in s.resources]
    for i, routes in enumerate(st.routes_of):
        for r in sorted({s.routings[k].resource for k in routes}):
            on_resource[r].append(i)
    out = []
    for periods in windows(s.n_periods):
        for products in on_resource:
            if not products:
                continue
            group: list[Any] = []
            resources: set[int] = set()
            for i in products:
                for k in st.routes_of[i]:
                    resources.add(s.routings[k].resource)
                    group += [m.make[k, t] for t in periods]
                    group += [m.run[k, t] for t in periods if (k, t) in m.run]
                group += _held(m, i, periods)
                group += [m.serve[key] for key in serve_of.get(i, []) if key[1] in periods]
                for c in sorted(components_of.get(i, ())):
                    group += _held(m, c, periods)
            for r in sorted(resources):
                group += [m.overtime[r, t] for t in periods if (r, t) in m.overtime]
            out.append(group)
    return out
