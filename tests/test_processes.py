"""No process outlives a `vanplan plan` command: not after Ctrl-C, a kill, or a worker that dies.

Each test starts the demo week in its own session, waits until the search has forked its worker,
interrupts the run one way, and then looks for anything left of the session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factory import alive_in_session

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "bayreuth-nord"


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile the search (numba's disk cache) so that each run reaches its search quickly."""
    from planner.solver import sisr

    sisr.warm_up()


def start(tmp_path: Path, limit_s: int = 60) -> subprocess.Popen[str]:
    """The demo, searching until the time limit, in a session of its own."""
    cmd = [sys.executable, "-m", "planner.cli", "plan", str(DEMO), "--out", str(tmp_path / "out"),
           "--no-maps", "--until-limit", "--time-limit", str(limit_s),
           "--cache", str(tmp_path / "cache")]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def wait_for_worker(proc: subprocess.Popen[str]) -> int:
    """The pid of the first search worker once the run has forked it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if kids := children(proc.pid):
            time.sleep(1.0)  # let it get into its search
            return kids[0]
        time.sleep(0.1)
    raise AssertionError(f"no search worker started (exit {proc.poll()})")


def assert_nothing_left(sid: int) -> None:
    """Every process of the run is gone within a few seconds."""
    for _ in range(50):
        if not alive_in_session(sid):
            return
        time.sleep(0.1)
    raise AssertionError(f"processes outlived the command: {alive_in_session(sid)}")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_ctrl_c_stops_every_process_without_a_traceback(tmp_path: Path) -> None:
    proc = start(tmp_path)
    wait_for_worker(proc)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert_nothing_left(proc.pid)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_the_command_alone_takes_its_workers_along(tmp_path: Path, sig: int) -> None:
    """`kill <pid>` of the command (a service manager, a web app's worker pool): no orphans."""
    proc = start(tmp_path)
    wait_for_worker(proc)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert_nothing_left(proc.pid)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_killed_worker_still_gives_a_plan(tmp_path: Path) -> None:
    proc = start(tmp_path, limit_s=15)
    os.kill(wait_for_worker(proc), signal.SIGKILL)  # the OOM killer's way
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "out" / "plan.json").is_file()
    assert "nicht fertig" in out  # the user hears that the plan may be worse than usual
    assert_nothing_left(proc.pid)
