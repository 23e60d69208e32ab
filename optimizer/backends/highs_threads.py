"""HiGHS runs inside this process with the thread count each run asks for.

HiGHS starts one thread pool per process at its first run and fixes it there: a later run whose
`threads` option differs ends with status kNotset (no solution, no error raised). In-process runs
(start heuristics, marginal values, block bounds) each set their own `threads`, so the pool is
reset before each of them; the cost is the pool's restart, about a millisecond.
"""

from __future__ import annotations


def reset_scheduler() -> None:
    """Let the next HiGHS run in this process start a pool with its own `threads` option."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
