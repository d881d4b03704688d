"""The default time limit follows the week's size, and a given one is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from planner.input.load import load_scenario
from planner.pipeline import MAX_LIMIT_S, MIN_LIMIT_S, default_time_limit

ROOT = Path(__file__).resolve().parents[1]


def test_the_default_grows_with_the_requests_within_bounds() -> None:
    assert default_time_limit(10) == MIN_LIMIT_S
    assert default_time_limit(1000) == 300  # a big town week: five minutes, not thirty seconds
    assert default_time_limit(10_000) == MAX_LIMIT_S


def test_a_scenario_without_a_time_limit_leaves_it_to_the_size(tmp_path: Path) -> None:
    folder = tmp_path / "sc"
    shutil.copytree(ROOT / "tests" / "data" / "valid_min", folder)
    toml = folder / "scenario.toml"
    text = toml.read_text().replace("../../../../shared", str(ROOT.parent / "shared"))
    toml.write_text(text)
    assert load_scenario(folder).settings.time_limit_s == 5  # given in the file: kept
    toml.write_text(text.replace("time_limit_s = 5", ""))
    assert load_scenario(folder).settings.time_limit_s is None


def test_the_clock_can_start_before_the_run(tmp_path: Path) -> None:
    """`vanplan plan` starts the clock at its process start, so start-up counts against the limit:
    a run whose clock began 4 s ago ends a 6 s limit about 2 s later, not 6 s later."""
    import time

    from planner.pipeline import plan_scenario, process_start

    folder = tmp_path / "sc"
    shutil.copytree(ROOT / "tests" / "data" / "valid_min", folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace("../../../../shared", str(ROOT.parent / "shared")))
    plan_scenario(folder, time_limit_s=1, cache_dir=tmp_path / "cache")  # road network into the cache
    begun = time.monotonic()
    run = plan_scenario(
        folder, time_limit_s=6, until_limit=True, cache_dir=tmp_path / "cache", started=begun - 4
    )
    assert time.monotonic() - begun < 4.5
    assert run.plan.stop_reason == "time_limit" and run.plan.tours
    assert 0 <= time.monotonic() - process_start() < 24 * 3600  # this process's start, on the same clock
