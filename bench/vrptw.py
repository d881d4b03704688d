"""Solver quality on the Solomon and Gehring-Homberger VRPTW benchmarks against the best-known results.

Each instance becomes a planner `Problem` (see `bench.solomon` for the integer scaling) and is solved
through `planner.solver.solve` with the fleet fixed at the best-known vehicle count. Every result is
checked by `planner.solver.evaluate` (capacity, windows with waiting, return in time, every customer
served once, one route per vehicle, the objective recomputed); gap = 100 * (found - bks) / bks on
exact (float) distances. A run that drops a customer is infeasible.

Run from the repository root:
    .venv/bin/python -m bench.vrptw --set solomon100 --time-limit 10 [--instances C101,R101] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.solomon import Instance, exact_distance, read_bks, read_instance, to_problem
from planner.solver import SearchParams, sisr, solve
from planner.solver.evaluate import evaluate

BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


@dataclass(frozen=True)
class Result:
    """One instance's outcome."""

    name: str
    routes: int
    fleet: int
    distance: float
    bks: float
    seconds: float
    errors: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """Whether the checker found nothing wrong and every customer is served."""
        return not self.errors

    @property
    def gap(self) -> float:
        """Percent above the best-known distance."""
        return 100 * (self.distance - self.bks) / self.bks


def instance_files(folder: Path, names: list[str] | None) -> list[Path]:
    """The instance files of a set in bks.csv order, optionally only the named ones."""
    by_name = {p.name.split(".")[0]: p for p in folder.glob("*.vrptw")}
    order = list(read_bks(folder / "bks.csv"))
    wanted = names or order
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown instances: {', '.join(unknown)}")
    return [by_name[n] for n in wanted]


def run(inst: Instance, bks: float, params: SearchParams) -> Result:
    """Solve one instance and check the answer."""
    problem = to_problem(inst)
    started = time.monotonic()
    sol = solve(problem, params)
    seconds = time.monotonic() - started
    routes = [[problem.jobs[v.job].location for v in r.visits] for r in sol.routes]
    found = evaluate(problem, sol)
    errors = [f"{code}: {detail}" for code, detail in found.violations]
    if found.objective != sol.objective:
        errors.append(f"objective {sol.objective} reported, {found.objective} recomputed")
    if sol.dropped:
        errors.append(f"{len(sol.dropped)} customers not served")
    return Result(
        inst.name, len(routes), inst.vehicles, exact_distance(inst, routes), bks, seconds, tuple(errors)
    )


def report(results: list[Result]) -> str:
    """The table and its summary lines."""
    lines = [f"{'instance':<10} {'routes':>7} {'distance':>10} {'bks':>10} {'gap %':>7} {'time s':>7}  note"]
    for r in results:
        lines.append(
            f"{r.name:<10} {r.routes:>3}/{r.fleet:<3} {r.distance:>10.2f} {r.bks:>10.2f} {r.gap:>7.2f} "
            f"{r.seconds:>7.1f}  {'; '.join(r.errors[:2])}"
        )
    ok = [r for r in results if r.feasible]
    gaps = [r.gap for r in ok]
    lines.append(
        f"feasible {len(ok)}/{len(results)}, infeasible {len(results) - len(ok)}; "
        + (
            f"mean gap {statistics.mean(gaps):.2f} %, max gap {max(gaps):.2f} % (feasible runs)"
            if gaps
            else ""
        )
    )
    classes: dict[str, list[Result]] = {}
    for r in results:
        classes.setdefault(r.name.split("_")[0].rstrip("0123456789"), []).append(r)
    for cls, rs in classes.items():
        g = [r.gap for r in rs if r.feasible]
        mean = f"{statistics.mean(g):.2f} %" if g else "-"
        lines.append(f"  {cls:<4} feasible {len(g)}/{len(rs)}, mean gap {mean}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit status 1 when any run is infeasible."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="solomon100", choices=["solomon100", "homberger200"])
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    ap.add_argument("--instances", default="", help="comma-separated names, default all")
    ap.add_argument("--workers", type=int, default=2, help="processes of the search portfolio")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    folder = BENCH_DIR / args.set
    bks = read_bks(folder / "bks.csv")
    params = SearchParams(time_limit_s=args.time_limit, seed=args.seed, workers=args.workers, converge=False)
    sisr.warm_up()  # compile (or load from numba's cache) before any clock runs
    results = []
    for path in instance_files(folder, [n for n in args.instances.split(",") if n] or None):
        inst = read_instance(path)
        res = run(inst, bks[inst.name][1], params)
        results.append(res)
        print(report([res]).splitlines()[1], flush=True)
    print(report(results))
    return 0 if all(r.feasible for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
