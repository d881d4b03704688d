"""One solver on one pickled problem in a fresh process: `python -m bench.solve_one TASK.pickle`.

The task is a `Task` (problem, solver, time limit, workers, seed); the process prints one JSON line,
`{"solution": ..., "notes": [...]}` (see `bench.isolated`). Each solver's package is imported only
in its own branch, so a process's peak memory is what that solver needs, not what the others load.
The caller (`bench.vroom`, `bench.vrptw`) times the process and checks the solution.
"""

from __future__ import annotations

import json
import pickle
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.isolated import dump_solution
from planner.problem.routing import Problem
from planner.solution import Solution

SOLVERS = ("ours", "vroom", "pyvrp")


@dataclass(frozen=True)
class Task:
    """What to solve and how: `solver` one of SOLVERS; `coords` (x, y per matrix index) for PyVRP."""

    problem: Problem
    solver: str
    time_limit_s: float
    workers: int
    seed: int = 1
    converge: bool = True  # ours: stop at convergence (as `vanplan plan`) or use the whole limit
    coords: tuple[tuple[float, float], ...] = ()


def write_task(task: Task, path: Path) -> Path:
    """Pickle `task` to `path` for a solver process."""
    path.write_bytes(pickle.dumps(task))
    return path


def solve_task(task: Task) -> tuple[Solution, tuple[str, ...]]:
    """The task's solution and the notes of its conversion (what the solver could not express)."""
    if task.solver == "ours":
        return _ours(task), ()
    if task.solver == "vroom":
        from bench.vroom_input import solve_vroom

        sol, conv = solve_vroom(task.problem, task.time_limit_s, task.workers)
        return sol, conv.notes
    if task.solver == "pyvrp":
        from bench.pyvrp_input import solve_pyvrp

        return solve_pyvrp(task.problem, task.coords, task.time_limit_s, task.workers, task.seed), ()
    raise ValueError(f"unknown solver {task.solver!r}, expected one of {SOLVERS}")


def _ours(task: Task) -> Solution:
    """`planner.solver.solve` with the search compiled (or loaded from numba's cache) before the clock."""
    from planner.solver import SearchParams, compile_kernel, solve

    compile_kernel()
    params = SearchParams(
        time_limit_s=task.time_limit_s, seed=task.seed, workers=task.workers, converge=task.converge
    )
    started = time.monotonic()
    sol = solve(task.problem, params)
    return replace(sol, elapsed_s=time.monotonic() - started)


def main() -> None:
    """Solve the pickled task named on the command line and print the result as one JSON line."""
    task: Task = pickle.loads(Path(sys.argv[1]).read_bytes())  # a bench.solve_one.Task, not __main__'s
    sol, notes = solve_task(task)
    print(json.dumps({"solution": dump_solution(sol), "notes": list(notes)}), flush=True)


if __name__ == "__main__":
    main()
