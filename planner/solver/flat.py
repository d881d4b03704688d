"""The flat form of a routing problem: numpy arrays the compiled search (`planner.solver.sisr`) reads.

Nodes: first one per distinct depot location, then one per job (node `first_job + j` is job j),
then one per break of each vehicle (a break is a stop without a place: it is taken where the
crew is, before driving on). Times are the model's: a job's time is when the crew begins at the
place, its windows shifted by the setup.

The flat form is stricter than the OR-Tools model in two places, so every route the compiled
search finds is a valid route there too: a vehicle whose route may exceed `break_free_span`
always carries its breaks inside the route (the model lets a short route leave them outside), and
a route's span is measured from the latest departure that keeps it feasible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.problem.routing import PIN_PENALTY, Problem, Vehicle, span_bound, vehicle_fits

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
FORBIDDEN = -1  # in `extra`: the vehicle may not serve the job


@dataclass(frozen=True)
class Flat:
    """A problem reduced to arrays indexed by node (see the module doc) and by vehicle."""

    first_job: int  # number of depot nodes
    first_break: int  # first_job + number of jobs
    travel: Ints  # seconds between depot and job nodes, with the safety factor of the job driven to
    cost: Ints  # what an arc between depot and job nodes costs in the objective
    service: Ints  # per node: seconds at the place (a break: its length)
    win_start: Ints  # per node and window: earliest begin (windows sorted, unused ones empty)
    win_end: Ints
    windows: Ints  # per node: number of windows
    demand: Ints
    penalty: Ints  # per node: cost of leaving the job out
    weight: Ints  # per node: how urgent the job is when putting jobs back (demand, else penalty)
    extra: Ints  # per node and vehicle: cost of serving the job on the vehicle, or FORBIDDEN
    start: Ints  # per vehicle: its start and end depot nodes
    end: Ints
    shift_start: Ints
    shift_end: Ints
    capacity: Ints
    span_max: Ints  # longest route span
    fixed_cost: Ints  # cost of using the vehicle at all
    breaks_from: Ints  # per vehicle: its break nodes are breaks_from .. breaks_from + breaks - 1
    breaks: Ints
    inside: Bools  # per vehicle: its breaks are stops of its routes (else they lie before or after)
    margin: Ints  # work a break needs between itself and the route's start and end
    break_gap: Ints  # longest work between two breaks
    span_cost: int
    uniform: bool  # identical vehicles, any job on any vehicle, equal penalties: the VRPTW benchmarks

    @property
    def jobs(self) -> int:
        """Number of job nodes."""
        return self.first_break - self.first_job

    @property
    def vehicles(self) -> int:
        """Number of vehicles (routes)."""
        return len(self.start)

    @property
    def nodes(self) -> int:
        """Depots, jobs and breaks."""
        return len(self.service)


def flat_view(p: Problem) -> Flat | None:
    """The flat form of a problem, or None when there is nothing to search or a job is shorter than
    a break margin (the search relies on any job between a break and a route's end being work enough)."""
    if not p.vehicles or not p.jobs:
        return None
    depots = sorted({v.start_location for v in p.vehicles} | {v.end_location for v in p.vehicles})
    depot_node = {loc: k for k, loc in enumerate(depots)}
    n_jobs, n_veh = len(p.jobs), len(p.vehicles)
    first_job = len(depots)
    first_break = first_job + n_jobs
    inside = [_breaks_inside(v) for v in p.vehicles]
    nodes = first_break + sum(len(v.breaks) for v in p.vehicles)
    margin_max = max((v.break_margin for v, keep in zip(p.vehicles, inside, strict=True) if keep), default=0)
    if any(j.service < margin_max for j in p.jobs):
        return None

    locs = np.array([*depots, *(j.location for j in p.jobs)], dtype=np.int64)
    factor = np.array([100] * first_job + [j.travel_factor_pct for j in p.jobs], dtype=np.int64)
    base = p.durations[np.ix_(locs, locs)].astype(np.int64)
    travel = -(-base * factor[None, :] // 100)  # the safety factor of the job driven to, rounded up
    scale = 4 if p.span_cost else 1  # as the model: leave room for the span cost below drive time
    arcs = (p.durations if p.objective == "duration" else p.distances)[np.ix_(locs, locs)]

    n_win = max([len(j.windows) for j in p.jobs] + [1])
    win_start = np.zeros((nodes, n_win), dtype=np.int64)
    win_end = np.full((nodes, n_win), -1, dtype=np.int64)
    windows = np.ones(nodes, dtype=np.int64)
    service = np.zeros(nodes, dtype=np.int64)
    demand = np.zeros(nodes, dtype=np.int64)
    penalty = np.zeros(nodes, dtype=np.int64)
    extra = np.full((nodes, n_veh), FORBIDDEN, dtype=np.int64)
    horizon = max(v.shift_end for v in p.vehicles)
    win_end[:first_job, 0] = horizon
    for j, job in enumerate(p.jobs):
        c = first_job + j
        wins = sorted((max(0, a - job.setup), b - job.setup) for a, b in job.windows)
        windows[c] = len(wins)
        for w, (a, b) in enumerate(wins):
            win_start[c, w], win_end[c, w] = a, b
        service[c], demand[c], penalty[c] = job.service, job.demand, job.penalty
        own = dict(job.vehicle_costs)
        for k in range(n_veh):
            if vehicle_fits(p, job, k) and (job.pinned is None or job.pinned[0] == k):
                extra[c, k] = own.get(k, 0) + (
                    p.preferred_bonus if job.preferred_vehicles and k not in job.preferred_vehicles else 0
                )
        if job.pinned is not None:
            penalty[c] = PIN_PENALTY  # as the model
            t = job.pinned[1] - job.setup
            windows[c], win_start[c, 0], win_end[c, 0] = 1, t, t
    breaks_from = np.zeros(n_veh, dtype=np.int64)
    n_breaks = np.zeros(n_veh, dtype=np.int64)
    c = first_break
    for k, veh in enumerate(p.vehicles):
        breaks_from[k] = c
        for brk in veh.breaks:
            service[c], win_start[c, 0], win_end[c, 0] = brk.duration, brk.earliest, brk.latest
            n_breaks[k] += 1
            c += 1
    uniform = (
        len({(v.start_location, v.end_location, v.shift_start, v.shift_end, v.capacity) for v in p.vehicles})
        == 1
        and nodes == first_break
        and bool((extra[first_job:first_break] == 0).all())
        and len({j.penalty for j in p.jobs}) == 1
        and all(v.max_work is None and not v.fixed_cost for v in p.vehicles)
        and not p.span_cost
    )
    demand_total = int(demand.sum())
    return Flat(
        first_job=first_job,
        first_break=first_break,
        travel=np.ascontiguousarray(travel),
        cost=np.ascontiguousarray(arcs.astype(np.int64) * scale),
        service=service,
        win_start=win_start,
        win_end=win_end,
        windows=windows,
        demand=demand,
        penalty=penalty,
        weight=demand.copy() if demand_total else penalty.copy(),
        extra=extra,
        start=np.array([depot_node[v.start_location] for v in p.vehicles], dtype=np.int64),
        end=np.array([depot_node[v.end_location] for v in p.vehicles], dtype=np.int64),
        shift_start=np.array([v.shift_start for v in p.vehicles], dtype=np.int64),
        shift_end=np.array([v.shift_end for v in p.vehicles], dtype=np.int64),
        capacity=np.array(
            [v.capacity if v.capacity is not None else demand_total for v in p.vehicles], dtype=np.int64
        ),
        span_max=np.array(
            [span_bound(v) if v.max_work is not None else v.shift_end - v.shift_start for v in p.vehicles],
            dtype=np.int64,
        ),
        fixed_cost=np.array([v.fixed_cost for v in p.vehicles], dtype=np.int64),
        breaks_from=breaks_from,
        breaks=n_breaks,
        inside=np.array(inside, dtype=np.bool_),
        margin=np.array([v.break_margin for v in p.vehicles], dtype=np.int64),
        break_gap=np.array(
            [v.break_free_span if v.break_free_span is not None else horizon for v in p.vehicles],
            dtype=np.int64,
        ),
        span_cost=p.span_cost,
        uniform=uniform,
    )


def _breaks_inside(veh: Vehicle) -> bool:
    """Whether the search keeps the vehicle's breaks inside its routes: when a route may run longer
    than `break_free_span` (the model then needs them inside), or a break is fixed to an instant
    inside the shift. Shorter routes leave them outside."""
    if not veh.breaks:
        return False
    if any(veh.shift_start < b.earliest == b.latest < veh.shift_end for b in veh.breaks):
        return True  # a break already taken (`vanplan replan`): the route runs through it
    longest = veh.shift_end - veh.shift_start
    if veh.max_work is not None:
        longest = min(longest, span_bound(veh))
    return veh.break_free_span is None or longest > veh.break_free_span
