"""Speed of the compiled search: steps per second on benchmark instances and on the built-in week.

Each problem starts from empty routes and runs a fixed number of steps of `planner.solver.sisr`
(after compiling, so no row pays for it), one process. Prints steps per second and where the
search got to (jobs left out, objective), so a faster kernel can be told from one doing less, and
what `planner.solver.evaluate` says of its routes: "ok" (feasible, objective as the search says)
or the first broken rule.

Run from the repository root:
    .venv/bin/python -m bench.kernel [--steps 20000] [--instances R205,C101,RC202,R1_2_1] [--no-week]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.solomon import read_instance, to_problem
from bench.vrptw import BENCH_DIR
from planner.pipeline import default_cache_dir, prepare
from planner.problem.routing import Problem
from planner.solver import sisr
from planner.solver.evaluate import evaluate
from planner.solver.flat import flat_view
from planner.solver.search import from_routes

ROOT = Path(__file__).resolve().parents[1]


def instance_problem(name: str) -> Problem:
    """The planner problem of a Solomon or Homberger instance, by name."""
    for path in BENCH_DIR.glob(f"*/{name}.*vrptw"):
        return to_problem(read_instance(path))
    raise SystemExit(f"unknown instance: {name}")


def measure(name: str, problem: Problem, steps: int, seed: int) -> str:
    """One table row: the problem's size and the search's speed and result after `steps` steps."""
    f = flat_view(problem)
    if f is None:
        return f"{name:<16} no flat form"
    search = sisr.Search(f, [], seed)
    started = time.perf_counter()
    sisr.anneal(search, steps, 0.0)
    seconds = time.perf_counter() - started
    return (
        f"{name:<16} {f.jobs:>5} {f.vehicles:>5} {steps:>7} {seconds:>8.2f} {steps / seconds:>9.0f} "
        f"{search.unserved_count:>5} {search.objective:>16}  {verdict(problem, search)}"
    )


def verdict(problem: Problem, search: sisr.Search) -> str:
    """ "ok" if the search's best routes keep every rule and cost what it says, else what is wrong."""
    routes, _ = search.best()
    sol = from_routes(problem, [[c - search.f.first_job for c in r] for r in routes])
    if sol is None:
        return "rejected by the model"
    found = evaluate(problem, sol)
    if not found.feasible:
        return "; ".join(f"{code}: {detail}" for code, detail in found.violations[:2])
    return "ok" if found.objective == search.objective else f"objective recomputed {found.objective}"


def main() -> None:
    """Print one row per problem."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--instances", default="R205,C101,RC202,R1_2_1", help="comma-separated names")
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "bayreuth-nord")
    ap.add_argument("--no-week", action="store_true", help="skip the scenario's week")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sisr.warm_up()
    problems = [(n, instance_problem(n)) for n in args.instances.split(",") if n]
    if not args.no_week:
        problems.append((args.scenario.name, prepare(args.scenario, default_cache_dir())[2].problem))
    print(f"{'problem':<16} {'jobs':>5} {'vans':>5} {'steps':>7} {'seconds':>8} {'steps/s':>9} {'left':>5} "
          f"{'objective':>16}  check")  # fmt: skip
    for name, problem in problems:
        print(measure(name, problem, args.steps, args.seed), flush=True)


if __name__ == "__main__":
    main()
