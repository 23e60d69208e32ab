"""Solver backends; each knows solvers, not problems."""
