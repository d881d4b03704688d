"""The week's plan as users see it: tours of van-days with timed stops, and the unscheduled list.

A `Plan` is what `vanplan plan` writes to `plan.json` (format in docs/output.md) and what maps,
day sheets, calendars and the validator read back. It knows dates and local times, not solver
indices.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Stop:
    """One appointment in a tour. Times are timezone-aware local times."""

    sequence: int
    request_id: str
    kind: str
    client: str
    lat: float
    lon: float
    place: str
    address: str
    arrival: datetime
    start: datetime
    end: datetime
    departure: datetime
    drive_min: float
    drive_km: float
    staff: int
    setup_min: int
    overrun_min: int
    documentation_min: int
    priority: int = 3
    pinned: bool = False
    preferred_coach: str = ""
    bring: str = ""
    note: str = ""
    client_name: str = ""


@dataclass(frozen=True)
class BreakTime:
    """A break of the crew (Arbeitszeitgesetz), local times."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Tour:
    """One van on one day with its crew, from leaving the depot to returning."""

    van: str
    day: date
    crew: tuple[str, ...]
    depot: str
    depot_lat: float
    depot_lon: float
    depart: datetime
    back: datetime
    stops: tuple[Stop, ...]
    breaks: tuple[BreakTime, ...]
    return_drive_min: float
    return_km: float

    @property
    def drive_min(self) -> float:
        """Total drive minutes of the tour including the way back."""
        return sum(s.drive_min for s in self.stops) + self.return_drive_min

    @property
    def km(self) -> float:
        """Total kilometres of the tour including the way back."""
        return sum(s.drive_km for s in self.stops) + self.return_km

    @property
    def work_min(self) -> float:
        """Working time: depot to depot minus breaks."""
        brk = sum((b.end - b.start).total_seconds() for b in self.breaks)
        return ((self.back - self.depart).total_seconds() - brk) / 60


@dataclass(frozen=True)
class Unscheduled:
    """A request that is not in any tour, with a reason code and its parameters."""

    request_id: str
    kind: str
    client: str
    reason: str  # a `planner.reasons.Reason` (equal to its code); a file may hold one unknown here
    detail: dict[str, str] = field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    priority: int = 3
    row: int | None = None  # row of requests.csv, for messages that point at the input


SLOWED = 0.6  # a search worker that got less than this share of a core was slowed down


@dataclass(frozen=True)
class Amendments:
    """What `vanplan replan` changed in the week since the scenario folder was planned: the next
    replan applies them again, so a change is made once, whichever version comes after it."""

    cancelled: tuple[tuple[str, str], ...] = ()  # (request, who cancelled)
    off_roster: tuple[tuple[str, str, str], ...] = ()  # (date, van, coach): an absent coach's van-days
    van_unavailable: tuple[tuple[str, str], ...] = ()  # (van, date)
    availability: tuple[tuple[str, str], ...] = ()  # (request, new windows as in requests.csv)
    fixed_start: tuple[tuple[str, str], ...] = ()  # (request, YYYY-MM-DD HH:MM)
    back_by: tuple[tuple[str, str, str], ...] = ()  # (van, date, YYYY-MM-DD HH:MM): a tour cut short
    out_from: tuple[tuple[str, str, str], ...] = ()  # (van, date, YYYY-MM-DD HH:MM): a tour starting late
    on_roster: tuple[tuple[str, str, str], ...] = ()  # (date, van, coach): crew of a van out of service

    @classmethod
    def from_dict(cls, raw: dict[str, list[list[str]]]) -> Amendments:
        """Read the `amendments` object of plan.json."""
        return cls(**{key: tuple(tuple(item) for item in items) for key, items in raw.items()})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Plan:
    """The week's plan plus how it was made."""

    scenario: str
    week: str
    timezone: str
    tours: tuple[Tour, ...]
    unscheduled: tuple[Unscheduled, ...]
    travel_source: str
    seed: int
    time_limit_s: float
    stop_reason: str = ""
    search_s: float = 0.0
    objective: int = 0
    created: str = ""
    cpu_share: float = 1.0  # least share of a core a search worker got (well below 1: a busy machine)
    unfinished_workers: int = 0  # search workers cut off at the deadline or lost
    version: int = 1  # 1 for `vanplan plan`; each `vanplan replan` writes the next number
    previous_version: int | None = None  # the version a replan started from
    history_until: str = ""  # a replan's --now (ISO, local time): stops before it were kept as history
    amendments: Amendments = field(default_factory=Amendments)

    @property
    def slowed(self) -> bool:
        """Whether a busy machine cost the search time (so the plan may be worse than usual)."""
        return self.unfinished_workers > 0 or self.cpu_share < SLOWED

    def stops(self) -> list[tuple[Tour, Stop]]:
        """Every placed stop with its tour."""
        return [(t, s) for t in self.tours for s in t.stops]

    def to_json(self) -> str:
        """Serialise to the documented JSON format."""
        return json.dumps(
            {"format": FORMAT_VERSION, **asdict(self)}, default=_encode, indent=1, ensure_ascii=False
        )

    def write(self, path: Path) -> None:
        """Write plan.json."""
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Read a plan written by `to_json`."""
        raw = json.loads(text)
        if raw.pop("format", None) != FORMAT_VERSION:
            raise ValueError(f"not a vanplan plan of format {FORMAT_VERSION}")
        tours = tuple(_tour(t) for t in raw.pop("tours"))
        unscheduled = tuple(Unscheduled(**u) for u in raw.pop("unscheduled"))
        amendments = Amendments.from_dict(raw.pop("amendments", {}))
        return cls(tours=tours, unscheduled=unscheduled, amendments=amendments, **raw)

    @classmethod
    def read(cls, path: Path) -> Plan:
        """Read plan.json."""
        return cls.from_json(path.read_text(encoding="utf-8"))


def _encode(obj: object) -> str:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _tour(raw: dict[str, Any]) -> Tour:
    stops = tuple(
        Stop(**{**s, **{k: datetime.fromisoformat(s[k]) for k in ("arrival", "start", "end", "departure")}})
        for s in raw.pop("stops")
    )
    breaks = tuple(
        BreakTime(datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
        for b in raw.pop("breaks")
    )
    return Tour(
        stops=stops,
        breaks=breaks,
        day=date.fromisoformat(raw.pop("day")),
        crew=tuple(raw.pop("crew")),
        depart=datetime.fromisoformat(raw.pop("depart")),
        back=datetime.fromisoformat(raw.pop("back")),
        **raw,
    )
