"""A planned demo week in the web app's database: users of every role, a published version with
the outputs `vanplan plan` writes, and a calendar token. Planned once per test session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from maps import render_all
from planner.outputs.tables import write_tables
from planner.pipeline import Run, default_cache_dir, plan_scenario
from web.jobs import file_index, summary
from web.models import FeedToken, Job, PlanVersion, Profile, Role, Simulation, Week

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "bayreuth-nord"
PASSWORD = "a-long-test-password-2026"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """A data folder of the test's own (week and version folders are named by database ids)."""
    settings.DATA_DIR = tmp_path
    return tmp_path


def plan_demo(out: Path) -> Run:
    """Plan the demo week (5 s) and write every output into `out`."""
    folder = out / "input"
    shutil.copytree(DEMO, folder)
    (folder / "scenario.toml").write_text(
        (folder / "scenario.toml")
        .read_text()
        .replace("../../../shared/osm/", f"{DEMO.parents[2]}/shared/osm/")
    )
    run = plan_scenario(folder, time_limit_s=5, cache_dir=default_cache_dir())
    write_tables(run.plan, run.scenario, out / "plan")
    render_all(run.plan, run.scenario, run.network, out / "plan")
    return run


def user(name: str, role: str, coach_id: str = "") -> User:
    u = User.objects.create_user(name, password=PASSWORD, is_staff=role == Role.ADMIN,
                                 is_superuser=role == Role.ADMIN)  # fmt: skip
    Profile.objects.create(user=u, role=role, coach_id=coach_id)
    return u


@dataclass
class World:
    week: Week
    version: PlanVersion
    job: Job
    users: dict[str, User | None]
    own_stop: str  # a request on a tour of coach "own"
    own_day: str
    van: str
    token: str
    token_pk: int
    simulation: Simulation
    sim_job: Job


def world(demo: tuple[Path, Run]) -> World:
    """The database rows over a copy of the planned demo week."""
    out, run = demo
    days = {c.id: {t.day for t in run.plan.tours if c.id in t.crew} for c in run.scenario.coaches}
    # "own" rides on a day "other" does not: that day's stops and map are own's alone
    own, other = next((a, b) for a in sorted(days) for b in sorted(days) if a != b and days[a] - days[b])
    users: dict[str, User | None] = {
        "anonymous": None,
        "coordinator": user("coord", Role.COORDINATOR),
        "coach_own": user("own", Role.COACH, own),
        "coach_other": user("other", Role.COACH, other),
        "management": user("boss", Role.MANAGEMENT),
        "admin": user("root", Role.ADMIN),
    }
    week = Week.objects.create(title="Bayreuth-Nord 2026-W49", created_by=users["coordinator"])
    shutil.copytree(out / "input", week.folder)
    version = PlanVersion.objects.create(
        week=week, number=1, summary=summary(run.plan, run.scenario) | file_index(run.plan, run.scenario)
    )
    shutil.copytree(out / "plan", version.folder)
    tour = next(t for t in run.plan.tours if own in t.crew and t.day not in days[other])
    job = Job.objects.create(kind=Job.Kind.PLAN, week=week, status=Job.Status.DONE, result=version)
    entry, token = FeedToken.issue(own, users["coordinator"])
    # a finished simulation's files, for the permission checks (tests/test_web_flow.py runs a real one)
    sim = Simulation.objects.create(title="Tiny", created_by=users["management"])
    sim.folder.mkdir(parents=True)
    (sim.folder / "report.html").write_text("<!doctype html><title>report</title>")
    (sim.folder / "kpis.csv").write_text("variant,week\n")
    sim_job = Job.objects.create(kind=Job.Kind.SIMULATE, simulation=sim, status=Job.Status.DONE)
    return World(week, version, job, users, tour.stops[0].request_id, tour.day.isoformat(), tour.van, token,
                 entry.pk, sim, sim_job)  # fmt: skip
