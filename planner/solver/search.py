"""Search for a good solution of a routing model and read it back as a plain `Solution`.

A portfolio: `SearchParams.workers` processes search the same problem, each with its own seed; the
best solution wins, ties going to the lower worker index, so the choice is deterministic whenever
no worker hit the clock.

Each worker first runs the compiled ruin-and-recreate search of `planner.solver.sisr` on the
problem's flat form: with convergence for `SISR_STEPS` steps per job ("budget", deterministic) and
its routes, loaded into the OR-Tools model, are the result; without convergence until
`POLISH_SHARE` of the time limit is left, and OR-Tools' guided local search polishes its routes
to the limit. A problem without a flat form starts from an OR-Tools first solution (each worker its
own heuristic and job order) and runs in rounds of a fixed number of search branches (a
machine-independent measure of work), each restarting from the best solution so far with the next
metaheuristic of a fixed cycle (guided local search with two penalty weights, tabu search,
simulated annealing), until a whole cycle brings no improvement ("converged") or after
`max_rounds` rounds ("budget"), both deterministic, or at the time limit ("time_limit").
`Solution.stop_reason` says how the search ended, so a caller knows whether a rerun with the same
seed reproduces the result exactly.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.errors import NoSolutionError
from planner.problem import Problem
from planner.solution import Route, Solution, Visit
from planner.solver.flat import flat_view
from planner.solver.model import Model, build_model

FirstSolution = routing_enums_pb2.FirstSolutionStrategy
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic
FIRST_SOLUTIONS = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
LOAD_MS = 200  # time limit of the descent that loads routes found outside OR-Tools
POLISH_SHARE = 0.1  # without convergence: share of the limit OR-Tools polishes the compiled search's routes
SISR_STEPS = 500  # with convergence: compiled search steps per job


@dataclass(frozen=True)
class SearchParams:
    """How long and how to search."""

    time_limit_s: float = 30.0
    seed: int = 1
    round_branches: int = 0  # 0 = 500 + 30 per job
    max_rounds: int = 3  # a deterministic work budget: stop after this many rounds ("budget"); 0 = none
    converge: bool = True  # stop once a whole cycle of rounds brings no improvement
    first_solution: str = ""  # an OR-Tools FirstSolutionStrategy name; "" = one per worker
    workers: int = 2  # processes of the portfolio (at most the number of cores is used)
    log: bool = False


def solve(
    problem: Problem, params: SearchParams | None = None, on_solution: Callable[[], None] | None = None
) -> Solution:
    """Solve `problem` and return routes with times; jobs that do not fit are dropped.

    `on_solution` is called at every solution the first worker finds (for progress displays).
    Raises NoSolutionError when no worker found a solution.
    """
    params = params or SearchParams()
    started = time.monotonic()
    workers = max(1, min(params.workers, os.cpu_count() or 1))
    if workers == 1:
        return _solve_worker(problem, params, 0, on_solution)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    children = []
    for w in range(1, workers):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(problem, params, w, send), daemon=True)
        proc.start()
        send.close()
        children.append((proc, receive))
    results: list[Solution | None] = []
    try:
        results.append(_solve_worker(problem, params, 0, on_solution))
    except NoSolutionError:
        results.append(None)
    for proc, receive in children:
        results.append(_collect(proc, receive, params.time_limit_s + 30))
    found = [(s.objective, w, s) for w, s in enumerate(results) if s is not None]
    if not found:
        raise NoSolutionError("no worker found a solution")
    best = min(found, key=lambda t: t[:2])[2]
    reasons = {s.stop_reason if s is not None else "time_limit" for s in results}
    # deterministic only if every worker stopped on its own work, not on the clock
    reason = "time_limit" if "time_limit" in reasons else "budget" if "budget" in reasons else "converged"
    return replace(
        best,
        stop_reason=reason,
        elapsed_s=time.monotonic() - started,
        solutions_found=sum(s.solutions_found for s in results if s is not None),
    )


def _child(problem: Problem, params: SearchParams, worker: int, send: Connection) -> None:
    """Process entry: solve and send the solution (None when there is none)."""
    try:
        send.send(_solve_worker(problem, params, worker, None))
    except NoSolutionError:
        send.send(None)
    finally:
        send.close()


def _collect(
    proc: multiprocessing.process.BaseProcess, receive: Connection, wait_s: float
) -> Solution | None:
    """A child's solution, or None if it sent none in time or died."""
    result: Solution | None = None
    try:
        if receive.poll(wait_s):
            result = receive.recv()
    except EOFError:
        result = None
    proc.join(5)
    if proc.is_alive():
        proc.terminate()
    return result


def _solve_worker(
    problem: Problem, params: SearchParams, worker: int, on_solution: Callable[[], None] | None
) -> Solution:
    """One portfolio member: a start (the compiled search, else OR-Tools), then rounds until done."""
    order = list(range(len(problem.jobs)))
    seed = params.seed + 7919 * worker
    if seed:
        random.Random(seed).shuffle(order)
    model = build_model(problem, order)
    if on_solution is not None:
        model.routing.AddAtSolutionCallback(on_solution)
    if params.converge:
        budget = params.round_branches or 500 + 30 * len(problem.jobs)
        model.routing.AddSearchMonitor(model.routing.solver().BranchesLimit(budget))
    started = time.monotonic()
    deadline = started + params.time_limit_s
    first = params.first_solution or FIRST_SOLUTIONS[worker % len(FIRST_SOLUTIONS)]
    rnd = 2 * worker  # worker 0 starts with GLS at lambda 0.1, worker 1 at 0.4, ...
    best, complete = _compiled_start(model, params, seed, started)
    compiled = best is not None
    if best is not None and params.converge:  # a fixed number of steps, the routes as found
        return _read(model, best, "budget" if complete else "time_limit", time.monotonic() - started, 1, True)
    found = 0
    if best is None:
        best = model.routing.SolveWithParameters(_search_parameters(params, first, deadline, rnd))
        if best is None:
            raise NoSolutionError(f"no solution (status {model.routing.status()})")
        best = model.routing.solver().Assignment(best)
        found = model.routing.solver().Solutions()
    stall, reason, rounds = 0, "converged", 0
    while not params.converge or stall < len(CYCLE):
        if time.monotonic() >= deadline:
            reason = "time_limit"
            break
        if params.converge and params.max_rounds and rounds >= params.max_rounds:
            reason = "budget"
            break
        rounds += 1
        rnd += params.converge  # without convergence one metaheuristic runs to the time limit
        nxt = model.routing.SolveFromAssignmentWithParameters(
            best, _search_parameters(params, first, deadline, rnd)
        )
        found += model.routing.solver().Solutions()
        if nxt is not None and nxt.ObjectiveValue() < best.ObjectiveValue():
            best, stall = model.routing.solver().Assignment(nxt), 0
        else:
            stall += 1
    return _read(model, best, reason, time.monotonic() - started, found, compiled)


def _compiled_start(
    m: Model, params: SearchParams, seed: int, started: float
) -> tuple[pywrapcp.Assignment | None, bool]:
    """Routes of the compiled search (`planner.solver.sisr`) as an assignment (None without a flat
    form or if the model rejects them), and whether the search ran all its steps.

    With convergence it runs `SISR_STEPS` per job (repeatable) unless the time limit comes first,
    else until `POLISH_SHARE` of the time limit is left.
    """
    flat = flat_view(m.problem)
    if flat is None:
        return None, False
    from planner.solver import sisr  # compiled on first use (and cached on disk)

    search = sisr.Search(flat, [], seed)
    if params.converge:
        complete = sisr.anneal(search, SISR_STEPS * flat.jobs, started + params.time_limit_s)
    else:
        complete = sisr.anneal(search, 0, started + (1 - POLISH_SHARE) * params.time_limit_s)
    routes, _ = search.best()
    return _load(m, [[c - flat.first_job for c in r] for r in routes]), complete


def _load(m: Model, routes: list[list[int]]) -> pywrapcp.Assignment | None:
    """Routes (job indices, one list per vehicle) as an OR-Tools assignment after a short descent;
    None if rejected.

    `RoutesToAssignment` + `SolveFromAssignmentWithParameters` with a fresh time limit: in OR-Tools
    9.15 `ReadAssignmentFromRoutes` after a search that used its whole time limit fails at random.
    """
    indices = [[m.manager.NodeToIndex(m.node_of_job[j]) for j in r] for r in routes]
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.time_limit.FromMilliseconds(LOAD_MS)
    sp.solution_limit = 1  # the routes as they are: no descent, so the result does not depend on the clock
    m.routing.CloseModelWithParameters(sp)  # no-op once closed; routes need a closed model
    start = m.routing.solver().Assignment()
    if not m.routing.RoutesToAssignment(indices, True, True, start):
        return None
    found = m.routing.SolveFromAssignmentWithParameters(start, sp)
    return None if found is None else m.routing.solver().Assignment(found)


# (metaheuristic, GLS lambda): the deterministic cycle of search rounds
CYCLE = (
    (Metaheuristic.GUIDED_LOCAL_SEARCH, 0.1),
    (Metaheuristic.TABU_SEARCH, 0.0),
    (Metaheuristic.GUIDED_LOCAL_SEARCH, 0.4),
    (Metaheuristic.SIMULATED_ANNEALING, 0.0),
)


def _search_parameters(params: SearchParams, first: str, deadline: float, rnd: int) -> object:
    """Build a start solution with `first` (round 0) and improve with CYCLE[rnd % len] until `deadline`."""
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(FirstSolution, first)
    meta, lam = CYCLE[rnd % len(CYCLE)]
    sp.local_search_metaheuristic = meta
    if lam:
        sp.guided_local_search_lambda_coefficient = lam
    left = max(0.001, deadline - time.monotonic())
    sp.time_limit.FromMilliseconds(int(left * 1000))
    # LNS operators run small sub-searches that OR-Tools cuts after 100 ms of wall-clock time, which
    # made even converged runs depend on machine load; bounded only by the deadline they repeat.
    sp.lns_time_limit.FromMilliseconds(int(left * 1000))
    sp.log_search = params.log
    return sp


def _read(
    m: Model, a: pywrapcp.Assignment, reason: str, elapsed: float, found: int, compiled: bool
) -> Solution:
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
        start="compiled" if compiled else "or-tools",
    )
