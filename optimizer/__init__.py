"""optimizer: optimal production, inventory, routing and roster plans from planners' spreadsheets."""

import time as _time

__version__ = "0.1.0"
# When this package was first imported: for the `optimizer` command, the start of its run, so that its --time-limit
# covers its own imports (about 0.5 s) too (see optimizer.cli.main)
IMPORTED_AT = _time.perf_counter()
