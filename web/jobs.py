"""The background worker: takes queued jobs one at a time and runs the planner's own commands
(`plan_scenario`, `replan_folder`, the writers and renderers of `vanplan plan`), reporting the
stage and search progress to the job row the page polls. Requests never plan themselves."""

from __future__ import annotations

import csv
import logging
import os
import shutil
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from maps import render_all
from maps.coverage import coverage_map
from maps.render import coach_file_names, file_names
from planner.errors import InputError, VanplanError
from planner.i18n import error_text, violation_text
from planner.network import Network
from planner.outputs.tables import write_tables
from planner.pipeline import Progress, plan_scenario
from planner.plan.tours import Plan
from planner.plan.validate import Violation
from planner.reasons import sentence
from planner.replan.changes import OPTIONAL, REQUIRED
from planner.replan.diff import changes_table
from planner.replan.run import replan_folder
from planner.scenario import Scenario
from planner.simulate.main import load_spec, run_spec, total_weeks
from web.clock import now_local
from web.models import Job, PlanVersion

log = logging.getLogger(__name__)
CHANGE_COLUMNS = (*REQUIRED, *OPTIONAL)
STAGE_SHARE = {"compile": 0.02, "load": 0.03, "network": 0.08, "geocode": 0.1, "matrix": 0.15, "search": 0.2}


class MoveRefused(Exception):
    """The coordinator's move cannot be made; the message says why (as `pin_invalid` does)."""


class JobProgress(Progress):
    """Writes the stage and the search's share of its time limit to the job (at most twice a second)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0

    def stage(self, name: str) -> None:
        self._save(name, STAGE_SHARE.get(name, self.job.progress), force=True)

    def tick(self, elapsed_s: float, limit_s: float) -> None:
        share = 0.2 + 0.75 * min(1.0, elapsed_s / max(limit_s, 1e-6))
        self._save("search", share)

    def _save(self, stage: str, progress: float, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < 0.5:
            return
        self.last = time.monotonic()
        Job.objects.filter(pk=self.job.pk).update(stage=stage, progress=max(progress, self.job.progress))
        self.job.progress = max(progress, self.job.progress)


def claim() -> Job | None:
    """The oldest queued job, now marked running (no other worker gets it)."""
    with transaction.atomic():
        for job in Job.objects.filter(status=Job.Status.QUEUED).order_by("created")[:5]:
            if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING):
                job.status = Job.Status.RUNNING
                return job
    return None


def run_next() -> Job | None:
    """Run the oldest queued job to its end; None when there is none."""
    job = claim()
    if job is None:
        return None
    try:
        result = None
        if job.kind == Job.Kind.SIMULATE:
            simulate_job(job)
        else:
            result = plan_job(job) if job.kind == Job.Kind.PLAN else replan_job(job)
        job.status, job.result, job.progress = Job.Status.DONE, result, 1.0
    except MoveRefused as exc:
        job.status, job.message = Job.Status.DONE, str(exc)
    except InputError as exc:
        job.status, job.problems = Job.Status.FAILED, [p.__dict__ for p in exc.problems]
        job.message = error_text(exc, "de")
    except VanplanError as exc:
        job.status, job.message = Job.Status.FAILED, error_text(exc, "de")
    except Exception:  # the page must say it failed; the log has the traceback
        log.exception("job %s failed", job.pk)
        job.status, job.message = Job.Status.FAILED, "Interner Fehler; Details im Server-Log."
    job.finished = timezone.now()
    job.save()
    return job


def work(poll_s: float = 1.0, stop: Path | None = None, parent: int | None = None) -> None:
    """Run jobs until `stop` exists or the `parent` process (`vanplan serve`) is gone, polling the
    queue every `poll_s` seconds."""
    Job.objects.filter(status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, message="Abgebrochen: der Worker wurde neu gestartet."
    )
    while (stop is None or not stop.exists()) and (parent is None or os.getppid() == parent):
        close_old_connections()
        if run_next() is None:
            time.sleep(poll_s)


def _cache() -> Path:
    return Path(settings.CACHE_DIR)


def simulate_job(job: Job) -> None:
    """`vanplan simulate` on the spec in the simulation's folder (in this process, week by week)."""
    assert job.simulation is not None
    folder = job.simulation.folder
    spec = load_spec(next(folder.glob("*.toml")))
    done, total = [0], max(1, total_weeks(spec))

    def on_week(_row: object) -> None:
        done[0] += 1
        Job.objects.filter(pk=job.pk).update(stage="simulate", progress=done[0] / total)

    run_spec(spec, folder, coverage_map, workers=0, on_week=on_week)


def plan_job(job: Job) -> PlanVersion:
    """`vanplan plan` on the week's folder: a new first-generation version."""
    assert job.week is not None
    run = plan_scenario(
        job.week.folder, time_limit_s=settings.TIME_LIMIT_S, cache_dir=_cache(), progress=JobProgress(job)
    )
    return _version(job, run.plan, run.scenario, run.network, run.violations)


def replan_job(job: Job) -> PlanVersion:
    """`vanplan replan` from the job's base version with its changes; the version after it."""
    assert job.base is not None
    folder = Path(settings.DATA_DIR) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    changes = folder / "changes.csv"
    with changes.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, CHANGE_COLUMNS)
        writer.writeheader()
        writer.writerows(job.changes)
    week = job.week
    assert week is not None
    tz = str(job.base.summary.get("timezone", "Europe/Berlin"))
    run = replan_folder(
        week.folder, job.base.folder / "plan.json", changes, now_local(ZoneInfo(tz)),
        cache_dir=_cache(), time_limit_s=settings.TIME_LIMIT_S, progress=JobProgress(job),
    )  # fmt: skip
    result = run.result
    refused = [f"{rid}: {sentence('pin_invalid', detail, 'de')}" for rid, detail in result.refused]
    table = changes_table(result.changes, result.plan.timezone, "de")
    rows: list[dict[str, object]] = [
        {str(k): v for k, v in r.items()} for r in table.to_dict(orient="records")
    ]
    if refused and not result.changes:  # nothing could be done: no new version, the page says why
        raise MoveRefused("\n".join(refused))
    return _version(
        job, result.plan, result.outputs, run.network, list(result.violations), parent=job.base,
        changes=rows, refused=refused, old=run.old,
    )  # fmt: skip


def _version(
    job: Job,
    plan: Plan,
    scenario: Scenario,
    network: Network,
    violations: list[Violation],
    parent: PlanVersion | None = None,
    changes: list[dict[str, object]] | None = None,
    refused: list[str] | None = None,
    old: Plan | None = None,
) -> PlanVersion:
    """Store the plan as the week's next version with the outputs `vanplan plan` writes."""
    week = job.week
    assert week is not None
    with transaction.atomic():
        last = week.versions.order_by("-number").first()
        version = PlanVersion.objects.create(
            week=week,
            number=(last.number + 1) if last else 1,
            parent=parent,
            created_by=job.created_by,
            summary=summary(plan, scenario),
            changes=changes or [],
            refused=refused or [],
            violations=[violation_text(v, "de") for v in violations],
        )
    folder = version.folder
    shutil.rmtree(folder, ignore_errors=True)
    write_tables(plan, scenario, folder)
    if not violations:  # never hand out maps, sheets or calendars of a plan that breaks a rule
        render_all(plan, scenario, network, folder, previous=old)
        version.summary |= file_index(plan, scenario)
        version.save(update_fields=["summary"])
    return version


def summary(plan: Plan, scenario: Scenario) -> dict[str, object]:
    """Counts for the lists and the KPI page: no client reference in here."""
    placed = [s for _, s in plan.stops()]
    requests = {r.id: r for r in scenario.requests}
    by_priority = Counter(str(requests[s.request_id].priority) for s in placed if s.request_id in requests)
    asked = Counter(str(r.priority) for r in scenario.requests)
    reasons = Counter(u.reason for u in plan.unscheduled)
    return {
        "title": scenario.settings.name,
        "van_names": {v.id: v.name for v in scenario.vans},  # for the week page, without reading the tables
        "coach_names": {c.id: c.name for c in scenario.coaches},
        "week": plan.week,
        "timezone": plan.timezone,
        "requests": len(scenario.requests),
        "placed": len(placed),
        "unscheduled": len(plan.unscheduled),
        "tours": len(plan.tours),
        "days": sorted({t.day.isoformat() for t in plan.tours}),
        "placed_by_priority": dict(sorted(by_priority.items())),
        "requested_by_priority": dict(sorted(asked.items())),
        "unscheduled_by_reason": dict(reasons.most_common()),
        "travel_km": round(sum(t.km for t in plan.tours), 1),
        "travel_h": round(sum(t.drive_min for t in plan.tours) / 60, 1),
        "work_h": round(sum(t.work_min for t in plan.tours) / 60, 1),
    }


def file_index(plan: Plan, scenario: Scenario) -> dict[str, object]:
    """Where `render_all` put each coach's pages and each van-day's sheet (names depend on all ids)."""
    vans = file_names([v.id for v in scenario.vans] + [t.van for t in plan.tours])
    sheets = {
        f"{t.van}|{t.day.isoformat()}": f"sheets/tag-{t.day.isoformat()}-{vans[t.van]}.html"
        for t in plan.tours
    }
    return {"coach_files": coach_file_names(plan, scenario), "sheet_files": sheets}
