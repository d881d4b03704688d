"""A week's new requests, drawn by the scenario generator's own rules for the simulated client population.

`WeekBuilder` is `planner.generate.requests.Builder` with two changes: clients come from the district's
population (their homes, languages and priorities) instead of being made up, and it is built once per
district and pointed at a new week and random stream with `start_week`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from planner.generate import requests as generated
from planner.generate.fleet import CoachRow
from planner.generate.requests import Builder, Row
from planner.generate.sites import Locality
from planner.input.places import Places
from planner.scenario import Kind, Point, Request
from planner.simulate.population import Client

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
        super().__init__(places, random.Random(0), days, [], [], locs)
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

    def new_client(self) -> generated.Client:
        """A client of the population; the own coach is fixed by the client's rank among fitting coaches."""
        member = self.population[self.rng.randrange(len(self.population))]
        self.current = member
        holders = [c.id for c in self.coaches if set(member.skills) <= set(c.skills)] or [
            c.id for c in self.coaches
        ]
        preferred = holders[member.coach_rank % len(holders)] if member.coach_rank >= 0 and holders else ""
        client = generated.Client(member.id, member.skills, preferred, member.priority)
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
    """A generator row as a week's request; a van stop's people are the scenario's default, as the
    simulation has always counted them."""
    return replace(generated.to_request(row, request_id, 0), notice_sent=notice_sent, visitors=None)
