"""A simulation spec (docs/simulate.md): district, client population, request stream, fleet variants.

`load_spec` reads the TOML file and reports every problem at once, each with the file and the dotted
key, as an `InputError` (exit code 2 on the command line).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from planner.errors import InputError, InputProblem
from planner.generate.rules import BUFFERS
from planner.input.load import parse_skills, parse_time, parse_week, parse_weekdays
from planner.input.tomltable import TomlTable
from planner.scenario import Buffers, Depot, Kind, Point

CLIENT_KINDS = (Kind.WALK_AND_TALK, Kind.HOME_VISIT, Kind.ACCOMPANY)
SITE_KINDS = ("parking", "square", "townhall")
DEFAULT_BUFFERS = BUFFERS  # as the generator writes them
_TOP: tuple[str, ...] = ("name", "osm", "start_week", "weeks", "replications", "seed", "time_limit_s")
_TOP += ("round_branches", "depots", "network", "population", "requests", "siting", "buffers", "variants")
_VARIANT = ("name", "vans", "coaches", "crew", "depots", "van_stops", "buffers")
_VAN = ("id", "depot", "days", "shift_start", "shift_end", "seats")
_COACH = ("id", "name", "skills", "weekly_hours")
_BUFFER = ("setup_min", "documentation_min", "overrun_min", "travel_safety_pct")


@dataclass(frozen=True)
class VanSpec:
    """A van written out in a variant; `days` are weekdays 0 = Monday."""

    id: str
    depot: str
    days: frozenset[int]
    shift_start: str
    shift_end: str
    seats: int


@dataclass(frozen=True)
class CoachSpec:
    """A coach written out in a variant."""

    id: str
    name: str
    skills: frozenset[str]
    weekly_hours: float


@dataclass(frozen=True)
class Variant:
    """One fleet option: vans (a number or written out), coaches, crew size, depots, van stops, buffers."""

    name: str
    vans: int | tuple[VanSpec, ...] = 1
    coaches: int | tuple[CoachSpec, ...] = 2
    crew: int = 3  # most coaches per van-day
    depots: tuple[str, ...] = ()  # depots of generated vans, cycled; default the first depot
    van_stops: int | tuple[str, ...] = 0  # k sites from the siting, or OSM refs like "w123"
    buffers: dict[Kind, Buffers] = field(default_factory=dict)


@dataclass(frozen=True)
class Population:
    """The clients of the district: how many, and who needs which language."""

    clients: int = 400
    persons_per_home: float = 2.0
    languages: dict[str, float] = field(default_factory=dict)  # percent of clients per language


@dataclass(frozen=True)
class RequestStream:
    """New requests a week (Poisson mean), their mix of kinds, and how long they may wait."""

    per_week: float = 30.0
    mix: dict[Kind, int] = field(default_factory=lambda: {Kind.WALK_AND_TALK: 40, Kind.HOME_VISIT: 35})
    max_wait_weeks: int = 4
    notice_days: int = 21


@dataclass(frozen=True)
class Siting:
    """Van stop siting: candidate kinds, the drive time that counts as covered, the largest k."""

    minutes: float = 15.0
    max_sites: int = 6
    kinds: tuple[str, ...] = SITE_KINDS


@dataclass(frozen=True)
class Spec:
    """A whole simulation spec; `osm` is resolved against the spec file's folder."""

    path: Path
    name: str
    osm: Path
    start_week: str
    weeks: int
    variants: tuple[Variant, ...]
    replications: int = 1
    seed: int = 1
    time_limit_s: float = 5.0
    round_branches: int = 0  # search branches per round; 0 = the solver's default
    depots: tuple[Depot, ...] = ()  # empty: the generator's choice (town hall near the centre)
    van_speed_factor: float = 0.9
    max_snap_m: float = 1000.0
    population: Population = field(default_factory=Population)
    requests: RequestStream = field(default_factory=RequestStream)
    siting: Siting = field(default_factory=Siting)
    buffers: dict[Kind, Buffers] = field(default_factory=lambda: dict(DEFAULT_BUFFERS))

    @property
    def start_monday(self) -> date:
        """Monday of the first simulated week."""
        year, week = self.start_week.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)

    def buffers_of(self, variant: Variant) -> dict[Kind, Buffers]:
        """The spec's buffers with the variant's overrides."""
        return self.buffers | variant.buffers


def load_spec(path: Path) -> Spec:
    """Read and check a spec file; raises InputError listing every problem."""
    problems: list[InputProblem] = []
    file = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError([InputProblem(file, None, None, f"not found: {path}")]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([InputProblem(file, None, None, f"not a valid TOML file: {exc}")]) from None
    top = TomlTable(raw, "", file, problems).check_keys(_TOP)
    osm = (path.parent / top.text("osm")).resolve()
    if top.data.get("osm") and not osm.is_file():
        top.problem("osm", f"OSM extract not found: {osm}")
    depots = tuple(
        _depot(t.check_keys(("id", "name", "lat", "lon", "address"))) for t in top.tables("depots")
    )
    network = top.table("network", ("van_speed_factor", "max_snap_m"))
    spec = Spec(
        path=path,
        name=top.text("name", path.stem),
        osm=osm,
        start_week=top.parsed("start_week", parse_week, "2027-W02"),
        weeks=top.whole("weeks", 8, low=1),
        variants=tuple(_variant(t, depots) for t in top.tables("variants")),
        replications=top.whole("replications", 1, low=1),
        seed=top.whole("seed", 1),
        time_limit_s=top.number("time_limit_s", 5.0, low=0.1),
        round_branches=top.whole("round_branches", 0),
        depots=depots,
        van_speed_factor=network.number("van_speed_factor", 0.9, low=0.01),
        max_snap_m=network.number("max_snap_m", 1000.0, low=1.0),
        population=_population(top.table("population", ("clients", "persons_per_home", "languages"))),
        requests=_requests(top.table("requests", ("per_week", "mix", "max_wait_weeks", "notice_days"))),
        siting=_siting(top.table("siting", ("minutes", "max_sites", "kinds"))),
        buffers=DEFAULT_BUFFERS | _buffers(top),
    )
    if not spec.variants:
        top.problem("variants", "at least one [[variants]] table is required")
    names = [v.name for v in spec.variants]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        top.problem("variants", f'duplicate variant name "{dup}"')
    if problems:
        raise InputError(problems)
    return spec


def _depot(t: TomlTable) -> Depot:
    """A `[[depots]]` table."""
    point = Point(t.number("lat", 0.0, -90, 90), t.number("lon", 0.0, -180, 180))
    depot_id = t.text("id")
    return Depot(depot_id, t.text("name", depot_id), point, t.text("address", ""))


def _buffers(t: TomlTable) -> dict[Kind, Buffers]:
    """The kinds written in a `[buffers.KIND]` table, missing keys 0."""
    table = t.table("buffers", tuple(Kind))
    return {
        Kind(kind): Buffers(**{k: sub.whole(k, 0) for k in _BUFFER})
        for kind in table.data
        if kind in tuple(Kind)
        for sub in [table.table(kind, _BUFFER)]
    }


def _population(t: TomlTable) -> Population:
    """The `[population]` table."""
    return Population(
        clients=t.whole("clients", 400, low=1),
        persons_per_home=t.number("persons_per_home", 2.0, low=0.01),
        languages=t.shares("languages", tuple(t.data.get("languages", {})), {}),
    )


def _requests(t: TomlTable) -> RequestStream:
    """The `[requests]` table; van stops come from the variants, not from the mix."""
    default = RequestStream()
    mix = t.shares("mix", tuple(CLIENT_KINDS), {k.value: float(v) for k, v in default.mix.items()})
    if not any(mix.values()):
        t.problem("mix", "needs at least one kind with a share above 0")
    return RequestStream(
        per_week=t.number("per_week", default.per_week),
        mix={Kind(k): round(v) for k, v in mix.items()},
        max_wait_weeks=t.whole("max_wait_weeks", default.max_wait_weeks),
        notice_days=t.whole("notice_days", default.notice_days),
    )


def _siting(t: TomlTable) -> Siting:
    """The `[siting]` table."""
    kinds = t.data.get("kinds", list(SITE_KINDS))
    if not isinstance(kinds, list) or not set(kinds) <= set(SITE_KINDS):
        t.problem("kinds", f"must be a list of {', '.join(SITE_KINDS)}")
        kinds = list(SITE_KINDS)
    return Siting(t.number("minutes", 15.0, low=1.0), t.whole("max_sites", 6, low=1), tuple(kinds))


def _variant(t: TomlTable, depots: tuple[Depot, ...]) -> Variant:
    """A `[[variants]]` table."""
    t.check_keys(_VARIANT)
    known = {d.id for d in depots}
    depot_ids = tuple(t.data.get("depots", []))
    for d in depot_ids:
        if known and d not in known:
            t.problem("depots", f'unknown depot "{d}" (known: {", ".join(sorted(known))})')
    vans: int | tuple[VanSpec, ...]
    if isinstance(t.data.get("vans"), list):
        vans = tuple(_van(v.check_keys(_VAN), known) for v in t.tables("vans"))
    else:
        vans = t.whole("vans", 1, low=1)
    coaches: int | tuple[CoachSpec, ...]
    if isinstance(t.data.get("coaches"), list):
        coaches = tuple(_coach(c.check_keys(_COACH)) for c in t.tables("coaches"))
    else:
        coaches = t.whole("coaches", 2, low=1)
    stops = t.data.get("van_stops", 0)
    van_stops: int | tuple[str, ...]
    if isinstance(stops, list) and all(isinstance(s, str) for s in stops):
        van_stops = tuple(stops)
    else:
        van_stops = t.whole("van_stops", 0)
    return Variant(
        name=t.text("name"),
        vans=vans,
        coaches=coaches,
        crew=t.whole("crew", 3, low=1),
        depots=depot_ids,
        van_stops=van_stops,
        buffers=_buffers(t),
    )


def _van(t: TomlTable, depots: set[str]) -> VanSpec:
    """A van written out in a variant."""
    depot = t.text("depot", "")
    if depots and depot and depot not in depots:
        t.problem("depot", f'unknown depot "{depot}"')
    start, end = t.parsed("shift_start", parse_time, "08:00"), t.parsed("shift_end", parse_time, "16:00")
    if end <= start:
        t.problem("shift_end", "must be after shift_start")
    return VanSpec(
        id=t.text("id"),
        depot=depot,
        days=t.parsed("days", parse_weekdays, "Mo-Fr"),
        shift_start=start.strftime("%H:%M"),
        shift_end=end.strftime("%H:%M"),
        seats=t.whole("seats", 2, low=1),
    )


def _coach(t: TomlTable) -> CoachSpec:
    """A coach written out in a variant."""
    coach_id = t.text("id")
    return CoachSpec(
        id=coach_id,
        name=t.text("name", coach_id),
        skills=t.parsed("skills", parse_skills, ""),
        weekly_hours=t.number("weekly_hours", 39.0, low=1.0, high=60.0),
    )
