"""From a Result to tables (pure functions) and from tables to files (writers that only format)."""
