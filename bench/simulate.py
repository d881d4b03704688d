"""Benchmark of `vanplan simulate`: district-weeks per minute with 1 and 2 local Dask workers.

Each week is planned with the spec's search time (5 s in the built-in specs). "All in" counts from
the call to the last finished week (district, siting, cluster start included); "steady" counts from
the first finished week to the last. Target: >= 20 district-weeks a minute on 2 cores.

Run from the repository root:  .venv/bin/python -m bench.simulate [--spec PATH] [--weeks N]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from planner.simulate.kpi import WeekKpi
from planner.simulate.run import simulate
from planner.simulate.spec import Spec, load_spec

SPEC = Path(__file__).resolve().parents[1] / "scenarios" / "specs" / "bayreuth-nord.toml"
TARGET_PER_MIN = 20.0


def rates(spec: Spec, workers: int) -> tuple[float, float, int]:
    """District-weeks per minute all in and steady, and how many weeks stopped at the time limit."""
    done: list[float] = []
    limited: list[WeekKpi] = []

    def finished(row: WeekKpi) -> None:
        done.append(time.perf_counter())
        if row.stop_reason == "time_limit":
            limited.append(row)

    start = time.perf_counter()
    simulate(spec, workers=workers, on_week=finished)
    all_in = 60 * len(done) / (done[-1] - start)
    steady = 60 * (len(done) - 1) / (done[-1] - done[0]) if len(done) > 1 else all_in
    return all_in, steady, len(limited)


def main() -> None:
    """Print the rates for 1 and 2 workers and the speed-up."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", type=Path, default=SPEC)
    ap.add_argument("--weeks", type=int, default=0, help="weeks per variant (default: the spec's)")
    a = ap.parse_args()
    spec = load_spec(a.spec)
    if a.weeks:
        spec = replace(spec, weeks=a.weeks)
    n = len(spec.variants) * spec.replications * spec.weeks
    print(f"{spec.name}: {n} district-weeks, {spec.time_limit_s:g} s search each")
    result = {}
    for workers in (1, 2):
        all_in, steady, limited = rates(spec, workers)
        result[workers] = steady
        rate = f"{all_in:5.1f} weeks/min all in, {steady:5.1f} steady"
        print(f"{workers} worker(s): {rate} ({limited} weeks stopped at the time limit)")
    verdict = "ok" if result[2] >= TARGET_PER_MIN else "below target"
    print(f"speed-up 1 -> 2 workers: {result[2] / result[1]:.2f}x; target {TARGET_PER_MIN:g}/min: {verdict}")


if __name__ == "__main__":
    main()
