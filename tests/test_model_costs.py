"""The OR-Tools model charges a job's cost on a vehicle (preferred coach, a replan's step away) the
same way whether it holds a cost matrix per vehicle (small weeks) or one matrix and a cost
dimension (big weeks, where matrices per van-day would not fit in memory)."""

from __future__ import annotations

import pytest
from test_solver import CONVERGE, random_jobs, van_day, week_problem

from planner.solver import model, solve
from planner.solver.evaluate import evaluate
from planner.solver.search import from_routes


def test_preferred_vans_cost_the_same_in_matrices_and_in_the_cost_dimension(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = week_problem(random_jobs(4), tuple(van_day(d, 8, 16.5) for d in range(3)))
    sol = solve(p, CONVERGE)
    routes = [[] for _ in p.vehicles]
    for r in sol.routes:
        routes[r.vehicle] = [v.job for v in r.visits]
    off_preference = sum(
        1 for r in sol.routes for v in r.visits if r.vehicle not in p.jobs[v.job].preferred_vehicles
    )
    assert off_preference > 0  # the bonus is part of the objective compared below
    monkeypatch.setattr(model, "MATRIX_BUDGET_BYTES", 0)  # as a big week: the cost dimension
    loaded = from_routes(p, routes)
    assert loaded is not None and loaded.objective == sol.objective == evaluate(p, sol).objective
    searched = solve(p, CONVERGE)  # and the search on that model keeps every rule, costed the same
    assert evaluate(p, searched).violations == () and evaluate(p, searched).objective == searched.objective
