"""`python -m optimizer` runs the command line."""

from optimizer.cli import app

app()
