"""Every test runs with its own engine home, so no test reads or writes the user's ~/.optimizer."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def engine_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("optimizer-home")
    monkeypatch.setenv("OPTIMIZER_HOME", str(home))
    monkeypatch.delenv("OPTIMIZER_DB", raising=False)
    return home
