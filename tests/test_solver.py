"""The search itself: the portfolio's deterministic choice and the ejection-pool search on tiny problems."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.problem import Break, Job, Problem, Vehicle
from planner.solver import SearchParams, solve
from planner.solver.eject import fill, plain_view


def line_problem(capacity: int = 12) -> Problem:
    """A depot at 0 and four customers on a line, 10 s apart, demand 6 each, two vehicles."""
    pos = np.array([0, 10, 20, 30, 40])
    dur = np.abs(pos[:, None] - pos[None, :]).astype(np.int64)
    jobs = tuple(Job(id=f"j{k}", location=k, duration=5, windows=((0, 1000),), demand=6) for k in range(1, 5))
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
    routes = fill(d, [[1, 2], []], [3, 4], seed=1, deadline=float("inf"), max_steps=100)
    assert routes is not None
    assert sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]


def test_portfolio_serves_everything_and_repeats_itself() -> None:
    p = line_problem()
    params = SearchParams(time_limit_s=10, seed=3, workers=2)
    first, second = solve(p, params), solve(p, params)
    assert first.dropped == () and first.stop_reason == "converged"
    assert (first.routes, first.objective) == (second.routes, second.objective)
    single = solve(p, replace(params, workers=1))
    assert single.objective >= first.objective
