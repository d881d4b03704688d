"""Files of a plan version (maps, tables, day sheets) for the coordinator, each view logged."""

from __future__ import annotations

from pathlib import Path

from csp.decorators import csp_update
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from maps.sheets import print_pdf
from planner.errors import DataError
from planner.plan.tours import Plan
from web.audit import record
from web.models import PlanVersion
from web.roles import coordinator
from web.views_week import day_of

DOWNLOADS = ("tours.csv", "letters.csv", "unscheduled.csv", "changes.csv", "plan.json")


def inside(folder: Path, relative: str) -> Path:
    """`relative` under `folder`, or 404 (no path leaves the version's folder)."""
    path = (folder / relative).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        raise Http404
    return path


def html_file(path: Path) -> HttpResponse:
    """A rendered page (Folium map, day sheet) as it was written."""
    return HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")


def clients_of(version: PlanVersion, day: str | None = None, van: str | None = None) -> list[str]:
    """The client references a page of the version shows (for the audit log)."""
    plan = Plan.read(version.folder / "plan.json")
    return [
        s.client
        for t, s in plan.stops()
        if (day is None or t.day.isoformat() == day) and (van is None or t.van == van)
    ]


@coordinator  # type: ignore[arg-type]
@csp_update(settings.MAP_CSP)  # type: ignore[arg-type]
def day_map(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    """The day map of the version (maps/tag-DATE.html)."""
    version = get_object_or_404(PlanVersion, pk=pk)
    when = day_of(day)
    path = inside(version.folder, f"maps/tag-{when.isoformat()}.html")
    record(request, "view", f"day map {version} {when}", clients_of(version, when.isoformat()))
    return html_file(path)


@coordinator  # type: ignore[arg-type]
def download(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """tours.csv, letters.csv, unscheduled.csv, changes.csv or plan.json of the version."""
    version = get_object_or_404(PlanVersion, pk=pk)
    if name not in DOWNLOADS:
        raise Http404
    path = inside(version.folder, name)
    record(request, "export", f"{name} of {version}", clients_of(version))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{version.week.pk}-v{version.number}-{name}"
    )


@coordinator  # type: ignore[arg-type]
def sheet_pdf(request: HttpRequest, pk: int, van: str, day: str) -> FileResponse:
    """The printable day sheet of one van-day as PDF (printed by Chromium on first request)."""
    version = get_object_or_404(PlanVersion, pk=pk)
    rel = version.summary.get("sheet_files", {}).get(f"{van}|{day_of(day).isoformat()}")
    if not rel:
        raise Http404
    page = inside(version.folder, rel)
    pdf = page.with_suffix(".pdf")
    if not pdf.is_file():
        try:
            print_pdf(page, pdf)
        except DataError as exc:
            raise Http404(str(exc)) from None
    record(request, "export", f"day sheet {van} {day} of {version}", clients_of(version, day, van))
    return FileResponse(pdf.open("rb"), as_attachment=True, filename=pdf.name)
