"""One package per kind of decision: production, scheduling, inventory, routing, roster."""
