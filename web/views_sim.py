"""Management's simulations: upload a spec (docs/simulate.md), the worker runs `vanplan simulate`,
the report opens in the browser. Reports hold figures and sites, no client data."""

from __future__ import annotations

import re
from pathlib import Path

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from planner.errors import InputError
from planner.i18n import error_text
from planner.simulate.main import load_spec
from web.forms import SpecForm
from web.models import Job, Simulation
from web.roles import management
from web.views_files import html_file, inside
from web.weeks import fix_osm_path


@management
def simulations(request: HttpRequest) -> HttpResponse:
    """The simulations run so far, and a form to run a spec."""
    form = SpecForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["spec"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            messages.error(request, f"{upload.name}: larger than {settings.MAX_UPLOAD_BYTES // 2**20} MB")
            return redirect("simulations")
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(upload.name).name)
        if not name.endswith(".toml"):
            messages.error(request, f"{upload.name}: not a simulation spec (.toml)")
            return redirect("simulations")
        assert isinstance(request.user, User)
        sim = Simulation.objects.create(title=name, created_by=request.user)
        sim.folder.mkdir(parents=True, exist_ok=True)
        (sim.folder / name).write_bytes(upload.read())
        fix_osm_path(sim.folder, name, None)
        try:
            spec = load_spec(sim.folder / name)
        except InputError as exc:
            messages.error(request, error_text(exc, request.LANGUAGE_CODE))
            sim.delete()
            return redirect("simulations")
        sim.title = spec.name
        sim.save()
        Job.objects.create(kind=Job.Kind.SIMULATE, simulation=sim, created_by=request.user)
        return redirect("simulation", sim.pk)
    rows = [(s, s.jobs.first()) for s in Simulation.objects.all()]
    return render(request, "web/simulations.html", {"rows": rows, "form": form})


@management
def simulation(request: HttpRequest, pk: int) -> HttpResponse:
    """One simulation: progress while it runs, then its report."""
    sim = get_object_or_404(Simulation, pk=pk)
    job = sim.jobs.first()
    ready = (sim.folder / "report.html").is_file()
    return render(request, "web/simulation.html", {"sim": sim, "job": job, "ready": ready})


@management  # type: ignore[arg-type]
@csp_update(settings.MAP_CSP)  # type: ignore[arg-type]
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """report.html as `vanplan simulate` wrote it (charts as inline SVG, an offline map)."""
    sim = get_object_or_404(Simulation, pk=pk)
    return html_file(inside(sim.folder, "report.html"))


@management  # type: ignore[arg-type]
def kpis(request: HttpRequest, pk: int) -> FileResponse:
    """kpis.csv of the simulation."""
    sim = get_object_or_404(Simulation, pk=pk)
    return FileResponse(inside(sim.folder, "kpis.csv").open("rb"), as_attachment=True, filename="kpis.csv")


@management
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Progress of a simulation for the page's progress bar."""
    job = get_object_or_404(Job, pk=pk, kind=Job.Kind.SIMULATE)
    return JsonResponse({"status": job.status, "stage": job.stage, "progress": round(job.progress, 3)})
