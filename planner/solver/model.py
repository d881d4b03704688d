"""Translate a `Problem` into an OR-Tools routing model.

Node layout: one node per job (in the order given by `order`, so a seed can permute tie-breaking),
then one node per distinct depot location. Time is a dimension whose cumul at a job node is the
moment the crew begins at the place (setup starts); the appointment starts `setup` later.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp

from planner.problem.routing import PIN_PENALTY, Problem, span_bound, vehicle_fits

TIME = "time"
LOAD = "load"
NODE_COST = "node_cost"
MATRIX_BUDGET_BYTES = 256 * 2**20  # per-vehicle cost matrices up to this size; beyond: a cost dimension


@dataclass
class Model:
    """The OR-Tools objects of one routing model and the mapping back to problem indices."""

    problem: Problem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    job_of_node: list[int]  # node -> job index, -1 for depot nodes
    node_of_job: list[int]
    time: pywrapcp.RoutingDimension = field(init=False)
    node_visit: list[int] = field(default_factory=list)  # seconds at each node, breaks may not overlap
    breaks: list[list[pywrapcp.IntervalVar]] = field(default_factory=list)


def build_model(problem: Problem, order: Sequence[int]) -> Model:
    """Create the routing model with all hard constraints and the objective."""
    jobs = problem.jobs
    depot_locs = sorted(
        {v.start_location for v in problem.vehicles} | {v.end_location for v in problem.vehicles}
    )
    node_of_job = [0] * len(jobs)
    for node, j in enumerate(order):
        node_of_job[j] = node
    job_of_node = [*order, *([-1] * len(depot_locs))]
    loc_of_node = [jobs[j].location for j in order] + depot_locs
    depot_node = {loc: len(jobs) + k for k, loc in enumerate(depot_locs)}
    manager = pywrapcp.RoutingIndexManager(
        len(loc_of_node),
        len(problem.vehicles),
        [depot_node[v.start_location] for v in problem.vehicles],
        [depot_node[v.end_location] for v in problem.vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)
    m = Model(problem, manager, routing, job_of_node, node_of_job)

    _add_costs(m, loc_of_node)
    _add_time(m, loc_of_node)
    _add_load(m)
    _add_job_rules(m)
    _add_breaks(m)
    return m


def _add_costs(m: Model, loc_of_node: list[int]) -> None:
    """Arc cost = drive time (or distance), plus a bonus when a job misses its preferred vehicle and
    the job's own cost on the vehicle (`Job.vehicle_costs`), both charged on the arc into the job."""
    p = m.problem
    base = p.durations if p.objective == "duration" else p.distances
    scale = 4 if p.span_cost else 1  # leave room for the span cost to rank below drive time
    cost = [[int(base[a, b]) * scale for b in loc_of_node] for a in loc_of_node]
    pref_nodes = [
        (m.node_of_job[j], job.preferred_vehicles)
        for j, job in enumerate(p.jobs)
        if job.preferred_vehicles and p.preferred_bonus
    ]
    own = [(m.node_of_job[j], dict(job.vehicle_costs)) for j, job in enumerate(p.jobs) if job.vehicle_costs]
    if not pref_nodes and not own:
        m.routing.SetArcCostEvaluatorOfAllVehicles(m.routing.RegisterTransitMatrix(cost))
    else:
        extras = []  # per vehicle: node -> cost of serving the node on that vehicle
        for v in range(len(p.vehicles)):
            extra = dict.fromkeys((node for node, pref in pref_nodes if v not in pref), p.preferred_bonus)
            for node, costs in own:
                extra[node] = extra.get(node, 0) + costs.get(v, 0)
            extras.append({node: c for node, c in extra.items() if c})
        distinct = len({frozenset(e.items()) for e in extras})
        if distinct * len(cost) ** 2 * 8 <= MATRIX_BUDGET_BYTES:
            _costs_as_matrices(m, cost, extras)
        else:
            _costs_as_dimension(m, cost, extras)
    for v, veh in enumerate(p.vehicles):
        if veh.fixed_cost:
            m.routing.SetFixedCostOfVehicle(veh.fixed_cost, v)


def _costs_as_matrices(m: Model, cost: list[list[int]], extras: list[dict[int, int]]) -> None:
    """One arc-cost matrix per distinct set of node costs, the cost charged on the arc into the node."""
    registered: dict[frozenset[tuple[int, int]], int] = {}
    for v, extra in enumerate(extras):
        key = frozenset(extra.items())
        if key not in registered:
            with_extra = [[c + extra.get(b, 0) for b, c in enumerate(row)] for row in cost]
            registered[key] = m.routing.RegisterTransitMatrix(with_extra)
        m.routing.SetArcCostEvaluatorOfVehicle(registered[key], v)


def _costs_as_dimension(m: Model, cost: list[list[int]], extras: list[dict[int, int]]) -> None:
    """The same objective for a big week: one arc-cost matrix for all vehicles, and the node costs of
    each vehicle as a vector summed along its route by a cost dimension (a matrix per van-day would
    take n^2 x 8 bytes each, 18 MB for 1500 jobs, times 80 van-days). A node's cost is charged on the
    arc out of it, which every visited job has exactly once."""
    m.routing.SetArcCostEvaluatorOfAllVehicles(m.routing.RegisterTransitMatrix(cost))
    n = len(cost)
    registered: dict[frozenset[tuple[int, int]], int] = {}
    evaluators = []
    for extra in extras:
        key = frozenset(extra.items())
        if key not in registered:
            registered[key] = m.routing.RegisterUnaryTransitVector([extra.get(node, 0) for node in range(n)])
        evaluators.append(registered[key])
    top = sum(max(e.values(), default=0) for e in extras) * n + 1
    m.routing.AddDimensionWithVehicleTransits(evaluators, 0, top, True, NODE_COST)
    m.routing.GetDimensionOrDie(NODE_COST).SetSpanCostCoefficientForAllVehicles(1)


def _add_time(m: Model, loc_of_node: list[int]) -> None:
    """Time dimension: service at the origin plus drive (with the safety factor of the destination)."""
    p = m.problem
    n = len(loc_of_node)
    service = [0] * n
    factor = [100] * n
    for j, job in enumerate(p.jobs):
        service[m.node_of_job[j]] = job.service
        factor[m.node_of_job[j]] = job.travel_factor_pct
    transit = [
        [
            service[a] + (-(-int(p.durations[loc_of_node[a], loc_of_node[b]]) * factor[b] // 100))
            for b in range(n)
        ]
        for a in range(n)
    ]
    idx = m.routing.RegisterTransitMatrix(transit)
    manager = m.manager
    horizon = max([v.shift_end for v in p.vehicles] + [b for j in p.jobs for _, b in j.windows] + [0])
    m.routing.AddDimension(idx, horizon, horizon, False, TIME)
    m.time = m.routing.GetDimensionOrDie(TIME)
    m.node_visit = service
    for v, veh in enumerate(p.vehicles):
        for index in (m.routing.Start(v), m.routing.End(v)):
            m.time.CumulVar(index).SetRange(veh.shift_start, veh.shift_end)
        if veh.max_work is not None:
            m.time.SetSpanUpperBoundForVehicle(span_bound(veh), v)
        if p.span_cost:
            m.time.SetSpanCostCoefficientForVehicle(p.span_cost, v)
    for j, job in enumerate(p.jobs):
        index = manager.NodeToIndex(m.node_of_job[j])
        cumul = m.time.CumulVar(index)
        wins = sorted((a - job.setup, b - job.setup) for a, b in job.windows)
        cumul.SetRange(max(0, wins[0][0]), wins[-1][1])
        for (_, b0), (a1, _) in itertools.pairwise(wins):
            if a1 > b0 + 1:
                cumul.RemoveInterval(b0 + 1, a1 - 1)


def _add_load(m: Model) -> None:
    """A capacity dimension, only when some vehicle has a capacity (benchmarks)."""
    p = m.problem
    if all(v.capacity is None for v in p.vehicles):
        return
    demand = [0] * len(m.job_of_node)
    for j, job in enumerate(p.jobs):
        demand[m.node_of_job[j]] = job.demand
    idx = m.routing.RegisterUnaryTransitVector(demand)
    caps = [v.capacity if v.capacity is not None else sum(demand) for v in p.vehicles]
    m.routing.AddDimensionWithVehicleCapacity(idx, 0, caps, True, LOAD)


def _add_job_rules(m: Model) -> None:
    """Allowed vehicles (staff, skills, dates), drop penalties and pins."""
    p = m.problem
    for j, job in enumerate(p.jobs):
        index = m.manager.NodeToIndex(m.node_of_job[j])
        allowed = [v for v in range(len(p.vehicles)) if vehicle_fits(p, job, v)]
        if job.pinned is not None:
            allowed = [v for v in allowed if v == job.pinned[0]]
            start = job.pinned[1] - job.setup
            m.time.CumulVar(index).SetRange(start, start)
        if len(allowed) < len(p.vehicles):
            # SetAllowedVehiclesForIndex's absl::Span argument is not wrapped for Python in
            # OR-Tools 9.15; restricting the vehicle variable is the documented equivalent.
            m.routing.VehicleVar(index).SetValues([-1, *allowed])
        if not allowed:
            m.routing.ActiveVar(index).SetValue(0)
        m.routing.AddDisjunction([index], PIN_PENALTY if job.pinned is not None else job.penalty)


def _add_breaks(m: Model) -> None:
    """Arbeitszeitgesetz breaks as OR-Tools break intervals that may not overlap time at a stop.

    Each vehicle carries its breaks as fixed-length intervals with a start window (set by the
    problem builder so that no stretch of work exceeds six hours). Mandatory, windowed intervals
    keep the search fast; optional ones with conditional performance slowed it down a hundredfold.
    """
    p = m.problem
    solver = m.routing.solver()
    node_visit = [m.node_visit[m.manager.IndexToNode(i)] for i in range(m.routing.Size())]
    for v, veh in enumerate(p.vehicles):
        intervals = [
            solver.FixedDurationIntervalVar(b.earliest, b.latest, b.duration, False, f"break {veh.id} {k}")
            for k, b in enumerate(veh.breaks)
        ]
        for a, b in itertools.pairwise(intervals):
            solver.Add(b.StartExpr() >= a.EndExpr())
            if veh.break_free_span is not None:
                solver.Add(b.StartExpr() - a.EndExpr() <= veh.break_free_span)
        if intervals:
            m.time.SetBreakIntervalsOfVehicle(intervals, v, node_visit)
            if veh.break_free_span is not None:
                _breaks_inside_when_needed(m, v, intervals, veh.break_free_span)
        m.breaks.append(intervals)


def _inside(m: Model, v: int, iv: pywrapcp.IntervalVar) -> pywrapcp.IntVar:
    """A 0/1 variable: the break lies within vehicle v's route with `break_margin` of work on each side."""
    solver = m.routing.solver()
    start = m.time.CumulVar(m.routing.Start(v))
    end = m.time.CumulVar(m.routing.End(v))
    margin = m.problem.vehicles[v].break_margin
    return solver.IsGreaterOrEqualVar(iv.StartExpr(), start + margin) * solver.IsLessOrEqualVar(
        iv.EndExpr() + margin, end
    )


def _breaks_inside_when_needed(m: Model, v: int, intervals: list[pywrapcp.IntervalVar], limit: int) -> None:
    """A route longer than `limit` must contain its breaks (a break before or after it is no break)."""
    solver = m.routing.solver()
    start = m.time.CumulVar(m.routing.Start(v))
    end = m.time.CumulVar(m.routing.End(v))
    big = m.problem.vehicles[v].shift_end - m.problem.vehicles[v].shift_start
    solver.Add(end - start <= limit + big * solver.Min([_inside(m, v, iv) for iv in intervals]))
