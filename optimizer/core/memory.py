"""Peak memory of a run: this process's peak plus the largest peak its solver child processes reported.

The kernel's peak for finished children (RUSAGE_CHILDREN) does not serve: a spawned child is
forked from this process before it runs its own program, and the count keeps the resident pages
it had at that moment, so it reports at least this process's size again. Each child reads its own
high-water mark instead (VmHWM, which starts afresh when the child runs its program) and sends it.
"""

from __future__ import annotations

import resource
import sys

_largest_child_kib = 0


def own_peak_kib() -> int:
    """This process's resident high-water mark in KiB (VmHWM on Linux, else the kernel's rusage peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes


def record_child_peak(kib: int) -> None:
    """Keep the largest peak a child process reported."""
    global _largest_child_kib
    _largest_child_kib = max(_largest_child_kib, int(kib))


def peak_memory_mb() -> float:
    """MiB: this process's peak plus the largest child's (children run one at a time beside it)."""
    return (own_peak_kib() + _largest_child_kib) / 1024
