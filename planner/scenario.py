"""The scenario as the coordinator wrote it: typed, validated input records.

These records are what `planner.input.load` produces from a scenario folder and what the
independent validator re-reads. They hold calendar dates and local clock times; the
conversion to absolute seconds of the week happens once, in `planner.problem.build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    """The four kinds of appointment named in the job centre's directive."""

    HOME_VISIT = "home_visit"
    WALK_AND_TALK = "walk_and_talk"
    ACCOMPANY = "accompany"
    VAN_STOP = "van_stop"


WEEKDAYS_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Point:
    """A WGS84 position, latitude first (as on a map pin)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring availability window: weekday 0=Monday, clock times, both ends inclusive."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Buffers:
    """Extra time around an appointment of one kind, in minutes, and travel safety in percent."""

    setup_min: int = 0
    documentation_min: int = 0
    overrun_min: int = 0
    travel_safety_pct: int = 0


@dataclass(frozen=True)
class Depot:
    """A job centre office where vans start and end their day."""

    id: str
    name: str
    point: Point
    address: str = ""


WEIGHTINGS = ("people", "hours")  # how a request counts in the objective ([objective] weighting)
PRIORITY_WEIGHT = {1: 81, 2: 27, 3: 9, 4: 3, 5: 1}  # a person of each priority: three of the next level


@dataclass(frozen=True)
class Request:
    """One appointment request (one row of requests.csv)."""

    id: str
    kind: Kind
    client: str
    duration_min: int
    row: int  # 1-based data row in the source file, for messages
    point: Point | None = None
    address: str = ""
    place: str = ""
    client_name: str = ""
    earliest: date | None = None
    latest: date | None = None
    availability: tuple[WeeklyWindow, ...] = ()
    fixed_start: datetime | None = None  # naive local time
    staff: int = 1
    skills: frozenset[str] = frozenset()
    preferred_coach: str = ""
    priority: int = 3
    notice_sent: date | None = None
    pin_van: str = ""
    pin_date: date | None = None
    pin_start: time | None = None
    bring: str = ""
    note: str = ""
    visitors: int | None = None  # van stop: people expected (None: the scenario's default)

    @property
    def pinned(self) -> bool:
        """True when the appointment was already communicated and must stay as it is."""
        return bool(self.pin_van)

    def people(self, van_stop_visitors: int) -> int:
        """People the appointment reaches: a van stop its expected visitors, anything else its client."""
        if self.kind is Kind.VAN_STOP:
            return self.visitors if self.visitors is not None else van_stop_visitors
        return 1


@dataclass(frozen=True)
class Van:
    """A van, its home depot and its working days."""

    id: str
    depot: str
    weekdays: frozenset[int]
    shift_start: time
    shift_end: time
    seats: int
    name: str = ""
    unavailable: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Coach:
    """A coach who rides the vans."""

    id: str
    name: str
    skills: frozenset[str] = frozenset()
    weekly_hours: float = 39.0
    phone: str = ""


@dataclass(frozen=True)
class RosterEntry:
    """One coach riding one van on one date."""

    day: date
    van: str
    coach: str
    row: int


@dataclass(frozen=True)
class NetworkSettings:
    """Where travel times come from: an OSM extract, or straight lines when none is set."""

    osm: Path | None = None
    van_speed_factor: float = 0.9
    detour_factor: float = 1.3
    fallback_speed_kmh: float = 45.0
    max_snap_m: float = 1000.0


@dataclass(frozen=True)
class GeocodingSettings:
    """Offline address index by default; a self-hosted Nominatim only when configured."""

    nominatim_url: str = ""
    min_delay_s: float = 1.0
    cache: Path | None = None


@dataclass(frozen=True)
class Settings:
    """Everything in scenario.toml."""

    name: str
    week: str  # ISO week, e.g. "2026-W49"
    timezone: str
    depots: tuple[Depot, ...]
    network: NetworkSettings
    buffers: dict[Kind, Buffers]
    planning_date: date
    notice_days: int = 21
    reminder_days: int = 10
    max_work_min: int = 600
    time_limit_s: float | None = None  # None: scaled by the week's size (planner.pipeline.default_time_limit)
    seed: int = 1
    weighting: str = "people"  # "people": a request counts the people it reaches; "hours": per started hour
    van_stop_visitors: int = 3  # people a van stop reaches when its row gives no `visitors`
    geocoding: GeocodingSettings = field(default_factory=GeocodingSettings)
    show_names: bool = False
    language: str = "de"
    contact: str = ""
    tile_url: str = ""

    @property
    def tz(self) -> ZoneInfo:
        """The scenario's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def monday(self) -> date:
        """Monday of the planning week."""
        year, wk = self.week.split("-W")
        return date.fromisocalendar(int(year), int(wk), 1)

    @property
    def days(self) -> tuple[date, ...]:
        """The seven dates of the planning week."""
        return tuple(self.monday + timedelta(days=i) for i in range(7))


# How each text encoding is named to a coordinator, and which spreadsheet export writes it.
_ENCODING_LABELS = {
    "cp1252": ("Windows-1252", "Excel „CSV (Trennzeichen-getrennt)“", 'Excel "CSV (Comma delimited)"'),
    "latin-1": ("ISO-8859-1 (Latin-1)", "", ""),
    "mac_roman": ("Mac OS Roman", "Excel für Mac „CSV“", 'Excel for Mac "CSV"'),
    "utf-16": ("UTF-16", "Excel „Unicode-Text“", 'Excel "Unicode Text"'),
}


@dataclass(frozen=True)
class ReadNotice:
    """A file read in an encoding other than UTF-8; the coordinator is told which one was assumed."""

    file: str
    encoding: str  # a key of _ENCODING_LABELS

    def sentence(self, lang: str) -> str:
        """The notice in German or English; guessed single-byte encodings ask to check the umlauts."""
        name, source_de, source_en = _ENCODING_LABELS[self.encoding]
        table = self.file.endswith(".csv")
        source = (source_de if lang == "de" else source_en) if table else ""
        saved_by = f" ({source})" if source else ""
        if lang == "de":
            text = f"{self.file} ist nicht in UTF-8 gespeichert; gelesen als {name}{saved_by}."
            save_as = "„CSV UTF-8“" if table else "UTF-8"
            check = f" Bitte Umlaute prüfen, oder als {save_as} speichern."
        else:
            text = f"{self.file} is not saved as UTF-8; read as {name}{saved_by}."
            save_as = '"CSV UTF-8"' if table else "UTF-8"
            check = f" Please check umlauts, or save as {save_as}."
        return text + ("" if self.encoding == "utf-16" else check)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario folder, loaded and checked."""

    folder: Path
    settings: Settings
    requests: tuple[Request, ...]
    vans: tuple[Van, ...]
    coaches: tuple[Coach, ...]
    roster: tuple[RosterEntry, ...]
    notices: tuple[ReadNotice, ...] = ()  # how files that are not UTF-8 were read

    def depot(self, depot_id: str) -> Depot:
        """The depot with this id."""
        return next(d for d in self.settings.depots if d.id == depot_id)

    def van(self, van_id: str) -> Van:
        """The van with this id."""
        return next(v for v in self.vans if v.id == van_id)

    def coach(self, coach_id: str) -> Coach:
        """The coach with this id."""
        return next(c for c in self.coaches if c.id == coach_id)

    def crew(self, van_id: str, day: date) -> tuple[str, ...]:
        """Coach ids riding `van_id` on `day`, in roster order."""
        return tuple(r.coach for r in self.roster if r.van == van_id and r.day == day)
