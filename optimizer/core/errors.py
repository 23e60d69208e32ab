"""Errors a planner can act on: each input error carries its location in the input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputError:
    """One problem in the input, e.g. location 'Demand!C7', message 'quantity must be >= 0, got -5'."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InputErrors(Exception):
    """All problems found in an input; raised only after validation has looked at everything."""

    def __init__(self, errors: list[InputError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class UsageError(Exception):
    """A command used wrongly (unknown solver, unknown format): exit code 2, nothing written."""
