"""The run clauses (least days in a row, worked or off) forbid exactly the short runs, checked by brute force."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from models.roster.rules import _no_short_runs, reduce_pattern


class Day:
    """A work literal standing for one day."""

    def __init__(self, d: int) -> None:
        self.d = d


class Recorder:
    """Just enough of a Builder: one literal per day (or 0 on a day without shifts); records forbidden patterns."""

    def __init__(self, n: int, closed: set[int]) -> None:
        self.lits: list[Any] = [0 if d in closed else Day(d) for d in range(n)]
        self.patterns: list[list[tuple[Any, int]]] = []

    def work(self, e: int, d: int) -> Any:
        return self.lits[d] if 0 <= d < len(self.lits) else 0

    def forbid(self, pattern: list[tuple[Any, int]], rule: str) -> None:
        reduced = reduce_pattern(pattern)
        if reduced is not None:
            self.patterns.append(reduced)


def short_run(days: tuple[int, ...], least: int, on: int, strict: bool) -> bool:
    """Whether the 0/1 days hold a run of `on` shorter than `least`, by the rule's own words."""
    n, d = len(days), 0
    while d < n:
        if days[d] != on:
            d += 1
            continue
        end = d
        while end < n and days[end] == on:
            end += 1
        touches = d == 0 or end == n
        if end - d < least and (not touches or (strict and on == 1)):
            return True
        d = end
    return False


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("on", [1, 0])
@pytest.mark.parametrize("least", [2, 3, 4])
@pytest.mark.parametrize("closed", [set(), {2}])
def test_clauses_forbid_exactly_the_short_runs(strict: bool, on: int, least: int, closed: set[int]) -> None:
    n = 7
    s = SimpleNamespace(n_days=n, settings=SimpleNamespace(blocks_at_ends="strict" if strict else "free"))
    b = Recorder(n, closed)
    _no_short_runs(s, b, 0, least, on, "rule")  # type: ignore[arg-type]
    for days in itertools.product((0, 1), repeat=n):
        if any(days[d] for d in closed):
            continue  # no shift can be worked on a closed day
        broken = any(all(days[lit.d] == value for lit, value in p) for p in b.patterns)
        assert broken == short_run(days, least, on, strict), (days, least, on, strict)
