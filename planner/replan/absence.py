"""What a coach's absence during part of a shift does to that van-day (docs/input.md, "changes.csv").

The van-day either rides without the coach all day (if anyone else is rostered on it), or keeps the
coach for the part before the absence (the tour is back at the depot when it begins) or after it
(the tour leaves the depot once it ends): whichever keeps more of the old tour's appointments, then
the longer working day, in that order on a tie.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from planner.plan.tours import Tour
from planner.scenario import RosterEntry, Scenario


class Way(StrEnum):
    """How the van-day goes on."""

    WITHOUT = "without"  # the coach leaves the van-day's roster; the rest of the crew rides
    BEFORE = "before"  # the coach stays; the tour is back by the absence's start
    AFTER = "after"  # the coach stays; the tour leaves once the absence ends


def partly(
    scenario: Scenario,
    entry: RosterEntry,
    roster: Sequence[RosterEntry],
    tour: Tour | None,
    absent: tuple[datetime, datetime],
    done: Collection[str],
) -> Way:
    """The way that keeps most of `tour` (the old plan's tour of the van-day, its stops in `done`
    being history) when the coach of `entry` is absent from `absent[0]` until `absent[1]` (naive
    local times); an absence over the whole shift leaves only `WITHOUT`."""
    van = scenario.van(entry.van)
    first, last = (datetime.combine(entry.day, t) for t in (van.shift_start, van.shift_end))
    start, end = absent
    coaches = {c.id: c for c in scenario.coaches}
    others = [
        coaches[e.coach]
        for e in roster
        if (e.van, e.day) == (entry.van, entry.day) and e.coach != entry.coach
    ]
    skills = frozenset().union(*(c.skills for c in others))
    requests = {r.id: r for r in scenario.requests}
    stops = [s for s in (tour.stops if tour else ()) if s.request_id not in done]

    def local(at: datetime) -> datetime:
        return at.astimezone(scenario.settings.tz).replace(tzinfo=None)

    without = (
        sum(1 for s in stops if s.staff <= len(others) and requests[s.request_id].skills <= skills),
        last - first if others else timedelta(0),
    )
    if start <= first and end >= last:
        return Way.WITHOUT
    before = (sum(1 for s in stops if local(s.departure) <= start), max(start - first, timedelta(0)))
    after = (
        sum(1 for s in stops if local(s.start) - timedelta(minutes=s.setup_min) >= end),
        max(last - end, timedelta(0)),
    )
    best = max(without, before, after)
    return Way.WITHOUT if without == best else Way.BEFORE if before == best else Way.AFTER
