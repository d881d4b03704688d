"""The simulation on a real Dask cluster on loopback gives the same results as in process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from planner.simulate.run import simulate
from planner.simulate.spec import load_spec
from tests.test_simulate import NORTH, TINY

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not NORTH.exists(), reason="the shared OSM extracts are not here")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def scheduler(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-threaded workers as subprocesses; killed afterwards, whatever happens."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    logs = (tmp_path / "dask.log").open("w")
    cmds = [[str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]]
    cmds += [[str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard"]] * 2
    procs = []
    try:
        for cmd in cmds:
            procs.append(subprocess.Popen(cmd, env=env, stdout=logs, stderr=logs, start_new_session=True))
            time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        logs.close()


def test_cluster_equals_local_run(tmp_path: Path, scheduler: str) -> None:
    """2 variants x 2 weeks on the cluster: every KPI but the search time equals the in-process run."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("weeks = 3", "weeks = 2"), encoding="utf-8")
    spec = load_spec(path)
    seen: list[int] = []
    remote = simulate(spec, scheduler=scheduler, on_week=lambda row: seen.append(row.week))
    local = simulate(spec, workers=0)
    assert sorted(seen) == [1, 1, 2, 2]
    assert all(r.stop_reason in ("converged", "budget") for r in local.rows)
    assert [replace(r, search_s=0.0) for r in remote.rows] == [replace(r, search_s=0.0) for r in local.rows]
