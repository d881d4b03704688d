"""planner.solver.flat: the arrays the compiled search reads say what the `Problem` says.

The hand-made problem: depots at locations 0 and 3, job a at 1, jobs b and c at 2. Van-day `mon`
(from depot 0, 8-17 h, a break, a working-time limit, two staff with skill tr, capacity 10) and
`tue` (from depot 3, 32-41 h, one staff, no limits). Nodes: depots 0-1, jobs a, b, c 2-4, mon's
break 5.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.problem.routing import PIN_PENALTY, Break, Job, Problem, Vehicle
from planner.solver.flat import FORBIDDEN, flat_view

H = 3600
DUR = np.array(
    [[0, 600, 900, 1000], [600, 0, 400, 700], [900, 400, 0, 300], [1000, 700, 300, 0]], dtype=np.int64
)


def problem(**changes: object) -> Problem:
    """a: at 9:00 sharp with 5 min setup and after, 10 % travel safety, two staff, skill tr;
    b: Monday or Tuesday afternoon (listed out of order), prefers tue, costs 77 more on mon;
    c: any time, pinned to tue at 34 h."""
    a = Job("a", 1, H, ((9 * H, 9 * H),), setup=300, after=300, demand=4, staff=2,
            skills=frozenset({"tr"}), travel_factor_pct=110)  # fmt: skip
    b = Job("b", 2, H, ((38 * H, 39 * H), (14 * H, 15 * H)), demand=5, preferred_vehicles=frozenset({1}),
            vehicle_costs=((0, 77),))  # fmt: skip
    c = Job("c", 2, 1800, ((9 * H, 40 * H),), setup=600, pinned=(1, 34 * H))
    mon = Vehicle("mon", 0, 0, 8 * H, 17 * H, staff=2, skills=frozenset({"tr"}), capacity=10,
                  max_work=8 * H, breaks=(Break(10 * H, 13 * H, 1800),), break_free_span=6 * H,
                  break_margin=900, fixed_cost=50)  # fmt: skip
    tue = Vehicle("tue", 3, 3, 32 * H, 41 * H)
    base = Problem((a, b, c), (mon, tue), DUR, DUR * 10, span_cost=1, preferred_bonus=100)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_nodes_are_depots_then_jobs_then_breaks() -> None:
    f = flat_view(problem())
    assert f is not None
    assert (f.first_job, f.first_break, f.nodes, f.jobs, f.vehicles) == (2, 5, 6, 3, 2)
    assert f.start.tolist() == [0, 1] and f.end.tolist() == [0, 1]  # depot 3 is depot node 1
    assert f.breaks_from.tolist() == [5, 6] and f.breaks.tolist() == [1, 0]
    assert f.service.tolist() == [0, 0, 3600 + 600, 3600, 1800 + 600, 1800]


def test_travel_and_cost_are_the_problems_drives_between_the_nodes_places() -> None:
    p = problem()
    f = flat_view(p)
    assert f is not None
    places = [0, 3, 1, 2, 2]
    jobs: list[Job | None] = [None, None, *p.jobs]
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            assert f.travel[i, j] == p.travel(jobs[j], a, b), (i, j)
            assert f.cost[i, j] == 4 * DUR[a, b]  # drive seconds, scaled to leave room for the span cost
    assert f.travel[0, 2] == 660  # ten per cent onto the 600 s to a
    by_distance = flat_view(problem(objective="distance", span_cost=0))
    assert by_distance is not None and by_distance.cost[0, 2] == 6000


def test_windows_are_sorted_and_shifted_by_the_setup_and_a_pin_is_one_instant() -> None:
    f = flat_view(problem())
    assert f is not None
    a, b, c, brk = 2, 3, 4, 5
    assert f.windows[a] == 1 and (f.win_start[a, 0], f.win_end[a, 0]) == (9 * H - 300, 9 * H - 300)
    assert f.win_end[a, 1] < f.win_start[a, 1]  # the unused second window is empty
    assert f.windows[b] == 2
    assert f.win_start[b].tolist() == [14 * H, 38 * H] and f.win_end[b].tolist() == [15 * H, 39 * H]
    assert f.windows[c] == 1 and (f.win_start[c, 0], f.win_end[c, 0]) == (34 * H - 600, 34 * H - 600)
    assert (f.win_start[brk, 0], f.win_end[brk, 0]) == (10 * H, 13 * H)
    assert f.win_start[:2, 0].tolist() == [0, 0] and f.win_end[:2, 0].tolist() == [41 * H, 41 * H]


def test_extra_says_which_vehicle_may_serve_a_job_and_what_it_costs_there() -> None:
    f = flat_view(problem())
    assert f is not None
    assert f.extra[2].tolist() == [0, FORBIDDEN]  # a: tue has one staff and no tr
    assert f.extra[3].tolist() == [77 + 100, 0]  # b: its cost on mon plus missing its preferred van
    assert f.extra[4].tolist() == [FORBIDDEN, 0]  # c: pinned to tue, though mon's shift fits a window
    assert f.penalty[4] == PIN_PENALTY and f.penalty[2] == f.penalty[3] == 1_000_000


def test_vehicle_limits_and_loads() -> None:
    f = flat_view(problem())
    assert f is not None
    assert f.demand.tolist() == [0, 0, 4, 5, 0, 0] and f.weight.tolist() == f.demand.tolist()
    assert f.capacity.tolist() == [10, 9]  # no capacity: the whole demand fits
    assert f.shift_start.tolist() == [8 * H, 32 * H] and f.shift_end.tolist() == [17 * H, 41 * H]
    assert f.span_max.tolist() == [8 * H + 1800, 9 * H]  # mon's work limit plus the break it must hold
    assert f.fixed_cost.tolist() == [50, 0] and f.margin.tolist() == [900, 0]
    assert f.break_gap.tolist() == [6 * H, 41 * H]
    assert f.inside.tolist() == [True, False]
    assert f.span_cost == 1 and not f.uniform
    no_demand = flat_view(problem(jobs=tuple(replace(j, demand=0) for j in problem().jobs)))
    assert no_demand is not None and no_demand.weight.tolist() == no_demand.penalty.tolist()


def test_no_flat_form_without_work_or_for_a_job_shorter_than_a_break_margin() -> None:
    p = problem()
    assert flat_view(problem(jobs=())) is None
    assert flat_view(problem(jobs=p.jobs[:1], vehicles=())) is None
    short = replace(p.jobs[1], duration=600)  # 10 min of work, less than the 15 min around mon's break
    assert flat_view(problem(jobs=(p.jobs[0], short, p.jobs[2]))) is None
    # a short day leaves its break outside its routes: then a short job is no problem
    short_day = replace(p.vehicles[0], max_work=5 * H)
    f = flat_view(problem(jobs=(p.jobs[0], short, p.jobs[2]), vehicles=(short_day, p.vehicles[1])))
    assert f is not None and f.inside.tolist() == [False, False]


def test_a_break_already_taken_lies_inside_the_route_even_on_a_short_day() -> None:
    p = problem()
    taken = replace(p.vehicles[0], max_work=5 * H, breaks=(Break(11 * H, 11 * H, 1800),))
    f = flat_view(problem(vehicles=(taken, p.vehicles[1])))
    assert f is not None and f.inside.tolist() == [True, False]


def test_identical_vehicles_and_penalties_are_the_uniform_benchmark_form() -> None:
    jobs = tuple(Job(f"j{k}", k, 60, ((0, 1000),), demand=1) for k in (1, 2))
    vehicles = tuple(Vehicle(f"v{k}", 0, 0, 0, 1000, capacity=2) for k in range(2))
    plain = Problem(jobs, vehicles, DUR[:3, :3], DUR[:3, :3], objective="distance")
    f = flat_view(plain)
    assert f is not None and f.uniform
    unequal = flat_view(replace(plain, jobs=(replace(jobs[0], penalty=5), jobs[1])))
    assert unequal is not None and not unequal.uniform
