"""Live solver progress on a terminal: elapsed time, incumbent, bound and gap (rich)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.table import Table

from optimizer.backends.outcome import Progress, ProgressCallback


def _render(label: str, p: Progress | None) -> Table:
    table = Table(show_header=True, header_style="bold", box=None)
    for column in ("solving", "seconds", "best plan cost", "bound", "gap"):
        table.add_column(column, justify="right")
    if p is None:
        table.add_row(label, "-", "-", "-", "-")
    else:
        table.add_row(
            label,
            f"{p.seconds:.1f}",
            "-" if p.incumbent is None else f"{p.incumbent:,.2f}",
            "-" if p.bound is None else f"{p.bound:,.2f}",
            "-" if p.gap is None else f"{p.gap:.2%}",
        )
    return table


@contextmanager
def live_progress(label: str, enabled: bool, console: Console | None = None) -> Iterator[ProgressCallback | None]:
    """A progress callback that redraws a one-line table; None (no display) when disabled."""
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    with Live(_render(label, None), console=console, refresh_per_second=4, transient=False) as live:

        def update(p: Progress) -> None:
            live.update(_render(label, p))

        yield update
