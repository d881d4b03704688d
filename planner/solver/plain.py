"""The plain form of a routing problem: what the compiled search (`planner.solver.sisr`) checks.

A problem is plain when it has capacity and one window per job, identical vehicles from one depot
and back, and no breaks, pins, working-time limits or vehicle restrictions (the VRPTW benchmarks).
Node 0 is the depot, node j + 1 is job j; times are the model's: a job's time is when the crew
begins at the place, its window shifted by the setup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.problem import Problem
from planner.solver.model import vehicle_fits

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Plain:
    """A problem reduced to arrays indexed by node (0 the depot)."""

    travel: Ints  # seconds from node to node, including the job's travel safety factor
    cost: Ints  # what an arc costs in the objective
    service: Ints
    early: Ints
    late: Ints
    demand: Ints
    capacity: int
    vehicles: int

    @property
    def nodes(self) -> int:
        """Depot plus jobs."""
        return len(self.service)


def plain_view(p: Problem) -> Plain | None:
    """The plain form of a problem, or None when it has rules the compiled search does not check."""
    v0 = p.vehicles[0] if p.vehicles else None
    if v0 is None or not p.jobs or p.span_cost or p.preferred_bonus:
        return None
    shape = (v0.start_location, v0.shift_start, v0.shift_end, v0.capacity)
    for k, veh in enumerate(p.vehicles):
        if veh.breaks or veh.max_work is not None or veh.fixed_cost or veh.end_location != veh.start_location:
            return None
        if (veh.start_location, veh.shift_start, veh.shift_end, veh.capacity) != shape:
            return None
        if not all(vehicle_fits(p, job, k) for job in p.jobs):
            return None
    if any(len(j.windows) != 1 or j.pinned is not None for j in p.jobs):
        return None
    locs = np.array([v0.start_location, *(j.location for j in p.jobs)], dtype=np.int64)
    factor = np.array([100, *(j.travel_factor_pct for j in p.jobs)], dtype=np.int64)
    base = p.durations[np.ix_(locs, locs)].astype(np.int64)
    travel = -(-base * factor[None, :] // 100)  # the safety factor of the job driven to, rounded up
    arcs = p.durations if p.objective == "duration" else p.distances
    return Plain(
        travel=np.ascontiguousarray(travel),
        cost=np.ascontiguousarray(arcs[np.ix_(locs, locs)].astype(np.int64)),
        service=np.array([0, *(j.service for j in p.jobs)], dtype=np.int64),
        early=np.array([v0.shift_start, *(j.windows[0][0] - j.setup for j in p.jobs)], dtype=np.int64),
        late=np.array([v0.shift_end, *(j.windows[0][1] - j.setup for j in p.jobs)], dtype=np.int64),
        demand=np.array([0, *(j.demand for j in p.jobs)], dtype=np.int64),
        capacity=v0.capacity if v0.capacity is not None else sum(j.demand for j in p.jobs),
        vehicles=len(p.vehicles),
    )
