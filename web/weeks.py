"""A week's scenario folder in the data folder: uploads, carry-over of master data, form edits,
and the loader's verdict. The loader (`planner.input.load`) is the only judge of what is valid."""

from __future__ import annotations

import csv
import re
import shutil
import tomllib
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

from planner.errors import InputError, InputProblem
from planner.input.load import load_scenario, parse_week, read_cells
from planner.scenario import Scenario

TABLES = ("requests", "vans", "coaches", "roster")  # the scenario's tables (docs/input.md)
MASTER = ("vans", "coaches", "roster", "scenario.toml")  # what carries over to the next week
SUFFIXES = (".csv", ".xlsx")


class UploadRejected(ValueError):
    """A file the app does not take (name, type or size); the message is for the coordinator."""


def table_path(folder: Path, stem: str) -> Path | None:
    """The file of table `stem` in `folder` (CSV or Excel), if there is one."""
    return next((folder / f"{stem}{s}" for s in SUFFIXES if (folder / f"{stem}{s}").is_file()), None)


def store_upload(folder: Path, name: str, data: bytes) -> str:
    """Save an uploaded table or scenario.toml under its own name; return the name saved."""
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise UploadRejected(f"{name}: larger than {settings.MAX_UPLOAD_BYTES // 2**20} MB")
    base = Path(name).name.casefold()
    stem, suffix = Path(base).stem, Path(base).suffix
    folder.mkdir(parents=True, exist_ok=True)
    if base == "scenario.toml":
        (folder / base).write_bytes(data)
        fix_osm_path(folder)
        return base
    if stem not in TABLES or suffix not in SUFFIXES:
        known = ", ".join(f"{t}.csv/.xlsx" for t in TABLES)
        raise UploadRejected(f"{name}: not a table of a week ({known} or scenario.toml)")
    for other in SUFFIXES:
        (folder / f"{stem}{other}").unlink(missing_ok=True)
    (folder / base).write_bytes(data)
    return base


def fix_osm_path(folder: Path, name: str = "scenario.toml", section: str | None = "network") -> None:
    """A relative `osm` path (scenario.toml: in [network]; a simulation spec: at the top) that does
    not exist beside the file is looked up by its file name in the server's map folder
    (VANPLAN_OSM_DIR), so a file made elsewhere works here."""
    path = folder / name
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        top = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the loader names the problem
    osm = (top.get(section, {}) if section else top).get("osm", "")
    if not isinstance(osm, str) or not osm or (folder / osm).exists() or settings.OSM_DIR is None:
        return
    candidate = Path(settings.OSM_DIR) / Path(osm).name
    if candidate.is_file():
        path.write_text(text.replace(f'"{osm}"', f'"{candidate.as_posix()}"', 1), encoding="utf-8")


def carry_over(source: Path, target: Path, week: str | None) -> None:
    """Copy the master data of an earlier week; roster dates move by the weeks between them."""
    target.mkdir(parents=True, exist_ok=True)
    for name in MASTER:
        found = source / name if name.endswith(".toml") else table_path(source, name)
        if found is not None and found.is_file():
            shutil.copy2(found, target / found.name)
    if week and (target / "scenario.toml").is_file():
        old = _week_of(target / "scenario.toml")
        set_week(target, week)
        roster = table_path(target, "roster")
        if old and roster is not None:
            shift_dates(roster, "date", _monday(week) - _monday(old))


def set_week(folder: Path, week: str) -> None:
    """Set `week` in the folder's scenario.toml (ISO week, e.g. 2026-W50)."""
    path = folder / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    line = f'week = "{parse_week(week)}"'
    new, n = re.subn(r'(?m)^week\s*=\s*"[^"]*"', line, text, count=1)
    path.write_text(new if n else f"{line}\n{text}", encoding="utf-8")


def _week_of(path: Path) -> str | None:
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("week")
    except (tomllib.TOMLDecodeError, OSError):
        return None
    return value if isinstance(value, str) else None


def _monday(week: str) -> date:
    year, number = parse_week(week).split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def shift_dates(path: Path, column: str, by: timedelta) -> None:
    """Move every ISO date of `column` by `by` (roster of the next week)."""
    header, rows = read_rows(path)
    if column not in header or not by:
        return
    k = header.index(column)
    for row in rows:
        try:
            row[k] = (date.fromisoformat(row[k].strip()) + by).isoformat()
        except ValueError:
            continue  # the loader reports it
    write_rows(path, header, rows)


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a table, every cell as text."""
    cells = read_cells(path)
    return [h.strip() for h in cells[0]], [list(r) for r in cells[1:]]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write a table as UTF-8 CSV (an edited Excel table becomes CSV: the loader reads both)."""
    target = path.with_suffix(".csv")
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    if target != path:
        path.unlink(missing_ok=True)
    return target


def row_ids(folder: Path, stem: str) -> set[str]:
    """The `id` cells of a table (empty when the table or its id column is missing)."""
    path = table_path(folder, stem)
    if path is None:
        return set()
    header, rows = read_rows(path)
    if "id" not in header:
        return set()
    k = header.index("id")
    return {row[k] for row in rows if len(row) > k}


def set_cells(folder: Path, stem: str, row_id: str, values: dict[str, str]) -> None:
    """Set cells of the row whose `id` is `row_id` (adding missing columns at the end)."""
    path = table_path(folder, stem)
    if path is None:
        raise InputError([InputProblem(f"{stem}.csv", None, None, "missing")])
    header, rows = read_rows(path)
    for column in values:
        if column not in header:
            header.append(column)
            for row in rows:
                row.append("")
    key = header.index("id")
    for row in rows:
        row.extend([""] * (len(header) - len(row)))
        if row[key] == row_id:
            for column, value in values.items():
                row[header.index(column)] = value
    write_rows(path, header, rows)


def append_row(folder: Path, stem: str, values: dict[str, str]) -> None:
    """Add a row at the end of a table (new request)."""
    path = table_path(folder, stem)
    if path is None:
        raise InputError([InputProblem(f"{stem}.csv", None, None, "missing")])
    header, rows = read_rows(path)
    header += [c for c in values if c not in header]
    rows = [r + [""] * (len(header) - len(r)) for r in rows]
    rows.append([values.get(c, "") for c in header])
    write_rows(path, header, rows)


def check(folder: Path) -> tuple[Scenario | None, list[dict[str, object]]]:
    """The week as the loader reads it, or the problems it found (file, row, column, message)."""
    try:
        return load_scenario(folder), []
    except InputError as exc:
        return None, [asdict(p) for p in exc.problems]
