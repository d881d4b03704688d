"""The coordinator's pages: weeks, tables, planning, the week's versions, changes and publishing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maps.text import kind_name
from planner.i18n import texts
from planner.plan.tours import Plan
from planner.reasons import sentence
from planner.scenario import Scenario
from web import weeks
from web.audit import record
from web.forms import AbsentForm, CancelForm, MoveForm, NewWeekForm, UploadForm, UrgentForm, VanOffForm
from web.models import Job, PlanVersion, Week
from web.roles import coordinator


def _user(request: HttpRequest) -> User:
    """The logged-in user (the role decorators let no one else in)."""
    assert isinstance(request.user, User)
    return request.user


def _save_uploads(request: HttpRequest, folder: Path, files: list[Any]) -> bool:
    """Store the uploaded files; False (and a message per file) when one is refused."""
    ok = True
    for f in files:
        try:
            weeks.store_upload(folder, f.name, f.read())
        except weeks.UploadRejected as exc:
            messages.error(request, str(exc))
            ok = False
    return ok


def _recheck(week: Week) -> Scenario | None:
    """Load the week again, remember the problems and take the title from the scenario."""
    scenario, problems = weeks.check(week.folder)
    week.problems = problems
    if scenario is not None:
        week.title = f"{scenario.settings.name} {scenario.settings.week}"
    week.save()
    return scenario


@coordinator
def week_list(request: HttpRequest) -> HttpResponse:
    """All weeks, and a form for the next one (master data carries over from the newest)."""
    form = NewWeekForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        previous = Week.objects.first()
        week = Week.objects.create(title=_("new week"), created_by=_user(request))
        iso = form.cleaned_data["week"].strip()
        if previous is not None:
            weeks.carry_over(previous.folder, week.folder, iso or None)
        week.folder.mkdir(parents=True, exist_ok=True)
        _save_uploads(request, week.folder, form.cleaned_data["tables"])
        if iso and (week.folder / "scenario.toml").is_file():
            try:
                weeks.set_week(week.folder, iso)
            except ValueError as exc:
                messages.error(request, str(exc))
        _recheck(week)
        return redirect("week", week.pk)
    return render(request, "web/weeks.html", {"weeks": Week.objects.all(), "form": form})


@coordinator
def week_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The week: input problems, versions, the chosen version's days, tours and waiting list."""
    week = get_object_or_404(Week, pk=pk)
    versions = list(week.versions.all())
    number = request.GET.get("v")
    version = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    context: dict[str, Any] = {
        "week": week,
        "versions": versions,
        "version": version,
        "upload": UploadForm(),
        "tables": [(t, weeks.table_path(week.folder, t)) for t in weeks.TABLES],
        "job": week.jobs.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first(),
        "last_job": week.jobs.first(),
    }
    if version is not None and (version.folder / "plan.json").is_file():
        plan = Plan.read(version.folder / "plan.json")
        context |= _plan_context(plan, version, request.LANGUAGE_CODE)
        tell = texts(request.LANGUAGE_CODE).tell_client
        context["changes"] = [
            row | {"tell": tell.get(str(row["tell_client"]), "")} for row in version.changes
        ]
        clients = [s.client for _, s in plan.stops()] + [u.client for u in plan.unscheduled]
        record(request, "view", f"week {week.pk} version {version.number}", clients)
    return render(request, "web/week.html", context)


def _names(version: PlanVersion) -> tuple[dict[str, str], dict[str, str]]:
    """Van and coach names of the week the version was planned for (kept in its summary)."""
    summary = version.summary
    return dict(summary.get("van_names", {})), dict(summary.get("coach_names", {}))


def _plan_context(plan: Plan, version: PlanVersion, lang: str) -> dict[str, Any]:
    """Days with their tours and stops, the waiting list with reasons, and the change forms."""
    vans, coaches = _names(version)
    tz = plan.timezone
    tx = texts(lang)
    days = []
    for day in sorted({t.day for t in plan.tours}):
        tours = []
        for t in sorted((t for t in plan.tours if t.day == day), key=lambda t: t.van):
            crew = ", ".join(coaches.get(c, c) for c in t.crew)
            stops = [(stop, kind_name(tx, stop.kind)) for stop in t.stops]
            tours.append({"tour": t, "van": vans.get(t.van, t.van), "crew": crew, "stops": stops})
        days.append({"day": day, "tours": tours})
    waiting = [
        {"item": u, "reason": sentence(u.reason, u.detail, lang), "kind": kind_name(tx, u.kind)}
        for u in plan.unscheduled
    ]
    van_choices = [(v, vans.get(v, v)) for v in sorted(vans or {t.van for t in plan.tours})]
    coach_choices = [(c, name) for c, name in coaches.items()]
    return {
        "plan": plan,
        "tz": tz,
        "days": days,
        "waiting": waiting,
        "move_form": MoveForm(vans=van_choices),
        "cancel_form": CancelForm(),
        "absent_form": AbsentForm(coaches=coach_choices),
        "van_form": VanOffForm(vans=van_choices),
        "urgent_form": UrgentForm(),
    }


@coordinator
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """More or corrected tables for the week."""
    week = get_object_or_404(Week, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        _save_uploads(request, week.folder, form.cleaned_data["tables"])
        _recheck(week)
    return redirect("week", week.pk)


@coordinator
def scenario_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the week's scenario.toml (name, week, depots, buffers, working time, ...) as text,
    checked by the loader at once."""
    week = get_object_or_404(Week, pk=pk)
    path = week.folder / "scenario.toml"
    if request.method == "POST":
        text = request.POST.get("text", "")
        if len(text.encode()) > settings.MAX_UPLOAD_BYTES:
            messages.error(request, _("Too large."))
        else:
            path.write_text(text.replace("\r\n", "\n"), encoding="utf-8")
            weeks.fix_osm_path(week.folder)
            _recheck(week)
            messages.success(request, _("Table saved."))
        return redirect("settings", week.pk)
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    problems = [p for p in week.problems if p.get("file") == "scenario.toml"]
    return render(request, "web/settings.html", {"week": week, "text": text, "problems": problems})


@coordinator
def table(request: HttpRequest, pk: int, stem: str) -> HttpResponse:
    """Edit a table of the week in a form: every cell a field, rows added or deleted; saved as CSV
    and checked by the loader at once."""
    week = get_object_or_404(Week, pk=pk)
    if stem not in weeks.TABLES:
        raise Http404
    path = weeks.table_path(week.folder, stem)
    if path is None:
        raise Http404
    header, rows = weeks.read_rows(path)
    if request.method == "POST":
        count = int(request.POST.get("rows", "0") or 0)
        edited = []
        for i in range(min(count, 10000)):
            if request.POST.get(f"delete-{i}"):
                continue
            row = [request.POST.get(f"c-{i}-{k}", "").strip() for k in range(len(header))]
            if any(row):
                edited.append(row)
        weeks.write_rows(path, header, edited)
        _recheck(week)
        messages.success(request, _("Table saved."))
        return redirect("table", week.pk, stem)
    record(request, "view", f"week {week.pk} table {stem}", _clients(header, rows))
    blank = [""] * len(header)
    numbered = list(enumerate([*rows, blank]))
    problems = [p for p in week.problems if str(p.get("file", "")).startswith(stem)]
    return render(
        request, "web/table.html",
        {"week": week, "stem": stem, "header": header, "rows": numbered, "count": len(numbered),
         "problems": problems},
    )  # fmt: skip


def _clients(header: list[str], rows: list[list[str]]) -> list[str]:
    if "client" not in header:
        return []
    k = header.index("client")
    return [r[k] for r in rows if len(r) > k]


@coordinator
@require_POST
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue planning the week from scratch (the worker runs `vanplan plan`)."""
    week = get_object_or_404(Week, pk=pk)
    if _recheck(week) is None:
        messages.error(request, _("The tables have problems; fix them first."))
    else:
        Job.objects.create(kind=Job.Kind.PLAN, week=week, created_by=_user(request))
    return redirect("week", week.pk)


@coordinator
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Progress of a job for the page's progress bar."""
    job = get_object_or_404(Job, pk=pk)
    return JsonResponse(
        {"status": job.status, "stage": job.stage, "progress": round(job.progress, 3), "message": job.message}
    )


@coordinator
@require_POST
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """A change to a version: pin or unpin a stop (requests.csv), or a replan after a move,
    cancellation, absence, van out of service or urgent request (changes.csv rows)."""
    version = get_object_or_404(PlanVersion, pk=pk)
    week = version.week
    action = request.POST.get("action", "")
    plan = Plan.read(version.folder / "plan.json")
    vans, coaches = _names(version)
    rows: list[dict[str, str]] = []
    if action in ("pin", "unpin"):
        rid = request.POST.get("request", "")
        where = {s.request_id: (t, s) for t, s in plan.stops()}
        if rid not in where:
            raise Http404
        tour, stop = where[rid]
        cells = (
            {"pin_van": tour.van, "pin_date": tour.day.isoformat(), "pin_start": f"{stop.start:%H:%M}"}
            if action == "pin"
            else {"pin_van": "", "pin_date": "", "pin_start": ""}
        )
        weeks.set_cells(week.folder, "requests", rid, cells)
        _recheck(week)
        messages.success(
            request, _("Pinned %(r)s.") % {"r": rid} if action == "pin" else _("Unpinned %(r)s.") % {"r": rid}
        )
        return redirect(f"/weeks/{week.pk}/?v={version.number}")
    if action == "move":
        form: Any = MoveForm(request.POST, vans=[(v, v) for v in vans or {t.van for t in plan.tours}])
        if form.is_valid():
            d = form.cleaned_data
            start = timezone.make_naive(d["start"]) if timezone.is_aware(d["start"]) else d["start"]
            rows.append(
                {
                    "change": "move",
                    "request": d["request"],
                    "van": d["van"],
                    "fixed_start": f"{start:%Y-%m-%d %H:%M}",
                }
            )
    elif action == "cancel":
        form = CancelForm(request.POST)
        if form.is_valid():
            rows.append(
                {"change": "cancel", "request": form.cleaned_data["request"], "by": form.cleaned_data["by"]}
            )
    elif action == "absent":
        form = AbsentForm(request.POST, coaches=list(coaches.items()))
        if form.is_valid():
            d = form.cleaned_data
            rows.append(
                {
                    "change": "absent",
                    "coach": d["coach"],
                    "dates": d["dates"],
                    "from": d["since"],
                    "until": d["until"],
                }
            )
    elif action == "van_unavailable":
        form = VanOffForm(request.POST, vans=list(vans.items()))
        if form.is_valid():
            rows.append(
                {
                    "change": "van_unavailable",
                    "van": form.cleaned_data["van"],
                    "dates": form.cleaned_data["dates"],
                }
            )
    elif action == "urgent":
        form = UrgentForm(request.POST)
        if form.is_valid():
            new = form.row()
            if new["id"] in weeks.row_ids(week.folder, "requests"):
                messages.error(request, _("Request id %(r)s exists already.") % {"r": new["id"]})
                return redirect(f"/weeks/{week.pk}/?v={version.number}")
            weeks.append_row(week.folder, "requests", new)
            if _recheck(week) is None:  # the loader rejects the new row: take it out again, show why
                _drop_row(week, new["id"])
                for p in week.problems:
                    messages.error(request, f"{p['file']} {p.get('column') or ''}: {p['message']}")
                _recheck(week)
                return redirect(f"/weeks/{week.pk}/?v={version.number}")
            rows.append({"change": "new_request", "request": new["id"]})
    else:
        raise Http404
    if not rows:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(f"/weeks/{week.pk}/?v={version.number}")
    Job.objects.create(kind=Job.Kind.REPLAN, week=week, base=version, changes=rows, created_by=_user(request))
    messages.info(request, _("Replanning from version %(n)s …") % {"n": version.number})
    return redirect(f"/weeks/{week.pk}/?v={version.number}")


def _drop_row(week: Week, rid: str) -> None:
    path = weeks.table_path(week.folder, "requests")
    assert path is not None
    header, rows = weeks.read_rows(path)
    k = header.index("id")
    weeks.write_rows(path, header, [r for r in rows if r[k] != rid])


@coordinator
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a version: coaches see it from now on (a version that breaks a rule cannot be)."""
    version = get_object_or_404(PlanVersion, pk=pk)
    if version.violations:
        messages.error(request, _("This version breaks rules and cannot be published."))
    else:
        with transaction.atomic():
            version.published_at, version.published_by = timezone.now(), _user(request)
            version.save()
        messages.success(request, _("Version %(n)s published.") % {"n": version.number})
    return redirect(f"/weeks/{version.week.pk}/?v={version.number}")


def day_of(text: str) -> date:
    """A date from a URL, or 404."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404 from None
