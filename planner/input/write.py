"""Write a `Scenario` back as a scenario folder (docs/input.md) that `planner.input.load` reads as the same.

The mirror of the loader: `load_scenario(folder)` after `write_scenario(scenario, folder)` gives an
equal scenario, with these exceptions, which no loaded scenario has:
- `folder` is where the files went, and paths (`network.osm`, `geocoding.cache`) are written relative to
  it, so they name the same files but may be spelt differently (`a/../b` comes back as `b`);
- `row` numbers are those of the written files (2, 3, ... in order);
- `notices` are empty, since everything is written as UTF-8;
- text cells lose leading and trailing spaces, and date-times their seconds, as the loader reads them;
- availability windows come back sorted by weekday and start.
Numbers are written as short as they read back exactly: coordinates with six decimals where that is
exact (about 0.1 m), other numbers without a trailing `.0`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from planner.input.columns import COACHES, REQUESTS, ROSTER, VANS, Column
from planner.scenario import WEEKDAYS_DE, Coach, Kind, Request, RosterEntry, Scenario, Settings, Van

TOML = "scenario.toml"
R = TypeVar("R")


def write_scenario(scenario: Scenario, folder: Path, comment: str = "") -> list[Path]:
    """Write the scenario's five files into `folder` (created if need be); returns their paths.

    `comment` becomes a `#` line at the top of scenario.toml (e.g. how the folder was made).
    """
    return write_files(folder, scenario_files(scenario, folder, comment))


def write_files(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write each text as UTF-8 with `\\n` line ends under its name in `folder` (created if need be)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def scenario_files(scenario: Scenario, folder: Path, comment: str = "") -> dict[str, str]:
    """The text of each file of the scenario written into `folder`, by file name."""
    return {
        TOML: toml_text(scenario.settings, folder, comment),
        "requests.csv": _table(REQUESTS, _REQUEST_CELLS, scenario.requests),
        "vans.csv": _table(VANS, _VAN_CELLS, scenario.vans),
        "coaches.csv": _table(COACHES, _COACH_CELLS, scenario.coaches),
        "roster.csv": _table(ROSTER, _ROSTER_CELLS, scenario.roster),
    }


def _table(columns: Sequence[Column], cells: Mapping[str, Callable[[R], str]], records: Iterable[R]) -> str:
    """Records as CSV, one row each, a cell per column made by that column's function."""
    return csv_text(columns, [[cells[c.name](record) for c in columns] for record in records])


# --- cells: values as the loader's cell parsers read them ---


def decimal_text(value: float) -> str:
    """The shortest decimal that reads back as `value`, never in exponent form: `39`, `19.5`, `0.0000001`."""
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def coordinate_text(value: float) -> str:
    """A latitude or longitude with six decimals, or more where six would not read back exactly."""
    six = f"{value:.6f}"
    return six if float(six) == value else decimal_text(value)


def _date(day: date | None) -> str:
    """A date as `YYYY-MM-DD`, empty for none."""
    return "" if day is None else day.isoformat()


def _clock(moment: time | None) -> str:
    """A clock time as `HH:MM`, empty for none."""
    return "" if moment is None else f"{moment:%H:%M}"


def _date_time(moment: datetime | None) -> str:
    """A date-time as `YYYY-MM-DD HH:MM`, empty for none."""
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _items(values: Iterable[str]) -> str:
    """A set of names as a sorted `; ` list."""
    return "; ".join(sorted(values))


def weekdays_text(days: Iterable[int]) -> str:
    """Weekdays with runs as ranges: `Mo-Fr`, `Mo; Mi-Fr`."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "; ".join(
        WEEKDAYS_DE[run[0]] if len(run) == 1 else f"{WEEKDAYS_DE[run[0]]}-{WEEKDAYS_DE[run[-1]]}"
        for run in runs
    )


def _availability(request: Request) -> str:
    """Weekly windows, one per entry: `Mo 09:00-12:00; Mi 14:00-17:00`."""
    return "; ".join(
        f"{WEEKDAYS_DE[w.weekday]} {_clock(w.start)}-{_clock(w.end)}" for w in request.availability
    )


def _optional(value: int | None) -> str:
    """A whole number, empty for none."""
    return "" if value is None else str(value)


_REQUEST_CELLS: dict[str, Callable[[Request], str]] = {
    "id": lambda r: r.id,
    "kind": lambda r: r.kind.value,
    "client": lambda r: r.client,
    "client_name": lambda r: r.client_name,
    "lat": lambda r: coordinate_text(r.point.lat) if r.point else "",
    "lon": lambda r: coordinate_text(r.point.lon) if r.point else "",
    "address": lambda r: r.address,
    "place": lambda r: r.place,
    "duration_min": lambda r: str(r.duration_min),
    "earliest_date": lambda r: _date(r.earliest),
    "latest_date": lambda r: _date(r.latest),
    "availability": _availability,
    "fixed_start": lambda r: _date_time(r.fixed_start),
    "staff": lambda r: str(r.staff),
    "skills": lambda r: _items(r.skills),
    "preferred_coach": lambda r: r.preferred_coach,
    "priority": lambda r: str(r.priority),
    "notice_sent": lambda r: _date(r.notice_sent),
    "pin_van": lambda r: r.pin_van,
    "pin_date": lambda r: _date(r.pin_date),
    "pin_start": lambda r: _clock(r.pin_start),
    "bring": lambda r: r.bring,
    "note": lambda r: r.note,
    "visitors": lambda r: _optional(r.visitors),
}
_VAN_CELLS: dict[str, Callable[[Van], str]] = {
    "id": lambda v: v.id,
    "name": lambda v: v.name,
    "depot": lambda v: v.depot,
    "days": lambda v: weekdays_text(v.weekdays),
    "shift_start": lambda v: _clock(v.shift_start),
    "shift_end": lambda v: _clock(v.shift_end),
    "seats": lambda v: str(v.seats),
    "unavailable": lambda v: "; ".join(d.isoformat() for d in sorted(v.unavailable)),
}
_COACH_CELLS: dict[str, Callable[[Coach], str]] = {
    "id": lambda c: c.id,
    "name": lambda c: c.name,
    "skills": lambda c: _items(c.skills),
    "weekly_hours": lambda c: decimal_text(c.weekly_hours),
    "phone": lambda c: c.phone,
}
_ROSTER_CELLS: dict[str, Callable[[RosterEntry], str]] = {
    "date": lambda e: e.day.isoformat(),
    "van": lambda e: e.van,
    "coach": lambda e: e.coach,
}


def csv_text(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> str:
    """A table as CSV with a header row, separator `,`, `\\n` line ends, quoting only where needed."""
    lines = [",".join(c.name for c in columns)]
    lines += [",".join(_quote(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def _quote(cell: str) -> str:
    """One CSV cell, quoted when it holds a separator the loader may detect, a quote or a line break."""
    if any(ch in cell for ch in ',;\t"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


# --- scenario.toml ---


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL is a control character TOML wants escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _path(path: Path | None, folder: Path) -> str:
    """A path relative to the scenario folder (symlinks kept as they are), empty for none."""
    return _s(os.path.relpath(os.path.abspath(path), os.path.abspath(folder)) if path else "")


def toml_text(settings: Settings, folder: Path, comment: str = "") -> str:
    """scenario.toml with every setting written out, in the order of docs/input.md."""
    net, geo = settings.network, settings.geocoding
    time_limit = (
        f"time_limit_s = {decimal_text(settings.time_limit_s)}"
        if settings.time_limit_s is not None
        else "# time_limit_s = 30             # default: 0.3 s per request, 30 s to 10 min"
    )
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [
        f"name = {_s(settings.name)}",
        f"week = {_s(settings.week)}",
        f"timezone = {_s(settings.timezone)}",
        f"planning_date = {_s(settings.planning_date.isoformat())}",
        f"language = {_s(settings.language)}",
        f"contact = {_s(settings.contact)}",
        f"show_names = {'true' if settings.show_names else 'false'}",
    ]
    for depot in settings.depots:
        lines += [
            "",
            "[[depots]]",
            f"id = {_s(depot.id)}",
            f"name = {_s(depot.name)}",
            f"lat = {coordinate_text(depot.point.lat)}",
            f"lon = {coordinate_text(depot.point.lon)}",
            f"address = {_s(depot.address)}",
        ]
    lines += [
        "",
        "[network]",
        f"osm = {_path(net.osm, folder)}",
        f"van_speed_factor = {decimal_text(net.van_speed_factor)}",
        f"max_snap_m = {decimal_text(net.max_snap_m)}",
        f"detour_factor = {decimal_text(net.detour_factor)}",
        f"fallback_speed_kmh = {decimal_text(net.fallback_speed_kmh)}",
    ]
    for kind in Kind:
        b = settings.buffers[kind]
        lines += [
            "",
            f"[buffers.{kind.value}]",
            f"setup_min = {b.setup_min}",
            f"documentation_min = {b.documentation_min}",
            f"overrun_min = {b.overrun_min}",
            f"travel_safety_pct = {b.travel_safety_pct}",
        ]
    lines += [
        "",
        "[home_visit]",
        f"notice_days = {settings.notice_days}",
        f"reminder_days = {settings.reminder_days}",
        "",
        "[work]",
        f"max_work_min = {settings.max_work_min}",
        "",
        "[solver]",
        time_limit,
        f"seed = {settings.seed}",
        "",
        "[objective]",
        f"weighting = {_s(settings.weighting)}",
        f"van_stop_visitors = {settings.van_stop_visitors}",
        "",
        "[geocoding]",
        f"nominatim_url = {_s(geo.nominatim_url)}",
        f"min_delay_s = {decimal_text(geo.min_delay_s)}",
        f"cache = {_path(geo.cache, folder)}",
        "",
        "[map]",
        f"tile_url = {_s(settings.tile_url)}",
    ]
    return "\n".join(lines) + "\n"
