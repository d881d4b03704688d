"""Start page, language switch, KPIs for management, the audit log and calendar tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planner.reasons import sentence
from web.middleware import COOKIE
from web.models import AuditEntry, FeedToken, Role, Week
from web.roles import coordinator, management, role_of
from web.weeks import check


def home(request: HttpRequest) -> HttpResponse:
    """Each role's own start page."""
    role = role_of(request.user)
    starts = {Role.COORDINATOR.value: "weeks", Role.COACH.value: "coach", Role.MANAGEMENT.value: "kpi"}
    target = starts.get(role, "admin:index" if role == Role.ADMIN else "login")
    return redirect(target)


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language (de or en) in a cookie."""
    lang = request.POST.get("lang", "de")
    response = redirect(request.POST.get("next") or "home")
    if lang in ("de", "en"):
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Strict", httponly=True)
    return response


@management
def kpi(request: HttpRequest) -> HttpResponse:
    """Per week, the newest version's figures: no client reference on this page."""
    rows = []
    for week in Week.objects.all():
        version = week.published() or week.latest()
        if version is None:
            continue
        s = version.summary
        reasons = [
            (sentence(code, {}, request.LANGUAGE_CODE).split(":")[0], n)
            for code, n in s.get("unscheduled_by_reason", {}).items()
        ]
        rows.append({"week": week, "version": version, "s": s, "reasons": reasons})
    return render(request, "web/kpi.html", {"rows": rows})


@coordinator
def audit(request: HttpRequest) -> HttpResponse:
    """Who viewed or exported which client data and when (newest first)."""
    query = request.GET.get("q", "").strip()
    entries = AuditEntry.objects.all()
    if query:
        entries = entries.filter(clients__icontains=query) | entries.filter(username__icontains=query)
    return render(request, "web/audit.html", {"entries": entries[:500], "q": query})


def _coach_choices() -> list[tuple[str, str]]:
    week = Week.objects.first()
    scenario = check(week.folder)[0] if week is not None else None
    return [(c.id, c.name) for c in scenario.coaches] if scenario is not None else []


@coordinator
def feeds(request: HttpRequest) -> HttpResponse:
    """Calendar feed URLs per coach: issue one (the secret is shown once) or revoke it."""
    coaches = _coach_choices()
    new_url = ""
    if request.method == "POST":
        coach_id = request.POST.get("coach", "")
        if coach_id in dict(coaches):
            _entry, token = FeedToken.issue(coach_id, request.user)
            new_url = request.build_absolute_uri(f"/calendar/{token}.ics")
    tokens = FeedToken.objects.order_by("-created")
    return render(request, "web/feeds.html", {"coaches": coaches, "tokens": tokens, "new_url": new_url})


@coordinator
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a calendar feed: its URL answers 404 from now on."""
    entry = get_object_or_404(FeedToken, pk=pk)
    entry.revoked_at = timezone.now()
    entry.save()
    messages.success(request, _("Calendar feed revoked."))
    return redirect("feeds")
