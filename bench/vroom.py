"""Our solver and VROOM side by side: the same weeks, the same matrix, the same checker.

Run: `python -m bench.vroom [--weeks demo,town,large] [--time-limit S] [--workers 2]`.

Each week is prepared once (`planner.pipeline.prepare`: the travel matrix the plan would use) and
its `Problem` pickled; then our solver (`planner.solver.solve`, as `vanplan plan` runs it, at the
week's default time limit `pipeline.default_time_limit` unless `--time-limit` is given) and VROOM
(pyvroom, exploration level 5, `--workers` threads, the same limit as its timeout) each solve it in
a fresh process (`bench.solve_one`), which gives each its own peak memory. `bench.vroom_input` says
what VROOM expresses exactly, what approximately and what not; the approximations of each week are
printed under the table. Both answers are checked by `planner.solver.evaluate`; when VROOM's own
times break one of our rules (say, a break without work around it), its routes are re-timed by our
model (`planner.solver.search.from_routes`), and the check column says so.
Weighted placed counts each placed request's people times its priority weight (`PRIORITY_WEIGHT`):
what the objective maximises first (docs/input.md).
Weeks: `demo` (scenarios/bayreuth-nord), `town` (Lauf, 220 requests, 3 vans x 5 days, over-booked,
breaks, two-person home visits) and `large` (Lauf, 1000 requests, 8 vans), generated into `--work`
on first use as `bench.large` does. Only one benchmark at a time on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.isolated import Measured, last_json, load_solution, measured
from bench.large import DEMO, ROOT, WEEKS, Week, generate
from bench.solve_one import Task, write_task
from planner.pipeline import default_cache_dir, default_time_limit, prepare
from planner.problem.build import Built
from planner.problem.routing import Problem
from planner.scenario import PRIORITY_WEIGHT
from planner.solution import Solution
from planner.solver import compile_kernel
from planner.solver.evaluate import Evaluation, evaluate
from planner.solver.search import from_routes

TOWN = Week(220, 3, "lauf.osm.pbf", "Rathaus")
SOLVERS = ("ours", "vroom")


@dataclass(frozen=True)
class Row:
    """One solver's result on one week."""

    week: str
    solver: str
    weighted: int
    weighted_all: int
    placed: int
    jobs: int
    travel_h: float
    seconds: float
    peak_mb: float
    check: str

    def line(self) -> str:
        """The table row."""
        return (
            f"| {self.week} | {self.solver} | {self.weighted}/{self.weighted_all} "
            f"| {self.placed}/{self.jobs} | {self.travel_h:.1f} | {self.seconds:.1f} | {self.peak_mb:.0f} "
            f"| {self.check} |"
        )


def week_folder(name: str, work: Path) -> tuple[str, Path]:
    """The table name and scenario folder of a week (`demo`, `town`, `large`), generated on first use."""
    if name == "demo":
        return "bayreuth-nord", DEMO
    week = {"town": TOWN, "large": WEEKS[1000]}.get(name)
    if week is None:
        raise SystemExit(f"unknown week {name!r}: demo, town or large")
    return f"{week.name} ({week.vans} vans)", generate(week, work)


def weights(built: Built, van_stop_visitors: int) -> list[int]:
    """Each job's priority-weighted people: what placing it adds to weighted placed."""
    return [PRIORITY_WEIGHT[r.priority] * r.people(van_stop_visitors) for r in built.requests]


def checked(problem: Problem, sol: Solution, solver: str) -> tuple[Solution, Evaluation, str]:
    """The solution as checked by `evaluate`, and what the check says. VROOM's routes whose own times
    break a rule are re-timed by our model; our objective must be the one the checker recomputes."""
    found = evaluate(problem, sol)
    codes = sorted({code for code, _ in found.violations})
    if solver == "vroom" and codes:
        seqs: list[list[int]] = [[] for _ in problem.vehicles]
        for r in sol.routes:
            seqs[r.vehicle] = [v.job for v in r.visits]
        again = from_routes(problem, seqs)
        if again is not None and evaluate(problem, again).feasible:
            return again, evaluate(problem, again), f"re-timed ({', '.join(codes)})"
    if not codes and solver == "ours" and found.objective != sol.objective:
        return sol, found, f"objective {sol.objective} reported, {found.objective} recomputed"
    return sol, found, "ok" if not codes else f"{len(found.violations)} violations ({', '.join(codes)})"


def run_solver(task: Task, tmp: Path) -> tuple[Measured, Solution | None, tuple[str, ...]]:
    """One solver process on the task: its measurements, solution and conversion notes."""
    proc = measured([sys.executable, "-m", "bench.solve_one", str(write_task(task, tmp / task.solver))], ROOT)
    if proc.returncode != 0:
        return proc, None, ()
    out = last_json(proc.out)
    notes = out["notes"]
    assert isinstance(notes, list)
    return proc, load_solution(out["solution"]), tuple(str(n) for n in notes)


def compare(name: str, folder: Path, limit: float | None, workers: int) -> tuple[list[Row], list[str]]:
    """Rows for ours and VROOM on one week, and the notes of VROOM's conversion."""
    scenario, _, built = prepare(folder, default_cache_dir())
    problem = built.problem
    w = weights(built, scenario.settings.van_stop_visitors)
    seconds = limit if limit is not None else default_time_limit(len(problem.jobs))
    label = f"{name}, {seconds:g} s"
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for solver in SOLVERS:
            proc, sol, found_notes = run_solver(Task(problem, solver, seconds, workers), Path(tmp))
            notes += [f"{solver} on {name}: {n}" for n in found_notes]
            if sol is None:
                rows.append(Row(label, solver, 0, sum(w), 0, len(problem.jobs), 0.0, proc.wall, proc.peak_mb,
                                f"exit {proc.returncode}"))  # fmt: skip
                continue
            sol, found, check = checked(problem, sol, solver)
            placed = [v.job for r in sol.routes for v in r.visits]
            rows.append(
                Row(label, solver, sum(w[j] for j in placed), sum(w), len(placed), len(problem.jobs),
                    found.drive / 3600, sol.elapsed_s, proc.peak_mb, check)
            )  # fmt: skip
    return rows, notes


def main(argv: list[str] | None = None) -> None:
    """Print the side-by-side table for the chosen weeks."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weeks", default="demo,town,large", help="comma-separated: demo, town, large")
    ap.add_argument("--time-limit", type=float, help="seconds per solver (default: the week's default)")
    ap.add_argument("--workers", type=int, default=2, help="our portfolio's processes, VROOM's threads")
    ap.add_argument("--work", type=Path, default=ROOT / ".cache" / "bench-large", help="generated weeks")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    compile_kernel()  # into numba's cache, so our solver's process loads it before its clock
    print(
        f"{os.cpu_count()} cores, {args.workers} workers/threads each; weighted: priority-weighted people "
        "placed/all; placed: requests placed/given to the solver; travel: driving with safety factors; "
        "time: the solver's search; peak MB: its process and workers; check: planner.solver.evaluate"
    )
    print("| week, limit | solver | weighted | placed | travel h | time s | peak MB | check |")
    print("|---|---|---|---|---|---|---|---|")
    all_notes = []
    for name in [n for n in args.weeks.split(",") if n]:
        label, folder = week_folder(name, args.work)
        rows, notes = compare(label, folder, args.time_limit, args.workers)
        for row in rows:
            print(row.line(), flush=True)
        all_notes += notes
    for note in all_notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
