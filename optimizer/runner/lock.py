"""One run at a time per scenario: a lock file under $OPTIMIZER_HOME/locks keyed by the input's path.

Two nightly jobs on the same scenario (a slow night, a cron overlap) must not write the same plan
or replan from each other's half-written output; the second one stops at once with a clear message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from optimizer.core.errors import UsageError
from optimizer.runner.history import home


def lock_path(input_path: Path) -> Path:
    key = hashlib.sha256(str(input_path.resolve()).encode()).hexdigest()[:20]
    return home() / "locks" / f"{input_path.name}.{key}.lock"


@contextmanager
def scenario_lock(input_path: Path) -> Iterator[None]:
    """Hold the scenario's lock for the block; UsageError at once when another run holds it."""
    path = lock_path(input_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(
            f"another run of {input_path} is in progress (lock {path}); try again when it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()
