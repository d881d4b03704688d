"""The independent validator catches each kind of broken plan (it must be able to fail).

One table row per way of breaking a valid plan: each row changes a copy of the plan or the scenario
so that exactly the listed codes fire. Every code the validator can report has a row.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import time, timedelta

import pytest

import planner.plan.validate
from planner.plan.tours import BreakTime, Plan, Stop, Tour, Unscheduled
from planner.plan.validate import validate
from planner.scenario import Buffers, Kind, RosterEntry, Scenario
from tests.factory import day, line_matrix, plan, request, scenario, window

BUF = {Kind.WALK_AND_TALK: Buffers(setup_min=10, documentation_min=10, overrun_min=10, travel_safety_pct=10)}
MIN = timedelta(minutes=1)
TUESDAY = (window(1, "08:00", "16:00"),)
Base = tuple[Scenario, Plan]


@pytest.fixture(scope="module")
def base() -> Base:
    """A valid long day: three 100-min appointments (so a break is required), one with a window."""
    reqs = [
        request("a", duration_min=100, minutes_east=10, availability=(window(0, "08:00", "12:00"),)),
        request("b", duration_min=100, minutes_east=20),
        request("c", duration_min=100, minutes_east=30, skills=frozenset({"tr"})),
        request("gone", earliest=day(0) + timedelta(days=20)),
    ]
    sc = scenario(reqs, buffers=BUF, shift=(time(7), time(16, 30)))
    p = plan(sc)
    assert len(p.tours) == 1 and [s.request_id for s in p.tours[0].stops] == ["a", "b", "c"]
    assert len(p.tours[0].breaks) == 1 and len(p.unscheduled) == 1
    return sc, p


# --- ways to change a copy of the plan or the scenario ---------------------------------------------


def tour(p: Plan) -> Tour:
    return p.tours[0]


def stop(p: Plan, rid: str) -> Stop:
    return next(s for s in tour(p).stops if s.request_id == rid)


def with_tour(p: Plan, **changes: object) -> Plan:
    return replace(p, tours=(replace(tour(p), **changes),))  # type: ignore[arg-type]


def with_stop(p: Plan, rid: str, **changes: object) -> Plan:
    stops = tuple(replace(s, **changes) if s.request_id == rid else s for s in tour(p).stops)  # type: ignore[arg-type]
    return with_tour(p, stops=stops)


def with_request(sc: Scenario, rid: str, **changes: object) -> Scenario:
    return replace(sc, requests=tuple(replace(r, **changes) if r.id == rid else r for r in sc.requests))  # type: ignore[arg-type]


def with_vans(sc: Scenario, **changes: object) -> Scenario:
    return replace(sc, vans=tuple(replace(v, **changes) for v in sc.vans))  # type: ignore[arg-type]


def with_coaches(sc: Scenario, **changes: object) -> Scenario:
    return replace(sc, coaches=tuple(replace(c, **changes) for c in sc.coaches))  # type: ignore[arg-type]


def with_settings(sc: Scenario, **changes: object) -> Scenario:
    return replace(sc, settings=replace(sc.settings, **changes))  # type: ignore[arg-type]


def on_plan(change: Callable[[Plan], Plan]) -> Callable[[Scenario, Plan], Base]:
    return lambda sc, p: (sc, change(p))


def on_scenario(change: Callable[[Scenario, Plan], Scenario]) -> Callable[[Scenario, Plan], Base]:
    return lambda sc, p: (change(sc, p), p)


def b_starts_later(sc: Scenario, p: Plan, pinned: bool = False) -> Scenario:
    """Request b fixed (or pinned) five minutes after the time it is planned at."""
    later = (stop(p, "b").start + 5 * MIN).astimezone(sc.settings.tz).replace(tzinfo=None)
    if pinned:
        return with_request(sc, "b", pin_van="V1", pin_date=day(0), pin_start=later.time())
    return with_request(sc, "b", fixed_start=later)


def notice_too_late(sc: Scenario, p: Plan) -> Base:
    """Request b as a home visit whose notice went out three days before; the stop planned as one."""
    hv = with_request(sc, "b", kind=Kind.HOME_VISIT, staff=2, notice_sent=day(0) - timedelta(days=3))
    return hv, with_stop(p, "b", kind=Kind.HOME_VISIT.value)


def moved_to_tuesday(sc: Scenario, p: Plan) -> Base:
    """The tour says Tuesday (rostered, in service) while its times stay on Monday."""
    tuesday = tuple(RosterEntry(day(1), r.van, r.coach, r.row) for r in sc.roster)
    return replace(sc, roster=sc.roster + tuesday), with_tour(p, day=day(1))


def longer_day(p: Plan, work: timedelta) -> Plan:
    """The same tour leaving earlier and coming back later by equal parts, `work` long in all."""
    t = tour(p)
    pad = (work - timedelta(minutes=t.work_min)) / 2
    return with_tour(p, depart=t.depart - pad, back=t.back + pad)


def long_first_stretch(p: Plan) -> Plan:
    """Leave so early that more than six hours pass before the (only) break."""
    t = tour(p)
    changed = with_tour(p, depart=t.breaks[0].start - timedelta(hours=6) - MIN)
    assert timedelta(minutes=tour(changed).work_min) <= timedelta(hours=9)  # else break_45 fires too
    return changed


def split_break(p: Plan, first_min: int) -> tuple[BreakTime, BreakTime]:
    (brk,) = tour(p).breaks
    cut = brk.start + timedelta(minutes=first_min)
    return BreakTime(brk.start, cut), BreakTime(cut, brk.end)


def trailing_break(p: Plan) -> Plan:
    """A 15-minute break after the van is back: the day is longer by the break, work is the same."""
    t = tour(p)
    return with_tour(p, back=t.back + 15 * MIN, breaks=(*t.breaks, BreakTime(t.back, t.back + 15 * MIN)))


def overlapping_break(p: Plan) -> Plan:
    (brk,) = tour(p).breaks
    s = stop(p, "b")
    return with_tour(p, breaks=(BreakTime(s.start, s.start + (brk.end - brk.start)),))


def empty_second_tour(p: Plan) -> Plan:
    """The same crew on a second, empty tour of the same day."""
    t = tour(p)
    return replace(p, tours=(t, replace(t, stops=(), breaks=(), back=t.depart)))


def unknown_unscheduled(p: Plan) -> Plan:
    ghost = Unscheduled("ghost", "walk_and_talk", "K-ghost", "capacity", {"priority": "3"})
    return replace(p, unscheduled=(*p.unscheduled, ghost))


def unknown_reason(p: Plan) -> Plan:
    return replace(p, unscheduled=tuple(replace(u, reason="no_such_reason") for u in p.unscheduled))


def early_shift(sc: Scenario) -> Scenario:
    return with_vans(sc, shift_start=time(5), shift_end=time(20))


@dataclass(frozen=True)
class Case:
    """One way to break the plan, the code it must raise and any code it must raise along with it."""

    code: str
    change: Callable[[Scenario, Plan], Base]
    also: frozenset[str] = field(default_factory=frozenset)
    name: str = ""


CASES = [
    # every request exactly once, with a known reason
    Case("lost", on_plan(lambda p: replace(p, unscheduled=()))),
    Case("duplicate", on_plan(lambda p: replace(p, unscheduled=(*p.unscheduled, p.unscheduled[0])))),
    Case("unknown_request", on_plan(unknown_unscheduled)),
    Case("unknown_reason", on_plan(unknown_reason)),
    # the van-day
    Case("unknown_van", on_plan(lambda p: with_tour(p, van="V9"))),
    Case("outside_week", on_scenario(lambda sc, _p: with_settings(sc, week="2026-W50"))),
    Case("van_not_in_service", on_scenario(lambda sc, _p: with_vans(sc, unavailable=frozenset({day(0)})))),
    Case("crew", on_plan(lambda p: with_tour(p, crew=("A", "C")))),
    Case("seats", on_scenario(lambda sc, _p: with_vans(sc, seats=1))),
    Case("depot", on_plan(lambda p: with_tour(p, depot_lat=tour(p).depot_lat + 1e-4)), name="depot-lat"),
    Case("depot", on_plan(lambda p: with_tour(p, depot_lon=tour(p).depot_lon + 1e-4)), name="depot-lon"),
    Case("shift", on_scenario(lambda sc, p: with_vans(sc, shift_end=(tour(p).back - MIN).time()))),
    # the request's own rules at its stop
    Case("kind", on_plan(lambda p: with_stop(p, "b", kind=Kind.ACCOMPANY.value))),
    Case("place", on_plan(lambda p: with_stop(p, "b", lat=stop(p, "b").lat + 1e-4))),
    Case("duration", on_plan(lambda p: with_stop(p, "b", end=stop(p, "b").end - 5 * MIN))),
    Case("setup", on_plan(lambda p: with_stop(p, "b", arrival=stop(p, "b").start - 5 * MIN))),
    Case("after_buffer", on_plan(lambda p: with_stop(p, "b", departure=stop(p, "b").end + 5 * MIN))),
    Case("date", moved_to_tuesday, also=frozenset({"shift"})),  # the times stay within Monday's shift
    Case("staff", on_scenario(lambda sc, _p: with_request(sc, "b", staff=3))),
    Case("skills", on_scenario(lambda sc, _p: with_coaches(sc, skills=frozenset()))),
    Case("date_range", on_scenario(lambda sc, _p: with_request(sc, "b", earliest=day(1)))),
    Case("notice", notice_too_late),
    Case("fixed_start", on_scenario(b_starts_later)),
    Case("availability", on_scenario(lambda sc, _p: with_request(sc, "b", availability=TUESDAY))),
    Case("pin", on_scenario(lambda sc, p: b_starts_later(sc, p, pinned=True))),
    # order and drives
    Case("order", on_plan(lambda p: with_stop(p, "b", sequence=5)), name="order-sequence"),
    Case("order", on_plan(lambda p: with_stop(p, "b", arrival=stop(p, "a").departure - MIN)),
         name="order-time"),
    Case("travel", on_plan(lambda p: with_tour(p, depart=stop(p, "a").arrival - 5 * MIN))),
    # Arbeitszeitgesetz
    Case("break_part", on_plan(lambda p: with_tour(p, breaks=split_break(p, 20)))),
    Case("break_outside", on_plan(trailing_break)),
    Case("break_overlap", on_plan(overlapping_break)),
    Case("max_work", on_scenario(lambda sc, _p: with_settings(sc, max_work_min=400))),
    Case("break_30", on_plan(lambda p: with_tour(p, breaks=split_break(p, 20)[:1]))),
    Case("break_45", lambda sc, p: (early_shift(sc), longer_day(p, timedelta(hours=9, minutes=5)))),
    Case("stretch", lambda sc, p: (early_shift(sc), long_first_stretch(p))),
    # the week
    Case("weekly_hours", on_scenario(lambda sc, _p: with_coaches(sc, weekly_hours=2.0))),
    Case("two_vans", on_plan(empty_second_tour)),
]  # fmt: skip


def codes(sc: Scenario, p: Plan) -> set[str]:
    return {v.code for v in validate(sc, p, line_matrix)}


def test_valid_plan_has_no_violations(base: Base) -> None:
    sc, p = base
    assert codes(sc, p) == set()


@pytest.mark.parametrize("case", CASES, ids=[c.name or c.code for c in CASES])
def test_each_broken_plan_raises_exactly_its_code(base: Base, case: Case) -> None:
    sc, p = base
    assert codes(*case.change(sc, p)) == {case.code} | case.also


def test_every_code_of_the_validator_has_a_case() -> None:
    """A new code without a row in the table fails here."""
    tree = ast.parse(inspect.getsource(planner.plan.validate))
    reported = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Violation"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(reported) > 30
    assert reported == {c.code for c in CASES}


def test_depot_far_east_is_caught(base: Base) -> None:
    """The longitude alone off by half a degree (the tuple comparison let this pass)."""
    sc, p = base
    assert "depot" in codes(sc, with_tour(p, depot_lon=tour(p).depot_lon + 0.5))
