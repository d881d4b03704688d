"""The search itself: the portfolio's deterministic choice, route minimisation and SISR on tiny problems."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from planner.problem import Break, Job, Problem, Vehicle
from planner.solver import SearchParams, solve
from planner.solver.eject import RouteMin, plain_view
from planner.solver.ruin import shorten


def line_problem(capacity: int = 12, customers: int = 4) -> Problem:
    """A depot at 0 and customers on a line, 10 s apart, demand 6 each, two vehicles."""
    pos = np.arange(customers + 1) * 10
    dur = np.abs(pos[:, None] - pos[None, :]).astype(np.int64)
    jobs = tuple(
        Job(id=f"j{k}", location=k, duration=5, windows=((0, 1000),), demand=6)
        for k in range(1, customers + 1)
    )
    vehicles = tuple(
        Vehicle(
            id=f"v{k}", start_location=0, end_location=0, shift_start=0, shift_end=1000, capacity=capacity
        )
        for k in range(2)
    )
    return Problem(jobs=jobs, vehicles=vehicles, durations=dur, distances=dur, objective="distance")


def test_plain_view_only_for_problems_without_breaks() -> None:
    p = line_problem()
    assert plain_view(p) is not None
    with_break = replace(p, vehicles=tuple(replace(v, breaks=(Break(0, 500, 30),)) for v in p.vehicles))
    assert plain_view(with_break) is None
    two_windows = replace(p, jobs=(replace(p.jobs[0], windows=((0, 10), (50, 60))), *p.jobs[1:]))
    assert plain_view(two_windows) is None


def test_fill_puts_the_pool_into_the_free_capacity() -> None:
    d = plain_view(line_problem())
    assert d is not None
    routes = RouteMin(d, [[1, 2], []], [3, 4], seed=1).run(deadline=float("inf"), max_steps=100)
    assert routes is not None
    assert sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]


def test_portfolio_serves_everything_and_repeats_itself() -> None:
    p = line_problem()
    params = SearchParams(time_limit_s=10, seed=3, workers=2)
    first, second = solve(p, params), solve(p, params)
    assert first.dropped == () and first.stop_reason in ("converged", "budget")
    assert (first.routes, first.objective) == (second.routes, second.objective)
    single = solve(p, replace(params, workers=1))
    assert single.objective >= first.objective


def test_ejection_makes_room_and_sends_a_job_to_the_pool() -> None:
    d = plain_view(line_problem(customers=5))
    assert d is not None
    search = RouteMin(d, [[1, 2], [3, 4]], [], seed=1)
    search.eject(5)  # both routes are full: one job must leave
    routes = [s[1:-1] for s in search.seq]
    assert 5 in routes[0] + routes[1] and len(search.pool) == 1
    assert sorted([*routes[0], *routes[1], *search.pool]) == [1, 2, 3, 4, 5]
    assert all(6 * len(r) <= 12 for r in routes)


def test_shorten_keeps_every_job_and_finds_the_short_routes() -> None:
    d = plain_view(line_problem())
    assert d is not None
    routes = shorten(d, [[1, 4], [2, 3]], seed=1, deadline=time.monotonic() + 0.3)
    assert sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]
