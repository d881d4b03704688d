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

import ctypes
import ctypes.util
import multiprocessing
import os
import random
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.problem.routing import PIN_PENALTY, Problem
from planner.solution import Route, Solution, Visit
from planner.solver.evaluate import evaluate
from planner.solver.flat import flat_view
from planner.solver.model import Model, build_model

FirstSolution = routing_enums_pb2.FirstSolutionStrategy
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic
FIRST_SOLUTIONS = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
# Least time limit of loading routes found outside OR-Tools into the model. Loading ends at the first
# solution (0.2 s for 1000 requests), but OR-Tools 9.15 gives up on it far earlier than its limit: with
# 1 s it failed in 0.14 s on the 1000-request Lauf week, with 2 s or more it loaded; so be generous.
LOAD_MS = 10_000
LOAD_S_PER_JOB = 0.002  # time kept for loading and checking the compiled routes (2 s per 1000 jobs)
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
    steps_per_job: int = 0  # with convergence: compiled search steps per job; 0 = SISR_STEPS
    # routes (job indices per vehicle, in vehicle order) the compiled search starts from instead of
    # none, e.g. the pinned appointments of a replan; ignored if they break a rule
    start: tuple[tuple[int, ...], ...] = ()
    log: bool = False


RESERVE = 0.03  # share of the time limit the workers leave for collecting and reading the result
GRACE = 0.01  # ... of which the parent waits at most this share past the workers' deadline
Report = Callable[[Solution], None]


def nothing_placed(problem: Problem, reason: str, elapsed_s: float = 0.0) -> Solution:
    """The solution that leaves every job out: always valid, the floor every search starts above."""
    objective = sum(PIN_PENALTY if job.pinned is not None else job.penalty for job in problem.jobs)
    return Solution(
        routes=(), dropped=tuple(range(len(problem.jobs))), objective=objective, stop_reason=reason,
        elapsed_s=elapsed_s,
    )  # fmt: skip


def solve(
    problem: Problem,
    params: SearchParams | None = None,
    on_solution: Callable[[], None] | None = None,
    deadline: float | None = None,
) -> Solution:
    """Solve `problem` and return routes with times; jobs that do not fit are dropped.

    The search ends by `deadline` (monotonic clock; default: `params.time_limit_s` from now) with the
    best solution any worker delivered by then, so a slow machine costs quality, never the plan.
    A problem without jobs or vehicles never reaches OR-Tools. `on_solution` is called at every
    solution the first worker finds (for progress displays).
    """
    params = params or SearchParams()
    started = time.monotonic()
    end = started + params.time_limit_s if deadline is None else deadline
    if not problem.jobs or not problem.vehicles:
        return nothing_placed(problem, "converged")
    compile_kernel()
    limit = max(0.0, end - started)
    work_end = end - RESERVE * limit
    workers = max(1, min(params.workers, os.cpu_count() or 1))
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        if workers > 1:
            children = _start_children(problem, params, workers, work_end)
        own = _solve_worker(problem, params, 0, on_solution, work_end)
        results = [own, *_collect(children, work_end + GRACE * limit)]
    finally:
        _stop(children)
    found = [(s.objective, w, s) for w, s in enumerate(results) if s is not None]  # own is never None
    best = min(found, key=lambda t: t[:2])[2]
    reasons = {s.stop_reason if s is not None else "time_limit" for s in results}
    # deterministic only if every worker stopped on its own work, not on the clock
    reason = "time_limit" if "time_limit" in reasons else "budget" if "budget" in reasons else "converged"
    return replace(
        best,
        stop_reason=reason,
        elapsed_s=time.monotonic() - started,
        solutions_found=sum(s.solutions_found for s in results if s is not None),
        cpu_share=min(s.cpu_share for s in results if s is not None),
        unfinished_workers=sum(1 if s is None else s.unfinished_workers for s in results),
    )


def compile_kernel(on_compile: Callable[[], None] | None = None) -> None:
    """Make the compiled search ready before any clock runs: load it from numba's disk cache, or
    compile it (tens of seconds, first run only), calling `on_compile` first so a user sees why."""
    if _ready:  # once per process: every plan, replan and simulated week calls this
        return
    from planner.solver import sisr  # numba compiles on first use

    if on_compile is not None and not sisr.cached():
        on_compile()
    sisr.warm_up()
    _ready.append(True)


_ready: list[bool] = []  # non-empty once this process has the compiled search in memory


def _start_children(
    problem: Problem, params: SearchParams, workers: int, work_end: float
) -> list[tuple[multiprocessing.process.BaseProcess, Connection]]:
    """Start workers 1.. as processes (forked: the compiled search and the matrices are shared)."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    children = []
    for w in range(1, workers):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(problem, params, w, send, work_end), daemon=True)
        proc.start()
        send.close()
        children.append((proc, receive))
    return children


def _child(problem: Problem, params: SearchParams, worker: int, send: Connection, work_end: float) -> None:
    """Process entry: send every best solution so far as it is found, the last one when done.

    Ctrl-C is the parent's to handle (it stops the children), and the child dies with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        send.send(_solve_worker(problem, params, worker, None, work_end, send.send))
    except (BrokenPipeError, EOFError):  # the parent stopped listening
        pass
    finally:
        send.close()


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL); elsewhere a no-op."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _collect(
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]], until: float
) -> list[Solution | None]:
    """Each child's last solution received by `until` (monotonic clock), None for a child that sent
    none; a child still searching is cut off with its best so far, marked as stopped by the clock."""
    last: list[Solution | None] = [None] * len(children)
    done = [False] * len(children)
    open_ = {id(receive): (k, receive) for k, (_, receive) in enumerate(children)}
    while open_ and (left := until - time.monotonic()) > 0:
        for ready in connection_wait([c for _, c in open_.values()], timeout=left):
            k, receive = open_[id(ready)]
            try:
                last[k] = receive.recv()
            except (EOFError, OSError):  # finished (or died): its last message was its result
                done[k] = True
                del open_[id(ready)]
    return [
        s if s is None or done[k] else replace(s, stop_reason="time_limit", unfinished_workers=1)
        for k, s in enumerate(last)
    ]


def _stop(children: list[tuple[multiprocessing.process.BaseProcess, Connection]]) -> None:
    """End every child: one that has not finished by now is cut off (killed: a stopped or busy
    process may not react to anything gentler, and its best so far is already in)."""
    for proc, receive in children:
        receive.close()
        proc.join(0.05)
        if proc.is_alive():
            proc.kill()
        proc.join()


def _solve_worker(
    problem: Problem,
    params: SearchParams,
    worker: int,
    on_solution: Callable[[], None] | None,
    work_end: float,
    report: Report | None = None,
) -> Solution:
    """One portfolio member: a start (the compiled search, else OR-Tools), then rounds until done or
    `work_end`; `report` receives every best solution so far (a late worker still delivers)."""
    started, cpu = time.monotonic(), time.process_time()

    def result(a: pywrapcp.Assignment, reason: str, found: int) -> Solution:
        wall = time.monotonic() - started
        share = min(1.0, (time.process_time() - cpu) / wall) if wall > 1.0 else 1.0
        return replace(_read(model, a, reason, wall, found, compiled), cpu_share=share)

    order = list(range(len(problem.jobs)))
    seed = params.seed + 7919 * worker
    if seed:
        random.Random(seed).shuffle(order)
    model = build_model(problem, order)
    if on_solution is not None:
        model.routing.AddAtSolutionCallback(on_solution)
    first = params.first_solution or FIRST_SOLUTIONS[worker % len(FIRST_SOLUTIONS)]
    rnd = 2 * worker  # worker 0 starts with GLS at lambda 0.1, worker 1 at 0.4, ...
    best, complete = _compiled_start(model, params, seed, started, work_end)
    compiled = best is not None
    if best is not None and params.converge:  # a fixed number of steps, the routes as found
        return result(best, "budget" if complete else "time_limit", 1)
    if params.converge:  # rounds of a fixed amount of work; added only now, as it would cut loading too
        budget = params.round_branches or 500 + 30 * len(problem.jobs)
        model.routing.AddSearchMonitor(model.routing.solver().BranchesLimit(budget))
    found = 0
    if best is None:
        best = model.routing.SolveWithParameters(_search_parameters(params, first, work_end, rnd))
        if best is None:  # not even a first solution in the time left
            return replace(
                nothing_placed(problem, "time_limit", time.monotonic() - started), unfinished_workers=1
            )
        best = model.routing.solver().Assignment(best)
        found = model.routing.solver().Solutions()
    if report is not None:
        report(result(best, "time_limit", found))
    stall, reason, rounds = 0, "converged", 0
    while not params.converge or stall < len(CYCLE):
        if time.monotonic() >= work_end:
            reason = "time_limit"
            break
        if params.converge and params.max_rounds and rounds >= params.max_rounds:
            reason = "budget"
            break
        rounds += 1
        rnd += params.converge  # without convergence one metaheuristic runs to the time limit
        nxt = model.routing.SolveFromAssignmentWithParameters(
            best, _search_parameters(params, first, work_end, rnd)
        )
        found += model.routing.solver().Solutions()
        if nxt is not None and nxt.ObjectiveValue() < best.ObjectiveValue():
            best, stall = model.routing.solver().Assignment(nxt), 0
            if report is not None:
                report(result(best, "time_limit", found))
        else:
            stall += 1
    return result(best, reason, found)


def _compiled_start(
    m: Model, params: SearchParams, seed: int, started: float, work_end: float
) -> tuple[pywrapcp.Assignment | None, bool]:
    """Routes of the compiled search (`planner.solver.sisr`) as an assignment (None without a flat
    form or if the model rejects them), and whether the search ran all its steps.

    With convergence it runs `SISR_STEPS` (or `steps_per_job`) per job (repeatable) unless the time
    limit comes first, else until `POLISH_SHARE` of the time limit is left.
    """
    flat = flat_view(m.problem)
    if flat is None:
        return None, False
    from planner.solver import sisr  # compiled before the clock started (`compile_kernel`)

    try:
        search = sisr.Search(flat, [[flat.first_job + j for j in r] for r in params.start], seed)
    except ValueError:  # a start that breaks a rule of the flat form: start from nothing
        search = sisr.Search(flat, [], seed)
    until = work_end - LOAD_S_PER_JOB * flat.jobs  # leave time to load and check its routes
    if params.converge:
        complete = sisr.anneal(search, (params.steps_per_job or SISR_STEPS) * flat.jobs, until)
    else:
        complete = sisr.anneal(search, 0, until - POLISH_SHARE * (until - started))
    routes, _ = search.best()
    return _checked(m, _load(m, [[c - flat.first_job for c in r] for r in routes], work_end)), complete


def _load(m: Model, routes: list[list[int]], work_end: float) -> pywrapcp.Assignment | None:
    """Routes (job indices, one list per vehicle) as an OR-Tools assignment; None if rejected.

    `RoutesToAssignment` + `SolveFromAssignmentWithParameters` with a fresh time limit (the time left,
    at least `LOAD_MS`, so a busy machine does not make it fail): in OR-Tools 9.15
    `ReadAssignmentFromRoutes` after a search that used its whole time limit fails at random.
    """
    indices = [[m.manager.NodeToIndex(m.node_of_job[j]) for j in r] for r in routes]
    sp = load_parameters(work_end)
    m.routing.CloseModelWithParameters(sp)  # no-op once closed; routes need a closed model
    start = m.routing.solver().Assignment()
    if not m.routing.RoutesToAssignment(indices, True, True, start):
        return None
    found = m.routing.SolveFromAssignmentWithParameters(start, sp)
    return None if found is None else m.routing.solver().Assignment(found)


def load_parameters(work_end: float) -> Any:
    """Search parameters that take given routes as they are, with the time left (at least `LOAD_MS`).

    Completing the breaks and times of the routes is a sub-search that OR-Tools cuts after
    `lns_time_limit` (100 ms by default): on a week of 1000 requests, or on a busy machine, the
    compiled search's routes were then rejected at random and the worker fell back to nothing.
    """
    limit_ms = max(LOAD_MS, int((work_end - time.monotonic()) * 1000))
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.time_limit.FromMilliseconds(limit_ms)
    sp.lns_time_limit.FromMilliseconds(limit_ms)
    sp.solution_limit = 1  # the routes as they are: no descent, so the result does not depend on the clock
    return sp


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


# The solver-level check of the compiled search's routes, and routes found outside `solve` read back.


def _checked(m: Model, a: pywrapcp.Assignment | None) -> pywrapcp.Assignment | None:
    """The compiled search's loaded routes if `evaluate` finds them feasible, else None (the worker
    then starts from OR-Tools) with a warning: routes the model accepts but the independent check
    rejects mean a bug in one of the two, and must not reach a plan unnoticed."""
    if a is None:
        return None
    found = evaluate(m.problem, _read(m, a, "", 0.0, 0, True))
    if found.feasible:
        return a
    warnings.warn(
        f"compiled routes rejected by evaluate: {found.violations[:3]}", RuntimeWarning, stacklevel=1
    )
    return None


def from_routes(problem: Problem, routes: list[list[int]]) -> Solution | None:
    """Routes (job indices, one list per vehicle) with the times the OR-Tools model gives them, or None
    if the model rejects them: how a benchmark or a test checks routes found outside `solve`."""
    m = build_model(problem, range(len(problem.jobs)))
    a = _load(m, routes, time.monotonic() + 60)
    return None if a is None else _read(m, a, "", 0.0, 0, True)
