"""The printable day sheet of one van-day: times, places, what to bring, whom to call when late.

Plain HTML with print CSS (A4), no map and no script, so it prints the same from any browser;
`print_pdf` turns it into a PDF with headless Chromium when one is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from maps.layers import coach_name, coach_phone, van_name
from maps.text import bring_list, buffer_text, client_ref, clock, day_label, kind_name
from planner.errors import DataError
from planner.i18n import Texts, number, texts
from planner.plan.tours import Plan, Tour
from planner.scenario import Scenario

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

SHEET_STYLE = """<style>
@page { size: A4; margin: 12mm 12mm 14mm; }
body { font: 10.5pt/1.35 Arial, "Liberation Sans", sans-serif; color: #000; margin: 0 auto;
  max-width: 190mm; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
.meta { margin: 0 0 2mm; }
.call { border: 1.5pt solid #000; padding: 2mm 3mm; margin: 3mm 0; font-weight: bold; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.6pt solid #777; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num { font-weight: bold; font-size: 13pt; text-align: center; width: 8mm; }
td.time { white-space: nowrap; width: 27mm; }
tr.plain td { background: #f3f3f3; }
ul { margin: 0; padding-left: 4mm; }
.small { font-size: 8.5pt; color: #333; }
.confidential { font-size: 8.5pt; border-top: 0.6pt solid #777; margin-top: 4mm; padding-top: 2mm; }
@media screen { body { padding: 8mm; } }
</style>"""


def _depot_text(scenario: Scenario, tour: Tour) -> str:
    depot = next((d for d in scenario.settings.depots if d.id == tour.depot), None)
    if depot is None:
        return tour.depot
    return ", ".join(x for x in (depot.name, depot.address) if x)


def _rows(tx: Texts, tz: ZoneInfo, scenario: Scenario, tour: Tour) -> list[str]:
    rows: list[tuple[datetime, str]] = []
    for stop in tour.stops:
        where = ", ".join(escape(x) for x in (stop.place, stop.address) if x)
        pinned = f" ({escape(tx.pinned)})" if stop.pinned else ""
        bring = "".join(f"<li>{escape(item)}</li>" for item in bring_list(tx, tour, stop))
        note = f"<br><b>{escape(tx.note)}:</b> {escape(stop.note)}" if stop.note else ""
        rows.append(
            (
                stop.start,
                f'<tr><td class="num">{stop.sequence}</td>'
                f'<td class="time">{escape(tx.arrival)} {clock(stop.arrival, tz)}<br>'
                f"<b>{clock(stop.start, tz)}–{clock(stop.end, tz)}</b><br>"
                f"{escape(tx.departure)} {clock(stop.departure, tz)}<br>"
                f'<span class="small">{escape(tx.drive)} {stop.drive_min:.0f} min · '
                f"{number(stop.drive_km, 1, tx.lang)} km</span></td>"
                f"<td><b>{escape(kind_name(tx, stop.kind))}</b>{pinned}<br>"
                f"{escape(tx.client)}: {escape(client_ref(tx, stop, scenario.settings.show_names))}<br>"
                f"{where}<br>"
                f'<span class="small">{escape(tx.staff)}: {stop.staff} · {escape(tx.buffer)}: '
                f"{escape(buffer_text(tx, stop))} · {stop.lat:.5f}, {stop.lon:.5f} · "
                f"{escape(tx.request)} {escape(stop.request_id)}</span></td>"
                f'<td><ul>{bring}</ul><span class="small">{escape(tx.hints.get(stop.kind, ""))}</span>'
                f"{note}</td>"
                "</tr>",
            )
        )
    for pause in tour.breaks:
        text = f"{escape(tx.pause)} {clock(pause.start, tz)}–{clock(pause.end, tz)}"
        rows.append(
            (
                pause.start,
                f'<tr class="plain"><td></td><td class="time">{text}</td><td colspan="2"></td></tr>',
            )
        )
    rows.sort(key=lambda row: row[0])
    depot = escape(_depot_text(scenario, tour))
    first = (
        f'<tr class="plain"><td></td><td class="time">{escape(tx.leave_depot)}<br>'
        f"<b>{clock(tour.depart, tz)}</b>"
        f'</td><td colspan="2">{depot}</td></tr>'
    )
    last = (
        f'<tr class="plain"><td></td><td class="time">{escape(tx.back_at_depot)}<br>'
        f'<b>{clock(tour.back, tz)}</b><br><span class="small">{escape(tx.drive)} '
        f"{tour.return_drive_min:.0f} min · {number(tour.return_km, 1, tx.lang)} km"
        f'</span></td><td colspan="2">{depot}</td></tr>'
    )
    return [first, *(html for _, html in rows), last]


def day_sheet(plan: Plan, scenario: Scenario, tour: Tour, lang: str = "de") -> str:
    """The HTML day sheet of one tour (van and day)."""
    tx = texts(lang)
    tz = ZoneInfo(plan.timezone)
    title = f"{tx.day_sheet} · {van_name(scenario, tour.van)} · {day_label(tx, tour.day)}"
    crew = ", ".join(escape(coach_name(scenario, c)) for c in tour.crew)
    call = [escape(scenario.settings.contact)] if scenario.settings.contact else []
    call += [
        f"{escape(coach_name(scenario, c))} {escape(coach_phone(scenario, c))}"
        for c in tour.crew
        if coach_phone(scenario, c)
    ]
    work = round(tour.work_min)
    head = (
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(scenario.settings.name)} · {escape(tx.crew)}: {crew}<br>'
        f"{len(tour.stops)} {escape(tx.stops)} · {tour.km:.0f} km · "
        f"{escape(tx.drive)} {tour.drive_min:.0f} min · "
        f"{work // 60}:{work % 60:02d} h</p>"
    )
    call_box = f'<p class="call">{escape(tx.if_late)}: {" · ".join(call)}</p>' if call else ""
    table = (
        f"<table><thead><tr><th>#</th><th>{escape(tx.appointment)}</th><th>{escape(tx.kind)} / "
        f"{escape(tx.place)}</th><th>{escape(tx.what_to_bring)} / {escape(tx.hints_title)}</th></tr></thead>"
        f"<tbody>{''.join(_rows(tx, tz, scenario, tour))}</tbody></table>"
    )
    stamp = f" · {escape(plan.created)}" if plan.created else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{tx.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"{SHEET_STYLE}\n</head>\n<body>\n{head}{call_box}{table}"
        f'<p class="confidential">{escape(tx.confidential)}{stamp}</p>\n</body>\n</html>\n'
    )


def print_pdf(page: Path, pdf: Path, browser: str | None = None) -> Path:
    """Print an HTML file to PDF with headless Chromium, in a throw-away profile.

    Raises DataError when no Chromium is installed or printing fails.
    """
    exe = (
        browser
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if exe is None:
        raise DataError("no chromium to print PDFs with: install the Debian package chromium")
    with tempfile.TemporaryDirectory() as profile:
        try:
            subprocess.run(
                [
                    exe,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf.resolve()}",
                    page.resolve().as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise DataError(f"chromium could not print {page.name} to PDF: {exc}") from exc
    return pdf
