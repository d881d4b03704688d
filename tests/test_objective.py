"""The objective: reach as many people as possible, the most urgent first (docs/input.md).

Each case has room for only one of two choices, so the plan shows which one the objective prefers.
"""

from __future__ import annotations

import shutil
from datetime import time
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.input.load import load_scenario
from planner.problem.build import PER_PERSON, PERSON, drop_cost
from planner.scenario import Kind
from tests.factory import day, local, plan, request, scenario

ROOT = Path(__file__).resolve().parents[1]


def placed(sc: object) -> set[str]:
    """Ids of the requests in the plan of `sc`."""
    return {s.request_id for _, s in plan(sc).stops()}  # type: ignore[arg-type]


def short_urgent_or_long_routine(**settings: object) -> object:
    """A five-hour van-day that holds a 1-hour priority-2 visit or a 4-hour priority-3 one, not both."""
    reqs = [request("urgent", duration_min=60, priority=2), request("long", duration_min=240, priority=3)]
    return scenario(reqs, shift=(time(8), time(13)), **settings)


def test_a_short_urgent_visit_is_not_dropped_for_a_long_routine_one() -> None:
    assert placed(short_urgent_or_long_routine()) == {"urgent"}


def test_the_hours_weighting_still_counts_long_appointments_more() -> None:
    assert placed(short_urgent_or_long_routine(weighting="hours")) == {"long"}


@pytest.mark.parametrize(("visitors", "expected"), [(5, {"stop"}), (1, {"w1", "w2"})])
def test_a_van_stop_counts_its_expected_visitors(visitors: int, expected: set[str]) -> None:
    """A 3-hour van stop at 09:00 against two 1-hour meetings in the same morning (same priority)."""
    stop = request("stop", Kind.VAN_STOP, duration_min=180, fixed_start=local(day(0), "09:00"),
                   visitors=visitors)  # fmt: skip
    walks = [request(f"w{k}", duration_min=60) for k in (1, 2)]
    assert placed(scenario([stop, *walks], shift=(time(8), time(12, 40)))) == expected


def test_drop_costs_rank_weighted_people_then_people() -> None:
    sc = scenario([])
    one_urgent = drop_cost(sc, request("a", priority=1))
    many_routine = drop_cost(sc, request("b", Kind.VAN_STOP, priority=5, visitors=80))
    assert one_urgent == 81 * PERSON + PER_PERSON
    assert many_routine == 80 * (PERSON + PER_PERSON)
    assert one_urgent > many_routine  # 81 > 80 weighted people, although 80 people > 1
    assert drop_cost(sc, request("c", Kind.VAN_STOP, priority=3)) == 3 * (
        9 * PERSON + PER_PERSON
    )  # default 3


def copy_of_valid_min(tmp_path: Path) -> Path:
    folder = tmp_path / "sc"
    shutil.copytree(ROOT / "tests" / "data" / "valid_min", folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace("../../../../shared", str(ROOT.parent / "shared")))
    return folder


def test_visitors_belong_to_van_stops_and_weighting_must_be_known(tmp_path: Path) -> None:
    folder = copy_of_valid_min(tmp_path)
    lines = (folder / "requests.csv").read_text().splitlines()
    lines[0] += ",visitors"
    lines[1:] = [line + ("," if "van_stop" in line else ",4") for line in lines[1:]]
    (folder / "requests.csv").write_text("\n".join(lines) + "\n")
    with (folder / "scenario.toml").open("a") as f:
        f.write('\n[objective]\nweighting = "minutes"\n')
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    where = {(p.file, p.column) for p in caught.value.problems}
    assert ("requests.csv", "visitors") in where
    assert ("scenario.toml", "objective.weighting") in where or ("scenario.toml", "weighting") in where
