"""Generate a seeded, realistic demo scenario folder (docs/input.md) from any OSM extract.

    python -m scenarios.generate --osm PATH --out FOLDER --week 2026-W49 --seed 7 --requests 150

Every location is a real feature of the extract (an address, a bench, a town hall, a parking place);
clients are pseudonymous ids. The same arguments give the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from planner.geocode import AddressIndex, city_tokens
from planner.places import RESIDENTIAL_BUILDINGS, Place, Places, read_places
from planner.scenario import Kind, Point

REQUEST_COLUMNS = (
    "id",
    "kind",
    "client",
    "client_name",
    "lat",
    "lon",
    "address",
    "place",
    "duration_min",
    "earliest_date",
    "latest_date",
    "availability",
    "fixed_start",
    "staff",
    "skills",
    "preferred_coach",
    "priority",
    "notice_sent",
    "pin_van",
    "pin_date",
    "pin_start",
    "bring",
    "note",
    "visitors",
)
VAN_COLUMNS = ("id", "name", "depot", "days", "shift_start", "shift_end", "seats", "unavailable")
COACH_COLUMNS = ("id", "name", "skills", "weekly_hours", "phone")
ROSTER_COLUMNS = ("date", "van", "coach")

KIND_SHARES = {Kind.WALK_AND_TALK: 42, Kind.HOME_VISIT: 32, Kind.ACCOMPANY: 20, Kind.VAN_STOP: 6}
BUFFERS = {  # setup, documentation, overrun, travel safety %
    Kind.HOME_VISIT: (10, 15, 15, 10),
    Kind.WALK_AND_TALK: (5, 10, 15, 10),
    Kind.ACCOMPANY: (10, 10, 0, 15),
    Kind.VAN_STOP: (15, 15, 0, 10),
}
NOTICE_DAYS = 21
REMINDER_DAYS = 10
PLANNING_LEAD_DAYS = 18  # planning date before Monday: most notices in time, a few cannot be
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr")
VAN_SHIFTS = (("07:30", "16:30", 3), ("08:00", "16:00", 2))  # shift start, end, seats; cycled
DAY_HOURS = 8.5  # hours a coach works on a van-day, to turn weekly hours into rostered days
# Fictional staff: name, skills (languages: tr, ar, ru, uk; sucht = addiction counselling), weekly hours.
COACHES = (
    ("Selin Aksoy", ("tr",), 39.0),
    ("Olena Hartmann", ("ru", "uk"), 30.0),
    ("Karim Nasser", ("ar", "sucht"), 25.0),
    ("Jonas Weber", ("uk",), 20.0),
    ("Maria Schmitt", (), 19.5),
    ("Thomas Fischer", ("sucht",), 30.0),
    ("Lena Wolf", ("tr",), 25.0),
    ("Daniel Koch", (), 39.0),
)
SKILL_SHARE = 0.10
PREFERRED_SHARE = 0.40
PRIORITY_WEIGHTS = ((1, 6), (2, 17), (3, 47), (4, 20), (5, 10))
DEPOT_KINDS = ("townhall", "government", "community_centre", "social_facility")  # offices a depot may share
PUBLIC_ACCESS = ("", "yes", "public")
INDOOR_PARKING = ("underground", "multi-storey")
BLOCKED_ACCESS = frozenset({"private", "customers", "no", "permit", "delivery", "destination"})
NON_RESIDENTIAL_KEYS = ("amenity", "shop", "office", "craft", "tourism", "leisure", "healthcare", "man_made")
LABELS = {  # German names for unnamed features
    "bench": "Sitzbank",
    "cafe": "Café",
    "park": "Park",
    "square": "Platz",
    "marketplace": "Marktplatz",
    "parking": "Parkplatz",
    "townhall": "Rathaus",
    "government": "Behörde",
    "doctors": "Arztpraxis",
    "doctor": "Arztpraxis",
    "dentist": "Zahnarztpraxis",
    "clinic": "Klinik",
    "hospital": "Krankenhaus",
    "pharmacy": "Apotheke",
    "post_office": "Post",
    "bank": "Bank",
    "school": "Schule",
    "kindergarten": "Kindergarten",
    "social_facility": "Beratungsstelle",
    "community_centre": "Bürgerhaus",
}
# Third parties: opening hours for appointments (minutes of day), durations, weight, reasons.
ACCOMPANY_RULES: dict[str, tuple[tuple[tuple[int, int], ...], tuple[int, ...], int, tuple[str, ...]]] = {
    "townhall": (
        ((540, 690), (840, 900)),
        (30, 45, 60),
        4,
        ("Termin Bürgerbüro: Ummeldung", "Antrag Wohngeld abgeben", "Termin Ordnungsamt"),
    ),
    "government": (((540, 690),), (45, 60), 3, ("Termin bei der Behörde", "Vorsprache Sozialamt")),
    "doctors": (
        ((540, 690), (840, 900)),
        (45, 60, 90),
        3,
        ("Facharzttermin (Begleitung bis zur Praxis)", "Arzttermin, Attest zur Arbeitsfähigkeit"),
    ),
    "dentist": (((540, 690),), (45, 60), 1, ("Zahnarzttermin (Begleitung bis zur Praxis)",)),
    "clinic": (((540, 720),), (60, 90), 2, ("Vorgespräch Klinik", "Termin Sozialdienst der Klinik")),
    "hospital": (((540, 720),), (60, 90), 2, ("Termin Sozialdienst im Krankenhaus",)),
    "pharmacy": (((540, 870),), (30,), 1, ("Zuzahlungsbefreiung klären",)),
    "post_office": (((540, 870),), (30,), 1, ("Postident für Kontoeröffnung", "Nachsendeauftrag einrichten")),
    "bank": (((540, 720), (840, 900)), (45, 60), 2, ("Basiskonto eröffnen", "Termin Pfändungsschutzkonto")),
    "school": (((480, 780),), (45, 60), 2, ("Gespräch mit der Klassenlehrkraft", "Termin Schulsozialarbeit")),
    "kindergarten": (((510, 780),), (30, 45), 2, ("Anmeldung Kita-Platz", "Eingewöhnungsgespräch Kita")),
    "social_facility": (
        ((540, 870),),
        (60, 90),
        3,
        ("Erstgespräch Schuldnerberatung", "Termin Suchtberatung"),
    ),
    "community_centre": (((540, 870),), (60, 90), 1, ("Termin Migrationsberatung", "Bewerbungswerkstatt")),
}
OTHER_THIRD_PARTY = (((540, 840),), (45, 60), 1, ("Begleitung zum Termin",))
HOME_NOTES = (
    "Hund im Haushalt",
    "Klingel defekt, vorher anrufen",
    "seit über einem Jahr nicht erreicht",
    "mehrere Einladungen ohne Reaktion",
    "Einverständniserklärung liegt vor",
    "mobilitätseingeschränkt",
)
WALK_NOTES = (
    "Erstkontakt: Erkennungszeichen rote Mappe, Ausweis mitbringen",
    "kann jederzeit abbrechen, ruhige Strecke wählen",
    "Kinderbetreuung nur vormittags",
    "lieber draußen als im Büro",
)
BRING = (
    "Flyer Schuldnerberatung",
    "Antrag Weiterbewilligung",
    "Infoblatt Kinderbetreuung",
    "Bewerbungsmappe",
)
LANGUAGE_NOTE = "spricht wenig Deutsch"


@dataclass(frozen=True)
class Config:
    """The generator's arguments."""

    osm: Path
    out: Path
    week: str = "2026-W49"
    seed: int = 7
    requests: int = 150
    vans: int = 2
    coaches: int = 5
    depot_name: str = "Rathaus"
    depot: Point | None = None
    planning_date: date | None = None
    name: str = ""
    mix: tuple[int, ...] = tuple(KIND_SHARES.values())


@dataclass(frozen=True)
class Locality:
    """A named village, hamlet or town with the number of homes nearest to it."""

    name: str
    point: Point
    size: int


@dataclass(frozen=True)
class VanRow:
    """One generated van."""

    id: str
    name: str
    shift_start: str
    shift_end: str
    seats: int
    unavailable: date | None


@dataclass(frozen=True)
class CoachRow:
    """One generated coach."""

    id: str
    name: str
    skills: tuple[str, ...]
    weekly_hours: float
    phone: str


@dataclass(frozen=True)
class Client:
    """A pseudonymous client and what stays the same across their appointments."""

    id: str
    skills: tuple[str, ...]
    preferred_coach: str
    priority: int


@dataclass
class Row:
    """One request row being built; written out in REQUEST_COLUMNS order."""

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


def _metres(a: Point, b: Point) -> float:
    """Equirectangular distance in metres, exact enough within a district."""
    dy = (a.lat - b.lat) * 110_574.0
    dx = (a.lon - b.lon) * 111_320.0 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def _hhmm(minutes: int) -> str:
    """Minutes of the day as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _nearest_index(points: Sequence[Point], targets: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the index of the nearest target and the distance to it in metres."""
    lat0 = math.radians(sum(t.lat for t in targets) / len(targets))
    p = np.array([(q.lat * 110_574.0, q.lon * 111_320.0 * math.cos(lat0)) for q in points])
    t = np.array([(q.lat * 110_574.0, q.lon * 111_320.0 * math.cos(lat0)) for q in targets])
    d = np.hypot(p[:, None, 0] - t[None, :, 0], p[:, None, 1] - t[None, :, 1])
    best = d.argmin(axis=1)
    return best, d[np.arange(len(points)), best]


def localities(places: Places) -> list[Locality]:
    """Named settlements, plus towns known only from addr:city, sized by the homes nearest to them."""
    found = [(s.name, s.point) for s in places.settlements]
    by_city: dict[str, list[Place]] = {}
    for a in places.addresses:
        by_city.setdefault(a.tag("addr:city"), []).append(a)
    for city, addresses in sorted(by_city.items()):
        if not city or len(addresses) < 10:
            continue
        centre = Point(
            sum(a.point.lat for a in addresses) / len(addresses),
            sum(a.point.lon for a in addresses) / len(addresses),
        )
        medoid = min(addresses, key=lambda a: _metres(a.point, centre)).point
        named = [p for n, p in found if city_tokens(n)[:1] == city_tokens(city)[:1]]
        if all(_metres(medoid, p) > 1000 for _, p in found) and not named:
            found.append((city, medoid))
    if not found:
        return []
    homes = [b.point for b in places.buildings] + [a.point for a in places.addresses]
    sizes = [0] * len(found)
    if homes:
        best, dist = _nearest_index(homes, [p for _, p in found])
        for i, d in zip(best, dist, strict=True):
            if d < 1500:
                sizes[int(i)] += 1
    return [Locality(n, p, s) for (n, p), s in zip(found, sizes, strict=True)]


def _locality_namer(locs: Sequence[Locality]) -> Callable[[Point], str]:
    """A function naming the locality nearest to a point ("" when there are none)."""
    if not locs:
        return lambda _p: ""
    return lambda p: min(locs, key=lambda loc: _metres(loc.point, p)).name


def _label(place: Place, locality: str) -> str:
    """A display name: the OSM name, else a German label with the locality ("Sitzbank bei Theta")."""
    if place.name:
        generic = len(place.name.split()) == 1 and locality.lower() not in place.name.lower()
        return f"{place.name} {locality}" if generic and locality else place.name
    label = LABELS.get(place.kind, "Treffpunkt")
    return f"{label} bei {locality}" if locality else label


def choose_depot(places: Places, cfg: Config, name_of: Callable[[Point], str]) -> tuple[str, str, Point, str]:
    """Depot id, name, point, address: the given coordinates, else the public office (named like
    `depot_name` if one is) nearest the centre of the homes, else the address nearest that centre."""
    homes = places.addresses or places.buildings
    if cfg.depot is not None:
        point, name, address = cfg.depot, cfg.depot_name or "Jobcenter", ""
    else:
        if not homes:
            raise SystemExit("the extract has no addresses or buildings: give --depot-lat/--depot-lon")
        centre = Point(
            sum(h.point.lat for h in homes) / len(homes), sum(h.point.lon for h in homes) / len(homes)
        )
        offices = [t for t in places.third_parties if t.kind in DEPOT_KINDS]
        named = [t for t in offices if cfg.depot_name and cfg.depot_name.lower() in t.name.lower()]
        best = min(named or offices or homes, key=lambda t: _metres(t.point, centre))
        point, address = best.point, best.address
        locality = name_of(best.point)
        label = best.name or LABELS.get(best.kind, "Jobcenter")
        name = label if best in offices else f"Jobcenter-Außenstelle {locality}".strip()
        if locality and locality.lower() not in name.lower():
            name = f"{name} {locality}"
    letters = "".join(c for c in (name_of(point) or name).upper() if c.isalpha())
    return f"JC-{letters[:3].replace('Ä', 'A').replace('Ö', 'O').replace('Ü', 'U')}", name, point, address


def make_vans(cfg: Config, rng: random.Random, days: Sequence[date]) -> list[VanRow]:
    """Vans alternating a long (3 seats) and a short (2 seats) shift; the last van has a workshop day."""
    vans = []
    for i in range(cfg.vans):
        start, end, seats = VAN_SHIFTS[i % len(VAN_SHIFTS)]
        vans.append(VanRow(f"V{i + 1}", f"Beratungsmobil {i + 1}", start, end, seats, None))
    if vans:
        vans[-1] = replace(vans[-1], unavailable=days[rng.randrange(1, len(days) - 1)])
    return vans


def make_coaches(cfg: Config) -> list[CoachRow]:
    """Coaches with part-time hours and languages, from the fictional staff list (cycled)."""
    rows = []
    for i in range(cfg.coaches):
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


def van_stop_sites(places: Places) -> list[Place]:
    """Open-air parking places and squares open to the public, where a van can hold consultation hours."""
    return [
        p
        for p in places.parking + places.squares
        if p.tag("access") not in BLOCKED_ACCESS and p.tag("parking") not in INDOOR_PARKING
    ]


def _counts(total: int, shares: Sequence[int]) -> dict[Kind, int]:
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
        cfg: Config,
        places: Places,
        rng: random.Random,
        days: Sequence[date],
        coaches: Sequence[CoachRow],
        roster: Sequence[tuple[date, str, str]],
        locs: Sequence[Locality],
    ) -> None:
        """Keep the inputs and derive the pools of homes, meeting points and third parties."""
        self.places, self.rng, self.days = places, rng, days
        self.coaches, self.roster, self.locs = coaches, roster, locs
        self.name_of = _locality_namer(locs)
        self.monday = days[0]
        self.planning = cfg.planning_date or self.monday - timedelta(days=PLANNING_LEAD_DAYS)
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
        self.third = self._dedupe(places.third_parties)
        self.clients: list[Client] = []

    @staticmethod
    def _dedupe(places: Sequence[Place]) -> list[Place]:
        """One place per name and kind within 150 m (an OSM node and the building of the same office)."""
        kept: list[Place] = []
        for p in places:
            if not any(
                k.name == p.name and k.kind == p.kind and _metres(k.point, p.point) < 150 for k in kept
            ):
                kept.append(p)
        return kept

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
            raise SystemExit("the extract has too few addresses and buildings for this many requests")
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
            row = self._row(Kind.WALK_AND_TALK, client, _label(spot, self.name_of(spot.point)), duration)
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
        row = self._row(Kind.ACCOMPANY, client, _label(target, self.name_of(target.point)), duration)
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
            near = [s for s in sites if s.ref not in used and _metres(s.point, loc.point) < 1000]
            if near:
                public = [s for s in near if s.tag("access") in PUBLIC_ACCESS] or near
                chosen.append((loc, min(public, key=lambda s: _metres(s.point, loc.point))))
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
            label = site.name if site.kind in ("square", "marketplace") and site.name else _label(site, "")
            if site.kind == "parking" and site.name:
                label = f"Parkplatz {site.name}"
            for day in (first, second)[: count - len(rows)]:
                load[(day, half)] += 1
                row = self._row(Kind.VAN_STOP, None, f"Beratungsmobil {loc.name}: {label}", duration)
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


def build(cfg: Config) -> dict[str, str]:
    """Generate the scenario; returns file name -> file content."""
    rng = random.Random(cfg.seed)
    year, week = cfg.week.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    days = [monday + timedelta(days=i) for i in range(5)]
    places = read_places(cfg.osm)
    locs = localities(places)
    name_of = _locality_namer(locs)
    depot = choose_depot(places, cfg, name_of)
    vans = make_vans(cfg, rng, days)
    coaches = make_coaches(cfg)
    roster = make_roster(vans, coaches, days, rng)
    b = Builder(cfg, places, rng, days, coaches, roster, locs)
    counts = _counts(cfg.requests, cfg.mix)
    if not b.third:
        counts[Kind.WALK_AND_TALK] += counts.pop(Kind.ACCOMPANY)
    late = (
        max(1, round(counts[Kind.HOME_VISIT] * 0.06)) if b.planning + timedelta(NOTICE_DAYS) > monday else 0
    )
    rows = [b.walk_and_talk() for _ in range(counts[Kind.WALK_AND_TALK])]
    rows += [b.home_visit(late_notice=i < late) for i in range(counts[Kind.HOME_VISIT])]
    taken: set[tuple[str, date, int]] = set()
    rows += [b.accompany(taken) for _ in range(counts.get(Kind.ACCOMPANY, 0))]
    rows += b.van_stops(counts[Kind.VAN_STOP], vans)
    b.pin(rows)
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        row.id = f"R{i + 1:03d}"
    osm_rel = os.path.relpath(
        os.path.abspath(cfg.osm), os.path.abspath(cfg.out)
    )  # keep symlinked shared/ as is
    name = cfg.name or "-".join(w.capitalize() for w in cfg.out.resolve().name.split("-"))
    return {
        "scenario.toml": _toml(cfg, name, b.planning, depot, osm_rel),
        "requests.csv": _csv(REQUEST_COLUMNS, [_request_cells(r) for r in rows]),
        "vans.csv": _csv(VAN_COLUMNS, [_van_cells(v, depot[0]) for v in vans]),
        "coaches.csv": _csv(COACH_COLUMNS, [_coach_cells(c) for c in coaches]),
        "roster.csv": _csv(ROSTER_COLUMNS, [(d.isoformat(), v, c) for d, v, c in roster]),
        "README.md": _readme(cfg, name, rows, vans, coaches, roster, depot, b.planning),
    }


def _request_cells(r: Row) -> list[str]:
    """A request row as CSV cells in REQUEST_COLUMNS order."""
    avail = "; ".join(f"{WEEKDAYS[d]} {_hhmm(s)}-{_hhmm(e)}" for d, s, e in r.windows)
    fixed = f"{r.fixed_start[0].isoformat()} {_hhmm(r.fixed_start[1])}" if r.fixed_start else ""
    pin = (r.pin[0], r.pin[1].isoformat(), _hhmm(r.pin[2])) if r.pin else ("", "", "")
    values = {
        "id": r.id,
        "kind": r.kind.value,
        "client": r.client,
        "lat": f"{r.point.lat:.6f}" if r.point else "",
        "lon": f"{r.point.lon:.6f}" if r.point else "",
        "address": r.address,
        "place": r.place,
        "duration_min": str(r.duration),
        "latest_date": r.latest.isoformat() if r.latest else "",
        "availability": avail,
        "fixed_start": fixed,
        "staff": "2" if r.kind == Kind.HOME_VISIT else "1",
        "skills": "; ".join(r.skills),
        "preferred_coach": r.preferred_coach,
        "priority": str(r.priority),
        "notice_sent": r.notice_sent.isoformat() if r.notice_sent else "",
        "pin_van": pin[0],
        "pin_date": pin[1],
        "pin_start": pin[2],
        "bring": r.bring,
        "note": r.note,
        "visitors": "" if r.visitors is None else str(r.visitors),
    }
    return [values.get(c, "") for c in REQUEST_COLUMNS]


def _van_cells(v: VanRow, depot_id: str) -> list[str]:
    """A van as CSV cells."""
    unavailable = v.unavailable.isoformat() if v.unavailable else ""
    return [v.id, v.name, depot_id, "Mo-Fr", v.shift_start, v.shift_end, str(v.seats), unavailable]


def _coach_cells(c: CoachRow) -> list[str]:
    """A coach as CSV cells."""
    hours = f"{c.weekly_hours:g}"
    return [c.id, c.name, "; ".join(c.skills), hours, c.phone]


def _csv(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV text with "\\n" line ends, quoting only where needed."""
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(_quote(cell) for cell in row))
    return "\n".join(lines) + "\n"


def _quote(cell: str) -> str:
    """One CSV cell, quoted when it holds a separator, quote or line break."""
    if any(ch in cell for ch in ',;"\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _s(value: str) -> str:
    """A TOML basic string."""
    return json.dumps(value, ensure_ascii=False)


def _toml(cfg: Config, name: str, planning: date, depot: tuple[str, str, Point, str], osm: str) -> str:
    """scenario.toml with every setting written out."""
    depot_id, depot_name, point, address = depot
    lines = [
        f"# Generated by scenarios/generate.py (seed {cfg.seed}); see README.md.",
        f"name = {_s(name)}",
        f"week = {_s(cfg.week)}",
        'timezone = "Europe/Berlin"',
        f"planning_date = {_s(planning.isoformat())}",
        'language = "de"',
        'contact = "Koordination: 0921 0000-00"',
        "show_names = false",
        "",
        "[[depots]]",
        f"id = {_s(depot_id)}",
        f"name = {_s(depot_name)}",
        f"lat = {point.lat:.6f}",
        f"lon = {point.lon:.6f}",
        f"address = {_s(address)}",
        "",
        "[network]",
        f"osm = {_s(osm)}",
        "van_speed_factor = 0.9",
        "max_snap_m = 1000",
        "detour_factor = 1.3",
        "fallback_speed_kmh = 45",
    ]
    for kind, (setup, docs, overrun, safety) in BUFFERS.items():
        lines += [
            "",
            f"[buffers.{kind.value}]",
            f"setup_min = {setup}",
            f"documentation_min = {docs}",
            f"overrun_min = {overrun}",
            f"travel_safety_pct = {safety}",
        ]
    lines += [
        "",
        "[home_visit]",
        f"notice_days = {NOTICE_DAYS}",
        f"reminder_days = {REMINDER_DAYS}",
        "",
        "[work]",
        "max_work_min = 600",
        "",
        "[solver]",
        "# time_limit_s = 30             # default: 0.3 s per request, 30 s to 10 min",
        "seed = 1",
        "",
        "[geocoding]",
        'nominatim_url = ""',
        "min_delay_s = 1.0",
        'cache = "geocode-cache.json"',
        "",
        "[map]",
        'tile_url = ""',
    ]
    return "\n".join(lines) + "\n"


def _readme(
    cfg: Config,
    name: str,
    rows: Sequence[Row],
    vans: Sequence[VanRow],
    coaches: Sequence[CoachRow],
    roster: Sequence[tuple[date, str, str]],
    depot: tuple[str, str, Point, str],
    planning: date,
) -> str:
    """A short description of how the folder was made, what is in it, and the map data licence."""
    kinds = {k: sum(1 for r in rows if r.kind == k) for k in KIND_SHARES}
    van_days = sorted({(d, v) for d, v, _ in roster})
    crew_sizes = [sum(1 for d2, v2, _ in roster if (d2, v2) == vd) for vd in van_days]
    geocoded = sum(1 for r in rows if r.point is None)
    late = sum(1 for r in rows if r.kind == Kind.HOME_VISIT and r.latest is not None)
    kind_lines = [f"  - {k.value}: {n}" for k, n in kinds.items()]
    return "\n".join(
        [
            f"# {name}: demo scenario",
            "",
            f"Generated from the OpenStreetMap extract `{cfg.osm.name}` (path in `scenario.toml`) with",
            "",
            "```",
            f"python -m scenarios.generate --osm {cfg.osm.name} --out {cfg.out.name} --week {cfg.week} "
            f"--seed {cfg.seed} --requests {cfg.requests} --vans {cfg.vans} --coaches {cfg.coaches} "
            f"--depot-name {_s(cfg.depot_name)} --mix {','.join(map(str, cfg.mix))}",
            "```",
            "",
            "(give the real paths of the extract and the folder). The same arguments give the same files.",
            "",
            f"- week {cfg.week}, planned on {planning.isoformat()}; depot {depot[1]} ({depot[0]})",
            f"- {len(rows)} requests:",
            *kind_lines,
            f"- {geocoded} requests carry only an address and are geocoded offline from the extract;",
            f"  {late} home visits cannot meet the {NOTICE_DAYS}-day notice before their latest date",
            f"- {len(vans)} vans, {len(coaches)} coaches, {len(van_days)} van-days "
            f"(crew of 1: {crew_sizes.count(1)}, 2: {crew_sizes.count(2)}, 3: {crew_sizes.count(3)})",
            "",
            "Every location is a real feature of the extract (address, bench, café, town hall, parking).",
            "Clients are pseudonyms (K-1001, ...); coach names and phone numbers are fictional.",
            "",
            "Map data © OpenStreetMap contributors, available under the Open Database License (ODbL),",
            "https://www.openstreetmap.org/copyright.",
            "",
        ]
    )


def write(cfg: Config) -> dict[str, str]:
    """Generate and write the scenario folder; returns what was written."""
    files = build(cfg)
    cfg.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (cfg.out / name).write_text(text, encoding="utf-8", newline="\n")
    return files


def parse_args(argv: Sequence[str] | None = None) -> Config:
    """Command-line arguments as a Config."""
    ap = argparse.ArgumentParser(prog="python -m scenarios.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--osm", type=Path, required=True, help=".osm, .osm.gz or .osm.pbf extract")
    ap.add_argument("--out", type=Path, required=True, help="scenario folder to write")
    ap.add_argument("--week", default="2026-W49", help="ISO week, e.g. 2026-W49")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--requests", type=int, default=150)
    ap.add_argument("--vans", type=int, default=2)
    ap.add_argument("--coaches", type=int, default=5)
    ap.add_argument(
        "--depot-name",
        default="Rathaus",
        help="without coordinates: the town hall or office whose name contains this, nearest the "
        "centre of the addresses; with coordinates: the depot's name",
    )
    ap.add_argument("--depot-lat", type=float)
    ap.add_argument("--depot-lon", type=float)
    ap.add_argument(
        "--planning-date", type=date.fromisoformat, help=f"default: {PLANNING_LEAD_DAYS} days before"
    )
    ap.add_argument("--name", default="", help="scenario name; default from the folder name")
    ap.add_argument(
        "--mix",
        default=",".join(str(v) for v in KIND_SHARES.values()),
        help="shares of walk_and_talk, home_visit, accompany, van_stop (default %(default)s)",
    )
    a = ap.parse_args(argv)
    if (a.depot_lat is None) != (a.depot_lon is None):
        ap.error("give both --depot-lat and --depot-lon, or neither")
    if a.requests < 1 or a.vans < 1 or a.coaches < 1:
        ap.error("--requests, --vans and --coaches must be at least 1")
    mix = tuple(int(v) for v in a.mix.split(",")) if a.mix.replace(",", "").isdigit() else ()
    if len(mix) != len(KIND_SHARES) or sum(mix) == 0:
        ap.error("--mix takes four whole numbers, e.g. 35,30,20,15")
    depot = Point(a.depot_lat, a.depot_lon) if a.depot_lat is not None else None
    return Config(
        a.osm,
        a.out,
        a.week,
        a.seed,
        a.requests,
        a.vans,
        a.coaches,
        a.depot_name,
        depot,
        a.planning_date,
        a.name,
        mix,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m scenarios.generate`."""
    cfg = parse_args(argv)
    files = write(cfg)
    print(f"wrote {', '.join(files)} to {cfg.out}")


if __name__ == "__main__":
    main()
