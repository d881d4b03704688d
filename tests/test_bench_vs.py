"""The side-by-side benchmarks' conversions: VROOM's and PyVRP's answers, read back, keep our rules;
what VROOM cannot express is reported, not silently dropped."""

from __future__ import annotations

import json

import numpy as np

from bench.isolated import dump_solution, load_solution
from bench.pyvrp_input import solve_pyvrp, to_pyvrp
from bench.solomon import Instance, to_problem
from bench.vroom import checked
from bench.vroom_input import solve_vroom, to_vroom
from planner.problem.routing import Break, Job, Problem, Vehicle
from planner.solution import Route, Solution, Visit
from planner.solver.evaluate import evaluate

DRIVE = np.array([[0, 600, 1200, 900], [600, 0, 700, 800], [1200, 700, 0, 500], [900, 800, 500, 0]])
DAY = 20_000


def problem(jobs: tuple[Job, ...], vehicles: tuple[Vehicle, ...], **kw: int) -> Problem:
    return Problem(jobs, vehicles, DRIVE.astype(np.int64), 10 * DRIVE.astype(np.int64), **kw)  # type: ignore[arg-type]


def test_vroom_keeps_staff_skills_vehicle_lists_windows_setup_safety_factors_and_breaks() -> None:
    rest = (Break(8000, 12_000, 1800),)
    crew = Vehicle("two", 0, 0, 0, DAY, staff=2, skills=frozenset({"tr"}), breaks=rest)
    solo = Vehicle("one", 0, 0, 0, DAY)
    jobs = (
        Job("pair", 1, 1800, ((0, 3000),), setup=300, after=300, staff=2),
        Job("late", 2, 1800, ((100, 200), (9000, 15_000)), travel_factor_pct=110),  # first window unreachable
        Job("turkish", 3, 1200, ((0, DAY),), skills=frozenset({"tr"})),
        Job("listed", 3, 1200, ((0, DAY),), vehicles=frozenset({1})),
        Job("factor", 2, 600, ((0, 1250),), travel_factor_pct=110),  # 1200 s away, 1320 with the factor
        Job("setup", 1, 600, ((0, 700),), setup=300),  # reached at 600, its appointment starts at 900
    )
    p = problem(jobs, (crew, solo))
    sol, conv = solve_vroom(p, time_limit_s=5, threads=1)
    found = evaluate(p, sol)
    assert found.feasible, found.violations
    on = {p.jobs[v.job].id: (r.vehicle, v.begin) for r in sol.routes for v in r.visits}
    assert set(on) == {"pair", "late", "turkish", "listed"}  # "factor" and "setup" cannot be kept
    assert on["pair"][0] == 0 and on["turkish"][0] == 0 and on["listed"][0] == 1
    assert on["late"][1] >= 9000
    assert [len(r.breaks) for r in sol.routes if r.vehicle == 0] == [1]
    assert conv.skipped == ()


def test_vroom_leaves_out_what_the_only_van_cannot_staff() -> None:
    jobs = (
        Job("pair", 1, 600, ((0, DAY),), staff=2),
        Job("arabic", 2, 600, ((0, DAY),), skills=frozenset({"ar"})),
        Job("plain", 3, 600, ((0, DAY),)),
    )
    p = problem(jobs, (Vehicle("one", 0, 0, 0, DAY, skills=frozenset({"tr"})),))
    sol, _ = solve_vroom(p, time_limit_s=5, threads=1)
    assert evaluate(p, sol).feasible and sol.dropped == (0, 1)


def test_what_vroom_cannot_express_is_reported_and_the_answer_still_keeps_our_rules() -> None:
    short = Vehicle("short", 0, 0, 0, DAY, max_work=5000)
    jobs = (
        *(Job(f"j{k}", k, 1800, ((0, DAY),)) for k in (1, 2, 3)),
        Job("pref", 1, 1800, ((0, DAY),), preferred_vehicles=frozenset({0})),
        Job("early", 2, 600, ((0, 100),), setup=600),  # no window once moved back by its setup
    )
    p = problem(jobs, (short,), preferred_bonus=3600, span_cost=1)
    sol, conv = solve_vroom(p, time_limit_s=5, threads=1)
    notes = " | ".join(conv.notes)
    assert "working-time limit: 1 vehicles" in notes
    assert "span cost, preferred vehicles" in notes
    assert "not expressible: 1 jobs" in notes and conv.skipped == (4,)
    found = evaluate(p, sol)
    assert found.feasible, found.violations  # within max_work although VROOM has no such limit
    assert 4 in sol.dropped and 0 < found.placed < 4


def test_a_plain_problem_has_nothing_to_report() -> None:
    p = problem((Job("a", 1, 600, ((0, DAY),)),), (Vehicle("v", 0, 0, 0, DAY),))
    assert to_vroom(p).notes == ()


def test_vroom_times_that_break_a_rule_are_re_timed_by_our_model_and_said_so() -> None:
    van = Vehicle("v", 0, 0, 0, 30_000, breaks=(Break(900, 20_000, 1800),), break_free_span=6 * 3600,
                  break_margin=900)  # fmt: skip
    p = problem((Job("a", 1, 12_000, ((0, 30_000),)), Job("b", 2, 12_000, ((0, 30_000),))), (van,))
    a_begin = 900 + 1800 + 600  # leaves at 900, takes the break at once, drives
    b_begin = a_begin + 12_000 + 700
    end = b_begin + 12_000 + 1200
    at_start = Route(0, 900, end, (Visit(0, a_begin, a_begin), Visit(1, b_begin, b_begin)), ((900, 1800),))
    sol = Solution((at_start,), (), 0, "vroom", 0.1)
    assert [code for code, _ in evaluate(p, sol).violations] == ["break"]  # no work before the break
    again, found, check = checked(p, sol, "vroom")
    assert check == "re-timed (break)" and found.feasible and found.placed == 2
    assert [[v.job for v in r.visits] for r in again.routes] == [[0, 1]]
    assert checked(p, sol, "ours")[2] == "1 violations (break)"  # our own answers are never repaired


TINY = Instance(
    name="T3", vehicles=2, capacity=10, coords=((0.0, 0.0), (3.0, 4.0), (0.0, 1.0)), demand=(0, 6, 6),
    windows=((0, 100), (0, 10), (20, 30)), service=(0, 5, 5),
)  # fmt: skip


def test_pyvrp_answer_passes_the_checker_with_the_objective_it_reports() -> None:
    p = to_problem(TINY)
    sol = solve_pyvrp(p, TINY.coords, time_limit_s=0.3, workers=2, seed=1)
    found = evaluate(p, sol)
    assert found.feasible and not sol.dropped and found.routes == 2
    assert found.objective == sol.objective == 5000 + 5000 + 1000 + 1000


def test_pyvrp_refuses_rules_it_is_not_translated_with() -> None:
    veh = Vehicle("v", 0, 0, 0, DAY, breaks=(Break(0, DAY, 600),))
    p = problem((Job("a", 1, 600, ((0, DAY),)),), (veh,))
    try:
        to_pyvrp(p, ())
    except ValueError as e:
        assert "vehicle rules" in str(e)
    else:
        raise AssertionError("a problem with breaks was translated")


def test_solutions_cross_processes_unchanged() -> None:
    sol = Solution(
        (Route(1, 10, 900, (Visit(0, 20, 30), Visit(2, 300, 310)), ((400, 60),)),), (1,), 77, "vroom", 1.5
    )
    assert load_solution(json.loads(json.dumps(dump_solution(sol)))) == sol
