"""Each planning rule on a tiny case whose answer can be checked by hand (see tests/factory.py)."""

from __future__ import annotations

from datetime import time, timedelta

from planner.plan.tours import Plan
from planner.scenario import Buffers, Coach, Kind
from tests.factory import day, local, plan, request, scenario, window


def stops_by_id(p: Plan) -> dict[str, tuple[str, object]]:
    return {s.request_id: (t, s) for t, s in p.stops()}


def reasons(p: Plan) -> dict[str, str]:
    return {u.request_id: u.reason for u in p.unscheduled}


def test_availability_window_is_kept_and_validator_agrees() -> None:
    sc = scenario([request("r1", availability=(window(0, "13:00", "14:30"),))])
    p = plan(sc)
    (_tour, stop) = stops_by_id(p)["r1"]
    assert stop.start.replace(tzinfo=None) >= local(day(0), "13:00")
    assert stop.end.replace(tzinfo=None) <= local(day(0), "14:30")


def test_several_windows_pick_one_that_fits_the_shift() -> None:
    # Monday 06:00-07:00 is before the shift (08:00); Monday 15:00-15:50 too short for 60 min.
    wins = (window(0, "06:00", "07:00"), window(0, "15:00", "15:50"), window(0, "10:00", "12:00"))
    p = plan(scenario([request("r1", availability=wins)]))
    _, stop = stops_by_id(p)["r1"]
    assert local(day(0), "10:00") <= stop.start.replace(tzinfo=None) <= local(day(0), "11:00")


def test_accompany_starts_exactly_at_the_third_partys_time() -> None:
    fixed = local(day(0), "10:30")
    p = plan(scenario([request("r1", Kind.ACCOMPANY, fixed_start=fixed)]))
    assert stops_by_id(p)["r1"][1].start.replace(tzinfo=None) == fixed


def test_van_stop_block_at_its_place_and_time() -> None:
    fixed = local(day(0), "09:00")
    req = request("s1", Kind.VAN_STOP, minutes_east=20, duration_min=180, fixed_start=fixed, client="")
    p = plan(scenario([req]))
    _, stop = stops_by_id(p)["s1"]
    assert stop.start.replace(tzinfo=None) == fixed
    assert stop.end - stop.start == timedelta(hours=3)
    assert (stop.lat, stop.lon) == (req.point.lat, req.point.lon)  # type: ignore[union-attr]


def test_home_visit_needs_two_staff() -> None:
    hv = request("h1", Kind.HOME_VISIT, notice_sent=day(0) - timedelta(days=30))
    alone = scenario([hv], crews={("V1", 0): ("A",)})
    p = plan(alone)
    assert reasons(p) == {"h1": "staff"}
    pair = scenario([hv], crews={("V1", 0): ("A", "B")})
    p = plan(pair)
    assert "h1" in stops_by_id(p)


def test_required_language_must_be_in_the_crew() -> None:
    req = request("r1", skills=frozenset({"tr"}))
    p = plan(scenario([req], crews={("V1", 0): ("B", "C")}))
    assert reasons(p) == {"r1": "skills"}
    p = plan(scenario([req], crews={("V1", 0): ("A",)}))  # Anna speaks Turkish
    assert "r1" in stops_by_id(p)


def test_buffers_and_travel_safety_shape_the_times() -> None:
    # 30 min drive +10 % = 33 min, setup 10, appointment 60, overrun 15 + documentation 15.
    buf = {
        Kind.WALK_AND_TALK: Buffers(setup_min=10, documentation_min=15, overrun_min=15, travel_safety_pct=10)
    }
    fixed = local(day(0), "10:00")
    p = plan(scenario([request("r1", fixed_start=fixed)], buffers=buf))
    tour, stop = stops_by_id(p)["r1"]
    assert stop.start - stop.arrival >= timedelta(minutes=10)
    assert stop.departure - stop.end == timedelta(minutes=30)
    assert stop.start.replace(tzinfo=None) - tour.depart.replace(tzinfo=None) >= timedelta(minutes=43)
    assert stop.drive_min == 30.0 and stop.drive_km == 30.0


def test_appointment_outside_every_shift_is_explained() -> None:
    p = plan(scenario([request("r1", fixed_start=local(day(0), "17:30"))]))
    assert reasons(p) == {"r1": "outside_shift"}


def test_long_day_gets_a_break_inside_the_tour() -> None:
    # 07:00-16:30 shift, three 2-hour appointments: more than 6 h of work, so 30 min of break.
    reqs = [request(f"r{i}", duration_min=120, minutes_east=10 + i) for i in range(3)]
    p = plan(scenario(reqs, shift=(time(7), time(16, 30))))
    (tour,) = p.tours
    assert tour.work_min > 6 * 60
    assert sum((b.end - b.start).total_seconds() for b in tour.breaks) >= 30 * 60
    assert all(tour.depart <= b.start and b.end <= tour.back for b in tour.breaks)


def test_short_day_needs_no_break() -> None:
    p = plan(scenario([request("r1", duration_min=60)]))
    (tour,) = p.tours
    assert tour.breaks == ()


def test_notice_period_blocks_home_visit_with_the_date_it_is_met() -> None:
    hv = request("h1", Kind.HOME_VISIT, notice_sent=day(0) - timedelta(days=10))
    p = plan(scenario([hv]))
    (u,) = p.unscheduled
    assert u.reason == "notice_period"
    assert u.detail["date"] == (day(0) + timedelta(days=11)).isoformat()


def test_notice_period_allows_a_later_day_of_the_week() -> None:
    hv = request("h1", Kind.HOME_VISIT, notice_sent=day(0) - timedelta(days=19))  # ok from Wednesday
    crews = {("V1", 0): ("A", "B"), ("V1", 2): ("A", "B")}
    p = plan(scenario([hv], crews=crews))
    assert stops_by_id(p)["h1"][1].start.date() == day(2)


def test_pinned_appointment_is_kept_exactly() -> None:
    crews = {("V1", 0): ("A", "B"), ("V2", 0): ("C",)}
    pinned = request("p1", pin_van="V2", pin_date=day(0), pin_start=time(11, 15))
    p = plan(scenario([pinned, request("r2")], crews=crews))
    tour, stop = stops_by_id(p)["p1"]
    assert tour.van == "V2" and stop.start.replace(tzinfo=None) == local(day(0), "11:15")


def test_impossible_pin_is_reported_not_moved() -> None:
    pinned = request("p1", pin_van="V1", pin_date=day(3), pin_start=time(11))  # V1 not out on Thursday
    p = plan(scenario([pinned]))
    assert reasons(p) == {"p1": "pin_invalid"}


def test_least_urgent_request_gives_way_when_capacity_is_short() -> None:
    # One 08:00-12:00 shift; each request takes 3 h: only one fits.
    reqs = [request("urgent", priority=1, duration_min=180, minutes_east=5),
            request("later", priority=5, duration_min=180, minutes_east=5)]  # fmt: skip
    p = plan(scenario(reqs, shift=(time(8), time(12))))
    assert "urgent" in stops_by_id(p)
    assert reasons(p) == {"later": "capacity"}


def test_preferred_coach_is_chosen_when_possible() -> None:
    crews = {("V1", 0): ("B",), ("V2", 0): ("C",)}
    p = plan(scenario([request("r1", preferred_coach="C")], crews=crews))
    assert stops_by_id(p)["r1"][0].crew == ("C",)


def test_weekly_hours_limit_a_coach() -> None:
    coaches = [Coach("A", "Anna", weekly_hours=2.0), Coach("B", "Ben")]
    reqs = [request(f"r{i}", duration_min=50, minutes_east=5) for i in range(4)]
    p = plan(scenario(reqs, crews={("V1", 0): ("A",)}, coaches=coaches))
    assert sum(t.work_min for t in p.tours) <= 120
    assert len(p.stops()) == 2  # 5 + 50 + 50 + 5 min fit in two hours, a third would not


def test_weekly_hours_spread_over_the_week() -> None:
    # One coach alone all week with 10 h: 2 h a day (equal shifts). A meeting 5 min away takes
    # 5 + 60 + 5 = 70 min, two take 130: exactly one fits each day.
    coaches = [Coach("A", "Anna", weekly_hours=10.0)]
    crews = {("V1", d): ("A",) for d in range(5)}
    reqs = [request(f"r{i:02}", minutes_east=5, priority=1) for i in range(12)]
    p = plan(scenario(reqs, crews=crews, coaches=coaches), time_limit_s=10)
    assert sum(t.work_min for t in p.tours) <= 600
    assert len(p.stops()) == 5 and len(p.tours) == 5


def test_every_request_is_placed_or_explained() -> None:
    reqs = [
        request("ok"),
        request("far", point=None),  # no position and no address: geocoding failed
        request("week", earliest=day(0) + timedelta(days=14)),
    ]
    sc = scenario(reqs)
    p = plan(sc)
    placed = {s.request_id for _, s in p.stops()}
    assert placed | set(reasons(p)) == {r.id for r in sc.requests}
    assert not placed & set(reasons(p))
    assert reasons(p) == {"far": "geocode_failed", "week": "outside_week"}


def test_same_seed_same_plan() -> None:
    reqs = [request(f"r{i}", minutes_east=3 * i, duration_min=30) for i in range(8)]
    crews = {("V1", 0): ("A",), ("V2", 0): ("B",), ("V1", 1): ("A", "B")}
    first = plan(scenario(reqs, crews=crews), time_limit_s=30, seed=7)
    second = plan(scenario(reqs, crews=crews), time_limit_s=30, seed=7)
    assert first.stop_reason in ("converged", "budget")  # both stop on work done, not on the clock
    assert first.tours == second.tours
    assert (first.unscheduled, first.objective) == (second.unscheduled, second.objective)


def test_missing_language_on_the_only_possible_day_is_named() -> None:
    # Fixed Tuesday appointment needing Turkish: only Monday's crew (Anna) speaks it.
    crews = {("V1", 0): ("A",), ("V1", 1): ("B",)}
    req = request("r1", Kind.ACCOMPANY, skills=frozenset({"tr"}), fixed_start=local(day(1), "10:00"))
    p = plan(scenario([req], crews=crews))
    assert reasons(p) == {"r1": "skills"}


def test_fixed_start_outside_the_clients_availability_is_reported_not_planned() -> None:
    req = request(
        "r1", Kind.ACCOMPANY, availability=(window(0, "09:00", "12:00"),), fixed_start=local(day(2), "10:30")
    )
    crews = {("V1", 0): ("A",), ("V1", 2): ("A",)}
    p = plan(scenario([req], crews=crews))
    assert reasons(p) == {"r1": "fixed_outside"}


def test_client_names_stay_out_of_the_plan_unless_allowed() -> None:
    named = [request("r1", client_name="Erika Mustermann")]
    p = plan(scenario(named))
    assert "Mustermann" not in p.to_json()
    p = plan(scenario(named, show_names=True))
    assert "Mustermann" in p.to_json()


def test_break_windows_keep_every_stretch_within_six_hours() -> None:
    from planner.problem.build import MAX_STRETCH, arbzg_breaks

    h = 3600
    for start, end in [(8 * h, 16 * h), (7 * h, 16 * h + 1800), (6 * h, 17 * h), (8 * h, 14 * h + 60)]:
        breaks = arbzg_breaks(start, end)
        assert breaks, (start, end)
        assert breaks[0].latest - start <= MAX_STRETCH  # first stretch, whenever the tour starts
        assert end - (breaks[-1].earliest + breaks[-1].duration) <= MAX_STRETCH  # last stretch
        assert all(b.earliest - start >= 15 * 60 and end - b.latest - b.duration >= 15 * 60 for b in breaks)
    assert arbzg_breaks(8 * h, 14 * h) == ()


def test_geocoding_failure_says_why() -> None:
    from planner.problem.build import build
    from planner.reasons import sentence
    from tests.factory import line_matrix

    sc = scenario([request("r1", point=None, address="Hauptstraße 2")])
    built = build(sc, {}, line_matrix, {"r1": "ambiguous"})
    (a,) = built.set_aside
    assert sentence(a.reason, a.detail) == "Adresse mehrdeutig (Ort oder PLZ angeben): Hauptstraße 2"
