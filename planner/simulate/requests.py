"""A week's new requests, drawn by the scenario generator's own rules for the simulated client population.

`WeekBuilder` is `scenarios.generate.Builder` with two changes: clients come from the district's
population (their homes, languages and priorities) instead of being made up, and it is built once per
district and pointed at a new week and random stream with `start_week`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from planner.places import Places
from planner.scenario import Kind, Point, Request, WeeklyWindow
from planner.simulate.population import Client
from scenarios import generate
from scenarios.generate import Builder, CoachRow, Config, Locality, Row

PLANNING_WEEKDAY = 4  # the week is planned on the Friday before it
ARRIVAL_DAYS = 4  # new requests arrive Monday to Thursday of the week before


@dataclass(frozen=True)
class Pending:
    """A request waiting to be planned: when it came in and how many weeks it has been planned in vain."""

    request: Request
    requested: date
    tries: int = 0


class WeekBuilder(Builder):
    """The generator's request rules, clients drawn from the population."""

    def __init__(self, places: Places, locs: Sequence[Locality], population: Sequence[Client]) -> None:
        """Derive the generator's pools once; `start_week` sets the week and random stream."""
        monday = date(2000, 1, 3)
        days = [monday + timedelta(days=i) for i in range(5)]
        super().__init__(Config(Path(), Path()), places, random.Random(0), days, [], [], locs)
        self.population = tuple(population)
        self.current: Client | None = None

    def start_week(self, rng: random.Random, monday: date, coaches: Sequence[CoachRow]) -> None:
        """Draw the next requests for the week starting `monday` from `rng`."""
        self.rng = rng
        self.days = [monday + timedelta(days=i) for i in range(5)]
        self.monday = monday
        self.planning = monday - timedelta(days=7 - PLANNING_WEEKDAY)
        self.coaches = coaches
        self.clients = []

    def new_client(self) -> generate.Client:
        """A client of the population; the own coach is fixed by the client's rank among fitting coaches."""
        member = self.population[self.rng.randrange(len(self.population))]
        self.current = member
        holders = [c.id for c in self.coaches if set(member.skills) <= set(c.skills)] or [
            c.id for c in self.coaches
        ]
        preferred = holders[member.coach_rank % len(holders)] if member.coach_rank >= 0 and holders else ""
        client = generate.Client(member.id, member.skills, preferred, member.priority)
        self.clients.append(client)
        return client

    def _home(self) -> tuple[Point | None, str]:
        """The current client's home."""
        assert self.current is not None
        return self.current.home, ""

    def week_rows(self, counts: dict[Kind, int]) -> list[Row]:
        """Walk and talks, home visits and accompaniments in these numbers, as the generator draws them."""
        rows = [self.walk_and_talk() for _ in range(counts.get(Kind.WALK_AND_TALK, 0))]
        rows += [self.home_visit(late_notice=False) for _ in range(counts.get(Kind.HOME_VISIT, 0))]
        taken: set[tuple[str, date, int]] = set()
        rows += [self.accompany(taken) for _ in range(counts.get(Kind.ACCOMPANY, 0))]
        return rows


def to_request(row: Row, request_id: str, notice_sent: date | None = None) -> Request:
    """A generator row as a loaded request (what planner.load would make of its CSV line)."""
    return Request(
        id=request_id,
        kind=row.kind,
        client=row.client,
        duration_min=row.duration,
        row=0,
        point=row.point,
        place=row.place,
        availability=tuple(
            WeeklyWindow(day, _clock(start), _clock(end)) for day, start, end in sorted(row.windows)
        ),
        fixed_start=datetime.combine(row.fixed_start[0], _clock(row.fixed_start[1]))
        if row.fixed_start
        else None,
        staff=2 if row.kind is Kind.HOME_VISIT else 1,
        skills=frozenset(row.skills),
        preferred_coach=row.preferred_coach,
        priority=row.priority,
        notice_sent=notice_sent,
        bring=row.bring,
        note=row.note,
    )


def _clock(minutes: int) -> time:
    """Minutes of the day as a clock time."""
    return time(minutes // 60, minutes % 60)
