"""The VRPTW benchmark harness: instance parser, scaling, exact distance, checker and a short smoke run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.kernel import instance_problem, measure
from bench.solomon import SCALE, InstanceError, exact_distance, read_bks, read_instance, to_problem
from bench.vrptw import BENCH_DIR, instance_files, run
from planner.problem.routing import Problem
from planner.solution import Route, Solution, Visit
from planner.solver import SearchParams, sisr
from planner.solver.evaluate import evaluate

SOLOMON = BENCH_DIR / "solomon100"
pytestmark = pytest.mark.skipif(not SOLOMON.is_dir(), reason="shared benchmarks not available")

TINY = """NAME : T3
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
EDGE_WEIGHT_TYPE : EXACT_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 0 1
DEMAND_SECTION
1 0
2 6
3 6
TIME_WINDOW_SECTION
1 0 100
2 0 10
3 20 30
DEPOT_SECTION
1
-1
EOF
"""


def tiny(tmp_path: Path, text: str = TINY) -> Path:
    path = tmp_path / "T3.3.2.vrptw"
    path.write_text(text)
    return path


def test_parser_reads_header_sections_and_service(tmp_path: Path) -> None:
    inst = read_instance(tiny(tmp_path))
    assert (inst.name, inst.vehicles, inst.capacity) == ("T3", 2, 10)
    assert inst.coords[1] == (3.0, 4.0) and inst.demand == (0, 6, 6)
    assert inst.windows[2] == (20, 30) and inst.service == (0, 5, 5)
    assert inst.distance(0, 1) == 5.0


def test_parser_rejects_a_missing_node(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match=r"nodes 1\.\.3"):
        read_instance(tiny(tmp_path, TINY.replace("3 20 30\n", "")))


def test_parser_rejects_a_missing_header(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="CAPACITY"):
        read_instance(tiny(tmp_path, TINY.replace("CAPACITY : 10\n", "")))


def test_scaled_travel_is_rounded_up_and_windows_are_exact(tmp_path: Path) -> None:
    p = to_problem(read_instance(tiny(tmp_path)))
    assert p.durations[0, 1] == 5 * SCALE and p.durations[1, 2] == 4243  # 4.2426... km rounded up
    assert p.distances[1, 2] == 4243 and p.jobs[1].windows == ((20 * SCALE, 30 * SCALE),)
    assert [v.capacity for v in p.vehicles] == [10, 10] and p.objective == "distance"


def earliest(p: Problem, routes: list[list[int]]) -> Solution:
    """Customer nodes per vehicle as a solution with the earliest times (waiting for windows)."""
    out = []
    for k, nodes in enumerate(routes):
        t, loc, visits = p.vehicles[k].shift_start, 0, []
        for c in nodes:
            j = p.jobs[c - 1]
            arrival = t + p.travel(j, loc, c)
            begin = max(arrival, j.windows[0][0])
            visits.append(Visit(c - 1, arrival, begin))
            t, loc = begin + j.service, c
        out.append(Route(k, p.vehicles[k].shift_start, t + p.travel(None, loc, 0), tuple(visits)))
    served = {c - 1 for r in routes for c in r}
    dropped = tuple(j for j in range(len(p.jobs)) if j not in served)
    return Solution(tuple(out), dropped, objective=0, stop_reason="", elapsed_s=0.0)


def test_exact_distance_and_the_checker_on_the_scaled_problem(tmp_path: Path) -> None:
    inst = read_instance(tiny(tmp_path))
    p = to_problem(inst)
    assert exact_distance(inst, [[1], [2]]) == pytest.approx(12.0)
    found = evaluate(p, earliest(p, [[1], [2]]))
    assert found.feasible and found.distance == 12_000
    over = evaluate(p, earliest(p, [[1, 2]]))  # 12 units of demand on a capacity of 10
    assert [code for code, _ in over.violations] == ["capacity"]
    late = evaluate(p, earliest(p, [[2, 1]]))  # node 2 first: node 1 is reached after its window
    assert [code for code, _ in late.violations] == ["time_window", "capacity"]
    assert evaluate(p, earliest(p, [[1]])).dropped == 1


def test_every_solomon_instance_parses_and_has_a_bks() -> None:
    bks = read_bks(SOLOMON / "bks.csv")
    files = instance_files(SOLOMON, None)
    assert len(files) == len(bks) == 56
    inst = read_instance(files[0])
    assert (inst.vehicles, len(inst.coords)) == (bks[inst.name][0], 101)


@pytest.fixture(scope="module")
def compiled() -> None:
    """Compile the search before any clock runs, as the benchmark does (a fresh checkout compiles)."""
    sisr.warm_up()


@pytest.mark.parametrize("name", ["C101", "C201", "R201"])
def test_smoke_run_is_feasible_and_close_to_the_bks(name: str, compiled: None) -> None:
    (path,) = instance_files(SOLOMON, [name])
    inst = read_instance(path)
    res = run(inst, read_bks(SOLOMON / "bks.csv")[name][1], SearchParams(time_limit_s=5, converge=False))
    assert res.feasible, res.errors
    assert -0.01 < res.gap < 1.0


def test_kernel_benchmark_row_shows_speed_and_where_the_search_got(compiled: None) -> None:
    fields = measure("C101", instance_problem("C101"), 3000, seed=1).split()
    assert fields[:4] == ["C101", "100", "10", "3000"]
    assert float(fields[5]) > 0 and fields[6] == "0"  # steps per second; every customer served
    assert int(fields[7]) > 0.999 * 828_937  # not below the best-known distance (scaled, rounded arcs)
    assert fields[8] == "ok"  # planner.solver.evaluate: feasible, and the objective the search reports
    with pytest.raises(SystemExit, match="unknown instance: X1"):
        instance_problem("X1")
