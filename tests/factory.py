"""Tiny hand-checkable scenarios built in code, and a road network whose travel times are obvious.

Places lie on a line of latitude; every 0.01 degree of longitude east is exactly 10 minutes and
10 km of driving. The depot is at longitude 11.50.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np

from planner.network import TravelMatrix
from planner.plan.assemble import assemble
from planner.plan.tours import Plan
from planner.plan.validate import validate
from planner.problem.build import build
from planner.scenario import (
    Buffers,
    Coach,
    Depot,
    Kind,
    NetworkSettings,
    Point,
    Request,
    RosterEntry,
    Scenario,
    Settings,
    Van,
    WeeklyWindow,
)
from planner.solver import SearchParams, solve

LAT = 50.0
DEPOT_LON = 11.50
MONDAY = date(2026, 11, 30)  # ISO week 2026-W49


def at(minutes_east: float) -> Point:
    """A place `minutes_east` minutes' drive east of the depot."""
    return Point(LAT, round(DEPOT_LON + minutes_east / 1000, 6))


def line_matrix(points: Sequence[Point]) -> TravelMatrix:
    """Travel time 10 min and distance 10 km per 0.01 degree of longitude."""
    lon = np.array([p.lon for p in points])
    steps = np.abs(lon[:, None] - lon[None, :]) * 1000  # minutes
    n = len(points)
    return TravelMatrix(
        durations=np.rint(steps * 60).astype(np.int64),
        distances=np.rint(steps * 1000).astype(np.int64),
        snap_m=np.zeros(n),
        reachable=np.array([abs(p.lat - LAT) < 1 for p in points]),
    )


def day(n: int) -> date:
    """Weekday n of the planning week (0 = Monday)."""
    return MONDAY + (date(2026, 12, 1) - date(2026, 11, 30)) * n


def request(rid: str, kind: Kind = Kind.WALK_AND_TALK, minutes_east: float = 30, **kw: Any) -> Request:
    """A request with sensible defaults: 60 min, anywhere, one staff."""
    defaults: dict[str, Any] = {
        "client": f"K-{rid}",
        "duration_min": 60,
        "row": 2,
        "point": at(minutes_east),
        "staff": 2 if kind is Kind.HOME_VISIT else 1,
    }
    return Request(id=rid, kind=kind, **{**defaults, **kw})


def scenario(
    requests: Sequence[Request],
    crews: dict[tuple[str, int], Sequence[str]] | None = None,
    buffers: dict[Kind, Buffers] | None = None,
    coaches: Sequence[Coach] | None = None,
    shift: tuple[time, time] = (time(8), time(16)),
    **settings: Any,
) -> Scenario:
    """A one-depot scenario; `crews` maps (van id, weekday) -> coach ids (default: V1 Monday, A+B)."""
    crews = crews if crews is not None else {("V1", 0): ("A", "B")}
    coaches = coaches or [Coach("A", "Anna", frozenset({"tr"})), Coach("B", "Ben"), Coach("C", "Cem")]
    vans = sorted({v for v, _ in crews})
    base = Settings(
        name="Test",
        week="2026-W49",
        timezone="Europe/Berlin",
        depots=(Depot("D", "Depot", Point(LAT, DEPOT_LON)),),
        network=NetworkSettings(),
        buffers=buffers or {},
        planning_date=date(2026, 11, 2),
    )
    return Scenario(
        folder=Path("."),
        settings=replace(base, **settings),
        requests=tuple(requests),
        vans=tuple(Van(v, "D", frozenset(range(5)), shift[0], shift[1], seats=3) for v in vans),
        coaches=tuple(coaches),
        roster=tuple(RosterEntry(day(d), v, c, 2) for (v, d), cs in sorted(crews.items()) for c in cs),
    )


def plan(sc: Scenario, time_limit_s: float = 3.0, seed: int = 1) -> Plan:
    """Build, solve, assemble and validate: every plan a test makes must keep every rule."""
    points = {r.id: r.point for r in sc.requests if r.point is not None}
    built = build(sc, points, line_matrix)
    solution = solve(built.problem, SearchParams(time_limit_s=time_limit_s, seed=seed))
    result = assemble(sc, built, solution, "test line", seed, time_limit_s)
    violations = validate(sc, result, line_matrix)
    assert violations == [], violations
    return result


def window(weekday: int, start: str, end: str) -> WeeklyWindow:
    """A weekly availability window."""
    return WeeklyWindow(weekday, time.fromisoformat(start), time.fromisoformat(end))


def local(d: date, hhmm: str) -> datetime:
    """A naive local date-time on date d."""
    return datetime.combine(d, time.fromisoformat(hhmm))


def alive_in_session(sid: int) -> list[int]:
    """Processes of session `sid` that are still running (zombies have already died), read from /proc."""
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            left.append(int(entry.name))
    return left
