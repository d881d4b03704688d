"""PyVRP on a VRPTW `Problem` (as `bench.solomon.to_problem` makes them), read back as a `Solution`.

PyVRP gets the same scaled integer matrices (travel rounded up, arc cost rounded), windows, service
times, demands and fleet (fixed at the vehicles of the problem) as our solver, and minimises the
same distance. Only that problem class is translated: one depot, identical vehicles, one window per
job, no skills, staff, breaks, pins or safety factors; anything else is refused, not approximated.
PyVRP's search is single-threaded, so `workers` processes each run it with their own seed and the
best feasible result wins (like our portfolio), the lowest seed on ties.
"""

from __future__ import annotations

import multiprocessing
import time

from pyvrp import Client, Depot, Location, ProblemData, VehicleType
from pyvrp import Solution as PyvrpSolution
from pyvrp import solve as pyvrp_solve
from pyvrp.stop import MaxRuntime

from planner.problem.routing import Problem
from planner.solution import Route, Solution, Visit


def to_pyvrp(p: Problem, coords: tuple[tuple[float, float], ...]) -> ProblemData:
    """PyVRP's data for a VRPTW problem; ValueError for a feature it is not translated with."""
    refused = _refused(p)
    if refused:
        raise ValueError(f"not a plain VRPTW problem: {', '.join(refused)}")
    veh = p.vehicles[0]
    depot = veh.start_location
    others = [k for k in range(p.durations.shape[0]) if k != depot]
    order = [depot, *others]  # PyVRP's locations: the depot first
    index = {loc: k for k, loc in enumerate(order)}
    xy = coords or tuple((0.0, 0.0) for _ in order)
    clients = [
        Client(
            index[j.location],
            delivery=[j.demand],
            service_duration=j.service,
            tw_early=j.windows[0][0],
            tw_late=j.windows[0][1],
        )
        for j in p.jobs
    ]
    vehicle = VehicleType(
        len(p.vehicles),
        capacity=[veh.capacity if veh.capacity is not None else sum(j.demand for j in p.jobs)],
        tw_early=veh.shift_start,
        tw_late=veh.shift_end,
    )
    arcs = p.distances if p.objective == "distance" else p.durations
    return ProblemData(
        [Location(*xy[loc]) for loc in order],
        clients,
        [Depot(0, tw_early=veh.shift_start, tw_late=veh.shift_end)],
        [vehicle],
        [arcs[order][:, order].copy()],  # type: ignore[list-item]  # the stub's ndarray[int]
        [p.durations[order][:, order].copy()],  # type: ignore[list-item]
    )


def solve_pyvrp(
    p: Problem, coords: tuple[tuple[float, float], ...], time_limit_s: float, workers: int, seed: int
) -> Solution:
    """The best of `workers` PyVRP runs (seeds seed, seed + 1, ...) of `time_limit_s` each, in parallel."""
    started = time.monotonic()
    args = [(p, coords, time_limit_s, seed + k) for k in range(workers)]
    if workers == 1:
        results = [_one(*args[0])]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.starmap(_one, args)
    best = min(results, key=lambda r: (not r[1], r[0].objective))[0]
    return Solution(
        best.routes, best.dropped, best.objective, "pyvrp", time.monotonic() - started, len(results)
    )


def _one(
    p: Problem, coords: tuple[tuple[float, float], ...], time_limit_s: float, seed: int
) -> tuple[Solution, bool]:
    """One PyVRP run: its best solution and whether PyVRP deems it feasible."""
    data = to_pyvrp(p, coords)
    res = pyvrp_solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False, display=False)
    return from_pyvrp(p, res.best), res.best.is_feasible()


def from_pyvrp(p: Problem, best: PyvrpSolution) -> Solution:
    """PyVRP's routes with PyVRP's own times; the objective is the distance PyVRP reports for them."""
    routes = []
    for k, r in enumerate(best.routes()):
        visits = tuple(
            Visit(job=a.idx, arrival=a.start_time - a.wait_duration, begin=a.start_time)
            for a in r.schedule()
            if a.is_client()
        )
        routes.append(Route(k, r.start_time(), r.end_time(), visits))
    served = {v.job for r in routes for v in r.visits}
    dropped = tuple(j for j in range(len(p.jobs)) if j not in served)
    objective = best.distance() + sum(p.jobs[j].penalty for j in dropped)
    return Solution(tuple(routes), dropped, objective, "pyvrp", 0.0)


def _refused(p: Problem) -> list[str]:
    """The features of `p` outside plain VRPTW."""
    if not p.vehicles:
        return ["no vehicles"]
    v0 = p.vehicles[0]
    same = (v0.start_location, v0.start_location, v0.shift_start, v0.shift_end, v0.capacity)
    checks = [
        (any((v.start_location, v.end_location, v.shift_start, v.shift_end, v.capacity) != same
             for v in p.vehicles), "vehicles differ or do not return to their depot"),
        (any(v.breaks or v.max_work is not None or v.skills or v.fixed_cost for v in p.vehicles),
         "vehicle rules"),
        (any(len(j.windows) != 1 for j in p.jobs), "several windows"),
        (any(j.location == v0.start_location for j in p.jobs), "a job at the depot"),
        (any(j.skills or j.staff > 1 or j.vehicles is not None or j.pinned or j.setup or j.after
             or j.travel_factor_pct != 100 or j.vehicle_costs or j.preferred_vehicles for j in p.jobs),
         "job rules"),
        (p.span_cost != 0, "span cost"),
    ]  # fmt: skip
    return [name for bad, name in checks if bad]
