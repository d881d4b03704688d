"""Check a `Solution` against its `Problem` and recompute its objective, independently of the solvers.

Like PyVRP's `Result.is_feasible()`: every rule is re-derived from `planner.problem.routing` alone (no
OR-Tools, no numba, not the flat form), so a bug in the OR-Tools model or in the compiled search
shows up as a violation instead of a plan that silently breaks a rule. The rules:
- coverage: every job is served once or dropped, never both; each vehicle has at most one route;
- vehicle, staff, skill: a job only on a vehicle it lists, with enough staff and all its skills;
- pinned: a pinned job served is on its vehicle at its appointment start;
- time_window: the appointment (`begin + setup`) starts inside one of the job's windows;
- travel: each stop begins no sooner than the crew can drive there (with the job's safety factor)
  plus the breaks taken on the way; the stated arrival lies between leaving and beginning;
- shift: the route runs inside the vehicle's shift;
- break: a break in a route has a break's length and window, overlaps no stop and no other break;
  the breaks left out of the route fit before or after it; consecutive breaks are at most
  `break_free_span` apart; a route longer than `break_free_span` contains all its breaks, each
  with `break_margin` of work before and after it;
- capacity: the load of a route is within the vehicle's capacity;
- work_limit: the route's span minus the breaks inside it is within `max_work`.

The objective is the OR-Tools model's (`planner.solver.model`) and the compiled search's: per route
with stops, each drive costs its duration or distance (`Problem.objective`; times 4 when a
`span_cost` is set, so drive time ranks above the span), plus `preferred_bonus` for each job off
its preferred vehicles, each job's own cost on its vehicle (`vehicle_costs`), `span_cost` per
second from the route's start to its end, and the vehicle's `fixed_cost`; plus each dropped job's
penalty (`PIN_PENALTY` for a pinned job).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from planner.problem.routing import PIN_PENALTY, Break, Job, Problem, Vehicle
from planner.solution import Route, Solution

Code = Literal[
    "coverage", "vehicle", "staff", "skill", "pinned", "time_window", "travel", "shift", "break",
    "capacity", "work_limit",
]  # fmt: skip
Intervals = list[tuple[float, float]]  # closed intervals of possible times


@dataclass(frozen=True)
class Evaluation:
    """What `evaluate` found: the broken rules (code, detail), the recomputed objective and totals."""

    violations: tuple[tuple[Code, str], ...]
    objective: int  # recomputed from the problem's own cost definition
    distance: int  # sum of the distances driven (matrix units)
    drive: int  # seconds of driving, safety factors included
    placed: int  # jobs served
    dropped: int  # jobs left out
    routes: int  # routes with at least one stop

    @property
    def feasible(self) -> bool:
        """Whether the solution keeps every rule of its problem."""
        return not self.violations


def evaluate(problem: Problem, solution: Solution) -> Evaluation:
    """Check every rule of `problem` on `solution` and recompute its objective and totals."""
    out: list[tuple[Code, str]] = []
    p = problem
    served = [v.job for r in solution.routes for v in r.visits]
    _coverage(p, served, solution.dropped, out)
    scale = 4 if p.span_cost else 1
    arcs = p.durations if p.objective == "duration" else p.distances
    cost = distance = drive = used = 0
    seen: set[int] = set()
    for r in solution.routes:
        if not 0 <= r.vehicle < len(p.vehicles):
            out.append(("vehicle", f"a route of unknown vehicle {r.vehicle}"))
            continue
        if r.vehicle in seen:
            out.append(("vehicle", f"{p.vehicles[r.vehicle].id}: more than one route"))
        seen.add(r.vehicle)
        veh = p.vehicles[r.vehicle]
        visits = [v for v in r.visits if 0 <= v.job < len(p.jobs)]
        _route(p, r, out)
        if not visits:
            continue
        used += 1
        locs = [veh.start_location, *(p.jobs[v.job].location for v in visits), veh.end_location]
        dests: list[Job | None] = [*(p.jobs[v.job] for v in visits), None]
        cost += scale * sum(int(arcs[a, b]) for a, b in itertools.pairwise(locs))
        distance += sum(int(p.distances[a, b]) for a, b in itertools.pairwise(locs))
        drive += sum(p.travel(j, a, b) for j, (a, b) in zip(dests, itertools.pairwise(locs), strict=True))
        cost += p.preferred_bonus * sum(
            1
            for v in visits
            if p.jobs[v.job].preferred_vehicles and r.vehicle not in p.jobs[v.job].preferred_vehicles
        )
        cost += sum(dict(p.jobs[v.job].vehicle_costs).get(r.vehicle, 0) for v in visits)
        cost += p.span_cost * (r.end - r.start) + veh.fixed_cost
    penalties = sum(
        PIN_PENALTY if p.jobs[j].pinned is not None else p.jobs[j].penalty
        for j in set(solution.dropped)
        if 0 <= j < len(p.jobs)
    )
    return Evaluation(
        violations=tuple(out),
        objective=cost + penalties,
        distance=distance,
        drive=drive,
        placed=len(set(served)),
        dropped=len(set(solution.dropped)),
        routes=used,
    )


def _coverage(p: Problem, served: list[int], dropped: Sequence[int], out: list[tuple[Code, str]]) -> None:
    """Every job served once or dropped, never both, never an unknown job."""
    count = [0] * len(p.jobs)
    for j in [*served, *dropped]:
        if 0 <= j < len(p.jobs):
            count[j] += 1
        else:
            out.append(("coverage", f"unknown job {j}"))
    for j, n in enumerate(count):
        if n != 1:
            what = "neither served nor dropped" if n == 0 else f"served or dropped {n} times"
            out.append(("coverage", f"{p.jobs[j].id}: {what}"))


def _route(p: Problem, r: Route, out: list[tuple[Code, str]]) -> None:
    """The rules of one route: jobs on the vehicle, times, breaks, load and working time."""
    veh = p.vehicles[r.vehicle]
    if r.start < veh.shift_start or r.end > veh.shift_end:
        out.append(
            (
                "shift",
                f"{veh.id}: route {r.start}-{r.end} outside the shift {veh.shift_start}-{veh.shift_end}",
            )
        )
    breaks = sorted(r.breaks)
    stays: list[tuple[int, int]] = []
    leave, loc, load = r.start, veh.start_location, 0
    for v in r.visits:
        if not 0 <= v.job < len(p.jobs):
            continue
        job = p.jobs[v.job]
        _job_on_vehicle(p, job, r.vehicle, v.begin, out)
        earliest = leave + p.travel(job, loc, job.location)
        _gap(f"{veh.id}: {job.id}", leave, earliest, v.begin, breaks, out)
        if not earliest <= v.arrival <= v.begin:
            out.append(
                ("travel", f"{veh.id}: {job.id} arrives at {v.arrival}, not between {earliest} and {v.begin}")
            )
        if not any(a <= v.begin + job.setup <= b for a, b in job.windows):
            out.append(
                ("time_window", f"{job.id} starts at {v.begin + job.setup}, outside {list(job.windows)}")
            )
        stays.append((v.begin, v.begin + job.service))
        leave, loc, load = v.begin + job.service, job.location, load + job.demand
    _gap(f"{veh.id}: the end depot", leave, leave + p.travel(None, loc, veh.end_location), r.end, breaks, out)
    if veh.capacity is not None and load > veh.capacity:
        out.append(("capacity", f"{veh.id}: load {load} over capacity {veh.capacity}"))
    _breaks(veh, r, breaks, stays, out)
    inside = sum(n for _, n in breaks)
    if veh.max_work is not None and r.end - r.start - inside > veh.max_work:
        out.append(("work_limit", f"{veh.id}: {r.end - r.start - inside} s of work, over {veh.max_work}"))


def _job_on_vehicle(p: Problem, job: Job, k: int, begin: int, out: list[tuple[Code, str]]) -> None:
    """Whether vehicle k may serve the job: listed, enough staff, every skill, its pin."""
    veh = p.vehicles[k]
    if job.vehicles is not None and k not in job.vehicles:
        out.append(("vehicle", f"{job.id} on {veh.id}, which it does not list"))
    if veh.staff < job.staff:
        out.append(("staff", f"{job.id} needs {job.staff} staff, {veh.id} has {veh.staff}"))
    if not job.skills <= veh.skills:
        out.append(("skill", f"{job.id} needs {sorted(job.skills - veh.skills)}, which {veh.id} lacks"))
    if job.pinned is not None and job.pinned != (k, begin + job.setup):
        out.append(("pinned", f"{job.id} pinned to {job.pinned}, served on {k} at {begin + job.setup}"))


def _gap(
    what: str,
    leave: int,
    earliest: int,
    begin: int,
    breaks: Sequence[tuple[int, int]],
    out: list[tuple[Code, str]],
) -> None:
    """Between leaving at `leave` and beginning at `begin` the drive and the breaks taken must fit."""
    taken = sum(n for s, n in breaks if leave <= s and s + n <= begin)
    if begin < earliest + taken:
        out.append(
            ("travel", f"{what} begins at {begin}, before {earliest + taken} (drive and {taken} s of breaks)")
        )


def _breaks(
    veh: Vehicle,
    r: Route,
    breaks: list[tuple[int, int]],
    stays: list[tuple[int, int]],
    out: list[tuple[Code, str]],
) -> None:
    """The breaks of a route: inside it, off its stops, matching the vehicle's breaks, the others outside."""
    for s, n in breaks:
        if s < r.start or s + n > r.end:
            out.append(("break", f"{veh.id}: break at {s} not inside the route {r.start}-{r.end}"))
        if any(s < b and a < s + n for a, b in stays):
            out.append(("break", f"{veh.id}: break at {s} overlaps a stop"))
    for (s0, n0), (s1, _) in itertools.pairwise(breaks):
        if s1 < s0 + n0:
            out.append(("break", f"{veh.id}: breaks at {s0} and {s1} overlap"))
    free = veh.break_free_span
    if free is not None and r.end - r.start > free:
        margin = veh.break_margin
        inside = [(s, n) for s, n in breaks if r.start + margin <= s and s + n + margin <= r.end]
        if len(inside) < len(veh.breaks):
            need = f"its {len(veh.breaks)} breaks inside with {margin} s of work around them"
            out.append(("break", f"{veh.id}: a route of {r.end - r.start} s needs {need}"))
    if not any(
        _chain(veh, r, breaks, chosen)
        for chosen in itertools.combinations(range(len(veh.breaks)), len(breaks))
    ):
        out.append(
            ("break", f"{veh.id}: breaks {breaks} do not match the vehicle's breaks {list(veh.breaks)}")
        )


def _chain(veh: Vehicle, r: Route, breaks: list[tuple[int, int]], chosen: tuple[int, ...]) -> bool:
    """Whether the route's breaks can be the vehicle's breaks `chosen` and the others fit outside the
    route, all in order within their windows and at most `break_free_span` apart."""
    taken = dict(zip(chosen, breaks, strict=True))
    gap = math.inf if veh.break_free_span is None else veh.break_free_span
    ends: Intervals | None = None  # where the previous break may end (None: there is none)
    for k, b in enumerate(veh.breaks):
        starts = _starts(b, r, taken.get(k))
        if ends is not None:
            starts = _intersect(starts, [(a, e + gap) for a, e in ends])
        if not starts:
            return False
        ends = [(a + b.duration, e + b.duration) for a, e in starts]
    return True


def _starts(b: Break, r: Route, taken: tuple[int, int] | None) -> Intervals:
    """Where break b may start: at the route's break matched to it, else in its window outside the route."""
    if taken is not None:
        s, n = taken
        return [(s, s)] if n == b.duration and b.earliest <= s <= b.latest else []
    window = [(float(b.earliest), float(b.latest))]
    return _intersect(window, [(-math.inf, r.start - b.duration), (r.end, math.inf)])


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    """The intersection of two unions of closed intervals."""
    cut = [(max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b]
    return [(lo, hi) for lo, hi in cut if lo <= hi]
