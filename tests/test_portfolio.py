"""The search portfolio under trouble: empty problems, a starved or killed worker, the deadline.

A busy machine may cost quality, never the plan: the parent always returns a valid solution by
its deadline, says which workers were late, and leaves no worker process behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pytest

from planner.problem.routing import Job, Problem, Vehicle
from planner.solution import Solution
from planner.solver import SearchParams, nothing_placed, solve
from planner.solver import search as search_module

H = 3600


def random_problem(jobs: int = 120, vehicles: int = 4, seed: int = 5) -> Problem:
    """Jobs scattered over a square with time windows: enough work to keep a search busy."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 3600, size=(jobs + 1, 2))
    dur = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    starts = rng.integers(0, 6 * H, size=jobs)
    job_list = tuple(
        Job(id=f"j{k}", location=k + 1, duration=900, windows=((int(s), int(s) + 3 * H),), penalty=100_000)
        for k, s in enumerate(starts)
    )
    fleet = tuple(Vehicle(id=f"v{k}", start_location=0, end_location=0, shift_start=0, shift_end=10 * H)
                  for k in range(vehicles))  # fmt: skip
    return Problem(jobs=job_list, vehicles=fleet, durations=dur, distances=dur)


def assert_consistent(problem: Problem, sol: Solution) -> None:
    """Every job exactly once, in a route or dropped; visits inside their windows."""
    placed = [v.job for r in sol.routes for v in r.visits]
    assert sorted(placed + list(sol.dropped)) == list(range(len(problem.jobs)))
    for r in sol.routes:
        for v in r.visits:
            assert any(a <= v.begin <= b for a, b in problem.jobs[v.job].windows)


def children_after(action: object, delay_s: float) -> threading.Thread:
    """Run `action(pid)` on the first search worker process once it has run for `delay_s`."""

    def act() -> None:
        time.sleep(delay_s)
        for child in multiprocessing.active_children():
            action(child.pid)  # type: ignore[operator]

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread


@pytest.fixture(autouse=True, scope="module")
def compiled() -> None:
    """Compile the search once (numba caches it on disk)."""
    from planner.solver import sisr

    sisr.warm_up()


def test_no_vehicles_or_no_jobs_never_reach_or_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """OR-Tools aborts the process on a model without vehicles; such problems are answered directly."""

    def no_model(*_: object) -> None:
        raise AssertionError("the routing model was built")

    monkeypatch.setattr(search_module, "build_model", no_model)
    full = random_problem(jobs=5)
    for problem in (Problem(full.jobs, (), full.durations, full.distances),
                    Problem((), full.vehicles, full.durations, full.distances)):  # fmt: skip
        sol = solve(problem, SearchParams(time_limit_s=5, workers=2))
        assert sol.routes == ()
        assert sol.dropped == tuple(range(len(problem.jobs)))
        assert sol.objective == sum(j.penalty for j in problem.jobs)


def test_a_stopped_worker_costs_quality_not_the_plan_or_the_deadline() -> None:
    """A worker that gets no CPU at all (SIGSTOP) is cut off at the deadline; the parent's plan is
    returned in time, marked as slowed, and the stopped process is gone afterwards."""
    problem = random_problem()
    limit = 4.0
    children_after(lambda pid: os.kill(pid, signal.SIGSTOP), 0.5)
    started = time.monotonic()
    sol = solve(problem, SearchParams(time_limit_s=limit, workers=2, converge=False))
    elapsed = time.monotonic() - started
    assert elapsed <= limit * 1.05 + 0.5, elapsed  # the old portfolio waited limit + 30 s for it
    assert sol.unfinished_workers == 1
    assert sol.stop_reason == "time_limit"
    assert sol.routes, "the parent's own search placed jobs"
    assert_consistent(problem, sol)
    assert multiprocessing.active_children() == []


def test_a_killed_worker_leaves_the_parents_plan() -> None:
    """A worker killed mid-search (the OOM killer, a user) is one result fewer, not an error."""
    problem = random_problem()
    children_after(lambda pid: os.kill(pid, signal.SIGKILL), 0.5)
    sol = solve(problem, SearchParams(time_limit_s=3, workers=2, converge=False))
    assert sol.routes
    assert sol.unfinished_workers == 1  # counted, so the user hears that the plan may be worse
    assert_consistent(problem, sol)
    assert multiprocessing.active_children() == []


def test_a_late_worker_delivers_its_best_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that overruns the deadline (here: a round that never returns in time) still hands in
    the solution it reported before, so its work is not thrown away."""
    problem = random_problem(jobs=60)
    real = search_module._solve_worker

    def slow_child(*args: object, **kw: object) -> Solution:
        worker, report = args[2], args[5] if len(args) > 5 else kw.get("report")
        if worker == 0:
            return nothing_placed(problem, "budget")  # the parent finds nothing itself
        sol = real(*args, **kw)  # type: ignore[arg-type]
        report(sol)  # type: ignore[operator]
        time.sleep(60)  # ... then hangs past the deadline
        return sol

    monkeypatch.setattr(search_module, "_solve_worker", slow_child)
    started = time.monotonic()
    sol = solve(problem, SearchParams(time_limit_s=3, workers=2))
    assert time.monotonic() - started < 10
    assert sol.routes, "the late worker's reported solution was used"
    assert sol.unfinished_workers == 1
    assert sol.stop_reason == "time_limit"
    assert_consistent(problem, sol)
    assert multiprocessing.active_children() == []


def test_the_deadline_counts_from_the_caller() -> None:
    """A caller that spent part of the limit before the search (matrix, model) passes the deadline:
    the search ends by it rather than a full time limit later."""
    problem = random_problem()
    deadline = time.monotonic() + 2.0
    sol = solve(problem, SearchParams(time_limit_s=30, workers=2, converge=False), deadline=deadline)
    assert time.monotonic() <= deadline + 30 * 0.05
    assert sol.routes
    assert_consistent(problem, sol)


def test_loading_compiled_routes_is_not_cut_by_ortools_sub_search_limit() -> None:
    """OR-Tools completes the breaks and times of given routes in a sub-search with its own 100 ms
    wall-clock limit; on a 1000-request week that rejected the compiled routes at random (then every
    worker came back empty). Loading gives that sub-search all the time left."""
    sp = search_module.load_parameters(time.monotonic() + 20)
    assert sp.solution_limit == 1
    assert (
        sp.lns_time_limit.ToMilliseconds()
        == sp.time_limit.ToMilliseconds()
        >= max(19_000, search_module.LOAD_MS)
    )
    late = search_module.load_parameters(time.monotonic() - 5)  # past the deadline: still a fair try
    assert late.lns_time_limit.ToMilliseconds() == late.time_limit.ToMilliseconds() == search_module.LOAD_MS
