"""Running a Python script of a test in a process of its own, as a planner's script runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def run_script(script: Path, *args: str, first_on_path: Path | None = None) -> subprocess.CompletedProcess:
    """Run `script` from the project's folder (so it imports `optimizer`); `first_on_path` goes before the project."""
    env = None
    if first_on_path is not None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(first_on_path), str(PROJECT)])}
    return subprocess.run(
        [sys.executable, str(script), *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
