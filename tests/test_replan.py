"""Replanning (`planner.replan`) on tiny weeks whose answer can be checked by hand (tests/factory.py).

Each old plan is made by `factory.plan` with pins that put every appointment where the test wants
it; the replan then sees the same requests without those pins, as a coordinator's requests.csv
would after `vanplan plan`. Every replanned plan must pass `planner.plan.validate` and the replan's own
rules (history kept, nothing new before now, communicated appointments kept unless impossible).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.plan.tours import Plan, Stop, Tour
from planner.replan import Change, ChangeKind, Replanned, load_changes, replan
from planner.replan.diff import changes_table
from planner.scenario import Coach, Kind, Request, Scenario
from planner.solver import SearchParams
from tests.factory import day, line_matrix, local, plan, request, scenario, window

BEFORE_THE_WEEK = datetime(2026, 11, 2, 8)  # the factory's planning date: nothing is history yet
COACHES = [Coach("A", "Anna"), Coach("B", "Ben"), Coach("C", "Cem"), Coach("D", "Dora")]
NOTIFIED = day(0) - timedelta(days=30)  # a home visit notice sent long enough before the week


def pinned(req: Request, van: str, weekday: int, hhmm: str) -> Request:
    """The request pinned where the old plan should have it."""
    return replace(req, pin_van=van, pin_date=day(weekday), pin_start=time.fromisoformat(hhmm))


def week(
    placed: list[tuple[Request, str, int, str]],
    others: list[Request] = (),
    **kw: object,  # type: ignore[assignment]
) -> tuple[Scenario, Plan]:
    """The scenario (requests unpinned) and its old plan with each request where `placed` says."""
    old = plan(scenario([pinned(r, *where) for r, *where in placed] + list(others), **kw))  # type: ignore[arg-type]
    return scenario([r for r, *_ in placed] + list(others), **kw), old  # type: ignore[arg-type]


def again(
    sc: Scenario, old: Plan, changes: list[Change], now: datetime = BEFORE_THE_WEEK, limit: float = 5.0
) -> Replanned:
    """Replan and insist that the new version keeps every rule."""
    points = {r.id: r.point for r in sc.requests if r.point is not None}
    params = SearchParams(time_limit_s=limit, seed=1, steps_per_job=100)
    result = replan(sc, old, changes, now, points, line_matrix, params=params)
    assert result.violations == (), result.violations
    return result


def at(p: Plan) -> dict[str, tuple[str, object, str]]:
    """Request -> (van, date, start HH:MM) of every placed stop."""
    return {s.request_id: (t.van, t.day, f"{s.start:%H:%M}") for t, s in p.stops()}


def reasons(p: Plan) -> dict[str, str]:
    return {u.request_id: u.reason for u in p.unscheduled}


def change(kind: ChangeKind, **kw: object) -> Change:
    return Change(kind, 2, **kw)  # type: ignore[arg-type]


def test_no_changes_give_the_same_plan_as_the_next_version() -> None:
    sc, old = week([(request("r1"), "V1", 0, "09:00"), (request("r2"), "V1", 0, "13:00")])
    result = again(sc, old, [])
    assert result.plan.tours == old.tours and result.plan.unscheduled == old.unscheduled
    assert (result.plan.version, result.plan.previous_version) == (2, 1)
    assert result.changes == ()
    mid_day = again(sc, old, [], now=local(day(0), "10:30"))
    assert mid_day.plan.tours == old.tours


def test_cancel_keeps_the_rest_and_tells_only_the_crew() -> None:
    sc, old = week([(request("r1"), "V1", 0, "09:00"), (request("r2"), "V1", 0, "13:00")])
    result = again(sc, old, [change(ChangeKind.CANCEL, request="r1", by="client")])
    assert at(result.plan) == {"r2": ("V1", day(0), "13:00")}
    assert reasons(result.plan) == {"r1": "cancelled"}
    (row,) = result.changes
    assert (row.change, row.request_id, row.tell_client, row.tell_coaches) == (
        "cancelled",
        "r1",
        "",
        ("A", "B"),
    )
    by_office = again(sc, old, [change(ChangeKind.CANCEL, request="r1", by="coordinator")])
    assert by_office.changes[0].tell_client == "letter"  # four weeks ahead: a letter arrives in time


def test_cancellation_lets_the_waiting_list_move_up() -> None:
    # 08:00-12:00: two 100-minute meetings 5 min out fill the morning; the third waits.
    reqs = [request(f"r{i}", minutes_east=5, duration_min=100) for i in range(3)]
    sc, old = week(
        [(reqs[0], "V1", 0, "08:10"), (reqs[1], "V1", 0, "10:00")], [reqs[2]], shift=(time(8), time(12))
    )
    assert reasons(old) == {"r2": "capacity"}
    result = again(sc, old, [change(ChangeKind.CANCEL, request="r0")])
    assert at(result.plan)["r1"] == ("V1", day(0), "10:00")
    assert "r2" in at(result.plan)
    added = {r.request_id: r for r in result.changes}["r2"]
    assert (added.change, added.cause) == ("added", "waiting_list")


def test_absent_coach_moves_a_two_person_visit_to_a_pair_the_same_day() -> None:
    # Ben is ill on Monday: Anna alone cannot make the home visit. Cem and Dora are out that day,
    # with room at the same time: that is closer than Anna and Ben on Tuesday.
    crews = {("V1", 0): ("A", "B"), ("V2", 0): ("C", "D"), ("V1", 1): ("A", "B")}
    hv = request("h1", Kind.HOME_VISIT, minutes_east=10, notice_sent=NOTIFIED)
    sc, old = week([(hv, "V1", 0, "10:00"), (request("w1", minutes_east=10), "V2", 0, "09:00")],
                   crews=crews, coaches=COACHES)  # fmt: skip
    result = again(sc, old, [change(ChangeKind.ABSENT, coach="B", dates=frozenset({day(0)}))])
    assert at(result.plan)["h1"] == ("V2", day(0), "10:00")
    assert at(result.plan)["w1"] == ("V2", day(0), "09:00")
    (row,) = result.changes
    assert (row.change, row.cause, row.tell_coaches) == ("moved", "absent", ("A", "B", "C", "D"))


def test_absent_coach_with_no_other_pair_lists_the_visit_with_the_reason() -> None:
    crews = {("V1", 0): ("A", "B"), ("V2", 0): ("C",)}
    hv = request("h1", Kind.HOME_VISIT, minutes_east=10, notice_sent=NOTIFIED)
    sc, old = week([(hv, "V1", 0, "10:00")], crews=crews, coaches=COACHES)
    result = again(sc, old, [change(ChangeKind.ABSENT, coach="B", dates=frozenset({day(0)}))])
    assert reasons(result.plan) == {"h1": "staff"}  # two staff needed, one rides on the possible days
    (row,) = result.changes
    assert (row.change, row.reason, row.tell_client) == ("removed", "staff", "letter")
    assert "Braucht 2 Personen" in row.message("de")


def test_van_in_the_workshop_moves_its_stops_to_the_other_van_at_the_same_time() -> None:
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",), ("V1", 1): ("A",)}
    sc, old = week([(request("r1"), "V1", 0, "10:00"), (request("r2", minutes_east=40), "V2", 0, "13:00")],
                   crews=crews)  # fmt: skip
    result = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))])
    assert at(result.plan) == {"r1": ("V2", day(0), "10:00"), "r2": ("V2", day(0), "13:00")}
    assert [(r.request_id, r.cause) for r in result.changes] == [("r1", "van_unavailable")]


def test_coordinator_moves_an_appointment_to_another_van_day_and_the_rest_stays() -> None:
    crews = {("V1", 0): ("A",), ("V2", 1): ("B",)}
    sc, old = week([(request("r1"), "V1", 0, "10:00"), (request("r2"), "V1", 0, "13:00")], crews=crews)
    move = change(ChangeKind.MOVE, request="r2", van="V2", fixed_start=local(day(1), "11:15"))
    result = again(sc, old, [move])
    assert at(result.plan) == {"r1": ("V1", day(0), "10:00"), "r2": ("V2", day(1), "11:15")}
    assert [(r.request_id, r.change, r.cause, r.tell_coaches) for r in result.changes] == [
        ("r2", "moved", "move", ("A", "B"))
    ]
    assert result.refused == ()


def test_an_impossible_move_is_refused_with_the_reason_and_nothing_moves() -> None:
    crews = {("V1", 0): ("A",), ("V2", 1): ("B",)}
    two = request("r2", staff=2)
    sc, old = week([(request("r1"), "V1", 0, "10:00"), (two, "V1", 0, "13:00")],
                   crews={**crews, ("V1", 0): ("A", "C")})  # fmt: skip
    move = change(ChangeKind.MOVE, request="r2", van="V2", fixed_start=local(day(1), "11:00"))
    result = again(sc, old, [move])
    assert at(result.plan) == at(old)
    assert result.changes == ()
    assert result.refused == (
        ("r2", {"van": "V2", "date": day(1).isoformat(), "time": "11:00", "why": "staff"}),
    )


def test_the_crew_of_a_van_in_the_workshop_rides_on_the_other_van_and_keeps_a_two_person_visit() -> None:
    # V1 (Anna and Ben) is out on Monday; V2 rides with Cem alone and has three seats: V1's coaches
    # join it, so the two-person visit keeps its time on V2
    crews = {("V1", 0): ("A", "B"), ("V2", 0): ("C",)}
    two = request("r1", staff=2, kind=Kind.HOME_VISIT, notice_sent=NOTIFIED)
    sc, old = week([(two, "V1", 0, "10:00"), (request("r2", minutes_east=40), "V2", 0, "13:00")], crews=crews)
    result = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))])
    assert at(result.plan)["r1"] == ("V2", day(0), "10:00")
    assert result.plan.amendments.on_roster == (
        (day(0).isoformat(), "V2", "A"),
        (day(0).isoformat(), "V2", "B"),
    )
    (tour,) = [t for t in result.plan.tours if t.van == "V2"]
    assert {"A", "C"} <= set(tour.crew)
    # the next replan keeps the crew (the amendment is applied again) and changes nothing
    assert again(sc, result.plan, []).plan.tours == result.plan.tours


def test_the_crew_of_a_van_in_the_workshop_takes_an_idle_van_and_the_tour_rides_as_it_was() -> None:
    crews = {("V1", 0): ("A",), ("V2", 1): ("B",)}  # V2 stands idle on Monday
    sc, old = week([(request("r1"), "V1", 0, "10:00"), (request("r2"), "V1", 0, "13:00")], crews=crews)
    result = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))])
    assert at(result.plan) == {"r1": ("V2", day(0), "10:00"), "r2": ("V2", day(0), "13:00")}
    assert result.plan.amendments.on_roster == ((day(0).isoformat(), "V2", "A"),)
    causes = {(r.request_id, r.cause) for r in result.changes}
    assert causes == {("r1", "van_unavailable"), ("r2", "van_unavailable")}


def test_urgent_new_request_makes_room_by_moving_an_uncommunicated_meeting() -> None:
    # Monday 08:00-12:00 holds the 2-hour walk and talk or the 3-hour crisis case, not both.
    crews = {("V1", 0): ("A",), ("V1", 1): ("A",)}
    walk = request("w1", minutes_east=5, duration_min=120)
    crisis = request("u1", minutes_east=5, duration_min=180, priority=1, latest=day(0))
    sc, old = week([(walk, "V1", 0, "08:30")], crews=crews, shift=(time(8), time(12)))
    sc = replace(sc, requests=(*sc.requests, crisis))
    result = again(sc, old, [change(ChangeKind.NEW_REQUEST, request="u1")])
    assert at(result.plan)["u1"][:2] == ("V1", day(0))
    assert at(result.plan)["w1"][:2] == ("V1", day(1))
    rows = {r.request_id: (r.change, r.cause) for r in result.changes}
    assert rows == {"u1": ("added", "new_request"), "w1": ("moved", "room")}


def test_a_request_that_is_not_urgent_does_not_move_what_was_planned() -> None:
    crews = {("V1", 0): ("A",), ("V1", 1): ("A",)}
    walk = request("w1", minutes_east=5, duration_min=120)
    late = request("n1", minutes_east=5, duration_min=180, priority=3, latest=day(0))
    sc, old = week([(walk, "V1", 0, "08:30")], crews=crews, shift=(time(8), time(12)))
    sc = replace(sc, requests=(*sc.requests, late))
    result = again(sc, old, [change(ChangeKind.NEW_REQUEST, request="n1")])
    assert at(result.plan) == {"w1": ("V1", day(0), "08:30")}
    assert reasons(result.plan) == {"n1": "capacity"}


def test_an_urgent_case_never_moves_a_communicated_appointment() -> None:
    crews = {("V1", 0): ("A", "B"), ("V1", 1): ("A", "B")}
    hv = request("h1", Kind.HOME_VISIT, minutes_east=5, duration_min=120, notice_sent=NOTIFIED)
    crisis = request("u1", minutes_east=5, duration_min=180, priority=1, latest=day(0))
    sc, old = week([(hv, "V1", 0, "08:30")], crews=crews, shift=(time(8), time(12)))
    sc = replace(sc, requests=(*sc.requests, crisis))
    result = again(sc, old, [change(ChangeKind.NEW_REQUEST, request="u1")])
    assert at(result.plan) == {"h1": ("V1", day(0), "08:30")}
    assert reasons(result.plan) == {"u1": "capacity"}


def test_new_availability_that_still_fits_keeps_the_time() -> None:
    sc, old = week([(request("r1"), "V1", 0, "10:00")])
    result = again(
        sc, old, [change(ChangeKind.AVAILABILITY, request="r1", availability=(window(0, "09:00", "12:00"),))]
    )
    assert at(result.plan) == {"r1": ("V1", day(0), "10:00")} and result.changes == ()


def test_new_availability_moves_the_meeting_into_the_new_window_the_same_day() -> None:
    crews = {("V1", 0): ("A",), ("V1", 1): ("A",)}
    sc, old = week([(request("r1"), "V1", 0, "10:00")], crews=crews)
    new = (window(0, "14:00", "15:30"), window(1, "09:00", "12:00"))
    result = again(sc, old, [change(ChangeKind.AVAILABILITY, request="r1", availability=new)])
    van, d, start = at(result.plan)["r1"]
    assert (van, d) == ("V1", day(0)) and "14:00" <= start <= "14:30"
    assert result.changes[0].cause == "availability"


def test_third_party_moves_its_appointment_and_the_van_follows() -> None:
    acc = request("a1", Kind.ACCOMPANY, fixed_start=local(day(0), "10:00"))
    sc, old = week([(acc, "V1", 0, "10:00"), (request("r2", minutes_east=30), "V1", 0, "12:00")])
    moved = change(ChangeKind.FIXED_TIME, request="a1", fixed_start=local(day(0), "14:00"))
    result = again(sc, old, [moved])
    assert at(result.plan) == {"a1": ("V1", day(0), "14:00"), "r2": ("V1", day(0), "12:00")}
    (row,) = result.changes
    assert (row.change, row.cause, row.tell_client) == ("moved", "fixed_time", "letter")


def test_new_home_visit_waits_for_its_notice_counted_from_the_replan_day() -> None:
    sc, old = week([(request("r1"), "V1", 0, "10:00")], planning_date=day(0) - timedelta(days=25))
    hv = request("h9", Kind.HOME_VISIT, minutes_east=10)
    sc = replace(sc, requests=(*sc.requests, hv))
    result = again(
        sc,
        old,
        [change(ChangeKind.NEW_REQUEST, request="h9")],
        now=local(day(0) - timedelta(days=5), "08:00"),
    )
    (u,) = [u for u in result.plan.unscheduled if u.request_id == "h9"]
    assert u.reason == "notice_period" and u.detail["date"] == (day(0) + timedelta(days=16)).isoformat()
    assert u.detail["why"] == "not_sent"


def tour_of(p: Plan, van: str, weekday: int) -> Tour:
    return next(t for t in p.tours if (t.van, t.day) == (van, day(weekday)))


def stop_of(p: Plan, rid: str) -> Stop:
    """The request's stop, its `pinned` flag aside (the old plans here are made with pins)."""
    return replace(next(s for _, s in p.stops() if s.request_id == rid), pinned=False)


def test_now_in_the_middle_of_a_day_keeps_the_morning_and_plans_the_rest_after_now() -> None:
    # Monday is on the road at 10:30: r1 (09:00) is done, r2 (11:00) and r3 (14:00) are to come.
    crews = {("V1", 0): ("A",), ("V1", 1): ("A",)}
    placed = [
        (request(f"r{i}", minutes_east=10 * i), "V1", 0, hhmm)
        for i, hhmm in ((1, "09:00"), (2, "11:00"), (3, "14:00"))
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    urgent = request("u1", minutes_east=15, duration_min=30, priority=1, latest=day(0))
    sc = replace(sc, requests=(*sc.requests, urgent))
    now = local(day(0), "10:30")
    result = again(
        sc, old, [change(ChangeKind.CANCEL, request="r2"), change(ChangeKind.NEW_REQUEST, request="u1")], now
    )
    new = result.plan
    assert stop_of(new, "r1") == stop_of(old, "r1")  # history as it was
    assert tour_of(new, "V1", 0).depart == tour_of(old, "V1", 0).depart
    assert at(new)["r3"] == ("V1", day(0), "14:00")
    u1 = stop_of(new, "u1")
    assert u1.start.replace(tzinfo=None) >= now and at(new)["u1"][:2] == ("V1", day(0))


def test_a_change_may_not_rewrite_history() -> None:
    sc, old = week([(request("r1"), "V1", 0, "09:00"), (request("r2"), "V1", 0, "13:00")])
    now = local(day(0), "10:30")
    with pytest.raises(InputError) as caught:
        load_csv(sc, old, "change,request\ncancel,r1\n", now)
    assert "r1" in str(caught.value) and "before --now" in str(caught.value)


def test_van_breaking_down_on_the_road_comes_back_and_its_later_stops_move() -> None:
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    placed = [
        (request("r1", minutes_east=10), "V1", 0, "09:00"),
        (request("r2", minutes_east=10), "V1", 0, "13:00"),
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    now = local(day(0), "10:30")
    result = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))], now)
    assert stop_of(result.plan, "r1") == stop_of(old, "r1")
    assert at(result.plan)["r2"] == ("V2", day(0), "13:00")  # same day, same time, the other van


def test_coach_going_home_at_noon_brings_the_van_back_by_then() -> None:
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    placed = [
        (request("r1", minutes_east=10), "V1", 0, "09:00"),
        (request("r2", minutes_east=10), "V1", 0, "14:00"),
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    now = local(day(0), "10:30")
    ill = change(ChangeKind.ABSENT, coach="A", start=local(day(0), "12:00"), end=local(day(0), "16:00"))
    result = again(sc, old, [ill], now)
    assert tour_of(result.plan, "V1", 0).back.replace(tzinfo=None) <= local(day(0), "12:00")
    assert at(result.plan)["r2"] == ("V2", day(0), "14:00")


def test_coach_away_in_the_afternoon_keeps_the_morning_tour_and_hands_the_rest_on() -> None:
    # Anna alone rides V1; she is away from 12:00. The morning stop stays with her, V1 is back by
    # noon, and the 14:00 stop goes to Ben's V2 at the same time. Before, V1 lost Anna all day.
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    placed = [
        (request("r1", minutes_east=10), "V1", 0, "09:00"),
        (request("r2", minutes_east=10), "V1", 0, "14:00"),
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    away = change(ChangeKind.ABSENT, coach="A", start=local(day(0), "12:00"), end=local(day(0), "18:00"))
    result = again(sc, old, [away])
    assert at(result.plan) == {"r1": ("V1", day(0), "09:00"), "r2": ("V2", day(0), "14:00")}
    v1 = tour_of(result.plan, "V1", 0)
    assert v1.crew == ("A",) and v1.back.replace(tzinfo=None) <= local(day(0), "12:00")
    amended = result.plan.amendments
    assert amended.off_roster == () and amended.back_by == (("V1", day(0).isoformat(), "2026-11-30 12:00"),)
    assert [(r.request_id, r.cause) for r in result.changes] == [("r2", "absent")]
    assert result.forced == {"r2"}


def test_coach_away_in_the_morning_starts_the_tour_late_when_that_keeps_more() -> None:
    # Anna is away until 11:00: after it V1 keeps two stops (13:00, 14:30), before it none, so V1
    # leaves once she is back and the 09:00 stop goes to V2 at 09:00. The next replan keeps the late start.
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    placed = [
        (request("r1", minutes_east=10), "V1", 0, "09:00"),
        (request("r2", minutes_east=10), "V1", 0, "13:00"),
        (request("r3", minutes_east=10), "V1", 0, "14:30"),
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    away = change(ChangeKind.ABSENT, coach="A", start=local(day(0), "07:00"), end=local(day(0), "11:00"))
    result = again(sc, old, [away])
    assert at(result.plan) == {
        "r1": ("V2", day(0), "09:00"),
        "r2": ("V1", day(0), "13:00"),
        "r3": ("V1", day(0), "14:30"),
    }
    assert tour_of(result.plan, "V1", 0).depart.replace(tzinfo=None) >= local(day(0), "11:00")
    assert result.plan.amendments.out_from == (("V1", day(0).isoformat(), "2026-11-30 11:00"),)
    urgent = request("u1", minutes_east=10, duration_min=30, priority=1, latest=day(0))
    sc3 = replace(sc, requests=(*sc.requests, urgent))
    v3 = again(sc3, result.plan, [change(ChangeKind.NEW_REQUEST, request="u1")])
    assert at(v3.plan)["u1"][1] == day(0)
    assert tour_of(v3.plan, "V1", 0).depart.replace(tzinfo=None) >= local(day(0), "11:00")


def test_a_displaced_stop_of_a_tour_cut_short_says_why_in_both_languages() -> None:
    from planner.reasons import sentence

    # V1 breaks down at 10:30; V2 is busy from 11:00 to 15:00 and must be back by 16:00, so r2
    # (Monday only, 60 min) finds no place
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    placed = [
        (request("r1", minutes_east=10), "V1", 0, "09:00"),
        (request("r2", minutes_east=10, latest=day(0)), "V1", 0, "13:00"),
        (request("w1", minutes_east=10, duration_min=240), "V2", 0, "11:00"),
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    now = local(day(0), "10:30")
    result = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))], now)
    (u,) = result.plan.unscheduled
    assert (u.request_id, u.reason, u.detail["why"]) == ("r2", "displaced", "cut")
    assert "die Tour muss vorher zurück sein" in sentence(u.reason, u.detail, "de")
    assert "the tour must be back before then" in sentence(u.reason, u.detail, "en")


def load_csv(
    sc: Scenario, old: Plan, text: str, now: datetime, tmp: Path | None = None
) -> tuple[Change, ...]:
    import tempfile

    folder = Path(tmp or tempfile.mkdtemp())
    path = folder / "changes.csv"
    path.write_text(text, encoding="utf-8")
    return load_changes(path, sc, old, now)


def test_changes_csv_is_read_with_every_kind(tmp_path: Path) -> None:
    sc, old = week(
        [
            (request("r1"), "V1", 0, "09:00"),
            (request("a1", Kind.ACCOMPANY, fixed_start=local(day(0), "13:00")), "V1", 0, "13:00"),
        ]
    )
    sc = replace(sc, requests=(*sc.requests, request("n1")))
    text = (
        "change;request;by;coach;van;dates;from;until;availability;fixed_start;note\n"
        "cancel;r1;client;;;;;;;;Terminabsage per Telefon\n"
        "absent;;;B;;01.12.2026;;;;;\n"
        "absent;;;A;;;2026-11-30 12:00;2026-11-30 16:00;;;\n"
        "van_unavailable;;;;V1;2026-12-02;;;;;\n"
        "new_request;n1;;;;;;;;;\n"
        "fixed_time;a1;;;;;;;;2026-11-30 14:00;\n"
    )
    changes = load_csv(sc, old, text, BEFORE_THE_WEEK, tmp_path)
    kinds = ["cancel", "absent", "absent", "van_unavailable", "new_request", "fixed_time"]
    assert [c.kind.value for c in changes] == kinds
    assert changes[0].note == "Terminabsage per Telefon" and changes[0].by == "client"
    assert changes[1].dates == frozenset({day(1)})
    assert changes[2].absent_between() == [(local(day(0), "12:00"), local(day(0), "16:00"))]
    assert changes[5].fixed_start == local(day(0), "14:00")


def test_changes_csv_problems_name_row_and_column(tmp_path: Path) -> None:
    sc, old = week([(request("r1"), "V1", 0, "09:00")])
    sc = replace(sc, requests=(*sc.requests, request("n1"), request("n2", row=4)))
    text = (
        "change,request,by,coach,van,dates,availability,fixed_start\n"
        "cancle,r1,,,,,,\n"  # row 2: unknown change
        "cancel,r9,,,,,,\n"  # row 3: unknown request
        "absent,,,Z,,2026-11-30,,\n"  # row 4: unknown coach
        "van_unavailable,,,,V1,2027-01-04,,\n"  # row 5: date outside the week
        "availability,r1,,,,,Mo 25:00-26:00,\n"  # row 6: bad window
        "cancel,r1,the_dog,,,,,\n"  # row 7: unknown `by`
        "new_request,r1,,,,,,\n"  # row 8: already planned
        "fixed_time,r1,,,,,,2026-11-30 14:00\n"  # row 9: not an accompaniment
        "new_request,n1,,B,,,,\n"  # row 10: a column the change does not use
    )
    with pytest.raises(InputError) as caught:
        load_csv(sc, old, text, BEFORE_THE_WEEK, tmp_path)
    where = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert {
        ("changes.csv", 2, "change"),
        ("changes.csv", 3, "request"),
        ("changes.csv", 4, "coach"),
        ("changes.csv", 5, "dates"),
        ("changes.csv", 6, "availability"),
        ("changes.csv", 7, "by"),
        ("changes.csv", 8, "request"),
        ("changes.csv", 9, "request"),
        ("changes.csv", 10, "coach"),
        ("requests.csv", 4, "id"),  # n2 is neither in the plan nor a new_request
    } <= where
    assert "did you mean cancel?" in str(caught.value)


def test_changes_table_has_old_and_new_slot_and_whom_to_tell() -> None:
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    sc, old = week([(request("r1"), "V1", 0, "10:00")], crews=crews)
    result = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))])
    (row,) = changes_table(result.changes, "Europe/Berlin", "en").to_dict("records")
    assert (row["old_van"], row["old_start"], row["new_van"], row["new_start"]) == (
        "V1",
        "10:00",
        "V2",
        "10:00",
    )
    assert (row["tell_client"], row["tell_coaches"], row["old_coaches"], row["new_coaches"]) == (
        "letter",
        "A;B",
        "A",
        "B",
    )
    assert row["message"] == "Moved: the van is not available"


# --- the command line on the demo week -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz"
# a crisis case for Monday or Tuesday, as a row added to the demo's requests.csv
URGENT = {"id": "R151", "kind": "walk_and_talk", "client": "K-9001", "lat": "50.007959", "lon": "11.518346",
          "place": "Sitzbank bei Dreschenau", "duration_min": "45", "latest_date": "2026-12-01", "staff": "1",
          "priority": "1", "note": "Krise"}  # fmt: skip


def vanplan(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh process, as a user would."""
    cmd = [sys.executable, "-m", "planner.cli", *map(str, args), "--cache", str(cache)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.skipif(not EXTRACT.exists(), reason="shared OSM extract missing")
def test_demo_replan_writes_the_next_version_beside_the_old_one(tmp_path: Path) -> None:
    folder = tmp_path / "week"
    shutil.copytree(ROOT / "scenarios" / "bayreuth-nord", folder)
    toml = folder / "scenario.toml"
    toml.write_text(re.sub(r'osm = ".*"', f'osm = "{EXTRACT.as_posix()}"', toml.read_text("utf-8")), "utf-8")
    cache = tmp_path / "cache"
    first = vanplan(
        "plan", folder, "--out", tmp_path / "out", "--time-limit", "5", "--seed", "3", cache=cache
    )
    assert first.returncode == 0, first.stderr
    header = (folder / "requests.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    with (folder / "requests.csv").open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header).writerow(URGENT)
    old = Plan.read(tmp_path / "out" / "plan.json")
    (cancel,) = [s for t, s in old.stops() if t.day == day(2)][:1]
    changes = tmp_path / "changes.csv"
    changes.write_text(
        "change,request,by,coach,van,dates\n"
        f"cancel,{cancel.request_id},client,,,\n"
        "absent,,,C3,,2026-12-03\n"
        "new_request,R151,,,,\n",
        encoding="utf-8",
    )
    now = "2026-11-30 10:00"
    result = vanplan("replan", folder, tmp_path / "out" / "plan.json", "--changes", changes, "--now", now,
                     "--time-limit", "20", cache=cache)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Plan hält alle Regeln ein." in result.stdout and "Änderungen" in result.stdout
    out = tmp_path / "out-v2"
    new = Plan.read(out / "plan.json")
    assert (new.version, new.previous_version, new.history_until) == (2, 1, now)
    placed = [r["request_id"] for r in rows(out / "tours.csv")]
    unscheduled = {r["request_id"]: r["reason"] for r in rows(out / "unscheduled.csv")}
    assert sorted(placed + list(unscheduled)) == sorted(r["id"] for r in rows(folder / "requests.csv"))
    assert unscheduled[cancel.request_id] == "cancelled"
    assert "R151" in placed  # the urgent case gets in
    table = {r["request_id"]: r for r in rows(out / "changes.csv")}
    assert table[cancel.request_id]["change"] == "cancelled" and table["R151"]["change"] == "added"
    before = {s.request_id: (t.van, t.day, s.start) for t, s in old.stops() if t.day == day(0)}
    after = {s.request_id: (t.van, t.day, s.start) for t, s in new.stops() if s.request_id in before}
    monday_morning = {r: w for r, w in before.items() if w[2].replace(tzinfo=None) < local(day(0), "10:00")}
    assert monday_morning and all(after[r] == w for r, w in monday_morning.items())  # history
    assert (out / "calendars").is_dir() and (out / "maps").is_dir()

    checked = vanplan("validate", folder, out / "plan.json", cache=cache)
    assert checked.returncode == 0 and "Plan hält alle Regeln ein." in checked.stdout, checked.stderr

    empty = tmp_path / "nothing.csv"
    empty.write_text("change,request\n", encoding="utf-8")
    same = vanplan(
        "replan", folder, out / "plan.json", "--changes", empty, "--now", now, "--no-maps", cache=cache
    )
    assert same.returncode == 0, same.stderr
    assert Plan.read(tmp_path / "out-v3" / "plan.json").tours == new.tours
    assert "Keine Termine geändert." in same.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("change,request\ncancel,R999\n", encoding="utf-8")
    broken = vanplan(
        "replan", folder, out / "plan.json", "--changes", bad, "--out", tmp_path / "x", cache=cache
    )
    assert broken.returncode == 2 and "bad.csv Zeile 2, Spalte request" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_the_next_replan_keeps_what_earlier_ones_changed() -> None:
    # Version 2 loses Ben on Monday and r1; version 3, from version 2 with a new change, still has
    # neither, though the scenario folder still rosters Ben and lists r1.
    crews = {("V1", 0): ("A", "B"), ("V1", 1): ("A", "B")}
    sc, old = week([(request("r1"), "V1", 0, "09:00"), (request("r2"), "V1", 0, "13:00")], crews=crews)
    v2 = again(
        sc,
        old,
        [
            change(ChangeKind.CANCEL, request="r1", by="client"),
            change(ChangeKind.ABSENT, coach="B", dates=frozenset({day(0)})),
        ],
    )
    assert tour_of(v2.plan, "V1", 0).crew == ("A",)
    assert v2.plan.amendments.cancelled == (("r1", "client"),)
    assert v2.plan.amendments.off_roster == ((day(0).isoformat(), "V1", "B"),)
    assert Plan.from_json(v2.plan.to_json()) == v2.plan
    v3 = again(
        sc,
        v2.plan,
        [change(ChangeKind.AVAILABILITY, request="r2", availability=(window(0, "13:00", "15:00"),))],
    )
    assert (v3.plan.version, v3.plan.previous_version) == (3, 2)
    assert reasons(v3.plan)["r1"] == "cancelled" and tour_of(v3.plan, "V1", 0).crew == ("A",)
    assert v3.plan.amendments.availability == (("r2", "Mo 13:00-15:00"),)
    assert again(sc, v3.plan, []).plan.tours == v3.plan.tours
    with pytest.raises(InputError, match="was cancelled before version 3"):
        load_csv(sc, v3.plan, "change,request\ncancel,r1\n", BEFORE_THE_WEEK)


def test_calendars_keep_uids_number_the_version_and_cancel_what_a_coach_lost() -> None:
    import icalendar

    from maps.calendar import coach_calendar

    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    sc, old = week(
        [(request("r1"), "V1", 0, "10:00"), (request("r2", minutes_east=40), "V2", 0, "13:00")], crews=crews
    )
    new = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))]).plan

    def events(p: Plan, coach: str, previous: Plan | None = None) -> dict[str, icalendar.Event]:
        text = coach_calendar(p, sc, coach, previous=previous)
        return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}

    (uid,) = [u for u in events(old, "A") if u.startswith("r1.")]
    moved = events(new, "B", old)[uid]  # Ben now has Anna's appointment, under the same UID
    assert int(moved["SEQUENCE"]) == 1 and "STATUS" not in moved
    lost = events(new, "A", old)
    assert str(lost[uid]["STATUS"]) == "CANCELLED" and int(lost[uid]["SEQUENCE"]) == 1
    assert str(lost["tour-V1-2026-11-30.Test@vanplan"]["STATUS"]) == "CANCELLED"
    assert all("STATUS" not in e for e in events(old, "A").values())


def test_a_pin_of_requests_csv_that_a_change_breaks_is_given_up_for_good() -> None:
    # r1 is pinned in requests.csv to V1 on Monday; V1 goes to the workshop, so version 2 has r1
    # on V2, and version 3 (and `vanplan validate`) read the week with that pin given up.
    from planner.plan.validate import validate
    from planner.replan.engine import amend

    crews = {("V1", 0): ("A",), ("V2", 0): ("B",)}
    r1 = pinned(request("r1"), "V1", 0, "10:00")
    sc = scenario([r1, request("r2", minutes_east=40)], crews=crews)
    old = plan(sc)
    v2 = again(sc, old, [change(ChangeKind.VAN_UNAVAILABLE, van="V1", dates=frozenset({day(0)}))])
    assert at(v2.plan)["r1"] == ("V2", day(0), "10:00")
    v3 = again(sc, v2.plan, [change(ChangeKind.CANCEL, request="r2", by="client")])
    assert at(v3.plan) == {"r1": ("V2", day(0), "10:00")}
    assert validate(amend(sc, v3.plan)[0], v3.plan, line_matrix) == []
    assert validate(sc, v3.plan, line_matrix) != []  # the folder alone still has V1 and the pin


def test_the_replan_rules_catch_a_plan_that_rewrites_history_or_plans_before_now() -> None:
    from planner.replan.engine import _check, _start

    crews = {("V1", 0): ("A",)}
    placed = [
        (request("r1", minutes_east=10), "V1", 0, "09:00"),
        (request("r2", minutes_east=10), "V1", 0, "13:00"),
    ]
    sc, old = week(placed, crews=crews)  # type: ignore[arg-type]
    run = _start(sc, old, [change(ChangeKind.CANCEL, request="r2", by="client")], local(day(0), "10:30"))
    assert _check(run, old) == []  # the old plan itself keeps them
    (tour,) = old.tours
    early = timedelta(minutes=30)
    r1, r2 = tour.stops
    rewritten = replace(old, tours=(replace(tour, stops=(replace(r1, start=r1.start + early), r2)),))
    assert [v.code for v in _check(run, rewritten)] == ["history"]
    too_soon = replace(r2, start=local(day(0), "10:00").replace(tzinfo=r2.start.tzinfo), setup_min=0)
    before_now = replace(old, tours=(replace(tour, stops=(r1, too_soon)),))
    assert [v.code for v in _check(run, before_now)] == ["before_now"]
