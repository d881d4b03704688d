"""The first run on a fresh machine plans as every later one: compiling the search is not timed.

numba compiles the search on first use (tens of seconds). Inside the time limit that made the
first `make demo` stop at the clock with another plan than every rerun.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VALID_MIN = ROOT / "tests" / "data" / "valid_min"
RUN_FIELDS = ("created", "search_s", "cpu_share", "unfinished_workers")  # how the run went, not the plan


def plan_json(out: Path) -> dict[str, object]:
    """plan.json without the fields that describe the run rather than the plan."""
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    return {k: v for k, v in plan.items() if k not in RUN_FIELDS}


def test_a_clean_numba_cache_gives_the_same_plan_twice(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    runs = []
    for k in (1, 2):
        out = tmp_path / f"out{k}"
        cmd = [sys.executable, "-m", "planner.cli", "plan", str(VALID_MIN), "--out", str(out), "--no-maps",
               "--time-limit", "5", "--cache", str(tmp_path / "cache")]  # fmt: skip
        runs.append(subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600))
    first, second = runs
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Suche wird übersetzt" in first.stdout + first.stderr  # the one-off wait is explained
    assert "Suche wird übersetzt" not in second.stdout + second.stderr
    one, two = plan_json(tmp_path / "out1"), plan_json(tmp_path / "out2")
    assert one["stop_reason"] != "time_limit"  # compiling did not eat the search's time
    assert one == two
