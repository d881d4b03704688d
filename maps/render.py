"""Write every map, coach page, day sheet and calendar of a plan into the output folder.

Layout under `out_dir` (German names; English with lang="en": day-, week):
maps/tag-YYYY-MM-DD.html, maps/woche.html, coaches/<coach>/tag-YYYY-MM-DD.html, coaches/<coach>/woche.html,
sheets/tag-YYYY-MM-DD-<van>.html (and .pdf), calendars/<coach>.ics.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from maps.calendar import coach_calendar
from maps.coach import coach_page, coach_tours
from maps.day import day_map
from maps.protocol import Network
from maps.sheets import day_sheet, print_pdf
from maps.week import week_map
from planner.i18n import texts
from planner.plan.tours import Plan
from planner.scenario import Scenario


def slug(text: str) -> str:
    """A file-name-safe form of an id (at most 64 characters; may meet another id's, see `file_names`)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:64] or "_"


def file_names(ids: Iterable[str]) -> dict[str, str]:
    """A distinct file name per id: its slug, with a short stable hash of the id where slugs meet.

    Names are compared without case, so they stay apart on case-insensitive file systems too.
    """
    names = {i: slug(i) for i in set(ids)}
    length = 6
    while clash := _clashing(names):
        names.update({i: f"{slug(i)}-{hashlib.sha256(i.encode()).hexdigest()[:length]}" for i in clash})
        length *= 2
    return names


def _clashing(names: dict[str, str]) -> set[str]:
    """The ids whose names equal another id's name, ignoring case."""
    by_name: dict[str, list[str]] = {}
    for i, name in names.items():
        by_name.setdefault(name.casefold(), []).append(i)
    return {i for group in by_name.values() if len(group) > 1 for i in group}


def coach_file_names(plan: Plan, scenario: Scenario) -> dict[str, str]:
    """File names of the coaches' folders and calendars, from every coach id the scenario and plan know.

    Built from all ids, not only those riding, so a cut-down plan (`vanplan map --coach`) names its
    files as the whole plan does.
    """
    return file_names([c.id for c in scenario.coaches] + [c for t in plan.tours for c in t.crew])


def render_all(
    plan: Plan,
    scenario: Scenario,
    network: Network,
    out_dir: Path,
    lang: str = "de",
    pdf: bool = False,
    previous: Plan | None = None,
) -> list[Path]:
    """Render all outputs of `plan` under `out_dir` and return the files written.

    With `pdf`, day sheets are also printed to PDF (needs Chromium, else DataError). With the
    `previous` version (a replan), each coach's calendar also cancels what the coach no longer has,
    and a coach who no longer rides at all gets a calendar of just that. Raises ValueError for an
    unknown language.
    """
    tx = texts(lang)
    written: list[Path] = []

    def write(path: Path, content: str | bytes) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
        return path

    for day in sorted({t.day for t in plan.tours}):
        write(
            out_dir / "maps" / f"{tx.file_day}-{day.isoformat()}.html",
            day_map(plan, scenario, network, day, lang),
        )
    write(out_dir / "maps" / f"{tx.file_week}.html", week_map(plan, scenario, network, lang))

    riding = {c for t in plan.tours for c in t.crew}
    coaches = [c.id for c in scenario.coaches if c.id in riding]
    coaches += sorted(riding - set(coaches))
    before = {c for t in previous.tours for c in t.crew} if previous is not None else set()
    coaches += sorted(before - set(coaches))
    names = coach_file_names(plan, scenario)
    for coach in coaches:
        name = names[coach]
        folder = out_dir / "coaches" / name
        for day in sorted({t.day for t in coach_tours(plan, coach)}):
            write(
                folder / f"{tx.file_day}-{day.isoformat()}.html",
                coach_page(plan, scenario, network, coach, day, lang),
            )
        if coach in riding:
            write(folder / f"{tx.file_week}.html", coach_page(plan, scenario, network, coach, None, lang))
        write(out_dir / "calendars" / f"{name}.ics", coach_calendar(plan, scenario, coach, lang, previous))

    vans = file_names([v.id for v in scenario.vans] + [t.van for t in plan.tours])
    for tour in sorted(plan.tours, key=lambda t: (t.day, t.van)):
        sheet = write(
            out_dir / "sheets" / f"{tx.file_day}-{tour.day.isoformat()}-{vans[tour.van]}.html",
            day_sheet(plan, scenario, tour, lang),
        )
        if pdf:
            written.append(print_pdf(sheet, sheet.with_suffix(".pdf")))
    return written
