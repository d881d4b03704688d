"""Requests drawn by the generator's rules: clients, homes, meeting points, third parties, van stops.

`Builder` draws every request of one week from one seeded generator, as `Row`s; `to_request` makes
a row the `Request` the loader would read from its CSV line. The simulation (planner.simulate)
subclasses `Builder` to draw its clients from a population.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from planner.errors import DataError
from planner.generate.fleet import CoachRow, VanRow
from planner.generate.rules import (
    ACCOMPANY_RULES,
    BRING,
    HOME_NOTES,
    KIND_SHARES,
    LANGUAGE_NOTE,
    NON_RESIDENTIAL_KEYS,
    NOTICE_DAYS,
    OTHER_THIRD_PARTY,
    PLANNING_LEAD_DAYS,
    PREFERRED_SHARE,
    PRIORITY_WEIGHTS,
    PUBLIC_ACCESS,
    SKILL_SHARE,
    WALK_NOTES,
    WEEKDAYS,
)
from planner.generate.sites import Locality, dedupe, label, locality_namer, metres, van_stop_sites
from planner.input.geocode import AddressIndex
from planner.input.places import RESIDENTIAL_BUILDINGS, Place, Places
from planner.scenario import Kind, Point, Request, WeeklyWindow


@dataclass(frozen=True)
class Client:
    """A pseudonymous client and what stays the same across their appointments."""

    id: str
    skills: tuple[str, ...]
    preferred_coach: str
    priority: int


@dataclass
class Row:
    """One request being drawn; `to_request` makes it the loaded `Request`."""

    kind: Kind
    client: str
    place: str
    duration: int
    point: Point | None = None
    address: str = ""
    latest: date | None = None
    windows: list[tuple[int, int, int]] = field(default_factory=list)  # weekday, start, end minutes
    fixed_start: tuple[date, int] | None = None
    skills: tuple[str, ...] = ()
    preferred_coach: str = ""
    priority: int = 3
    notice_sent: date | None = None
    pin: tuple[str, date, int] | None = None
    bring: str = ""
    note: str = ""
    visitors: int | None = None  # van stops: people expected
    id: str = ""


def kind_counts(total: int, shares: Sequence[int]) -> dict[Kind, int]:
    """Requests per kind in proportion to `shares` (KIND_SHARES order), rounded by largest remainder."""
    exact = {k: total * s / sum(shares) for k, s in zip(KIND_SHARES, shares, strict=True)}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: -(exact[k] - counts[k]))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


class Builder:
    """Draws the requests of one scenario; all randomness comes from one seeded generator."""

    def __init__(
        self,
        places: Places,
        rng: random.Random,
        days: Sequence[date],
        coaches: Sequence[CoachRow],
        roster: Sequence[tuple[date, str, str]],
        locs: Sequence[Locality],
        planning: date | None = None,
    ) -> None:
        """Keep the inputs and derive the pools of homes, meeting points and third parties; the
        planning date defaults to PLANNING_LEAD_DAYS before the week."""
        self.places, self.rng, self.days = places, rng, days
        self.coaches, self.roster, self.locs = coaches, roster, locs
        self.name_of = locality_namer(locs)
        self.monday = days[0]
        self.planning = planning or self.monday - timedelta(days=PLANNING_LEAD_DAYS)
        rostered = {c for _, _, c in roster}
        self.skill_pool = sorted({s for c in coaches if c.id in rostered for s in c.skills})
        index = AddressIndex(places.addresses)
        self.homes = [
            a
            for a in places.addresses
            if not any(a.tag(k) for k in NON_RESIDENTIAL_KEYS)
            and a.tag("building", "yes") in RESIDENTIAL_BUILDINGS
            and [c.ref for c in index.candidates(a.address)] == [a.ref]
        ]
        self.rng.shuffle(self.homes)
        self.spare_buildings = list(places.buildings)
        self.rng.shuffle(self.spare_buildings)
        self.meeting = list(places.meeting_points + places.squares)
        self.third = dedupe(places.third_parties)
        self.clients: list[Client] = []

    def new_client(self) -> Client:
        """A new pseudonymous client with consistent language needs, contact person and priority."""
        rng = self.rng
        skills = (rng.choice(self.skill_pool),) if self.skill_pool and rng.random() < SKILL_SHARE else ()
        preferred = ""
        if rng.random() < PREFERRED_SHARE:
            holders = [c.id for c in self.coaches if set(skills) <= set(c.skills)]
            preferred = rng.choice(holders if skills and holders else [c.id for c in self.coaches])
        priority = rng.choices([p for p, _ in PRIORITY_WEIGHTS], [w for _, w in PRIORITY_WEIGHTS])[0]
        client = Client(f"K-{1001 + len(self.clients)}", skills, preferred, priority)
        self.clients.append(client)
        return client

    def _row(self, kind: Kind, client: Client | None, place: str, duration: int) -> Row:
        """A row with the client's standing attributes filled in."""
        if client is None:
            return Row(kind, "", place, duration, priority=self.rng.choice((2, 3, 3)))
        note = LANGUAGE_NOTE if set(client.skills) & {"tr", "ar", "ru", "uk"} else ""
        return Row(
            kind,
            client.id,
            place,
            duration,
            skills=client.skills,
            preferred_coach=client.preferred_coach,
            priority=client.priority,
            note=note,
        )

    def _home(self) -> tuple[Point | None, str]:
        """An unused residential address (point None: geocoded on load), else a building's point."""
        if self.homes:
            home = self.homes.pop()
            return None, home.address
        if not self.spare_buildings:
            raise DataError("the extract has too few addresses and buildings for this many requests")
        building = self.spare_buildings.pop()
        return building.point, ""

    def _windows(self, duration: int, count: int) -> list[tuple[int, int, int]]:
        """`count` availability windows on distinct weekdays, each long enough for the appointment."""
        wins = []
        for weekday in sorted(self.rng.sample(range(len(WEEKDAYS)), count)):
            length = max(self.rng.choice((150, 180, 210, 240)), duration + 60)
            starts = [s for s in (510, 540, 570, 600, 780, 810, 840) if s + length <= 960] or [510]
            start = self.rng.choice(starts)
            wins.append((weekday, start, min(start + length, 960)))
        return wins

    def _add_note(self, row: Row, note: str) -> None:
        """Append a note to a row's note."""
        row.note = f"{row.note}; {note}" if row.note else note

    def walk_and_talk(self) -> Row:
        """A walk and talk at a bench, café or square near the client, or starting at their door."""
        rng = self.rng
        duration = rng.choice((45, 60, 60, 75, 90))
        client = self.new_client()
        if self.meeting and rng.random() < 0.55:
            spot = rng.choice(self.meeting)
            row = self._row(Kind.WALK_AND_TALK, client, label(spot, self.name_of(spot.point)), duration)
            row.point = spot.point
        else:
            row = self._row(Kind.WALK_AND_TALK, client, "Treffpunkt vor der Haustür", duration)
            row.point, row.address = self._home()
            if row.point is not None:
                row.place = f"Treffpunkt vor der Haustür, {self.name_of(row.point)}"
        row.windows = self._windows(duration, rng.choice((1, 1, 2)))
        if rng.random() < 0.25:
            self._add_note(row, rng.choice(WALK_NOTES))
        if rng.random() < 0.15:
            row.bring = rng.choice(BRING)
        return row

    def home_visit(self, late_notice: bool) -> Row:
        """A home visit at a real address; notice mostly in time, `late_notice` ones impossible."""
        rng = self.rng
        duration = rng.choice((45, 60, 60, 75, 90))
        row = self._row(Kind.HOME_VISIT, self.new_client(), "Hausbesuch", duration)
        row.point, row.address = self._home()
        if row.point is not None:
            row.place = f"Hausbesuch, {self.name_of(row.point)}"
        if late_notice:
            row.notice_sent = self.planning - timedelta(days=rng.choice((0, 1)))
            row.latest = row.notice_sent + timedelta(days=NOTICE_DAYS - 1)
            self._add_note(row, f"ab {row.latest + timedelta(days=1):%d.%m.} nicht erreichbar (Maßnahme)")
        elif rng.random() < 0.8:
            sent = self.monday - timedelta(days=NOTICE_DAYS + rng.randrange(0, 15))
            row.notice_sent = min(sent, self.planning)
        if rng.random() < 0.5:
            row.windows = self._windows(duration, rng.choice((1, 2)))
        if rng.random() < 0.3:
            self._add_note(row, rng.choice(HOME_NOTES))
        if rng.random() < 0.15:
            row.bring = rng.choice(BRING)
        return row

    def accompany(self, taken: set[tuple[str, date, int]]) -> Row:
        """An accompaniment to a real third party at a fixed time in its business hours."""
        rng = self.rng
        weights = [ACCOMPANY_RULES.get(t.kind, OTHER_THIRD_PARTY)[2] for t in self.third]
        target = rng.choices(self.third, weights)[0]
        hours, durations, _, reasons = ACCOMPANY_RULES.get(target.kind, OTHER_THIRD_PARTY)
        client = rng.choice(self.clients) if self.clients and rng.random() < 0.3 else self.new_client()
        duration = rng.choice(durations)
        row = self._row(Kind.ACCOMPANY, client, label(target, self.name_of(target.point)), duration)
        row.point = target.point
        for _ in range(20):
            day = rng.choice(self.days)
            lo, hi = rng.choice(hours)
            latest = min(hi, 930 - duration - 10)
            slots = list(range(lo, latest + 1, 15)) or [lo]
            start = rng.choice(slots)
            if (target.ref, day, start) not in taken:
                break
        taken.add((target.ref, day, start))
        row.fixed_start = (day, start)
        self._add_note(row, rng.choice(reasons))
        if rng.random() < 0.5:
            self._add_note(row, "Schweigepflichtentbindung liegt vor")
        return row

    def van_stops(self, count: int, vans: Sequence[VanRow]) -> list[Row]:
        """Open consultation hours of the van, twice a week at a public parking place in larger villages."""
        sites = van_stop_sites(self.places)
        chosen: list[tuple[Locality, Place]] = []
        for loc in sorted(self.locs, key=lambda loc: (-loc.size, loc.name)):
            used = {s.ref for _, s in chosen}
            near = [s for s in sites if s.ref not in used and metres(s.point, loc.point) < 1000]
            if near:
                public = [s for s in near if s.tag("access") in PUBLIC_ACCESS] or near
                chosen.append((loc, min(public, key=lambda s: metres(s.point, loc.point))))
            if len(chosen) * 2 >= count:
                break
        if not chosen and sites:
            chosen = [(Locality(self.name_of(s.point), s.point, 0), s) for s in sites[: math.ceil(count / 2)]]
        return self.schedule_van_stops(chosen, count, vans)

    def schedule_van_stops(
        self, chosen: Sequence[tuple[Locality, Place]], count: int, vans: Sequence[VanRow]
    ) -> list[Row]:
        """`count` van-stop blocks at the chosen sites, two a week per site, on the least busy half-days."""
        rng = self.rng
        if not chosen:
            return []
        vans_on = [sum(1 for v in vans if v.unavailable != d) for d in self.days]
        load = {(d, half): 0 for d in range(len(self.days)) for half in (0, 1)}

        def busy(option: tuple[int, int, int]) -> float:
            """How full the fuller of the two days' half-days is, per van in service."""
            a, b, half = option
            return max(load[(d, half)] / vans_on[d] if vans_on[d] else math.inf for d in (a, b))

        rows: list[Row] = []
        for i in range(math.ceil(count / 2)):
            loc, site = chosen[i % len(chosen)]
            options = [(a, b, half) for a, b in ((0, 3), (1, 4), (0, 2), (2, 4), (1, 3)) for half in (0, 1)]
            rng.shuffle(options)
            first, second, half = min(options, key=busy)
            start = rng.choice((540, 570)) if half == 0 else 780
            duration = rng.choice((120, 150, 180)) if half == 0 else 120
            name = site.name if site.kind in ("square", "marketplace") and site.name else label(site, "")
            if site.kind == "parking" and site.name:
                name = f"Parkplatz {site.name}"
            for day in (first, second)[: count - len(rows)]:
                load[(day, half)] += 1
                row = self._row(Kind.VAN_STOP, None, f"Beratungsmobil {loc.name}: {name}", duration)
                row.point = site.point
                row.fixed_start = (self.days[day], start)
                row.note = "offene Sprechstunde, auch ohne Termin; anonyme Beratung möglich"
                row.bring = "Flyer, Antragsformulare, mobiler Drucker"
                row.visitors = max(2, duration // 50)  # walk-ins: about one per 50 minutes of the block
                rows.append(row)
        return rows

    def pin(self, rows: Sequence[Row]) -> None:
        """Pin a few already agreed appointments to van-days whose crew fits, inside their own windows."""
        crews: dict[tuple[str, date], list[str]] = {}
        for d, v, c in self.roster:
            crews.setdefault((v, d), []).append(c)
        skills = {c.id: set(c.skills) for c in self.coaches}
        candidates = [r for r in rows if r.kind == Kind.WALK_AND_TALK][:2]
        candidates += [r for r in rows if r.kind == Kind.HOME_VISIT and r.latest is None][:1]
        used: set[tuple[str, date]] = set()
        for n, row in enumerate(candidates):
            staff = 2 if row.kind == Kind.HOME_VISIT else 1
            fitting = [
                key
                for key, crew in sorted(crews.items())
                if key not in used
                and len(crew) >= staff
                and set(row.skills) <= set[str]().union(*(skills[c] for c in crew))
            ]
            if not fitting:
                continue
            van, day = self.rng.choice(fitting)
            used.add((van, day))
            start = (600, 810)[n % 2]
            row.pin = (van, day, start)
            row.latest = None
            weekday = (day - self.monday).days
            window = (weekday, start - 60, min(start + row.duration + 60, 960))
            row.windows = sorted([w for w in row.windows if w[0] != weekday] + [window])
            if row.preferred_coach:
                row.preferred_coach = crews[(van, day)][0]
            if row.kind == Kind.HOME_VISIT:
                row.notice_sent = min(self.planning, day - timedelta(days=NOTICE_DAYS + 7))
            self._add_note(row, "Termin bereits zugesagt")


def to_request(row: Row, request_id: str, number: int) -> Request:
    """A row as the loader reads its CSV line; `number` is its data row (2 for the first)."""
    return Request(
        id=request_id,
        kind=row.kind,
        client=row.client,
        duration_min=row.duration,
        row=number,
        point=row.point,
        address=row.address,
        place=row.place,
        latest=row.latest,
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
        notice_sent=row.notice_sent,
        pin_van=row.pin[0] if row.pin else "",
        pin_date=row.pin[1] if row.pin else None,
        pin_start=_clock(row.pin[2]) if row.pin else None,
        bring=row.bring,
        note=row.note,
        visitors=row.visitors,
    )


def _clock(minutes: int) -> time:
    """Minutes of the day as a clock time."""
    return time(minutes // 60, minutes % 60)
