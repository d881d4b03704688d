"""The solver's input: a frozen, validated routing problem with no files, no pandas, no dates.

All times are whole seconds from a common origin (for a planning week: Monday 00:00 local time);
all locations are indices into the travel matrices. `planner.problem.build` makes a `Problem` from a
scenario; `bench.vrptw` makes one from a Solomon instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from planner.errors import ProblemError

IntMatrix = npt.NDArray[np.int64]
PIN_PENALTY = 10**12  # what dropping a pinned job costs in the objective: no real plan reaches it


@dataclass(frozen=True)
class Job:
    """A stop to be served at most once.

    The crew is at the location from `arrival` to `arrival + setup + duration + after`; the
    appointment itself starts at `arrival + setup`. `windows` restrict the appointment start.
    """

    id: str
    location: int
    duration: int
    windows: tuple[tuple[int, int], ...]
    setup: int = 0
    after: int = 0
    demand: int = 0
    staff: int = 1
    skills: frozenset[str] = frozenset()
    penalty: int = 1_000_000
    vehicles: frozenset[int] | None = None
    preferred_vehicles: frozenset[int] = frozenset()
    pinned: tuple[int, int] | None = None  # (vehicle index, appointment start)
    travel_factor_pct: int = 100
    vehicle_costs: tuple[tuple[int, int], ...] = ()  # (vehicle index, cost of serving the job on it)

    @property
    def service(self) -> int:
        """Seconds the crew spends at the location."""
        return self.setup + self.duration + self.after


@dataclass(frozen=True)
class Break:
    """A break of `duration` seconds that starts between `earliest` and `latest`, off any stop."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class Vehicle:
    """One van on one day (or one benchmark vehicle)."""

    id: str
    start_location: int
    end_location: int
    shift_start: int
    shift_end: int
    staff: int = 1
    skills: frozenset[str] = frozenset()
    capacity: int | None = None
    max_work: int | None = None  # seconds of work (route span minus the breaks inside it)
    breaks: tuple[Break, ...] = ()
    break_free_span: int | None = None  # a route longer than this must contain all its breaks
    break_margin: int = 0  # work a contained break needs before and after it (it must interrupt work)
    fixed_cost: int = 0


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs; checked for consistency on construction."""

    jobs: tuple[Job, ...]
    vehicles: tuple[Vehicle, ...]
    durations: IntMatrix
    distances: IntMatrix
    objective: str = "duration"  # "duration" or "distance": what an arc costs
    preferred_bonus: int = 0  # cost added when a job is not on one of its preferred vehicles
    span_cost: int = 0  # cost per second of a vehicle's working time (keeps days compact)
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.durations.shape[0]
        problems: list[str] = []
        if self.durations.shape != (n, n) or self.distances.shape != (n, n):
            problems.append("durations and distances must be square matrices of the same size")
        if (self.durations < 0).any() or (self.distances < 0).any():
            problems.append("matrices must not be negative")
        for j in self.jobs:
            if not 0 <= j.location < n:
                problems.append(f"job {j.id}: location {j.location} outside the matrix")
            if not j.windows:
                problems.append(f"job {j.id}: no time window")
            for a, b in j.windows:
                if a > b:
                    problems.append(f"job {j.id}: window start {a} after end {b}")
            if j.pinned is not None and not 0 <= j.pinned[0] < len(self.vehicles):
                problems.append(f"job {j.id}: pinned to unknown vehicle {j.pinned[0]}")
            for k, cost in j.vehicle_costs:
                if not 0 <= k < len(self.vehicles) or cost < 0:
                    problems.append(f"job {j.id}: cost {cost} on vehicle {k} (unknown or negative)")
        for v in self.vehicles:
            if v.shift_start > v.shift_end:
                problems.append(f"vehicle {v.id}: shift ends before it starts")
            for loc in (v.start_location, v.end_location):
                if not 0 <= loc < n:
                    problems.append(f"vehicle {v.id}: location {loc} outside the matrix")
        if len({j.id for j in self.jobs}) != len(self.jobs):
            problems.append("job ids must be unique")
        if self.objective not in ("duration", "distance"):
            problems.append(f"unknown objective {self.objective!r}")
        if problems:
            raise ProblemError("; ".join(problems))
        self.durations.setflags(write=False)
        self.distances.setflags(write=False)

    def travel(self, job_or_none: Job | None, i: int, j: int) -> int:
        """Drive seconds from location i to j, inflated by the safety factor of the job at j."""
        base = int(self.durations[i, j])
        if job_or_none is None or job_or_none.travel_factor_pct == 100:
            return base
        return -(-base * job_or_none.travel_factor_pct // 100)


def span_bound(veh: Vehicle) -> int:
    """Longest route that keeps work (span minus breaks inside) within max_work.

    A route up to `break_free_span` may leave its breaks outside, so its span is its work; only a
    longer route, which must contain its breaks, may add their length.
    """
    assert veh.max_work is not None
    free = veh.break_free_span
    if not veh.breaks or (free is not None and veh.max_work <= free):
        return veh.max_work
    return veh.max_work + sum(b.duration for b in veh.breaks)


def vehicle_fits(p: Problem, job: Job, v: int) -> bool:
    """Whether a vehicle may serve a job: listed, enough staff, all skills, shift overlaps a window."""
    veh = p.vehicles[v]
    if job.vehicles is not None and v not in job.vehicles:
        return False
    if veh.staff < job.staff or not job.skills <= veh.skills:
        return False
    return any(a <= veh.shift_end and b >= veh.shift_start for a, b in job.windows)
