"""Read incumbent and bound off HiGHS's MIP log lines as the solver writes them."""

from __future__ import annotations

import io
import re
import time

from optimizer.backends.outcome import Progress, ProgressCallback

# A B&B line ends with: BestBound BestSol Gap | Cuts InLp Confl. | LpIters Time, e.g.
#  T  12  3  4  12.5%  1520.2  1612  5.71%  30  12  7  2301  1.2s
_NUMBER = r"(-?inf|[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?)"
_LINE = re.compile(rf"\s{_NUMBER}\s+{_NUMBER}\s+(\S+%|Large|inf)\s+\d+\s+\d+\s+\d+\s+\d+\s+[\d.]+s\s*$")


def _number(text: str) -> float | None:
    if text in ("inf", "-inf"):
        return None
    return float(text)


def parse_line(line: str) -> tuple[float | None, float | None] | None:
    """(bound, incumbent) from one B&B log line, or None when the line is something else."""
    match = _LINE.search(line)
    if match is None:
        return None
    return _number(match.group(1)), _number(match.group(2))


class HighsLogWatcher(io.TextIOBase):
    """A text stream Pyomo can tee the HiGHS log into; reports each new B&B line."""

    def __init__(self, callback: ProgressCallback | None = None):
        self._callback = callback
        self._start = time.perf_counter()
        self._pending = ""
        self.last: Progress | None = None  # the latest B&B line: its bound is valid even if the solve is cut

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            parsed = parse_line(line)
            if parsed is not None:
                bound, incumbent = parsed
                gap = None
                if bound is not None and incumbent is not None:
                    gap = abs(incumbent - bound) / max(abs(incumbent), 1e-9)
                self.last = Progress(time.perf_counter() - self._start, incumbent, bound, gap)
                if self._callback is not None:
                    self._callback(self.last)
        return len(text)
