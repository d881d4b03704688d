"""Vans, coaches and the week's roster, drawn by the generator's rules (also the simulation's fleets)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from planner.generate.rules import COACHES, DAY_HOURS, VAN_SHIFTS
from planner.input.load import parse_time
from planner.scenario import Coach, Van


@dataclass(frozen=True)
class VanRow:
    """One generated van, before it has a depot and weekdays."""

    id: str
    name: str
    shift_start: str
    shift_end: str
    seats: int
    unavailable: date | None

    def van(self, depot: str, weekdays: frozenset[int]) -> Van:
        """The van as the planner reads it, from `depot` on `weekdays`."""
        return Van(
            id=self.id,
            depot=depot,
            weekdays=weekdays,
            shift_start=parse_time(self.shift_start),
            shift_end=parse_time(self.shift_end),
            seats=self.seats,
            name=self.name,
            unavailable=frozenset({self.unavailable}) if self.unavailable else frozenset(),
        )


@dataclass(frozen=True)
class CoachRow:
    """One generated coach."""

    id: str
    name: str
    skills: tuple[str, ...]
    weekly_hours: float
    phone: str

    def coach(self) -> Coach:
        """The coach as the planner reads it."""
        return Coach(self.id, self.name, frozenset(self.skills), self.weekly_hours, self.phone)


def make_vans(count: int, rng: random.Random, days: Sequence[date]) -> list[VanRow]:
    """Vans alternating a long (3 seats) and a short (2 seats) shift; the last van has a workshop day."""
    vans = []
    for i in range(count):
        start, end, seats = VAN_SHIFTS[i % len(VAN_SHIFTS)]
        vans.append(VanRow(f"V{i + 1}", f"Beratungsmobil {i + 1}", start, end, seats, None))
    if vans:
        vans[-1] = replace(vans[-1], unavailable=days[rng.randrange(1, len(days) - 1)])
    return vans


def make_coaches(count: int) -> list[CoachRow]:
    """Coaches with part-time hours and languages, from the fictional staff list (cycled)."""
    rows = []
    for i in range(count):
        name, skills, hours = COACHES[i % len(COACHES)]
        if i >= len(COACHES):
            name = f"{name} {i // len(COACHES) + 1}"
        rows.append(CoachRow(f"C{i + 1}", name, skills, hours, f"0921 0000-{i + 1:02d}"))
    return rows


def make_roster(
    vans: Sequence[VanRow], coaches: Sequence[CoachRow], days: Sequence[date], rng: random.Random
) -> list[tuple[date, str, str]]:
    """Who rides which van on which day: days per coach from their hours, two per van where possible."""
    in_service = {d: [v for v in vans if v.unavailable != d] for d in days}
    demand = {d: 2 * len(in_service[d]) for d in days}
    works: dict[str, list[date]] = {}
    for c in sorted(coaches, key=lambda c: -c.weekly_hours):
        n = max(1, min(len(days), round(c.weekly_hours / DAY_HOURS)))
        order = list(days)
        rng.shuffle(order)
        chosen = sorted(sorted(order, key=lambda d: -demand[d])[:n])
        for d in chosen:
            demand[d] -= 1
        works[c.id] = chosen
    roster: list[tuple[date, str, str]] = []
    for d in days:
        crews: dict[str, list[str]] = {v.id: [] for v in in_service[d]}
        seats = {v.id: v.seats for v in in_service[d]}
        for i, c in enumerate(coaches):
            if d not in works[c.id] or not crews:
                continue
            home = vans[i % len(vans)].id
            free = [v for v in crews if len(crews[v]) < seats[v]]
            if not free:
                continue
            target = home if home in free and len(crews[home]) < 2 else min(free, key=lambda v: len(crews[v]))
            crews[target].append(c.id)
        for van_id, crew in crews.items():
            roster.extend((d, van_id, coach) for coach in crew)
    return roster
