"""The `optimizer` command (names, flags and outputs are a public contract; see DESIGN.md).

Exit codes: 0 a plan was written; 1 no plan (infeasible, nothing found in time); 2 bad input or
usage, nothing written.
"""

# isort: skip_file
# Each module registers its commands; the import order is the order `optimizer --help` lists them.
from optimizer.cli.app import app
from optimizer.cli import scenario  # noqa: F401
from optimizer.cli import solving  # noqa: F401
from optimizer.cli import runs  # noqa: F401

__all__ = ["app", "main"]


def main() -> None:
    """The `optimizer` command: its run began when the process imported this package (the limit covers the imports)."""
    from optimizer import IMPORTED_AT
    from optimizer.cli.app import command_began_at

    command_began_at(IMPORTED_AT)
    app()
