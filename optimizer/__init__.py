"""optimizer: optimal production, inventory, routing and roster plans from planners' spreadsheets."""

__version__ = "0.1.0"
