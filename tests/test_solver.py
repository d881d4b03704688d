"""The search itself: the portfolio's deterministic choice and the compiled SISR search on small problems.

Plain problems (the VRPTW form) check the fleet and distance phases; week-like problems (own
shifts, breaks, working-time limits, several windows, allowed vehicles, priorities) check with
`planner.solver.evaluate` that the compiled search keeps every rule of the `Problem`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner.problem.routing import Break, Job, Problem, Vehicle
from planner.solution import Solution
from planner.solver import SearchParams, solve
from planner.solver.evaluate import evaluate
from planner.solver.flat import flat_view
from planner.solver.search import from_routes
from planner.solver.sisr import Search, anneal, improve

H = 3600
CONVERGE = SearchParams(time_limit_s=60, seed=1, workers=1)


@pytest.fixture(autouse=True, scope="module")
def compiled() -> None:
    """Compile the search once (numba caches it on disk)."""
    from planner.solver import sisr

    sisr.warm_up()


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


def van_day(day: int, start_h: float, end_h: float, **kw: object) -> Vehicle:
    """A van-day from the depot (location 0) with the planner's break rules for shifts over 6 h."""
    s, e = int((24 * day + start_h) * H), int((24 * day + end_h) * H)
    breaks = (Break(s + 2 * H, s + 5 * H, 1800),) if e - s > 6 * H else ()
    return Vehicle(id=f"day{day}", start_location=0, end_location=0, shift_start=s, shift_end=e,
                   breaks=breaks, break_free_span=6 * H, break_margin=900, **kw)  # type: ignore[arg-type]  # fmt: skip


def week_problem(jobs: tuple[Job, ...], vehicles: tuple[Vehicle, ...], places: int = 7) -> Problem:
    """Places on a ring 20 minutes from the depot and 5 to 25 minutes from each other."""
    ring = np.arange(places)
    gap = np.minimum(
        np.abs(ring[:, None] - ring[None, :]), places - 1 - np.abs(ring[:, None] - ring[None, :])
    )
    dur = (300 * gap + 300 * (gap > 0)).astype(np.int64)
    dur[0, 1:] = dur[1:, 0] = 1200
    return Problem(
        jobs=jobs, vehicles=vehicles, durations=dur, distances=dur, span_cost=1, preferred_bonus=600
    )


def job(name: str, place: int, hours: float, *windows: tuple[float, float], **kw: object) -> Job:
    """A job of `hours` (plus 10 min setup, 20 min after) with windows in hours of the week."""
    wins = tuple((int(a * H), int(b * H)) for a, b in windows)
    return Job(id=name, location=place, duration=int(hours * H), windows=wins, setup=600, after=1200, **kw)  # type: ignore[arg-type]


def route_errors(p: Problem, sol: Solution) -> list[tuple[str, str]]:
    """Every rule the solution breaks (`planner.solver.evaluate`), whose objective must be recomputed."""
    found = evaluate(p, sol)
    assert found.objective == sol.objective, (found.objective, sol.objective)
    return list(found.violations)


def schedule_errors(p: Problem, routes: list[list[int]]) -> list[tuple[str, str]]:
    """Every rule routes of the compiled search (job nodes per vehicle) break, with the model's times."""
    f = flat_view(p)
    assert f is not None
    sol = from_routes(p, [[c - f.first_job for c in r] for r in routes])
    assert sol is not None, "the model rejects the routes"
    return list(evaluate(p, sol).violations)


def test_flat_view_keeps_breaks_inside_only_where_a_route_may_need_them() -> None:
    p = line_problem()
    f = flat_view(p)
    assert f is not None and f.uniform and f.first_job == 1 and f.nodes == 5
    long_day, short_limit = van_day(0, 8, 17), van_day(1, 8, 17, max_work=5 * H)
    f = flat_view(week_problem((job("a", 1, 1, (8, 40)),), (long_day, short_limit)))
    assert f is not None and not f.uniform
    assert f.inside.tolist() == [True, False] and f.breaks.tolist() == [1, 1]
    two_windows = replace(p, jobs=(replace(p.jobs[0], windows=((0, 10), (50, 60))), *p.jobs[1:]))
    f = flat_view(two_windows)
    assert f is not None and f.windows[1] == 2 and f.win_end[1].tolist() == [10, 60]


def test_fleet_phase_puts_the_left_out_jobs_into_the_free_capacity() -> None:
    p = line_problem()
    d = flat_view(p)
    assert d is not None
    routes, left = improve(d, [[1, 2]], seed=1, steps=200)
    assert left == 0
    assert sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]
    assert schedule_errors(p, routes) == []


def test_search_builds_routes_from_nothing_and_keeps_tight_windows() -> None:
    # four customers on a line whose windows force the order 4, 2, 3, 1 on one vehicle
    p = line_problem(capacity=100)
    order = {4: 0, 2: 1, 3: 2, 1: 3}
    jobs = tuple(
        replace(j, windows=((100 + 200 * order[k + 1], 120 + 200 * order[k + 1]),))
        for k, j in enumerate(p.jobs)
    )
    p = replace(p, jobs=jobs, vehicles=p.vehicles[:1])
    d = flat_view(p)
    assert d is not None
    routes, left = improve(d, [], seed=5, steps=500)
    assert left == 0 and routes == [[4, 2, 3, 1]]
    assert schedule_errors(p, routes) == []


def test_a_job_that_fits_nowhere_is_counted_as_left_out() -> None:
    p = line_problem()
    late = replace(p.jobs[3], windows=((0, 5),))  # 40 s from the depot: unreachable by 5
    p = replace(p, jobs=(*p.jobs[:3], late))
    d = flat_view(p)
    assert d is not None
    routes, left = improve(d, [], seed=1, steps=300)
    assert left == 1 and sorted(c for r in routes for c in r) == [1, 2, 3]
    assert schedule_errors(p, routes) == []


def test_distance_phase_finds_the_short_routes_and_repeats_itself() -> None:
    d = flat_view(line_problem())
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


def test_a_full_day_serves_the_more_urgent_job() -> None:
    # one 8-hour day; two 3-hour jobs that both need the whole morning: only one fits
    day = van_day(0, 8, 16)
    urgent = job("urgent", 2, 3, (8.5, 9.0), penalty=27_000_000)
    routine = job("routine", 5, 3, (8.5, 9.0), penalty=3_000_000)
    p = week_problem((routine, urgent), (day,))
    sol = solve(p, CONVERGE)
    assert route_errors(p, sol) == [] and sol.start == "compiled"
    assert [v.job for r in sol.routes for v in r.visits] == [1] and sol.dropped == (0,)


def test_a_job_waits_for_a_later_window_and_a_restricted_job_gets_its_van() -> None:
    # the first window of "late" closes before the van can be there; "only_tue" may use day 1 only
    late = job("late", 3, 1, (8.0, 8.1), (13.0, 14.0))
    only_tue = job("only_tue", 4, 1, (8, 40), vehicles=frozenset({1}))
    p = week_problem((late, only_tue), (van_day(0, 8, 17), van_day(1, 8, 17)))
    sol = solve(p, CONVERGE)
    assert route_errors(p, sol) == [] and sol.start == "compiled" and sol.dropped == ()
    begins = {p.jobs[v.job].id: (r.vehicle, v.begin) for r in sol.routes for v in r.visits}
    assert begins["late"][1] + 600 >= 13 * H
    assert begins["only_tue"][0] == 1


def test_long_days_take_their_break_inside_and_keep_the_working_time_limit() -> None:
    # six 1.5-hour jobs on one day: more than six hours of work, so the break must interrupt it;
    # a second day allows only 4 hours of work and cannot take them all
    jobs = tuple(job(f"j{k}", 1 + k % 6, 1.5, (8, 40)) for k in range(6))
    p = week_problem(jobs, (van_day(0, 7, 18), van_day(1, 7, 18, max_work=4 * H)))
    sol = solve(p, CONVERGE)
    assert route_errors(p, sol) == [] and sol.start == "compiled"
    day0 = next(r for r in sol.routes if r.vehicle == 0)
    assert day0.end - day0.start > 6 * H and day0.breaks
    assert all(r.end - r.start <= 4 * H for r in sol.routes if r.vehicle == 1)


def random_jobs(seed: int) -> tuple[Job, ...]:
    """16 jobs at random places with windows on some of three days, priorities and preferred vans."""
    rng = np.random.default_rng(seed)
    return tuple(
        job(
            f"j{k}",
            int(rng.integers(1, 7)),
            float(rng.choice([1.0, 1.5, 2.0])),
            *[(24 * d + 8, 24 * d + 15) for d in range(3) if rng.random() < 0.7] or [(8, 15)],
            penalty=int(rng.choice([1, 3, 9])) * 1_000_000,
            preferred_vehicles=frozenset({int(rng.integers(0, 3))}),
        )
        for k in range(16)
    )


def test_the_compiled_objective_is_the_models_and_a_seed_repeats_it() -> None:
    # several vehicles, preferred vans, priorities, windows on several days: the routes the compiled
    # search ends with, loaded into OR-Tools, cost exactly what the search said they cost
    p = week_problem(random_jobs(4), tuple(van_day(d, 8, 16.5) for d in range(3)))
    f = flat_view(p)
    assert f is not None
    search = Search(f, [], seed=1)  # the seed of the portfolio's first worker
    assert anneal(search, 500 * f.jobs, 0.0)
    sol = solve(p, CONVERGE)
    assert route_errors(p, sol) == [] and sol.start == "compiled"
    assert sol.objective == search.objective and sol.stop_reason == "budget"
    assert sol.dropped and len(sol.routes) == 3  # more work than three days hold
    again = solve(p, CONVERGE)
    assert (again.routes, again.objective) == (sol.routes, sol.objective)


def test_a_search_out_of_time_still_puts_the_jobs_into_routes() -> None:
    # compiling on first use can eat a short time limit: the first steps run anyway
    p = line_problem()
    d = flat_view(p)
    assert d is not None
    search = Search(d, [], seed=1)
    assert not anneal(search, 1000, deadline=1.0)  # a monotonic instant long past
    routes, left = search.best()
    assert left == 0 and schedule_errors(p, routes) == []
    routes, left = improve(d, [], seed=1, deadline=1.0)
    assert left == 0


def test_a_jobs_own_cost_on_a_vehicle_sends_it_to_another() -> None:
    # Two identical van-days; the job costs more on the first (a replan's step away from its old
    # van-day), in the compiled search and in the OR-Tools model alike.
    vehicles = (van_day(0, 8, 12), van_day(0, 8, 12))
    vehicles = (vehicles[0], replace(vehicles[1], id="other"))
    base = job("a", 1, 1, (8.5, 11))
    for costs, expected in (((0, 5000),), 1), (((1, 5000),), 0), (((0, 5000), (1, 7000)), 0):
        p = week_problem((replace(base, vehicle_costs=costs),), vehicles)
        for params in (CONVERGE, replace(CONVERGE, converge=False, time_limit_s=2)):
            sol = solve(p, params)
            assert [r.vehicle for r in sol.routes] == [expected] and route_errors(p, sol) == []
            assert evaluate(p, sol).objective == sol.objective  # the checker prices the cost too


def test_a_break_fixed_inside_a_short_shift_is_kept_inside_the_route() -> None:
    # A replan keeps a break already taken: fixed at 10:00 in a 4-hour day, the route runs through it.
    veh = replace(van_day(0, 8, 12), breaks=(Break(10 * H, 10 * H, 1800),))
    p = week_problem((job("a", 1, 1, (8.5, 9)), job("b", 1, 0.5, (10.75, 11))), (veh,))
    sol = solve(p, CONVERGE)
    assert sol.dropped == () and route_errors(p, sol) == []
    ((start, length),) = sol.routes[0].breaks
    assert (start, length) == (10 * H, 1800)
    assert flat_view(p) is not None and bool(flat_view(p).inside[0])  # type: ignore[union-attr]


def test_the_compiled_search_can_start_from_given_routes() -> None:
    # Two identical van-days and one job: the search keeps the job where the start puts it, as
    # nothing beats that; a start that breaks a rule (a job on a vehicle it may not use) is ignored.
    vehicles = (van_day(0, 8, 12), replace(van_day(0, 8, 12), id="other"))
    p = week_problem((job("a", 1, 1, (8.5, 11)),), vehicles)
    quick = replace(CONVERGE, steps_per_job=1)
    (alone,) = [r.vehicle for r in solve(p, quick).routes]
    given = ((), (0,)) if alone == 0 else ((0,),)
    assert [r.vehicle for r in solve(p, replace(quick, start=given)).routes] == [1 - alone]
    only_first = week_problem((job("a", 1, 1, (8.5, 11), vehicles=frozenset({0})),), vehicles)
    sol = solve(only_first, replace(quick, start=((), (0,))))
    assert [r.vehicle for r in sol.routes] == [0] and route_errors(only_first, sol) == []
