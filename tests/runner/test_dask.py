"""`batch --scheduler` on a real Dask cluster: a `dask scheduler` and a `dask worker` on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.runner import batch
from tests.builders import edit_cells, tiny_workbook

pytest.importorskip("distributed")
runner = CliRunner()
DASK = str(Path(sys.executable).parent / "dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_worker(address: str, timeout: float = 60) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(1, timeout=timeout)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real scheduler and one worker process with one slot, ended after the module."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    common = {"stdout": subprocess.DEVNULL, "cwd": logs}
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stderr=(logs / "scheduler.log").open("w"),
        **common,
    )
    worker = subprocess.Popen(
        [DASK, "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
        stderr=(logs / "worker.log").open("w"),
        **common,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                wait_for_worker(address)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_batch_on_a_dask_cluster_solves_each_input_and_reports_the_bad_one(cluster, tmp_path):
    good = tiny_workbook(tmp_path / "good.xlsx")
    bad = edit_cells(tiny_workbook(tmp_path / "bad.xlsx"), {"Demand": {"C3": -5}})
    out_dir = tmp_path / "out"
    args = ["batch", str(good), str(bad), "--out-dir", str(out_dir), "--scheduler", cluster, "--time-limit", "20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    summary = json.loads((out_dir / "good-summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective"] == pytest.approx(417.4, rel=1e-6)
    assert summary["threads"] >= 1  # the worker's cores shared among its one slot
    assert (out_dir / "good-plan.xlsx").exists() and not (out_dir / "bad-plan.xlsx").exists()
    assert "bad: bad input" in result.output and "Demand!C3" in result.output


def test_an_unreachable_scheduler_is_a_clear_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CONNECT_SECONDS", 2)  # nothing listens there: no need to wait the default 10 s
    good = tiny_workbook(tmp_path / "good.xlsx")
    address = f"tcp://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["batch", str(good), "--out-dir", str(tmp_path / "o"), "--scheduler", address])
    assert result.exit_code == 2 and f"cannot reach the Dask scheduler at {address}" in result.output
