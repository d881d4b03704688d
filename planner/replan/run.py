"""`vanplan replan` end to end: read the scenario, the old plan and changes.csv, replan, write the
new version beside the old one. The engine (`planner.replan.engine`) knows no files; this does."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from planner.errors import InputError, InputProblem
from planner.input.geocode import geocode_requests
from planner.input.load import load_scenario
from planner.network import Network
from planner.outputs.spreadsheet import write_csv
from planner.outputs.tables import write_tables
from planner.pipeline import Progress, default_cache_dir, default_time_limit, network_of, stage_timer
from planner.plan.tours import Plan
from planner.replan.changes import load_changes
from planner.replan.diff import changes_table
from planner.replan.engine import REPLAN_STEPS, Replanned, replan
from planner.solver import SearchParams, compile_kernel


@dataclass
class ReplanRun:
    """What one `vanplan replan` produced, with the seconds each stage took."""

    result: Replanned
    network: Network
    old: Plan
    timings: dict[str, float] = field(default_factory=dict)


def read_plan(path: Path) -> Plan:
    """The old plan; an unreadable file is an input error naming it."""
    try:
        return Plan.read(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError([InputProblem(path.name, None, None, f"not a readable plan ({exc})")]) from None


def replan_folder(
    folder: Path,
    plan_file: Path,
    changes_file: Path,
    now: datetime | None = None,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> ReplanRun:
    """Replan the week of `folder` from `plan_file` after `changes_file`, keeping what lies before
    `now` (naive local time; default: the clock). The time limit counts from the start, as in `plan`."""
    progress = progress or Progress()
    timings: dict[str, float] = {}
    compile_kernel(lambda: progress.stage("compile"))
    started = time.monotonic()

    stage = stage_timer(progress, timings)
    with stage("load"):
        scenario = load_scenario(folder)
        old = read_plan(plan_file)
        when = now or datetime.now(scenario.settings.tz).replace(tzinfo=None, second=0, microsecond=0)
        changes = load_changes(changes_file, scenario, old, when)
    settings = scenario.settings
    with stage("network"):
        network = network_of(scenario, cache_dir or default_cache_dir())
    with stage("geocode"):
        geo = geocode_requests(scenario.requests, settings.geocoding, settings.network.osm)
    points = {r.id: r.point for r in scenario.requests if r.point is not None} | dict(geo.points)
    limit = time_limit_s or settings.time_limit_s or default_time_limit(len(scenario.requests))
    params = SearchParams(
        time_limit_s=limit, seed=settings.seed if seed is None else seed, steps_per_job=REPLAN_STEPS
    )
    with stage("search"):
        result = replan(
            scenario,
            old,
            changes,
            when,
            points,
            network.matrix,
            geocode_why={f.request_id: f.reason.value for f in geo.failures},
            params=params,
            travel_source=network.source,
            deadline=started + limit,
        )
    return ReplanRun(result, network, old, timings)


def version_folder(plan_file: Path, version: int) -> Path:
    """Where a new version goes by default: beside the old plan's folder, named after it with
    `-v<version>` (out/plan.json -> out-v2/, out-v2/plan.json -> out-v3/)."""
    folder = plan_file.resolve().parent
    return folder.parent / f"{re.sub(r'-v[0-9]+$', '', folder.name) or 'plan'}-v{version}"


def write_version(run: ReplanRun, out: Path, lang: str = "de") -> list[Path]:
    """plan.json, tours.csv, unscheduled.csv, letters.csv and changes.csv of the new version."""
    result = run.result
    written = write_tables(result.plan, result.outputs, out, lang)
    path = out / "changes.csv"
    write_csv(changes_table(result.changes, result.plan.timezone, lang), path)
    return [*written, path]
