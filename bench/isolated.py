"""Run a command in a fresh process and measure its wall time and peak memory; pass solutions as JSON.

A side-by-side benchmark runs each solver in its own process on the same pickled `Problem`, so the
peak resident memory it reports is that solver's own (the process and its search workers), sampled
every 0.1 s from /proc, and the solvers share nothing but the problem. The solver process prints its
`Solution` as one JSON line; the parent checks it with `planner.solver.evaluate`.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from planner.solution import Route, Solution, Visit

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    """What a command printed, how long it ran and the most memory its process tree held."""

    out: str
    wall: float
    peak_mb: float
    returncode: int


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def measured(cmd: list[str], cwd: Path) -> Measured:
    """Run `cmd` to its end, sampling the resident memory of its process tree every 0.1 s."""
    peak = 0
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, text=True)
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    wall = time.monotonic() - started
    out = proc.stdout.read() if proc.stdout else ""
    return Measured(out, wall, peak / 2**20, proc.returncode)


@dataclass
class Peak:
    """The most resident memory seen so far, in MB."""

    mb: float = 0.0


@contextmanager
def sampled(interval: float = 0.1) -> Iterator[Peak]:
    """Sample the resident memory of this process and its descendants (search workers) every
    `interval` seconds while the block runs, for work that must run in this process."""
    peak, done = Peak(tree_rss(os.getpid()) / 2**20), threading.Event()

    def sample() -> None:
        while not done.wait(interval):
            peak.mb = max(peak.mb, tree_rss(os.getpid()) / 2**20)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()
        peak.mb = max(peak.mb, tree_rss(os.getpid()) / 2**20)


def last_json(out: str) -> dict[str, object]:
    """The last line a solver process printed, as JSON (its result)."""
    value = json.loads(out.strip().splitlines()[-1])
    assert isinstance(value, dict)
    return value


def dump_solution(sol: Solution) -> dict[str, object]:
    """A solution as plain JSON data."""
    return asdict(sol)


def load_solution(data: object) -> Solution:
    """The solution `dump_solution` wrote."""
    assert isinstance(data, dict)
    routes = tuple(
        Route(
            vehicle=r["vehicle"],
            start=r["start"],
            end=r["end"],
            visits=tuple(Visit(**v) for v in r["visits"]),
            breaks=tuple((s, n) for s, n in r["breaks"]),
        )
        for r in data["routes"]
    )
    return Solution(**{**data, "routes": routes, "dropped": tuple(data["dropped"])})
