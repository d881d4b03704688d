"""The independent validator catches each kind of broken plan (it must be able to fail)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from planner.plan import Plan, Stop, Tour
from planner.scenario import Buffers, Kind, Scenario
from planner.validate import validate
from tests.factory import day, line_matrix, local, plan, request, scenario, window

BUF = {Kind.WALK_AND_TALK: Buffers(setup_min=10, documentation_min=10, overrun_min=10, travel_safety_pct=10)}


@pytest.fixture(scope="module")
def base() -> tuple[Scenario, Plan]:
    """A valid long day: three 100-min appointments (so a break is required), one with a window."""
    reqs = [
        request("a", duration_min=100, minutes_east=10, availability=(window(0, "08:00", "12:00"),)),
        request("b", duration_min=100, minutes_east=20),
        request("c", duration_min=100, minutes_east=30, skills=frozenset({"tr"})),
        request("gone", earliest=day(0) + timedelta(days=20)),
    ]
    sc = scenario(reqs, buffers=BUF, shift=(time(7), time(16, 30)))
    p, violations = plan(sc)
    assert violations == []
    assert len(p.tours) == 1 and len(p.tours[0].stops) == 3 and p.tours[0].breaks
    return sc, p


def codes(sc: Scenario, p: Plan) -> set[str]:
    return {v.code for v in validate(sc, p, line_matrix)}


def with_stop(p: Plan, rid: str, **changes: object) -> Plan:
    (tour,) = p.tours
    stops = tuple(replace(s, **changes) if s.request_id == rid else s for s in tour.stops)  # type: ignore[arg-type]
    return replace(p, tours=(replace(tour, stops=stops),))


def with_tour(p: Plan, **changes: object) -> Plan:
    return replace(p, tours=(replace(p.tours[0], **changes),))  # type: ignore[arg-type]


def stop(p: Plan, rid: str) -> Stop:
    return next(s for s in p.tours[0].stops if s.request_id == rid)


def tour(p: Plan) -> Tour:
    return p.tours[0]


def test_valid_plan_has_no_violations(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    assert codes(sc, p) == set()


def test_lost_and_duplicated_requests(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    assert "lost" in codes(sc, replace(p, unscheduled=()))
    assert "duplicate" in codes(sc, replace(p, unscheduled=(*p.unscheduled, p.unscheduled[0])))


def test_appointment_outside_the_clients_window(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    s = stop(p, "a")
    shift = local(day(0), "13:00").replace(tzinfo=s.start.tzinfo) - s.start
    moved = with_stop(p, "a", start=s.start + shift, end=s.end + shift, arrival=s.arrival + shift,
                      departure=s.departure + shift)  # fmt: skip
    assert "availability" in codes(sc, moved)


def test_too_little_time_to_drive(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    s = stop(p, "b")
    early = timedelta(minutes=-45)
    assert "travel" in codes(sc, with_stop(p, "b", arrival=s.arrival + early, start=s.start + early,
                                           end=s.end + early, departure=s.departure + early))  # fmt: skip


def test_buffers_must_be_kept(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    s = stop(p, "b")
    assert "setup" in codes(sc, with_stop(p, "b", arrival=s.start - timedelta(minutes=5)))
    assert "after_buffer" in codes(sc, with_stop(p, "b", departure=s.end + timedelta(minutes=5)))


def test_missing_break_and_overlong_day(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    found = codes(sc, with_tour(p, breaks=()))
    assert "stretch" in found and found & {"break_30", "break_45"}
    late = tour(p).depart + timedelta(hours=11)
    assert {"max_work", "shift"} <= codes(sc, with_tour(p, back=late))


def test_break_may_not_overlap_an_appointment(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    brk, *rest = tour(p).breaks
    s = stop(p, "b")
    moved = replace(brk, start=s.start, end=s.start + (brk.end - brk.start))
    assert "break_overlap" in codes(sc, with_tour(p, breaks=(moved, *rest)))


def test_crew_staff_and_skills(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    assert {"crew", "skills"} <= codes(sc, with_tour(p, crew=("B", "C")))
    hv = replace(sc, requests=tuple(replace(r, staff=3) if r.id == "b" else r for r in sc.requests))
    assert "staff" in codes(hv, p)


def test_home_visit_notice_and_pins_and_fixed_starts(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    late_notice = tuple(
        replace(r, kind=Kind.HOME_VISIT, staff=2, notice_sent=day(0) - timedelta(days=3))
        if r.id == "b"
        else r
        for r in sc.requests
    )
    assert {"notice", "kind"} <= codes(replace(sc, requests=late_notice), p)
    pinned = tuple(
        replace(r, pin_van="V1", pin_date=day(0), pin_start=time(7, 5)) if r.id == "b" else r
        for r in sc.requests
    )
    assert "pin" in codes(replace(sc, requests=pinned), p)
    fixed = tuple(replace(r, fixed_start=local(day(0), "07:05")) if r.id == "b" else r for r in sc.requests)
    assert "fixed_start" in codes(replace(sc, requests=fixed), p)


def test_weekly_hours(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    tired = replace(sc, coaches=tuple(replace(c, weekly_hours=2.0) for c in sc.coaches))
    assert "weekly_hours" in codes(tired, p)


def test_van_out_of_service(base: tuple[Scenario, Plan]) -> None:
    sc, p = base
    broken = replace(sc, vans=tuple(replace(v, unavailable=frozenset({day(0)})) for v in sc.vans))
    assert "van_not_in_service" in codes(broken, p)
