"""Read a scenario folder (docs/input.md) into a checked `Scenario`, reporting every problem at once.

Every cell is read as text and parsed here, so ids like "007" and empty cells behave the same in CSV
and Excel. Problems from all files are collected first; one `InputError` then lists them all. Nothing
is geocoded and the road network is not opened: that is later stages' work.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from planner.errors import InputError, InputProblem
from planner.input.columns import TABLES, Column
from planner.input.tomltable import TomlTable, check_range, did_you_mean
from planner.scenario import (
    WEEKDAYS_DE,
    WEEKDAYS_EN,
    WEIGHTINGS,
    Buffers,
    Coach,
    Depot,
    GeocodingSettings,
    Kind,
    NetworkSettings,
    Point,
    ReadNotice,
    Request,
    RosterEntry,
    Scenario,
    Settings,
    Van,
    WeeklyWindow,
)

T = TypeVar("T")

TOML = "scenario.toml"
_FILE_ORDER = ("scenario", "requests", "vans", "coaches", "roster")
_WEEKDAYS_FULL_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_WEEKDAYS_FULL_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_NUMBERS = {
    name.casefold(): number
    for names in (WEEKDAYS_DE, WEEKDAYS_EN, _WEEKDAYS_FULL_DE, _WEEKDAYS_FULL_EN)
    for number, name in enumerate(names)
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")  # zero seconds, as some spreadsheet exports write them
_DATETIME = re.compile(r"(\S+?)(?:\s+|T)(\d{1,2}:\d{2}(?::00)?)")
_WINDOW = re.compile(r"(?P<days>.+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{1,2})", re.IGNORECASE)
_PIN = ("pin_van", "pin_date", "pin_start")


# --- cell parsers: text in, value out, ValueError with a message for the coordinator otherwise ---


def parse_list(text: str) -> tuple[str, ...]:
    """Items of a `;`- or `,`-separated list, stripped, empty items dropped."""
    return tuple(item.strip() for item in re.split(r"[;,]", text) if item.strip())


def parse_int(text: str, low: int | None = None, high: int | None = None) -> int:
    """A whole number, optionally within `low`..`high` (inclusive)."""
    if not re.fullmatch(r"[+-]?\d+", text.strip()):
        raise ValueError(f'"{text}" is not a whole number')
    if len(text.strip()) > 4300:  # int() refuses more digits, with advice meant for programmers
        raise ValueError(f"has {len(text.strip())} digits, too many for a whole number")
    value = int(text)
    check_range(value, low, high)
    return value


def parse_float(text: str, low: float | None = None, high: float | None = None) -> float:
    """A decimal number (a decimal comma as in `50,0167` is fine), optionally within `low`..`high`."""
    cleaned = text.strip().replace(",", ".") if "." not in text else text.strip()
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", cleaned):
        raise ValueError(f'"{text}" is not a number')
    value = float(cleaned)
    check_range(value, low, high)
    return value


def parse_date(text: str) -> date:
    """A date as `YYYY-MM-DD` or `DD.MM.YYYY` (what German spreadsheets show)."""
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _GERMAN_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(f'"{text}" is not a date (YYYY-MM-DD or DD.MM.YYYY)')
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f'"{text}" is not a date in the calendar') from None


def parse_time(text: str) -> time:
    """A 24-hour clock time `HH:MM`."""
    match = _TIME.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f'"{text}" is not a clock time (HH:MM, 00:00 to 23:59)')
    return time(int(match[1]), int(match[2]))


def parse_datetime(text: str) -> datetime:
    """A local date-time `YYYY-MM-DD HH:MM` or `DD.MM.YYYY HH:MM` (naive)."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        raise ValueError(f'"{text}" is not a date-time (YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM)')
    return datetime.combine(parse_date(match[1]), parse_time(match[2]))


def parse_week(text: str) -> str:
    """An ISO week like `2026-W49`, normalised to that spelling."""
    match = _WEEK.fullmatch(text.strip())
    try:
        if not match:
            raise ValueError
        date.fromisocalendar(int(match[1]), int(match[2]), 7)  # all seven days: 9999-W52 ends in 10000
    except ValueError:
        raise ValueError(f'"{text}" is not an ISO week like 2026-W49') from None
    return f"{match[1]}-W{int(match[2]):02d}"


def parse_weekday(text: str) -> int:
    """One weekday, German or English, short or long, any case, as 0 = Monday."""
    try:
        return _WEEKDAY_NUMBERS[text.strip().casefold()]
    except KeyError:
        raise ValueError(f'"{text.strip()}" is not a weekday (Mo Di Mi Do Fr Sa So or Mon ... Sun)') from None


def parse_weekdays(text: str) -> frozenset[int]:
    """Weekdays like `Mo-Fr` or `Mo;Mi;Fr` as numbers 0 = Monday; ranges run from Monday towards Sunday."""
    days: set[int] = set()
    for item in parse_list(text):
        first, dash, last = item.partition("-")
        start = parse_weekday(first)
        end = parse_weekday(last) if dash else start
        if end < start:
            raise ValueError(f'"{item}" runs backwards; write ranges from Monday towards Sunday')
        days.update(range(start, end + 1))
    if not days:
        raise ValueError(f'"{text}" names no weekday')
    return frozenset(days)


def parse_availability(text: str) -> tuple[WeeklyWindow, ...]:
    """Weekly windows like `Mo 09:00-12:00; Mi,Fr 14:00-17:00`, sorted; a window cannot cross midnight."""
    windows: list[WeeklyWindow] = []
    # `;` separates windows, and so does a `,` right after a clock time; a `,` after a day separates days.
    for entry in filter(None, (part.strip() for part in re.split(r";|(?<=\d),", text))):
        match = _WINDOW.fullmatch(entry)
        if not match:
            raise ValueError(f'"{entry}" is not a window like "Mo 09:00-12:00"')
        start, end = parse_time(match["start"]), parse_time(match["end"])
        if end <= start:
            raise ValueError(f'"{entry}" does not end after it starts (a window cannot cross midnight)')
        windows += [WeeklyWindow(day, start, end) for day in parse_weekdays(match["days"])]
    if not windows:
        raise ValueError(f'"{text}" names no window')
    return tuple(sorted(windows, key=lambda w: (w.weekday, w.start)))


def parse_skills(text: str) -> frozenset[str]:
    """Skills and languages, lower-cased so that `TR` on a request matches `tr` on a coach."""
    return frozenset(item.casefold() for item in parse_list(text))


def parse_dates(text: str) -> frozenset[date]:
    """A list of dates, each ISO or German."""
    return frozenset(parse_date(item) for item in parse_list(text))


def parse_kind(text: str) -> Kind:
    """One of the four appointment kinds."""
    try:
        return Kind(text.strip().casefold())
    except ValueError:
        raise ValueError(f'"{text}" is not a kind ({", ".join(Kind)})') from None


# --- tables: read as text, check the header, walk rows that record located problems ---


@dataclass
class _Row:
    """One data row; records a problem, located by file, row and column, for each bad or missing cell."""

    file: str
    number: int
    cells: Mapping[str, str]
    problems: list[InputProblem]
    defaults: Mapping[str, str]  # column -> the cell an empty one stands for (planner.input.columns)
    failed: bool = False

    def text(self, column: str) -> str:
        """The cell as text, empty when the cell or the whole column is absent."""
        return self.cells.get(column, "")

    def problem(self, column: str | None, message: str) -> None:
        """Record a problem at a column of this row, or the whole row; the row then yields no record."""
        self.problems.append(InputProblem(self.file, self.number, column, message))
        self.failed = True

    def get(self, column: str, parse: Callable[[str], T]) -> T | None:
        """The parsed cell, or None when it is empty or does not parse (then the problem is recorded)."""
        text = self.text(column)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None

    def value(self, column: str, parse: Callable[[str], T], default: T | None = None) -> T:
        """Like `get`, with `default` (else the column's default cell, parsed) for an empty or broken cell."""
        parsed = self.get(column, parse)
        if parsed is not None:
            return parsed
        return parse(self.defaults[column]) if default is None else default

    def need(self, column: str, parse: Callable[[str], T]) -> T | None:
        """Like `get`, but an empty cell is a problem as well."""
        if not self.text(column):
            self.problem(column, "is empty but required")
        return self.get(column, parse)

    def refers(self, column: str, known: frozenset[str] | None, what: str) -> None:
        """Check that a non-empty cell names a known id; skipped when the ids are unknown (broken file)."""
        value = self.text(column)
        if value and known is not None and value not in known:
            self.problem(column, f'"{value}" is not a {what} id{did_you_mean(value, known)}')


@dataclass(frozen=True)
class _Table:
    """One input table as text: its file name, its non-empty data rows keyed by column name, and the
    rows whose cell count does not fit the header (reported once; their cells may be in wrong columns)."""

    file: str
    rows: tuple[tuple[int, dict[str, str]], ...]
    misfits: frozenset[int] = frozenset()
    defaults: Mapping[str, str] = field(default_factory=dict)

    def walk(self, problems: list[InputProblem]) -> Iterator[_Row]:
        """Each data row that fits the header as a `_Row` that records problems into `problems`."""
        for number, cells in self.rows:
            if number not in self.misfits:
                yield _Row(self.file, number, cells, problems, self.defaults)

    def ids(self) -> frozenset[str] | None:
        """Every non-empty `id` in the table, including those of rows that have other problems.

        None when there is none, so that references to the table are not checked against nothing:
        the table's own problem is the one to report.
        """
        return frozenset(cells["id"] for _, cells in self.rows if cells.get("id")) or None


def _cell_text(value: object) -> str:
    """A cell as the text a coordinator sees; Excel dates, times and numbers are written back as text."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if value.time() == time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_table(folder: Path, stem: str, problems: list[InputProblem]) -> Path | None:
    """The table's file: exactly one of `stem.csv` and `stem.xlsx` must exist."""
    csv, xlsx = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    if csv.exists() and xlsx.exists():
        problems.append(
            InputProblem(csv.name, None, None, f"both {csv.name} and {xlsx.name} exist; keep one")
        )
        return None
    if not csv.exists() and not xlsx.exists():
        problems.append(
            InputProblem(csv.name, None, None, f"missing: the folder needs {csv.name} or {xlsx.name}")
        )
        return None
    return csv if csv.exists() else xlsx


def _decode(raw: bytes) -> tuple[str, str]:
    """A file's text and the encoding it was read in: "utf-8" (a BOM is fine) or what it looks like.

    Excel's "Unicode Text" is UTF-16 with a BOM; its German "CSV (Trennzeichen-getrennt)" is
    Windows-1252, Excel for Mac's "CSV" is Mac OS Roman. Other text is Windows-1252 (ISO-8859-1 if
    it has bytes Windows-1252 leaves undefined), unless Mac OS Roman gives more umlauts. Raises
    UnicodeDecodeError only for broken UTF-16.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    # UTF-16 without a BOM: the zero high bytes of ASCII letters fill the odd (LE) or even (BE) offsets
    head = raw[:4096]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if not raw.startswith(codecs.BOM_UTF8) and 4 * max(odd, even) >= len(head) > 0:
        return raw.decode("utf-16-le" if odd >= even else "utf-16-be"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    mac = raw.decode("mac_roman")
    # only letters whose Mac bytes are rare in Windows text (Š š Ÿ Ž), unlike Ä Ö Ü ß (€ … † §)
    letters = "äöüé"
    if sum(map(mac.count, letters)) > sum(map(text.count, letters)):
        return mac, "mac_roman"
    return text, encoding


def _read_text(path: Path, problems: list[InputProblem], notices: list[ReadNotice]) -> str | None:
    """The text of a file in whatever encoding it was saved, noting the encoding when it is not UTF-8."""
    try:
        text, encoding = _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        problems.append(InputProblem(path.name, None, None, f"cannot be read as UTF-16 text: {exc.reason}"))
        return None
    if encoding != "utf-8":
        notices.append(ReadNotice(path.name, encoding))
    return text


def _read_csv(path: Path, problems: list[InputProblem], notices: list[ReadNotice]) -> list[list[str]] | None:
    """All cells of a CSV file, header first; the separator (`,`, `;` or tab) is the header's commonest."""
    text = _read_text(path, problems, notices)
    if text is None:
        return None
    if not text.strip():
        problems.append(InputProblem(path.name, None, None, "is empty; it needs at least a header row"))
        return None
    header = text.splitlines()[0]
    separator = max((",", ";", "\t"), key=header.count)  # a tie keeps the earlier one
    rows: list[list[str]] = []
    try:  # strict: a quote left open would silently swallow the rows after it
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True):
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:
        unclosed = "unexpected end of data" in str(exc)
        message = 'has a quote (") that is never closed' if unclosed else f"cannot be read as CSV: {exc}"
        problems.append(InputProblem(path.name, len(rows) + 1, None, message))
        return None
    return rows


def _read_xlsx(path: Path, problems: list[InputProblem]) -> list[list[str]] | None:
    """All cells of the first sheet of an Excel workbook as text, header row first."""
    try:
        frame = pd.read_excel(
            path, sheet_name=0, header=None, dtype=object, keep_default_na=False, engine="openpyxl"
        )
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        problems.append(InputProblem(path.name, None, None, f"cannot be read as an Excel workbook: {exc}"))
        return None
    if frame.empty:
        problems.append(InputProblem(path.name, None, None, "is empty; it needs at least a header row"))
        return None
    return [[_cell_text(value) for value in row] for row in frame.itertuples(index=False)]


def _read_table(
    folder: Path, stem: str, problems: list[InputProblem], notices: list[ReadNotice]
) -> _Table | None:
    """A table with a checked header, or None when it is missing, unreadable or lacks required columns."""
    path = _find_table(folder, stem, problems)
    return None if path is None else _read_table_file(path, TABLES[stem], problems, notices)


TableRow = _Row  # a data row of a table read with `read_table`: parsed cell by cell, problems located


def read_table(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: list[InputProblem],
    notices: list[ReadNotice],
) -> list[TableRow] | None:
    """The data rows of a table outside the scenario folder (CSV or .xlsx), read and checked exactly
    like the scenario's own tables; None (and problems) when it is unreadable or its header is broken."""
    if not path.is_file():
        problems.append(InputProblem(path.name, None, None, f"missing: {path} is not a file"))
        return None
    columns = tuple(Column(name, "yes") for name in required) + tuple(Column(name) for name in optional)
    table = _read_table_file(path, columns, problems, notices)
    return None if table is None else list(table.walk(problems))


def read_cells(path: Path) -> list[list[str]]:
    """Every cell of a table file as text, header row first, read as the loader reads it (CSV in
    any encoding and separator, or .xlsx): what a form editor shows. Unreadable: InputError."""
    problems: list[InputProblem] = []
    notices: list[ReadNotice] = []
    cells = _read_csv(path, problems, notices) if path.suffix == ".csv" else _read_xlsx(path, problems)
    if cells is None:
        raise InputError(problems)
    return cells


def _read_table_file(
    path: Path, columns: tuple[Column, ...], problems: list[InputProblem], notices: list[ReadNotice]
) -> _Table | None:
    """The table in `path` with a checked header, or None when it is unreadable or lacks required columns."""
    cells = _read_csv(path, problems, notices) if path.suffix == ".csv" else _read_xlsx(path, problems)
    if cells is None:
        return None
    header, data = cells[0], cells[1:]
    if not _header_ok(path.name, header, data, columns, problems):
        return None
    misfits = {
        number
        for number, row in enumerate(data, start=2)
        if not _fits(path.name, number, header, row, problems)
    }
    known = {c.name for c in columns}
    rows = (
        (number, {name: text for name, text in zip(header, row, strict=True) if name in known and text})
        for number, row in enumerate(data, start=2)
    )
    kept = tuple((number, cells) for number, cells in rows if cells or number in misfits)
    defaults = {c.name: c.default for c in columns if c.default}
    return _Table(path.name, kept, frozenset(misfits), defaults)


def _fits(file: str, number: int, header: list[str], row: list[str], problems: list[InputProblem]) -> bool:
    """Bring a data row to the header's width; False (and a problem) when cells are missing or extra.

    Empty cells past the header's end are dropped, and cells left out at the end are fine where
    the header has no name or a note column: both are how spreadsheets save trailing empty cells.
    A row that lacks the cell of a named column is reported, since a cell left out in the middle
    moves the cells after it into the wrong columns.
    """
    width, count = len(header), len(row)
    extra = any(row[width:])
    missing = [name for name in header[count:] if name and not name.startswith(("_", "x_"))]
    row[width:], row[count:] = [], [""] * (width - count)
    if extra:
        problems.append(InputProblem(file, number, None, f"has {count} cells but the header has {width}"))
        return False
    if missing and any(row):
        message = (
            f"has {count} cell{'' if count == 1 else 's'} but the header has {width} "
            f"(no cell for {', '.join(missing)}); a separator is missing or the row was cut off"
        )
        problems.append(InputProblem(file, number, None, message))
        return False
    return True


def _header_ok(
    file: str,
    header: list[str],
    data: list[list[str]],
    columns: tuple[Column, ...],
    problems: list[InputProblem],
) -> bool:
    """Check the header row; False when a required column is missing or a column name appears twice."""
    known = tuple(c.name for c in columns)
    start = len(problems)
    for name, count in Counter(header).items():
        if name and count > 1:
            problems.append(InputProblem(file, 1, name, "appears more than once in the header"))
    for name in (c.name for c in columns if c.required):
        if name not in header:
            problems.append(InputProblem(file, 1, name, "required column is missing"))
    fatal = len(problems) > start
    for index, name in enumerate(header):
        if not name and any(len(row) > index and row[index] for row in data):
            problems.append(InputProblem(file, 1, None, f"column {index + 1} holds data but has no name"))
        elif name and name not in known and not name.startswith(("_", "x_")):
            hint = did_you_mean(name, known) or " (note columns start with _ or x_)"
            problems.append(InputProblem(file, 1, name, f"unknown column{hint}"))
    return not fatal


# --- scenario.toml ---


_TOML_KEYS: dict[str, tuple[str, ...]] = {
    "": (
        *("name", "week", "timezone", "planning_date", "language", "contact", "show_names", "depots"),
        *("network", "buffers", "home_visit", "work", "solver", "objective", "geocoding", "map"),
    ),
    "depots": ("id", "name", "lat", "lon", "address"),
    "network": ("osm", "van_speed_factor", "max_snap_m", "detour_factor", "fallback_speed_kmh"),
    "buffers": tuple(Kind),
    "buffers.kind": ("setup_min", "documentation_min", "overrun_min", "travel_safety_pct"),
    "home_visit": ("notice_days", "reminder_days"),
    "work": ("max_work_min",),
    "solver": ("time_limit_s", "seed"),
    "objective": ("weighting", "van_stop_visitors"),
    "geocoding": ("nominatim_url", "min_delay_s", "cache"),
    "map": ("tile_url",),
}


def _read_toml(
    folder: Path, problems: list[InputProblem], notices: list[ReadNotice]
) -> dict[str, Any] | None:
    """scenario.toml as a dict, or None when it is missing or not valid TOML."""
    path = folder / TOML
    if not path.exists():
        problems.append(InputProblem(TOML, None, None, f"missing: the folder needs a {TOML}"))
        return None
    text = _read_text(path, problems, notices)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
        repr(data)  # fails, as every message quoting it would, on a hex or octal int beyond 4300 digits
        return data
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\s*\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match[1]) if match else len(text.splitlines()) or 1  # "(at end of document)"
        where = f" at column {match[2]}" if match else ""
        message = str(exc).replace(match[0], "") if match else str(exc)
        problems.append(InputProblem(TOML, line, None, f"syntax error{where}: {message}"))
    except ValueError:  # a whole number of more than 4300 digits: Python neither reads nor prints it
        long = (
            i for i, content in enumerate(text.splitlines(), 1) if re.search(r"[\dA-Fa-f_]{3500}", content)
        )
        problems.append(InputProblem(TOML, next(long, None), None, "has a whole number of over 4300 digits"))
    return None


def _settings(
    raw: dict[str, Any], folder: Path, today: date, problems: list[InputProblem]
) -> Settings | None:
    """The settings; None when the week is missing or bad (broken values elsewhere fall back to defaults)."""
    top = TomlTable(raw, "", TOML, problems)
    top.check_keys(_TOML_KEYS[""])
    week = _week(top)
    timezone = top.text("timezone", "Europe/Berlin")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder of zones: IsADirectoryError
        top.problem("timezone", f'"{timezone}" is not a known time zone (e.g. Europe/Berlin)')
    language = top.text("language", "de")
    if language not in ("de", "en"):
        top.problem("language", f'"{language}" is not a supported language (de or en)')
    home_visit = top.table("home_visit", _TOML_KEYS["home_visit"])
    work = top.table("work", _TOML_KEYS["work"])
    solver = top.table("solver", _TOML_KEYS["solver"])
    objective = top.table("objective", _TOML_KEYS["objective"])
    weighting = objective.text("weighting", "people")
    if weighting not in WEIGHTINGS:
        objective.problem("weighting", f'"{weighting}" is not a weighting ({" or ".join(WEIGHTINGS)})')
    settings = Settings(
        name=top.text("name", folder.name),
        week=week or "",
        timezone=timezone,
        depots=_depots(top),
        network=_network(top.table("network", _TOML_KEYS["network"]), folder),
        buffers=_buffers(top.table("buffers", _TOML_KEYS["buffers"])),
        planning_date=_planning_date(top, today),
        notice_days=home_visit.whole("notice_days", 21),
        reminder_days=home_visit.whole("reminder_days", 10),
        max_work_min=work.whole("max_work_min", 600, low=1, high=24 * 60),
        time_limit_s=solver.number("time_limit_s", 30.0, low=0.1) if "time_limit_s" in solver.data else None,
        seed=solver.whole("seed", 1, high=2**31 - 1),  # the search adds to it and seeds int64 generators
        weighting=weighting,
        van_stop_visitors=objective.whole("van_stop_visitors", 3, low=1),
        geocoding=_geocoding(top.table("geocoding", _TOML_KEYS["geocoding"]), folder),
        show_names=top.flag("show_names", False),
        language=language,
        contact=top.text("contact", ""),
        tile_url=top.table("map", _TOML_KEYS["map"]).text("tile_url", ""),
    )
    if settings.reminder_days >= settings.notice_days:
        home_visit.problem(
            "reminder_days",
            f"the reminder ({settings.reminder_days} days before) must come after the notice "
            f"({settings.notice_days} days before the visit)",
        )
    return settings if week else None


def _week(top: TomlTable) -> str | None:
    """The required ISO week."""
    if "week" not in top.data:
        top.problem("week", 'is required, e.g. week = "2026-W49"')
        return None
    try:
        return parse_week(str(top.data["week"]))
    except ValueError as exc:
        top.problem("week", str(exc))
        return None


def _planning_date(top: TomlTable, today: date) -> date:
    """`planning_date` as a TOML date or a date string; default `today`."""
    value = top.data.get("planning_date", today)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        top.problem("planning_date", f"must be a date like 2026-11-23, got {value!r}")
        return today
    try:
        return parse_date(value)
    except ValueError as exc:
        top.problem("planning_date", str(exc))
        return today


def _depots(top: TomlTable) -> tuple[Depot, ...]:
    """The `[[depots]]`: at least one, ids unique, each with id and a valid lat/lon."""
    tables = top.data.get("depots", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        top.problem("depots", "must be [[depots]] tables")
        return ()
    if not tables:
        top.problem("depots", "at least one [[depots]] table is required")
    depots: list[Depot] = []
    for number, table in enumerate(tables, start=1):
        start = len(top.problems)
        section = TomlTable(table, f"depots[{number}]", TOML, top.problems)
        section.check_keys(_TOML_KEYS["depots"])
        for name in ("id", "lat", "lon"):
            if name not in table:
                section.problem(name, "is required")
        depot_id = section.text("id", "")
        if depot_id and any(depot.id == depot_id for depot in depots):
            section.problem("id", f'duplicate depot id "{depot_id}"')
        point = Point(section.number("lat", 0.0, -90, 90), section.number("lon", 0.0, -180, 180))
        depot = Depot(depot_id, section.text("name", depot_id), point, section.text("address", ""))
        if depot_id and len(top.problems) == start:
            depots.append(depot)
    return tuple(depots)


def _toml_ids(raw: dict[str, Any] | None) -> frozenset[str] | None:
    """The depot ids written in scenario.toml, even of depots with other problems; None if there are none."""
    tables = raw.get("depots") if raw else None
    if not isinstance(tables, list):
        return None
    return (
        frozenset(str(table["id"]) for table in tables if isinstance(table, dict) and "id" in table) or None
    )


def _network(section: TomlTable, folder: Path) -> NetworkSettings:
    """The `[network]` table; `osm` resolved against the scenario folder."""
    osm = section.text("osm", "")
    return NetworkSettings(
        osm=_in_folder(folder, osm),
        van_speed_factor=section.number("van_speed_factor", 0.9, low=0.01),
        detour_factor=section.number("detour_factor", 1.3, low=1.0),
        fallback_speed_kmh=section.number("fallback_speed_kmh", 45.0, low=1.0),
        max_snap_m=section.number("max_snap_m", 1000.0),
    )


def _geocoding(section: TomlTable, folder: Path) -> GeocodingSettings:
    """The `[geocoding]` table; `cache` resolved against the scenario folder."""
    return GeocodingSettings(
        nominatim_url=section.text("nominatim_url", ""),
        min_delay_s=section.number("min_delay_s", 1.0),
        cache=_in_folder(folder, section.text("cache", "geocode-cache.json")),
    )


def _in_folder(folder: Path, text: str) -> Path | None:
    """A path from scenario.toml: relative ones are relative to the scenario folder; empty means none."""
    if not text:
        return None
    path = Path(text)
    return path if path.is_absolute() else folder / path


def _buffers(section: TomlTable) -> dict[Kind, Buffers]:
    """A `Buffers` for every kind; missing tables and keys are 0, negative values are problems."""
    buffers: dict[Kind, Buffers] = {}
    for kind in Kind:
        table = section.table(kind, _TOML_KEYS["buffers.kind"])
        values = {name: table.whole(name, 0) for name in _TOML_KEYS["buffers.kind"]}
        buffers[kind] = Buffers(**values)
    return buffers


# --- rows into records ---


@dataclass(frozen=True)
class _Refs:
    """What rows may refer to; a None field means its source is broken, so checks against it are skipped."""

    depots: frozenset[str] | None
    vans: frozenset[str] | None
    coaches: frozenset[str] | None
    settings: Settings | None


def _records(
    table: _Table | None, build: Callable[[_Row], T | None], problems: list[InputProblem]
) -> tuple[T, ...]:
    """Build one record per good row, reporting duplicate ids; rows with problems yield none."""
    if table is None:
        return ()
    records: list[T] = []
    first_row: dict[str, int] = {}
    for row in table.walk(problems):
        row_id = row.text("id")
        if not row_id:
            row.problem("id", "is empty but required")
        elif row_id in first_row:
            row.problem("id", f'duplicate id "{row_id}" (first in row {first_row[row_id]})')
        first_row.setdefault(row_id, row.number)
        if (record := build(row)) is not None:
            records.append(record)
    return tuple(records)


def _request(row: _Row, refs: _Refs) -> Request | None:
    """One requests row as a `Request`, or None when the row has problems."""
    kind = row.need("kind", parse_kind)
    duration = row.need("duration_min", partial(parse_int, low=1))
    if kind is not None and kind is not Kind.VAN_STOP and not row.text("client"):
        row.problem("client", f"is empty but required for {kind}")
    if kind in (Kind.ACCOMPANY, Kind.VAN_STOP) and not row.text("fixed_start"):
        row.problem("fixed_start", f"is empty but required for {kind}")
    earliest, latest = row.get("earliest_date", parse_date), row.get("latest_date", parse_date)
    if earliest and latest and latest < earliest:
        row.problem("latest_date", f"{latest} is before earliest_date {earliest}")
    row.refers("preferred_coach", refs.coaches, "coach")
    point = _location(row)
    availability = row.get("availability", parse_availability) or ()
    fixed_start = row.get("fixed_start", parse_datetime)
    staff = row.value("staff", partial(parse_int, low=1), 2 if kind is Kind.HOME_VISIT else 1)
    skills = row.get("skills", parse_skills) or frozenset()
    priority = row.value("priority", partial(parse_int, low=1, high=5))
    visitors = row.get("visitors", partial(parse_int, low=1))
    if visitors is not None and kind is not Kind.VAN_STOP:
        row.problem("visitors", f"is only for van_stop (expected visitors), not for {kind}")
    notice_sent = _notice_sent(row, kind, refs.settings)
    pin_date, pin_start = _pin(row, refs), row.get("pin_start", parse_time)
    if row.failed or kind is None or duration is None:
        return None
    return Request(
        id=row.text("id"),
        kind=kind,
        client=row.text("client"),
        duration_min=duration,
        row=row.number,
        point=point,
        address=row.text("address"),
        place=row.text("place"),
        client_name=row.text("client_name"),
        earliest=earliest,
        latest=latest,
        availability=availability,
        fixed_start=fixed_start,
        staff=staff,
        skills=skills,
        preferred_coach=row.text("preferred_coach"),
        priority=priority,
        notice_sent=notice_sent,
        pin_van=row.text("pin_van"),
        pin_date=pin_date,
        pin_start=pin_start,
        bring=row.text("bring"),
        note=row.text("note"),
        visitors=visitors,
    )


def _location(row: _Row) -> Point | None:
    """The point from lat and lon (both or neither); with neither, an address is required."""
    lat = row.get("lat", partial(parse_float, low=-90.0, high=90.0))
    lon = row.get("lon", partial(parse_float, low=-180.0, high=180.0))
    given = [name for name in ("lat", "lon") if row.text(name)]
    if len(given) == 1:
        missing = "lon" if given == ["lat"] else "lat"
        row.problem(missing, f"is empty but {given[0]} is given; lat and lon go together")
    elif not given and not row.text("address"):
        row.problem("address", "no location: give lat and lon, or an address")
    return Point(lat, lon) if lat is not None and lon is not None else None


def _notice_sent(row: _Row, kind: Kind | None, settings: Settings | None) -> date | None:
    """`notice_sent`: only for home visits, and not after the planning date."""
    sent = row.get("notice_sent", parse_date)
    if sent and kind is not None and kind is not Kind.HOME_VISIT:
        row.problem("notice_sent", f"is only for home_visit, not {kind}")
    elif sent and settings and sent > settings.planning_date:
        row.problem("notice_sent", f"{sent} is after planning_date {settings.planning_date}")
    return sent


def _pin(row: _Row, refs: _Refs) -> date | None:
    """Check that the pin columns go together and name a known van; `pin_date`, if in the week."""
    missing = [name for name in _PIN if not row.text(name)]
    if 0 < len(missing) < len(_PIN):
        row.problem(missing[0], f"{', '.join(_PIN)} go together; {' and '.join(missing)} missing")
    row.refers("pin_van", refs.vans, "van")
    pin_date = row.get("pin_date", parse_date)
    _in_week(row, "pin_date", pin_date, refs.settings)
    return pin_date


def _in_week(row: _Row, column: str, day: date | None, settings: Settings | None) -> None:
    """Check that a date lies in the planning week (skipped when the week itself is broken)."""
    if day and settings and day not in settings.days:
        week = f"{settings.week} ({settings.days[0]} to {settings.days[-1]})"
        row.problem(column, f"{day} is not in the planning week {week}")


def _van(row: _Row, refs: _Refs) -> Van | None:
    """One vans row as a `Van`, or None when the row has problems."""
    row.need("depot", str)
    row.refers("depot", refs.depots, "depot")
    shift_start, shift_end = row.need("shift_start", parse_time), row.need("shift_end", parse_time)
    if shift_start and shift_end and shift_end <= shift_start:
        row.problem("shift_end", f"{shift_end:%H:%M} is not after shift_start {shift_start:%H:%M}")
    seats = row.need("seats", partial(parse_int, low=1))
    weekdays = row.value("days", parse_weekdays)
    unavailable = row.get("unavailable", parse_dates) or frozenset()
    if row.failed or shift_start is None or shift_end is None or seats is None:
        return None
    return Van(
        row.text("id"),
        row.text("depot"),
        weekdays,
        shift_start,
        shift_end,
        seats,
        row.text("name"),
        unavailable,
    )


def _coach(row: _Row) -> Coach | None:
    """One coaches row as a `Coach`, or None when the row has problems."""
    name = row.need("name", str)
    skills = row.get("skills", parse_skills) or frozenset()
    weekly_hours = row.value("weekly_hours", partial(parse_float, low=0.0, high=168.0))
    if row.failed or name is None:
        return None
    return Coach(row.text("id"), name, skills, weekly_hours, row.text("phone"))


def _roster(
    table: _Table | None, refs: _Refs, vans: tuple[Van, ...], problems: list[InputProblem]
) -> tuple[RosterEntry, ...]:
    """The roster: dates in the week, known vans and coaches, one van per coach a day, crews within seats."""
    if table is None:
        return ()
    entries: list[RosterEntry] = []
    first_row: dict[tuple[str, date], int] = {}
    crews: Counter[tuple[str, date]] = Counter()
    seats = {van.id: van.seats for van in vans}
    for row in table.walk(problems):
        day = row.need("date", parse_date)
        _in_week(row, "date", day, refs.settings)
        van, coach = row.need("van", str), row.need("coach", str)
        row.refers("van", refs.vans, "van")
        row.refers("coach", refs.coaches, "coach")
        if row.failed or day is None or van is None or coach is None:
            continue
        if (coach, day) in first_row:
            row.problem("coach", f'"{coach}" is already on the roster on {day} (row {first_row[coach, day]})')
            continue
        first_row[coach, day] = row.number
        crews[van, day] += 1
        if van in seats and crews[van, day] == seats[van] + 1:
            row.problem(
                "coach", f'van "{van}" has {seats[van]} seats; this is crew member {seats[van] + 1} on {day}'
            )
        entries.append(RosterEntry(day, van, coach, row.number))
    return tuple(entries)


def _sort_key(problem: InputProblem) -> tuple[bool, int, int]:
    """Problems of whole files first (a missing or empty table is the cause of others), then in file
    order (scenario.toml, requests, vans, coaches, roster) and by row."""
    stem = Path(problem.file).stem
    order = _FILE_ORDER.index(stem) if stem in _FILE_ORDER else len(_FILE_ORDER)
    return problem.row is not None, order, problem.row or 0


def _listed(table: _Table | None, what: str, problems: list[InputProblem]) -> frozenset[str] | None:
    """The ids a table lists, for references to check; an empty table is a problem of its own."""
    if table is None:
        return None
    if not table.rows:
        problems.append(InputProblem(table.file, None, None, f"lists no {what}; at least one row is needed"))
    return table.ids()


def load_scenario(folder: Path, today: date | None = None) -> Scenario:
    """Read and check a scenario folder; raise one `InputError` listing every problem found.

    `today` is the default `planning_date` (for tests); it defaults to the real date. Paths in the
    result are absolute, so they stay right whatever the working directory. Files that are not UTF-8
    are read in the encoding they appear to have, and the scenario's `notices` say which.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise InputError([InputProblem(str(folder), None, None, "is not a folder")])
    problems: list[InputProblem] = []
    notices: list[ReadNotice] = []
    raw = _read_toml(folder, problems, notices)
    settings = _settings(raw, folder, today or date.today(), problems) if raw is not None else None
    tables = {stem: _read_table(folder, stem, problems, notices) for stem in TABLES}
    vans_table, coaches_table = tables["vans"], tables["coaches"]
    refs = _Refs(
        depots=_toml_ids(raw),
        vans=_listed(vans_table, "vans", problems),
        coaches=_listed(coaches_table, "coaches", problems),
        settings=settings,
    )
    requests = _records(tables["requests"], partial(_request, refs=refs), problems)
    vans = _records(vans_table, partial(_van, refs=refs), problems)
    coaches = _records(coaches_table, _coach, problems)
    roster = _roster(tables["roster"], refs, vans, problems)
    if problems or settings is None:
        raise InputError(sorted(problems, key=_sort_key))
    return Scenario(folder, settings, requests, vans, coaches, roster, tuple(notices))
