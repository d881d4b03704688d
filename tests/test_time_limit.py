"""The default time limit follows the week's size, and a given one is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from planner.load import load_scenario
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
