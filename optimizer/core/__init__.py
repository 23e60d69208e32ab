"""Solver-neutral nouns: status, result, solve parameters, input errors."""

from optimizer.core.errors import InputError, InputErrors, UsageError
from optimizer.core.params import SolveParams
from optimizer.core.result import Result, Timings
from optimizer.core.status import Status

__all__ = ["InputError", "InputErrors", "Result", "SolveParams", "Status", "Timings", "UsageError"]
