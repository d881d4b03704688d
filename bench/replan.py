"""Replanning against planning from scratch: communicated appointments moved, and time per replan.

Run: `python -m bench.replan [--count 20] [--weeks demo,town] [--time-limit 30] [--work DIR]`.
Each week is planned once (version 1, as `vanplan plan` does). Then, for each of `--count` seeds,
a random sequence of one to four changes (cancel, absent, van_unavailable, an urgent new request,
availability, fixed_time) at a random `--now` in the week is replanned (`planner.replan`) and the
changed week is planned from scratch (as `vanplan plan` on an edited folder would). Reported per
week: the appointments of version 1 after now that were communicated (and all of them) which each
way moves or drops (split into forced: a change made the old place impossible, `Replanned.forced`;
and unforced), the ratios replan/scratch, seconds per replan (median and maximum; travel times
cached, as on a second run), the peak resident memory of the bench process and its search workers
during a replan (the loaded week included), and plans that break a rule (there must be none).
Targets: the replan moves at most 10 % of the communicated appointments a scratch plan moves, in at
most 10 s per replan on the demo week. The town week is generated once (Lauf an der Pegnitz, 120
requests, three vans, seed 7) into `--work`. Only one benchmark at a time on the 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from bench.isolated import sampled
from planner.input.geocode import geocode_requests
from planner.input.load import load_scenario
from planner.network import Network
from planner.pipeline import default_cache_dir, network_of
from planner.plan.assemble import assemble
from planner.plan.tours import Plan
from planner.problem.build import build
from planner.replan import Change, ChangeKind, replan
from planner.replan.engine import REPLAN_STEPS, is_communicated
from planner.replan.history import split
from planner.scenario import Kind, Point, Scenario, WeeklyWindow
from planner.solver import SearchParams, compile_kernel, solve

ROOT = Path(__file__).resolve().parents[1]
OSM = ROOT.parent / "shared" / "osm"
DEMO = ROOT / "scenarios" / "bayreuth-nord"


@dataclass(frozen=True)
class Week:
    """A loaded week with its road network and request positions."""

    name: str
    scenario: Scenario
    network: Network
    points: Mapping[str, Point]


@dataclass(frozen=True)
class Trial:
    """One change sequence: what each way moved, and how long the replan took."""

    changes: int
    communicated: int  # communicated appointments of version 1 after now
    forced: int  # ... of which a change made their place impossible (`Replanned.forced`)
    replan_moved: int  # ... of which the replan moved or dropped
    scratch_moved: int  # ... of which planning from scratch moved or dropped
    replan_unforced: int  # ... moved or dropped by the replan though not forced
    scratch_unforced: int  # ... moved or dropped from scratch though not forced
    kept: int  # all appointments of version 1 after now, not cancelled
    replan_all: int
    scratch_all: int
    seconds: float
    peak_mb: float  # resident memory of the bench process and its search workers during the replan
    violations: int


def town(work: Path) -> Path:
    """The generated town week (first use only)."""
    folder = work / "lauf-120"
    if not (folder / "scenario.toml").exists():
        cmd = [
            sys.executable,
            "-m",
            "planner.cli",
            "generate",
            "--osm",
            str(OSM / "lauf.osm.pbf"),
            "--out",
            str(folder),
            "--week",
            "2026-W49",
            "--requests",
            "120",
            "--vans",
            "3",
            "--coaches",
            "6",
            "--depot-name",
            "Rathaus",
            "--seed",
            "7",
        ]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return folder


def load(name: str, folder: Path) -> Week:
    """Scenario, network (cached) and geocoded positions of a week."""
    scenario = load_scenario(folder)
    network = network_of(scenario, default_cache_dir())
    geo = geocode_requests(scenario.requests, scenario.settings.geocoding, scenario.settings.network.osm)
    points = {r.id: r.point for r in scenario.requests if r.point is not None} | dict(geo.points)
    return Week(name, scenario, network, points)


def plan(scenario: Scenario, week: Week, limit: float, seed: int) -> Plan:
    """The week planned from scratch, as `vanplan plan` plans it."""
    built = build(scenario, week.points, week.network.matrix)
    solution = solve(built.problem, SearchParams(time_limit_s=limit, seed=seed))
    return assemble(scenario, built, solution, week.network.source, seed, limit)


def random_changes(
    week: Week, old: Plan, rng: random.Random
) -> tuple[datetime, list[Change], Scenario, dict[str, Point]]:
    """A random `--now` in the week and one to four changes valid at it; the scenario (and the
    positions) gain the urgent new request, if one is drawn."""
    sc = week.scenario
    days = sc.settings.days[:5]
    now = datetime.combine(rng.choice(days[:4]), datetime.min.time()) + timedelta(
        hours=rng.choice([0, 8, 10, 13])
    )
    history = split(old, now.replace(tzinfo=sc.settings.tz))
    future = [(t, s) for t, s in old.stops() if s.request_id not in history.stops]
    later = [d for d in days if d >= now.date()]
    requests = {r.id: r for r in sc.requests}
    points = dict(week.points)
    changes: list[Change] = []
    touched: set[str] = set()
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(list(ChangeKind))
        free = [(t, s) for t, s in future if s.request_id not in touched]
        if kind is ChangeKind.CANCEL and free:
            _, stop = rng.choice(free)
            changes.append(Change(kind, 0, request=stop.request_id, by=rng.choice(["client", "third_party"])))
            touched.add(stop.request_id)
        elif kind is ChangeKind.ABSENT and later:
            coach = rng.choice(sc.coaches).id
            changes.append(Change(kind, 0, coach=coach, dates=frozenset({rng.choice(later)})))
        elif kind is ChangeKind.VAN_UNAVAILABLE and later:
            changes.append(Change(kind, 0, van=rng.choice(sc.vans).id, dates=frozenset({rng.choice(later)})))
        elif kind is ChangeKind.NEW_REQUEST and later and "URGENT" not in requests:
            model = rng.choice(
                [r for r in sc.requests if r.kind is Kind.WALK_AND_TALK and r.id in week.points]
            )
            urgent = replace(
                model,
                id="URGENT",
                priority=1,
                earliest=later[0],
                latest=later[-1],
                availability=(),
                pin_van="",
                pin_date=None,
                pin_start=None,
                row=len(sc.requests) + 2,
            )
            requests["URGENT"] = urgent
            points["URGENT"] = week.points[model.id]
            changes.append(Change(kind, 0, request="URGENT"))
        elif kind is ChangeKind.AVAILABILITY and free:
            walks = [(t, s) for t, s in free if s.kind == Kind.WALK_AND_TALK.value]
            if walks:
                tour, stop = rng.choice(walks)
                hour = rng.choice([8, 10, 13])
                window = WeeklyWindow(
                    tour.day.weekday(),
                    datetime.min.time().replace(hour=hour),
                    datetime.min.time().replace(hour=hour + 3),
                )
                changes.append(Change(kind, 0, request=stop.request_id, availability=(window,)))
                touched.add(stop.request_id)
        elif kind is ChangeKind.FIXED_TIME and free:
            fixed = [(t, s) for t, s in free if s.kind == Kind.ACCOMPANY.value]
            if fixed:
                _, stop = rng.choice(fixed)
                start = stop.start.astimezone(sc.settings.tz).replace(tzinfo=None) + timedelta(
                    hours=rng.choice([-1, 1, 2])
                )
                if start > now:
                    changes.append(Change(kind, 0, request=stop.request_id, fixed_start=start))
                    touched.add(stop.request_id)
    return now, changes, replace(sc, requests=tuple(requests.values())), points


def moved(old: Plan, new: Plan, ids: set[str]) -> int:
    """How many of `ids` are not at their van, date and start of `old` in `new`."""
    slot = {s.request_id: (t.van, t.day, s.start) for t, s in new.stops()}
    return sum(
        1 for t, s in old.stops() if s.request_id in ids and slot.get(s.request_id) != (t.van, t.day, s.start)
    )


def trial(week: Week, old: Plan, seed: int, limit: float) -> Trial:
    """One seeded change sequence, replanned and planned from scratch."""
    now, changes, sc, points = random_changes(week, old, random.Random(seed))
    params = SearchParams(time_limit_s=limit, seed=1, steps_per_job=REPLAN_STEPS)
    t0 = time.perf_counter()
    with sampled() as peak:
        result = replan(
            sc,
            old,
            changes,
            now,
            points,
            week.network.matrix,
            params=params,
            travel_source=week.network.source,
        )
    seconds = time.perf_counter() - t0
    cancelled = {u.request_id for u in result.plan.unscheduled if u.reason == "cancelled"}
    remaining = replace(result.week, requests=tuple(r for r in result.week.requests if r.id not in cancelled))
    scratch = plan(remaining, replace(week, points=points), limit, seed=1)
    history = split(old, now.replace(tzinfo=sc.settings.tz))
    requests = {r.id: r for r in sc.requests}
    kept = {s.request_id for _, s in old.stops()} - set(history.stops) - cancelled
    told = {rid for rid in kept if is_communicated(requests[rid])}
    free = told - result.forced
    return Trial(
        changes=len(changes),
        communicated=len(told),
        forced=len(told & result.forced),
        replan_moved=moved(old, result.plan, told),
        scratch_moved=moved(old, scratch, told),
        replan_unforced=moved(old, result.plan, free),
        scratch_unforced=moved(old, scratch, free),
        kept=len(kept),
        replan_all=moved(old, result.plan, kept),
        scratch_all=moved(old, scratch, kept),
        seconds=seconds,
        peak_mb=peak.mb,
        violations=len(result.violations),
    )


def report(name: str, trials: Sequence[Trial]) -> str:
    """One table row of a week."""

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.1%}" if b else "–"

    comm = sum(t.replan_moved for t in trials), sum(t.scratch_moved for t in trials)
    free = sum(t.replan_unforced for t in trials), sum(t.scratch_unforced for t in trials)
    every = sum(t.replan_all for t in trials), sum(t.scratch_all for t in trials)
    secs = [t.seconds for t in trials]
    told = sum(t.communicated for t in trials)
    return (
        f"| {name} | {len(trials)} | {sum(t.changes for t in trials)} | {told} | "
        f"{sum(t.forced for t in trials)} | {comm[0]} / {comm[1]} | {ratio(*comm)} | "
        f"{free[0]} / {free[1]} | {ratio(*free)} | "
        f"{every[0]} / {every[1]} of {sum(t.kept for t in trials)} | "
        f"{statistics.median(secs):.1f} | {max(secs):.1f} | {max(t.peak_mb for t in trials):.0f} | "
        f"{sum(t.violations for t in trials)} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the trials and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20, help="change sequences per week")
    parser.add_argument("--weeks", default="demo,town", help="demo, town or both")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per plan and per replan")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "vanplan-bench-replan")
    args = parser.parse_args(argv)
    compile_kernel()
    print(
        "| week | sequences | changes | communicated after now | forced | moved (replan / scratch) | "
        "ratio | unforced moved (replan / scratch) | ratio | all moved (replan / scratch) | s median | "
        "s max | peak MB | violations |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.weeks.split(","):
        folder = DEMO if name == "demo" else town(args.work)
        week = load(name, folder)
        old = plan(week.scenario, week, args.time_limit, week.scenario.settings.seed)
        trials = [trial(week, old, seed, args.time_limit) for seed in range(args.count)]
        print(report(name, trials), flush=True)


if __name__ == "__main__":
    main()
