"""The coach's phone pages and calendar feed: only their own stops of published versions. Any
other stop, map or version is 404 for them, as if it did not exist."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from maps.text import kind_name
from planner.i18n import texts
from planner.plan.tours import Plan, Stop, Tour
from web.audit import record
from web.clock import now_local
from web.models import FeedToken, PlanVersion, Week
from web.roles import coach
from web.views_files import html_file, inside
from web.views_week import day_of


def published() -> list[PlanVersion]:
    """The newest published version of every week (what coaches see)."""
    return [v for w in Week.objects.all() if (v := w.published()) is not None]


def own_tours(version: PlanVersion, coach_id: str) -> tuple[Plan, list[Tour]]:
    """The version's plan and the tours `coach_id` rides."""
    plan = Plan.read(version.folder / "plan.json")
    return plan, [t for t in plan.tours if coach_id in t.crew]


def _coach_id(request: HttpRequest) -> str:
    return request.user.profile.coach_id  # type: ignore[union-attr]


def _own_version(request: HttpRequest, pk: int) -> tuple[PlanVersion, Plan, list[Tour]]:
    """A published version the coach rides in, or 404."""
    version = get_object_or_404(PlanVersion, pk=pk)
    if version.week.published() != version:
        raise Http404
    plan, tours = own_tours(version, _coach_id(request))
    if not tours:
        raise Http404
    return version, plan, tours


@coach
def home(request: HttpRequest) -> HttpResponse:
    """Today's stops first, then the rest of the week, with a map link per day."""
    me = _coach_id(request)
    tx = texts(request.LANGUAGE_CODE)
    days: list[dict[str, Any]] = []
    clients: list[str] = []
    for version in published():
        plan, tours = own_tours(version, me)
        today = now_local(ZoneInfo(plan.timezone)).date()
        for tour in sorted(tours, key=lambda t: t.day):
            days.append(
                {
                    "version": version,
                    "tour": tour,
                    "stops": [(s, kind_name(tx, s.kind)) for s in tour.stops],
                    "today": tour.day == today,
                    "partner": [c for c in tour.crew if c != me],
                }
            )
            clients += [s.client for s in tour.stops]
    days.sort(key=lambda d: (not d["today"], d["tour"].day))
    record(request, "view", "coach overview", clients)
    return render(request, "web/coach.html", {"days": days})


@coach
def stop(request: HttpRequest, pk: int, rid: str) -> HttpResponse:
    """One of the coach's stops, in full."""
    version, _plan, tours = _own_version(request, pk)
    found: tuple[Tour, Stop] | None = next(
        ((t, s) for t in tours for s in t.stops if s.request_id == rid), None
    )
    if found is None:
        raise Http404
    record(request, "view", f"stop {rid} of {version}", [found[1].client])
    kind = kind_name(texts(request.LANGUAGE_CODE), found[1].kind)
    return render(
        request, "web/coach_stop.html", {"version": version, "tour": found[0], "stop": found[1], "kind": kind}
    )


@coach  # type: ignore[arg-type]
@csp_update(settings.MAP_CSP)  # type: ignore[arg-type]
def day_map(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    """The coach's own map of a day (the page `vanplan plan` writes per coach)."""
    version, _plan, tours = _own_version(request, pk)
    when = day_of(day)
    if when not in {t.day for t in tours}:
        raise Http404
    name = version.summary.get("coach_files", {}).get(_coach_id(request))
    if not name:
        raise Http404
    path = inside(version.folder, f"coaches/{name}/tag-{when.isoformat()}.html")
    record(
        request,
        "view",
        f"coach map {when} of {version}",
        [s.client for t in tours if t.day == when for s in t.stops],
    )
    return html_file(path)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The coach's calendar (.ics) over all published weeks, for a calendar program: the secret
    token is the key (a calendar program cannot log in); a revoked or unknown token is 404."""
    entry = FeedToken.objects.filter(digest=FeedToken.hashed(token), revoked_at__isnull=True).first()
    if entry is None:
        raise Http404
    merged = icalendar.Calendar()
    merged.add("prodid", "-//vanplan//web//DE")
    merged.add("version", "2.0")
    clients: list[str] = []
    for version in published():
        name = version.summary.get("coach_files", {}).get(entry.coach_id)
        path = version.folder / "calendars" / f"{name}.ics"
        if not name or not path.is_file():
            continue
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        for component in cal.subcomponents:
            merged.add_component(component)
        clients += [s.client for t in own_tours(version, entry.coach_id)[1] for s in t.stops]
    record(request, "feed", f"calendar of {entry.coach_id}", clients)
    return HttpResponse(merged.to_ical(), content_type="text/calendar; charset=utf-8")
