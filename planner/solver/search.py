"""Search for a good solution of a routing model and read it back as a plain `Solution`.

Determinism: OR-Tools' local search is deterministic for a fixed model; the seed only permutes
the job order in the model. The search runs in rounds of a fixed number of search branches (a
machine-independent measure of work, about 2,500 a second here), each
restarting from the best solution so far with the next metaheuristic of a fixed cycle (guided
local search with two penalty weights, tabu search, simulated annealing), and stops once a whole
cycle brings no improvement (a deterministic criterion) or at the time limit, whichever comes
first. `Solution.stop_reason` says which, so a caller knows whether a rerun with the same
seed reproduces the result exactly.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.problem import Problem
from planner.solution import Route, Solution, Visit
from planner.solver.model import Model, build_model

FirstSolution = routing_enums_pb2.FirstSolutionStrategy
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SearchParams:
    """How long and how to search."""

    time_limit_s: float = 30.0
    seed: int = 1
    round_branches: int = 0  # 0 = 500 + 30 per job
    converge: bool = True  # stop once a whole cycle of rounds brings no improvement
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    log: bool = False


class NoSolutionError(RuntimeError):
    """The solver found no solution at all (cannot happen while every job may be dropped)."""


def solve(
    problem: Problem, params: SearchParams | None = None, on_solution: Callable[[], None] | None = None
) -> Solution:
    """Solve `problem` and return routes with times; jobs that do not fit are dropped.

    `on_solution` is called at every solution the search finds (for progress displays).
    """
    params = params or SearchParams()
    order = list(range(len(problem.jobs)))
    if params.seed:
        random.Random(params.seed).shuffle(order)
    model = build_model(problem, order)
    if on_solution is not None:
        model.routing.AddAtSolutionCallback(on_solution)
    if params.converge:
        budget = params.round_branches or 500 + 30 * len(problem.jobs)
        model.routing.AddSearchMonitor(model.routing.solver().BranchesLimit(budget))
    started = time.monotonic()
    deadline = started + params.time_limit_s
    best = model.routing.SolveWithParameters(_search_parameters(params, deadline, 0))
    if best is None:
        raise NoSolutionError(f"no solution (status {model.routing.status()})")
    best = model.routing.solver().Assignment(best)
    stall, rnd, reason, found = 0, 0, "converged", model.routing.solver().Solutions()
    while not params.converge or stall < len(CYCLE):
        if time.monotonic() >= deadline:
            reason = "time_limit"
            break
        rnd += 1
        nxt = model.routing.SolveFromAssignmentWithParameters(best, _search_parameters(params, deadline, rnd))
        found += model.routing.solver().Solutions()
        if nxt is not None and nxt.ObjectiveValue() < best.ObjectiveValue():
            best, stall = model.routing.solver().Assignment(nxt), 0
        else:
            stall += 1
    return _read(model, best, reason, time.monotonic() - started, found)


# (metaheuristic, GLS lambda): the deterministic cycle of search rounds
CYCLE = (
    (Metaheuristic.GUIDED_LOCAL_SEARCH, 0.1),
    (Metaheuristic.TABU_SEARCH, 0.0),
    (Metaheuristic.GUIDED_LOCAL_SEARCH, 0.4),
    (Metaheuristic.SIMULATED_ANNEALING, 0.0),
)


def _search_parameters(params: SearchParams, deadline: float, rnd: int) -> object:
    """Round 0 builds a start solution and improves it; round r improves with CYCLE[r % len]."""
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(FirstSolution, params.first_solution)
    meta, lam = CYCLE[rnd % len(CYCLE)]
    sp.local_search_metaheuristic = meta
    if lam:
        sp.guided_local_search_lambda_coefficient = lam
    left = max(0.001, deadline - time.monotonic())
    sp.time_limit.FromMilliseconds(int(left * 1000))
    sp.log_search = params.log
    return sp


def _read(m: Model, a: pywrapcp.Assignment, reason: str, elapsed: float, found: int) -> Solution:
    """Turn an assignment into routes of job indices with arrival and begin times."""
    p = m.problem
    routes: list[Route] = []
    served: set[int] = set()
    for v in range(len(p.vehicles)):
        index = m.routing.Start(v)
        start = a.Value(m.time.CumulVar(index))
        visits: list[Visit] = []
        prev_leave = start
        prev_loc = p.vehicles[v].start_location
        index = a.Value(m.routing.NextVar(index))
        while not m.routing.IsEnd(index):
            j = m.job_of_node[m.manager.IndexToNode(index)]
            job = p.jobs[j]
            arrival = prev_leave + p.travel(job, prev_loc, job.location)
            begin = a.Value(m.time.CumulVar(index))
            visits.append(Visit(job=j, arrival=arrival, begin=begin))
            served.add(j)
            prev_leave, prev_loc = begin + job.service, job.location
            index = a.Value(m.routing.NextVar(index))
        end = a.Value(m.time.CumulVar(index))
        if not visits:
            continue
        breaks = tuple(
            (a.StartValue(iv), iv.DurationMin())
            for iv in m.breaks[v]
            if a.PerformedValue(iv)
            and start <= a.StartValue(iv)
            and a.StartValue(iv) + iv.DurationMin() <= end
        )
        routes.append(Route(vehicle=v, start=start, end=end, visits=tuple(visits), breaks=breaks))
    dropped = tuple(j for j in range(len(p.jobs)) if j not in served)
    return Solution(
        routes=tuple(routes),
        dropped=dropped,
        objective=a.ObjectiveValue(),
        stop_reason=reason,
        elapsed_s=elapsed,
        solutions_found=found,
    )
