"""The search itself: the portfolio's deterministic choice and the compiled SISR search on tiny problems."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.problem import Break, Job, Problem, Vehicle
from planner.solver import SearchParams, solve
from planner.solver.plain import Plain, plain_view
from planner.solver.sisr import improve


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


def schedule_errors(d: Plain, routes: list[list[int]]) -> list[str]:
    """Every rule of a plain problem that routes break, re-derived from the arrays."""
    errors = []
    for r in routes:
        t, prev = int(d.early[0]), 0
        for c in [*r, 0]:
            t = max(int(d.early[c]), t + int(d.service[prev] + d.travel[prev, c]))
            if t > d.late[c]:
                errors.append(f"node {c} begins at {t} after {d.late[c]}")
            prev = c
        if sum(int(d.demand[c]) for c in r) > d.capacity:
            errors.append(f"route {r} over capacity")
    return errors


def test_fleet_phase_puts_the_left_out_jobs_into_the_free_capacity() -> None:
    d = plain_view(line_problem())
    assert d is not None
    routes, left = improve(d, [[1, 2]], seed=1, steps=200)
    assert left == 0
    assert sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]
    assert schedule_errors(d, routes) == []


def test_search_builds_routes_from_nothing_and_keeps_tight_windows() -> None:
    # four customers on a line whose windows force the order 4, 2, 3, 1 on one vehicle
    p = line_problem(capacity=100)
    order = {4: 0, 2: 1, 3: 2, 1: 3}
    jobs = tuple(
        replace(j, windows=((100 + 200 * order[k + 1], 120 + 200 * order[k + 1]),))
        for k, j in enumerate(p.jobs)
    )
    p = replace(p, jobs=jobs, vehicles=p.vehicles[:1])
    d = plain_view(p)
    assert d is not None
    routes, left = improve(d, [], seed=5, steps=500)
    assert left == 0 and routes == [[4, 2, 3, 1]]
    assert schedule_errors(d, routes) == []


def test_a_job_that_fits_nowhere_is_counted_as_left_out() -> None:
    p = line_problem()
    late = replace(p.jobs[3], windows=((0, 5),))  # 40 s from the depot: unreachable by 5
    d = plain_view(replace(p, jobs=(*p.jobs[:3], late)))
    assert d is not None
    routes, left = improve(d, [], seed=1, steps=300)
    assert left == 1 and sorted(c for r in routes for c in r) == [1, 2, 3]
    assert schedule_errors(d, routes) == []


def test_distance_phase_finds_the_short_routes_and_repeats_itself() -> None:
    d = plain_view(line_problem())
    assert d is not None
    first = improve(d, [[1, 4], [2, 3]], seed=1, steps=2000)
    assert first == improve(d, [[1, 4], [2, 3]], seed=1, steps=2000)
    routes, left = first
    assert left == 0 and sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]


def test_portfolio_serves_everything_and_repeats_itself() -> None:
    p = line_problem()
    params = SearchParams(time_limit_s=10, seed=3, workers=2)
    first, second = solve(p, params), solve(p, params)
    assert first.dropped == () and first.stop_reason in ("converged", "budget")
    assert (first.routes, first.objective) == (second.routes, second.objective)
    single = solve(p, replace(params, workers=1))
    assert single.objective >= first.objective
