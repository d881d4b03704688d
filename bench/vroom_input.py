"""Translate a planner `Problem` into VROOM's input (pyvroom) and VROOM's answer back into a `Solution`.

Exact:
- travel: one VROOM location per job and per depot, the drive into a job inflated by its safety
  factor as `Problem.travel` does, so VROOM drives as the checker counts; arcs cost as ours do;
- times: service = setup + appointment + after; the windows (on the appointment start) moved back
  by the setup, several windows per job, overlapping ones merged;
- staff: skill "at least k staff" for k = 2..staff; each language or other skill an integer skill;
  the vehicles a job may use (its days, crew and reachable van-days) one skill per distinct set;
- shifts as vehicle windows, breaks with their start windows, capacity and demand.
Approximated (each named in `Conversion.notes` with how many jobs or vehicles it touches):
- priorities: VROOM places the largest sum of integer priorities 0..100 first; a job's priority is
  its drop penalty over the smallest one, rounded and capped at 100;
- working-time limit (`max_work`): VROOM has none, so the vehicle's window ends at the shift start
  plus `span_bound`; every VROOM route keeps the limit, but none can start later in the day;
- breaks: VROOM takes every break of a used vehicle (a short route could leave them out) and cannot
  ask for work before and after a break (`break_margin`: the checker finds it);
- pinned jobs: their vehicle and appointment start (a one-point window) at priority 100; VROOM may
  still leave one out.
Left out (cost only, never a rule): span cost, preferred vehicles, per-vehicle job costs and fixed
vehicle costs. A job left with no window after the move is not given to VROOM and is reported.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import vroom

from planner.problem.routing import Job, Problem, Vehicle, span_bound
from planner.solution import Route, Solution, Visit

PROFILE = "car"
MAX_PRIORITY = 100


@dataclass(frozen=True)
class Conversion:
    """VROOM's input for a problem, what it could not express exactly, and the jobs left out of it."""

    input: vroom.Input
    notes: tuple[str, ...]
    skipped: tuple[int, ...]  # job indices VROOM was not given


def to_vroom(problem: Problem) -> Conversion:
    """VROOM's input for `problem`; ids are the job, vehicle and break indices."""
    p = problem
    depots = sorted({loc for v in p.vehicles for loc in (v.start_location, v.end_location)})
    node_of_depot = {loc: k for k, loc in enumerate(depots)}
    inp = vroom.Input()
    _matrices(inp, p, depots)
    skill = _SkillIds()
    capacity = any(v.capacity is not None for v in p.vehicles) or any(j.demand for j in p.jobs)
    total = sum(j.demand for j in p.jobs)
    allowed = [frozenset(_allowed(p, j)) for j in p.jobs]
    vehicles = [
        _vehicle(p, k, veh, node_of_depot, skill.vehicle(veh, k, allowed), capacity, total)
        for k, veh in enumerate(p.vehicles)
    ]
    unit = min((j.penalty for j in p.jobs if j.pinned is None), default=1)
    jobs, skipped, capped = [], [], 0
    for i, job in enumerate(p.jobs):
        windows = _windows(job)
        if not windows:
            skipped.append(i)
            continue
        priority = MAX_PRIORITY if job.pinned is not None else round(job.penalty / unit)
        capped += job.pinned is None and priority > MAX_PRIORITY
        jobs.append(
            vroom.Job(
                i,
                location=len(depots) + i,
                default_service=job.service,
                delivery=vroom.Amount([job.demand]) if capacity else vroom.Amount(),
                skills=skill.job(job, allowed[i]),
                priority=min(MAX_PRIORITY, max(0, priority)),
                time_windows=[vroom.TimeWindow(a, b) for a, b in windows],
            )
        )
    inp.add_vehicle(vehicles)
    inp.add_job(jobs)
    return Conversion(inp, _notes(p, capped, skipped), tuple(skipped))


def from_vroom(problem: Problem, output: Mapping[str, object], elapsed_s: float) -> Solution:
    """VROOM's routes with VROOM's own times (`Solution.to_dict()` output); objective not set."""
    routes = []
    served: set[int] = set()
    raw_routes = output.get("routes", [])
    assert isinstance(raw_routes, list)
    for r in raw_routes:
        visits, breaks, start, end = [], [], 0, 0
        for step in r["steps"]:
            at = int(step["arrival"]) + int(step["waiting_time"])
            if step["type"] == "start":
                start = int(step["arrival"])
            elif step["type"] == "end":
                end = int(step["arrival"])
            elif step["type"] == "break":
                breaks.append((at, int(step["service"])))
            else:
                visits.append(Visit(job=int(step["id"]), arrival=int(step["arrival"]), begin=at))
                served.add(int(step["id"]))
        routes.append(Route(int(r["vehicle"]), start, end, tuple(visits), tuple(breaks)))
    dropped = tuple(j for j in range(len(problem.jobs)) if j not in served)
    routes.sort(key=lambda route: route.vehicle)
    return Solution(tuple(routes), dropped, objective=0, stop_reason="vroom", elapsed_s=elapsed_s)


def solve_vroom(problem: Problem, time_limit_s: float, threads: int) -> tuple[Solution, Conversion]:
    """Run VROOM (exploration level 5, at most `time_limit_s`) and read its answer back."""
    conv = to_vroom(problem)
    started = time.monotonic()
    out = conv.input.solve(exploration_level=5, nb_threads=threads, timeout=timedelta(seconds=time_limit_s))
    return from_vroom(problem, out.to_dict(), time.monotonic() - started), conv


def _matrices(inp: vroom.Input, p: Problem, depots: list[int]) -> None:
    """Durations (with each destination job's safety factor), distances and arc costs per VROOM node."""
    locs = np.array(depots + [j.location for j in p.jobs], dtype=np.int64)
    pct = np.array([100] * len(depots) + [j.travel_factor_pct for j in p.jobs], dtype=np.int64)
    base = p.durations[np.ix_(locs, locs)]
    inp.set_durations_matrix(PROFILE, -(-base * pct[None, :] // 100))
    dist = p.distances[np.ix_(locs, locs)]
    inp.set_distances_matrix(PROFILE, dist)
    inp.set_costs_matrix(PROFILE, base if p.objective == "duration" else dist)


def _allowed(p: Problem, job: Job) -> Iterable[int]:
    """The vehicles a job may use by its list and its pin (staff and skills are skills of their own)."""
    if job.pinned is not None:
        return (job.pinned[0],)
    return job.vehicles if job.vehicles is not None else range(len(p.vehicles))


class _SkillIds:
    """Integer skills: staff levels, named skills and sets of allowed vehicles, numbered on first use."""

    def __init__(self) -> None:
        self._ids: dict[object, int] = {}

    def _id(self, key: object) -> int:
        return self._ids.setdefault(key, len(self._ids))

    def job(self, job: Job, allowed: frozenset[int]) -> set[int]:
        """The skills a job needs."""
        return (
            {self._id(("staff", k)) for k in range(2, job.staff + 1)}
            | {self._id(("skill", s)) for s in job.skills}
            | {self._id(("vehicles", allowed))}
        )

    def vehicle(self, veh: Vehicle, k: int, allowed: list[frozenset[int]]) -> set[int]:
        """The skills a vehicle has: its staff levels, its named skills, every set of vehicles it is in."""
        return (
            {self._id(("staff", s)) for s in range(2, veh.staff + 1)}
            | {self._id(("skill", s)) for s in veh.skills}
            | {self._id(("vehicles", a)) for a in set(allowed) if k in a}
        )


def _vehicle(
    p: Problem,
    k: int,
    veh: Vehicle,
    node_of_depot: dict[int, int],
    skills: set[int],
    capacity: bool,
    total_demand: int,
) -> vroom.Vehicle:
    """A VROOM vehicle: depots, shift (cut to the working-time limit), breaks, skills, capacity."""
    end = veh.shift_end if veh.max_work is None else min(veh.shift_end, veh.shift_start + span_bound(veh))
    cap = veh.capacity if veh.capacity is not None else total_demand
    return vroom.Vehicle(
        k,
        start=node_of_depot[veh.start_location],
        end=node_of_depot[veh.end_location],
        profile=PROFILE,
        capacity=vroom.Amount([cap]) if capacity else vroom.Amount(),
        skills=skills,
        time_window=vroom.TimeWindow(veh.shift_start, end),
        breaks=[
            vroom.Break(b, time_windows=[vroom.TimeWindow(br.earliest, br.latest)], service=br.duration)
            for b, br in enumerate(veh.breaks)
        ],
    )


def _windows(job: Job) -> list[tuple[int, int]]:
    """VROOM's windows for a job: on the arrival of the crew (the appointment start less the setup),
    sorted and merged, none before time 0; a pinned job's one appointment start."""
    raw = [(job.pinned[1], job.pinned[1])] if job.pinned is not None else sorted(job.windows)
    merged: list[tuple[int, int]] = []
    for a, b in raw:
        a, b = max(0, a - job.setup), b - job.setup
        if b < a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _notes(p: Problem, capped: int, skipped: list[int]) -> tuple[str, ...]:
    """What the conversion could not express exactly, each with how much of the problem it touches."""
    notes = []
    limited = sum(
        1 for v in p.vehicles if v.max_work is not None and span_bound(v) < v.shift_end - v.shift_start
    )
    if limited:
        notes.append(f"working-time limit: {limited} vehicles' windows cut to shift start + span bound")
    if capped:
        notes.append(f"priority: {capped} jobs capped at VROOM's {MAX_PRIORITY}")
    with_breaks = sum(1 for v in p.vehicles if v.breaks)
    if with_breaks and any(v.break_free_span is not None or v.break_margin for v in p.vehicles):
        notes.append(f"breaks: {with_breaks} vehicles always take theirs, no margin of work around them")
    pinned = sum(1 for j in p.jobs if j.pinned is not None)
    if pinned:
        notes.append(
            f"pinned: {pinned} jobs as a one-point window at priority {MAX_PRIORITY}, may be left out"
        )
    costs = [
        (p.span_cost != 0, "span cost"),
        (any(j.preferred_vehicles for j in p.jobs) and p.preferred_bonus != 0, "preferred vehicles"),
        (any(j.vehicle_costs for j in p.jobs), "per-vehicle job costs"),
        (any(v.fixed_cost for v in p.vehicles), "fixed vehicle costs"),
    ]
    left_out = [name for present, name in costs if present]
    if left_out:
        notes.append(f"left out (cost only): {', '.join(left_out)}")
    if skipped:
        notes.append(f"not expressible: {len(skipped)} jobs without a window once moved by their setup")
    return tuple(notes)
