"""planner.plan.assemble: a hand-made solution of a tiny week becomes the plan users read.

The solution is written out by hand (no solver), so every time, distance and reason below can be
checked on paper: the depot is at 0, r2 20 minutes east, r1 30 minutes east (see tests.factory).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from planner.plan.assemble import assemble
from planner.plan.tours import Plan
from planner.plan.validate import validate
from planner.problem.build import Built, build
from planner.scenario import Buffers, Kind, Point, Scenario
from planner.solution import Route, Solution, Visit
from tests.factory import day, line_matrix, request, scenario

BERLIN = ZoneInfo("Europe/Berlin")
H = 3600
WALK = Buffers(setup_min=10, overrun_min=5, documentation_min=15)


def week() -> Scenario:
    """V1 out on Monday and Tuesday; two requests to place, four that end up unscheduled."""
    return scenario(
        [
            request("r1", minutes_east=30, row=2),
            request("r2", minutes_east=20, row=3),
            request("tue", minutes_east=10, row=4, earliest=day(1)),
            request("gone", point=None, address="Nirgendwo 1", row=5),
            request("late", minutes_east=40, row=6, earliest=date(2027, 1, 4)),
            request("dropme", minutes_east=50, row=7, priority=4),
            request("pinned", minutes_east=10, row=8, pin_van="V1", pin_date=day(0), pin_start=time(14)),
        ],
        crews={("V1", 0): ("A", "B"), ("V1", 1): ("A", "C")},
        buffers={Kind.WALK_AND_TALK: WALK},
    )


def built_week() -> tuple[Scenario, Built, dict[str, int]]:
    """The week built with the line matrix, and each job's index by request id."""
    sc = week()
    built = build(sc, {r.id: r.point for r in sc.requests if r.point}, line_matrix)
    return sc, built, {r.id: j for j, r in enumerate(built.requests)}


def hand_solution(jobs: dict[str, int]) -> Solution:
    """Tuesday's route listed first; Monday: leave 8:00, r2 9:00-10:00 (set up from 8:50, arrive 8:20),
    r1 10:40-11:40 (arrive 10:30), break 12:00-12:30, back 13:00. `dropme` and `pinned` left out."""
    monday = Route(
        vehicle=0,
        start=8 * H,
        end=13 * H,
        visits=(
            Visit(jobs["r2"], 8 * H + 1200, 9 * H - 600),
            Visit(jobs["r1"], 10 * H + 1800, 10 * H + 1800),
        ),
        breaks=((12 * H, 1800),),
    )
    tuesday = Route(
        vehicle=1,
        start=24 * H + 8 * H,
        end=24 * H + 10 * H,
        visits=(Visit(jobs["tue"], 24 * H + 8 * H + 600, 24 * H + 8 * H + 600),),
    )
    return Solution(
        routes=(tuesday, monday),
        dropped=(jobs["dropme"], jobs["pinned"]),
        objective=1234,
        stop_reason="converged",
        elapsed_s=0.123,
    )


def planned() -> tuple[Scenario, Built, Plan]:
    """The scenario, its built week and the plan assembled from the hand-made solution."""
    sc, built, jobs = built_week()
    return sc, built, assemble(sc, built, hand_solution(jobs), "test line", seed=7, time_limit_s=2.0)


def local(d: date, hhmm: str) -> datetime:
    """An aware Berlin time on date d."""
    return datetime.combine(d, time.fromisoformat(hhmm), BERLIN)


def test_every_request_is_in_a_tour_or_unscheduled_with_its_reason() -> None:
    sc, _, plan = planned()
    placed = [s.request_id for _, s in plan.stops()]
    listed = [u.request_id for u in plan.unscheduled]
    assert sorted(placed + listed) == sorted(r.id for r in sc.requests)
    assert {u.request_id: u.reason for u in plan.unscheduled} == {
        "dropme": "capacity",  # dropped by the search, not pinned
        "gone": "geocode_failed",  # set aside by build: no point
        "late": "outside_week",
        "pinned": "pin_conflict",  # dropped by the search although pinned
    }
    assert listed == sorted(listed)
    assert validate(sc, plan, line_matrix) == []


def test_unscheduled_keep_their_row_priority_and_position() -> None:
    sc, _, plan = planned()
    left = {u.request_id: u for u in plan.unscheduled}
    requests = {r.id: r for r in sc.requests}
    assert {rid: u.row for rid, u in left.items()} == {"dropme": 7, "gone": 5, "late": 6, "pinned": 8}
    assert left["dropme"].priority == 4 and left["dropme"].detail == {"priority": "4"}
    assert (left["gone"].lat, left["gone"].lon) == (None, None)
    for rid in ("late", "dropme"):
        point = requests[rid].point
        assert point is not None and (left[rid].lat, left[rid].lon) == (point.lat, point.lon)
    assert left["gone"].detail == {"address": "Nirgendwo 1", "why": "not_found"}
    assert all(u.kind == "walk_and_talk" and u.client == f"K-{u.request_id}" for u in left.values())


def test_tours_are_in_local_time_with_the_buffers_and_drives_of_the_solution() -> None:
    _, _, plan = planned()
    assert [(t.van, t.day) for t in plan.tours] == [("V1", day(0)), ("V1", day(1))]  # by day, not route
    monday = plan.tours[0]
    assert monday.crew == ("A", "B") and plan.tours[1].crew == ("A", "C")
    assert (monday.depart, monday.back) == (local(day(0), "08:00"), local(day(0), "13:00"))
    assert monday.depart.utcoffset() == timedelta(hours=1)  # CET in December
    r2, r1 = monday.stops
    assert (r2.sequence, r2.request_id, r1.sequence, r1.request_id) == (1, "r2", 2, "r1")
    times = [(s.arrival, s.start, s.end, s.departure) for s in (r2, r1)]
    assert times == [
        (local(day(0), "08:20"), local(day(0), "09:00"), local(day(0), "10:00"), local(day(0), "10:20")),
        (local(day(0), "10:30"), local(day(0), "10:40"), local(day(0), "11:40"), local(day(0), "12:00")),
    ]
    assert [(s.drive_min, s.drive_km) for s in (r2, r1)] == [(20.0, 20.0), (10.0, 10.0)]
    assert (monday.return_drive_min, monday.return_km) == (30.0, 30.0)
    assert [(b.start, b.end) for b in monday.breaks] == [(local(day(0), "12:00"), local(day(0), "12:30"))]
    assert (r2.setup_min, r2.overrun_min, r2.documentation_min) == (10, 5, 15)
    assert (r2.lat, r2.lon) == (50.0, 11.52) and (monday.depot, monday.depot_lat) == ("D", 50.0)
    assert monday.work_min == 270  # 8:00-13:00 less the 30-minute break


def test_the_plan_records_how_it_was_made() -> None:
    _, _, plan = planned()
    assert (plan.scenario, plan.week, plan.timezone) == ("Test", "2026-W49", "Europe/Berlin")
    assert (plan.travel_source, plan.seed, plan.time_limit_s) == ("test line", 7, 2.0)
    assert (plan.stop_reason, plan.objective, plan.search_s) == ("converged", 1234, 0.12)
    assert datetime.fromisoformat(plan.created).utcoffset() is not None
    assert Plan.from_json(plan.to_json()) == plan


def test_a_stop_takes_the_geocoded_point_not_the_one_in_the_request() -> None:
    sc = scenario([request("r1", point=None, address="Marktplatz 1")])
    found = Point(50.0, 11.53)
    built = build(sc, {"r1": found}, line_matrix)
    sol = Solution(
        routes=(Route(0, 8 * H, 10 * H, (Visit(0, 8 * H + 1800, 8 * H + 1800),)),),
        dropped=(),
        objective=0,
        stop_reason="converged",
        elapsed_s=0.0,
    )
    (tour,) = assemble(sc, built, sol, "test line", 1, 1.0).tours
    assert (tour.stops[0].lat, tour.stops[0].lon) == (found.lat, found.lon)
    assert tour.stops[0].address == "Marktplatz 1"
