"""`vanplan simulate` behind the command line: read the spec, simulate, write kpis.csv and report.html."""

from __future__ import annotations

from pathlib import Path

from planner.simulate.district import district
from planner.simulate.mapview import CoverageMap
from planner.simulate.report import write_report
from planner.simulate.run import OnWeek, Results, simulate
from planner.simulate.spec import Spec, load_spec


def total_weeks(spec: Spec) -> int:
    """How many weeks the spec simulates in all (for a progress bar)."""
    return len(spec.variants) * spec.replications * spec.weeks


def run_spec(
    spec: Spec,
    out: Path,
    draw: CoverageMap,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    on_week: OnWeek | None = None,
) -> tuple[Results, list[Path]]:
    """Simulate a loaded spec and write its outputs into `out`, the report's coverage map drawn by `draw`."""
    results = simulate(spec, workers=workers, scheduler=scheduler, on_week=on_week)
    return results, write_report(results, district(spec), out, draw)


__all__ = ["load_spec", "run_spec", "total_weeks"]
