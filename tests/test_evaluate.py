"""The solver-level checker: one hand-broken solution per rule, and the solvers' own results.

The hand-made problem: a depot (0) and two places, 10 and 15 minutes out, 400 s apart; one van-day
8:00-17:00 whose route is longer than six hours, so its break must lie inside it.
"""

from __future__ import annotations

import ast
import inspect
import warnings
from dataclasses import replace
from datetime import time

import numpy as np
import pytest

from planner.problem.build import build
from planner.problem.routing import Break, Job, Problem, Vehicle
from planner.scenario import Buffers, Kind
from planner.solution import Route, Solution, Visit
from planner.solver import SearchParams, search, solve
from planner.solver import evaluate as evaluate_module
from planner.solver.evaluate import Evaluation, evaluate
from planner.solver.flat import flat_view
from planner.solver.search import from_routes
from planner.solver.sisr import Search, anneal
from tests.factory import day, line_matrix, local, request, scenario
from tests.test_solver import CONVERGE, H, line_problem, random_jobs, van_day, week_problem

DUR = np.array([[0, 600, 900], [600, 0, 400], [900, 400, 0]], dtype=np.int64)


@pytest.fixture(autouse=True, scope="module")
def compiled() -> None:
    """Compile the search once (numba caches it on disk)."""
    from planner.solver import sisr

    sisr.warm_up()


def problem(**van: object) -> Problem:
    """Jobs a (at 9:00 sharp, two staff, skill tr, demand 4), b (14-16 h, demand 5, prefers the
    second van) and c (no window a van can reach); `van` changes the first van."""
    a = Job(
        "a", 1, 3600, ((9 * H, 9 * H),), setup=300, after=300, demand=4, staff=2, skills=frozenset({"tr"})
    )
    b = Job("b", 2, 3600, ((14 * H, 16 * H),), demand=5, preferred_vehicles=frozenset({1}))
    c = Job("c", 2, 3600, ((20 * H, 21 * H),), penalty=7000)
    first = Vehicle("mon", 0, 0, 8 * H, 17 * H, staff=2, skills=frozenset({"tr"}), capacity=10,
                    max_work=8 * H, breaks=(Break(10 * H, 13 * H, 1800),), break_free_span=6 * H,
                    break_margin=900, fixed_cost=50)  # fmt: skip
    first = replace(first, **van)  # type: ignore[arg-type]
    second = Vehicle("tue", 0, 0, 32 * H, 41 * H)
    return Problem((a, b, c), (first, second), DUR, DUR * 10, span_cost=1, preferred_bonus=100)


def solution(**route: object) -> Solution:
    """Leave at 8:45, a at 9:00 (setup from 8:55), break 10:05-10:35, b at 14:00, back at 15:15."""
    visits = (Visit(0, 31_500 + 600, 32_100), Visit(1, 36_300 + 400, 50_400))
    base = Route(vehicle=0, start=31_500, end=54_900, visits=visits, breaks=((36_300, 1800),))
    return Solution((replace(base, **route),), dropped=(2,), objective=0, stop_reason="", elapsed_s=0.0)  # type: ignore[arg-type]


def codes(p: Problem, s: Solution) -> set[str]:
    """The kinds of rule the solution breaks."""
    return {code for code, _ in evaluate(p, s).violations}


def test_a_hand_checked_solution_is_feasible_and_costs_what_the_objective_says() -> None:
    found = evaluate(problem(), solution())
    assert found.feasible, found.violations
    # 4 x (600 + 400 + 900) drive, span 54,900 - 31,500, fixed cost 50, bonus 100 for b off van 1,
    # penalty 7000 for c
    assert found.objective == 7600 + 23_400 + 50 + 100 + 7000
    assert (found.distance, found.drive, found.placed, found.dropped, found.routes) == (19_000, 1900, 2, 1, 1)


def test_a_start_outside_the_window() -> None:
    p = problem()
    late_window = replace(p.jobs[0], windows=((8 * H, 8 * H + 1800),))
    assert codes(replace(p, jobs=(late_window, *p.jobs[1:])), solution()) == {"time_window"}


def test_a_route_past_the_shift_end() -> None:
    assert codes(problem(shift_end=15 * H), solution()) == {"shift"}


def test_a_break_on_a_stop_or_missing_from_a_long_route() -> None:
    assert codes(problem(), solution(breaks=((33_000, 1800),))) == {"break"}  # during a, before its window
    assert codes(problem(), solution(breaks=((36_000, 1800),))) == {"break"}  # in its window, overlaps a
    assert codes(problem(), solution(breaks=())) == {"break"}  # a 6.5 h route without its break
    # a break window open until 16:00: after the route would fit it, but a 6.5 h route needs it
    # inside, with 15 min of work on both sides
    late = problem(breaks=(Break(10 * H, 16 * H, 1800),))
    assert codes(late, solution(breaks=())) == {"break"}
    assert codes(late, solution(end=56_700, breaks=((54_900, 1800),))) == {"break"}  # right before the end
    assert codes(late, solution(end=56_700, breaks=((54_000, 1800),))) == set()  # 15 min drive after it
    short = solution(end=54_900 - 3 * H, visits=solution().routes[0].visits[:1])
    # a short route may leave its break out when it fits before or after; not when its window forbids
    assert (
        codes(problem(), replace(short, routes=(replace(short.routes[0], breaks=()),), dropped=(1, 2)))
        == set()
    )
    narrow = problem(breaks=(Break(9 * H, 9 * H + 600, 1800),))
    assert codes(narrow, replace(short, routes=(replace(short.routes[0], breaks=()),), dropped=(1, 2))) == {
        "break"
    }


def test_too_few_staff() -> None:
    assert codes(problem(staff=1), solution()) == {"staff"}


def test_a_missing_skill() -> None:
    assert codes(problem(skills=frozenset({"de"})), solution()) == {"skill"}


def test_a_load_over_capacity() -> None:
    assert codes(problem(capacity=8), solution()) == {"capacity"}


def test_work_over_the_limit() -> None:
    # 6.5 h of span minus the 30 min break inside it: 6 h of work
    assert codes(problem(max_work=6 * H), solution()) == set()
    assert codes(problem(max_work=6 * H - 1), solution()) == {"work_limit"}


def test_a_stop_the_crew_cannot_reach_in_time() -> None:
    assert codes(problem(), solution(start=32_000)) == {"travel"}
    # the break on the way to b leaves 400 s of drive between 10:35 and a begin at 10:40 only
    early_b = (solution().routes[0].visits[0], Visit(1, 36_700, 38_100 + 399))
    b_any_time = replace(problem().jobs[1], windows=((0, 20 * H),))
    p = replace(problem(), jobs=(problem().jobs[0], b_any_time, problem().jobs[2]))
    assert codes(p, solution(visits=early_b)) == {"travel"}
    assert (
        codes(p, solution(visits=(early_b[0], Visit(1, 36_700, 38_100 + 400)), end=38_100 + 400 + 4500))
        == set()
    )


def test_jobs_lost_twice_or_on_a_van_they_do_not_list() -> None:
    assert codes(problem(), replace(solution(), dropped=(0, 2))) == {"coverage"}
    assert codes(problem(), replace(solution(), dropped=())) == {"coverage"}
    p = problem()
    only_tue = replace(p.jobs[0], vehicles=frozenset({1}))
    assert codes(replace(p, jobs=(only_tue, *p.jobs[1:])), solution()) == {"vehicle"}
    pinned = replace(p.jobs[0], pinned=(0, 9 * H + 600))
    assert codes(replace(p, jobs=(pinned, *p.jobs[1:])), solution()) == {"pinned"}


def test_the_solver_finds_the_hand_solution_and_agrees_on_its_cost() -> None:
    p = problem()
    sol = solve(p, CONVERGE)
    found = evaluate(p, sol)
    assert found.feasible and found.objective == sol.objective == evaluate(p, solution()).objective


def week_like(seed: int) -> Problem:
    """Three van-days with preferred vans, priorities and windows on several days (more work than fits)."""
    return week_problem(
        random_jobs(seed), (van_day(0, 7, 18), van_day(1, 8, 16.5, max_work=5 * H), van_day(2, 8, 13))
    )


@pytest.mark.parametrize(
    "name", ["line", "week", "week_or_tools", "week_polished"], ids=lambda n: n
)  # fmt: skip
def test_solver_results_are_feasible_and_their_objective_is_the_solvers(name: str) -> None:
    p = line_problem() if name == "line" else week_like(4)
    params = CONVERGE
    if name == "week_or_tools":  # a job shorter than the break margin: no flat form, OR-Tools alone
        short = replace(p.jobs[0], setup=0, after=0, duration=300)
        p = replace(p, jobs=(short, *p.jobs[1:]))
        assert flat_view(p) is None
        params = SearchParams(time_limit_s=3, workers=1, max_rounds=1)
    if name == "week_polished":  # the compiled search, then OR-Tools' guided local search
        params = SearchParams(time_limit_s=3, workers=1, converge=False)
    sol = solve(p, params)
    found = evaluate(p, sol)
    assert found.feasible, found.violations
    assert found.objective == sol.objective
    assert found.placed == len(p.jobs) - len(sol.dropped) and found.routes == len(sol.routes)
    assert sol.start == ("or-tools" if name == "week_or_tools" else "compiled")


def test_the_compiled_searchs_own_objective_is_the_recomputed_one() -> None:
    p = week_like(5)
    f = flat_view(p)
    assert f is not None
    s = Search(f, [], seed=3)
    anneal(s, 200 * f.jobs, 0.0)
    routes, _ = s.best()
    sol = from_routes(p, [[c - f.first_job for c in r] for r in routes])
    assert sol is not None
    found = evaluate(p, sol)
    assert found.feasible and found.objective == s.objective == sol.objective


def test_compiled_routes_the_checker_rejects_are_not_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    p = line_problem()
    assert solve(p, CONVERGE).start == "compiled"

    def rejects(problem: Problem, sol: Solution) -> Evaluation:
        return replace(evaluate(problem, sol), violations=(("travel", "planted"),))

    monkeypatch.setattr(search, "evaluate", rejects)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = solve(p, CONVERGE)
    assert sol.start == "or-tools" and evaluate(p, sol).feasible
    assert any("planted" in str(w.message) for w in caught)


def test_the_checker_shares_no_code_with_the_solvers() -> None:
    tree = ast.parse(inspect.getsource(evaluate_module))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert {m for m in imported if m and m.startswith(("ortools", "numba", "planner"))} == {
        "planner.problem.routing",
        "planner.solution",
    }


def planner_week() -> Problem:
    """The problem builder's own van-days: Arbeitszeitgesetz breaks on a 10-hour shift, crews of one
    and two, a skill, a fixed start, a pin, safety factors on travel, buffers around appointments."""
    requests = [
        request("acc", Kind.ACCOMPANY, minutes_east=25, fixed_start=local(day(0), "10:30")),
        request("tr", minutes_east=40, skills=frozenset({"tr"}), duration_min=90),
        request("pin", minutes_east=15, pin_van="V1", pin_date=day(1), pin_start=time(13)),
        *(request(f"w{k}", minutes_east=10 + 7 * k, duration_min=60 + 15 * (k % 3)) for k in range(8)),
    ]
    buffers = {
        Kind.WALK_AND_TALK: Buffers(setup_min=10, documentation_min=15, overrun_min=15, travel_safety_pct=10)
    }
    crews = {("V1", 0): ("A", "B"), ("V1", 1): ("C",)}
    sc = scenario(requests, crews=crews, buffers=buffers, shift=(time(7), time(17)))
    problem = build(sc, {r.id: r.point for r in sc.requests if r.point is not None}, line_matrix).problem
    assert any(v.breaks for v in problem.vehicles) and any(j.pinned for j in problem.jobs)
    return problem


def test_a_planner_built_week_solves_to_a_feasible_solution_of_the_reported_cost() -> None:
    p = planner_week()
    sol = solve(p, CONVERGE)
    found = evaluate(p, sol)
    assert found.feasible, found.violations
    assert found.objective == sol.objective


def test_a_planner_built_week_starts_from_the_compiled_search() -> None:
    """The convergence budget of the OR-Tools rounds once also cut loading the compiled routes, and
    the worker silently fell back to OR-Tools (a 1000-request week then placed nothing)."""
    p = planner_week()
    f = flat_view(p)
    assert f is not None
    s = Search(f, [], seed=CONVERGE.seed)
    anneal(s, 500 * f.jobs, 0.0)
    routes, _ = s.best()
    loaded = from_routes(p, [[c - f.first_job for c in r] for r in routes])
    assert loaded is not None and evaluate(p, loaded).feasible  # the routes load and keep every rule
    assert solve(p, CONVERGE).start == "compiled"
