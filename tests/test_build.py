"""planner.problem.build: which requests reach the solver, and over which travel matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, time

from factory import day, line_matrix, request, scenario

from planner.network import TravelMatrix
from planner.plan.assemble import assemble
from planner.plan.validate import validate
from planner.problem.build import build
from planner.scenario import Point
from planner.solver import SearchParams, solve


def counting_matrix(sizes: list[int]) -> object:
    """line_matrix that records how many points each call was asked for."""

    def matrix(points: Sequence[Point]) -> TravelMatrix:
        sizes.append(len(points))
        return line_matrix(points)

    return matrix


def test_matrix_covers_only_distinct_places_of_requests_a_van_day_can_take() -> None:
    same_place = [request(f"r{k}", minutes_east=20) for k in range(5)]
    other = [request("far", minutes_east=40)]
    outside = [request(f"x{k}", minutes_east=50 + k, earliest=date(2027, 1, 4)) for k in range(4)]
    sc = scenario(same_place + other + outside)
    sizes: list[int] = []
    built = build(sc, {r.id: r.point for r in sc.requests if r.point}, counting_matrix(sizes))  # type: ignore[arg-type]
    assert sizes == [3]  # the depot, the shared place of r0..r4, far; none of the requests outside the week
    assert {j.location for j in built.problem.jobs[:5]} == {1}
    assert [a.reason for a in built.set_aside] == ["outside_week"] * 4


def test_a_caseload_beyond_the_week_keeps_the_most_urgent_and_says_why_for_the_rest() -> None:
    urgent = [request(f"u{k}", priority=1, minutes_east=10 + k) for k in range(3)]
    routine = [request(f"n{k}", priority=5, minutes_east=10 + k) for k in range(30)]
    sc = scenario(routine + urgent)  # V1 on Monday: 8 h, three times over is 24 one-hour visits
    points = {r.id: r.point for r in sc.requests if r.point}
    sizes: list[int] = []
    built = build(sc, points, counting_matrix(sizes), max_jobs=10)  # type: ignore[arg-type]
    kept = {r.id for r in built.requests}
    assert {"u0", "u1", "u2"} <= kept and len(kept) == 10
    assert sizes == [1 + len({r.point for r in built.requests})]
    left = {a.request.id: a for a in built.set_aside}
    assert len(left) == 23 and all(
        a.reason == "capacity" and a.detail["priority"] == "5" for a in left.values()
    )
    assert built.requests == tuple(r for r in sc.requests if r.id in kept)  # file order kept


def test_overbooking_leaves_out_jobs_whose_van_days_are_full_but_keeps_other_days() -> None:
    monday = [request(f"m{k}", priority=2, minutes_east=10, latest=day(0)) for k in range(40)]
    tuesday = [request(f"t{k}", priority=5, minutes_east=10, earliest=day(1)) for k in range(3)]
    sc = scenario(monday + tuesday, crews={("V1", 0): ("A", "B"), ("V1", 1): ("A", "B")})
    built = build(sc, {r.id: r.point for r in sc.requests if r.point}, line_matrix, max_jobs=36)
    kept = {r.id for r in built.requests}
    # Monday's work limit of 10 h booked three times over by 30 priority-2 visits: the rest of
    # Monday goes, while Tuesday's three routine visits, on a free day, stay despite their priority.
    assert kept == {f"m{k}" for k in range(30)} | {"t0", "t1", "t2"}
    assert len(kept) + len(built.set_aside) == len(sc.requests)


def test_pinned_requests_stay_whatever_the_week_holds() -> None:
    pinned = request("p", priority=5, pin_van="V1", pin_date=day(0), pin_start=time(9))
    sc = scenario([request(f"u{k}", priority=1, minutes_east=10) for k in range(20)] + [pinned])
    built = build(sc, {r.id: r.point for r in sc.requests if r.point}, line_matrix, max_jobs=5)
    assert "p" in {r.id for r in built.requests} and len(built.requests) == 5


def test_a_week_cut_to_size_plans_validly_and_loses_no_request() -> None:
    sc = scenario([request(f"r{k:02}", priority=1 + k % 5, minutes_east=5 + k % 7) for k in range(40)])
    built = build(sc, {r.id: r.point for r in sc.requests if r.point}, line_matrix, max_jobs=8)
    solution = solve(built.problem, SearchParams(time_limit_s=5))
    result = assemble(sc, built, solution, "test line", 1, 5)
    assert validate(sc, result, line_matrix) == []
    placed = [s.request_id for t in result.tours for s in t.stops]
    listed = placed + [u.request_id for u in result.unscheduled]
    assert sorted(listed) == sorted(r.id for r in sc.requests)
    assert placed and {r.id for r in sc.requests if r.priority == 1} <= {r.id for r in built.requests}


def planned_without_or_tools(sc: object, monkeypatch: object) -> object:
    """The plan of `sc`, failing if the routing model is built (OR-Tools aborts on zero vehicles)."""
    from factory import plan

    from planner.solver import search

    def no_model(*_: object) -> None:
        raise AssertionError("a model without vehicles or jobs reached OR-Tools")

    monkeypatch.setattr(search, "build_model", no_model)  # type: ignore[attr-defined]
    result = plan(sc)  # type: ignore[arg-type]
    return result


def test_a_week_without_any_crew_leaves_every_request_with_that_root_cause(monkeypatch: object) -> None:
    sc = scenario([request("a"), request("b", pin_van="V1", pin_date=day(0), pin_start=time(9))], crews={})
    result = planned_without_or_tools(sc, monkeypatch)
    assert [(u.request_id, u.reason) for u in result.unscheduled] == [("a", "no_crew"), ("b", "no_crew")]  # type: ignore[attr-defined]


def test_every_van_unavailable_is_a_week_without_crew(monkeypatch: object) -> None:
    sc = scenario([request("a")], crews={("V1", d): ("A",) for d in range(5)})
    sc = replace(sc, vans=tuple(replace(v, unavailable=frozenset(day(d) for d in range(7))) for v in sc.vans))
    result = planned_without_or_tools(sc, monkeypatch)
    assert [u.reason for u in result.unscheduled] == ["no_crew"]  # type: ignore[attr-defined]


def test_requests_all_outside_the_week_give_an_empty_plan(monkeypatch: object) -> None:
    sc = scenario([request(f"x{k}", earliest=date(2027, 1, 4)) for k in range(3)])
    result = planned_without_or_tools(sc, monkeypatch)
    assert result.tours == ()  # type: ignore[attr-defined]
    assert [u.reason for u in result.unscheduled] == ["outside_week"] * 3  # type: ignore[attr-defined]
