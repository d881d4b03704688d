"""Solver quality on the Solomon and Gehring-Homberger VRPTW benchmarks against the best-known results.

Each instance becomes a planner `Problem` (see `bench.solomon` for the integer scaling) and is solved
through `planner.solver.solve` with the fleet fixed at the best-known vehicle count. Every result is
checked by `planner.solver.evaluate` (capacity, windows with waiting, return in time, every customer
served once, one route per vehicle, the objective recomputed); gap = 100 * (found - bks) / bks on
exact (float) distances. A run that drops a customer is infeasible. Each run is a fresh process
(`bench.solve_one`), so its peak memory (process and search workers) is its own.

`--vs pyvrp` runs PyVRP (`bench.pyvrp_input`: the same scaled matrices, windows and fleet; `--workers`
processes with their own seeds, the best wins) on each instance right after ours, with the same time
limit, and checks its routes with the same checker; the table adds its gap and our gap over its gap.

Run from the repository root:
    .venv/bin/python -m bench.vrptw --set solomon100 --time-limit 10 [--instances C101,R101] [--workers 2]
        [--vs pyvrp]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.isolated import last_json, load_solution, measured
from bench.solomon import Instance, exact_distance, read_bks, read_instance, to_problem
from bench.solve_one import Task, write_task
from planner.solver import SearchParams, compile_kernel
from planner.solver.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT.parent / "shared" / "benchmarks"
RIVALS = ("pyvrp",)


@dataclass(frozen=True)
class Result:
    """One instance's outcome for one solver."""

    name: str
    routes: int
    fleet: int
    distance: float
    bks: float
    seconds: float
    errors: tuple[str, ...]
    peak_mb: float = 0.0
    solver: str = "ours"

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


def run(inst: Instance, bks: float, params: SearchParams, solver: str = "ours") -> Result:
    """Solve one instance with `solver` in a fresh process and check the answer."""
    problem = to_problem(inst)
    task = Task(
        problem, solver, params.time_limit_s, params.workers, params.seed, params.converge, inst.coords
    )
    with tempfile.TemporaryDirectory() as tmp:
        proc = measured(
            [sys.executable, "-m", "bench.solve_one", str(write_task(task, Path(tmp) / "task"))], ROOT
        )
    if proc.returncode != 0:
        return Result(
            inst.name,
            0,
            inst.vehicles,
            0.0,
            bks,
            proc.wall,
            (f"exit {proc.returncode}",),
            proc.peak_mb,
            solver,
        )
    sol = load_solution(last_json(proc.out)["solution"])
    routes = [[problem.jobs[v.job].location for v in r.visits] for r in sol.routes if r.visits]
    found = evaluate(problem, sol)
    errors = [f"{code}: {detail}" for code, detail in found.violations]
    if found.objective != sol.objective:
        errors.append(f"objective {sol.objective} reported, {found.objective} recomputed")
    if sol.dropped:
        errors.append(f"{len(sol.dropped)} customers not served")
    return Result(
        inst.name, len(routes), inst.vehicles, exact_distance(inst, routes), bks, sol.elapsed_s,
        tuple(errors), proc.peak_mb, solver,
    )  # fmt: skip


def report(results: list[Result]) -> str:
    """The table of one solver's runs and its summary lines."""
    lines = [
        f"{'instance':<10} {'routes':>7} {'distance':>10} {'bks':>10} {'gap %':>7} {'time s':>7} "
        f"{'MB':>6}  note"
    ]
    for r in results:
        lines.append(
            f"{r.name:<10} {r.routes:>3}/{r.fleet:<3} {r.distance:>10.2f} {r.bks:>10.2f} {r.gap:>7.2f} "
            f"{r.seconds:>7.1f} {r.peak_mb:>6.0f}  {'; '.join(r.errors[:2])}"
        )
    lines += summary(results)
    return "\n".join(lines)


def summary(results: list[Result]) -> list[str]:
    """Feasible runs, mean and max gap, overall and per instance class."""
    ok = [r for r in results if r.feasible]
    gaps = [r.gap for r in ok]
    peak = max((r.peak_mb for r in results), default=0.0)
    parts = [f"feasible {len(ok)}/{len(results)}, infeasible {len(results) - len(ok)}"]
    if gaps:
        parts.append(f"mean gap {statistics.mean(gaps):.2f} %, max gap {max(gaps):.2f} % (feasible runs)")
    parts.append(f"peak {peak:.0f} MB")
    lines = [f"{results[0].solver if results else ''}: " + "; ".join(parts)]
    classes: dict[str, list[Result]] = {}
    for r in results:
        classes.setdefault(r.name.split("_")[0].rstrip("0123456789"), []).append(r)
    for cls, rs in classes.items():
        g = [r.gap for r in rs if r.feasible]
        mean = f"{statistics.mean(g):.2f} %" if g else "-"
        lines.append(f"  {cls:<4} feasible {len(g)}/{len(rs)}, mean gap {mean}")
    return lines


def ratio(ours: Result, theirs: Result) -> str:
    """Our gap over theirs, when both are feasible and theirs is above 0.01 %."""
    if not (ours.feasible and theirs.feasible) or theirs.gap <= 0.01:
        return "-"
    return f"{ours.gap / theirs.gap:.2f}"


def versus(pairs: list[tuple[Result, Result]]) -> str:
    """The side-by-side table of ours and a rival on each instance, with both summaries."""
    rival = pairs[0][1].solver if pairs else ""
    lines = [
        f"{'instance':<10} | {'ours gap %':>10} {'s':>5} {'MB':>5} | {rival + ' gap %':>11} {'s':>5} "
        f"{'MB':>5} | {'ratio':>5}  note"
    ]
    for a, b in pairs:
        gap_a = f"{a.gap:.2f}" if a.feasible else "infeas."
        gap_b = f"{b.gap:.2f}" if b.feasible else "infeas."
        notes = "; ".join([*(f"ours {e}" for e in a.errors[:1]), *(f"{rival} {e}" for e in b.errors[:1])])
        lines.append(
            f"{a.name:<10} | {gap_a:>10} {a.seconds:>5.1f} {a.peak_mb:>5.0f} | {gap_b:>11} {b.seconds:>5.1f} "
            f"{b.peak_mb:>5.0f} | {ratio(a, b):>5}  {notes}"
        )
    both = [(a, b) for a, b in pairs if a.feasible and b.feasible]
    lines += summary([a for a, _ in pairs]) + summary([b for _, b in pairs])
    if both:
        ga, gb = statistics.mean(a.gap for a, _ in both), statistics.mean(b.gap for _, b in both)
        ahead = sum(1 for a, b in both if a.distance <= b.distance + 1e-6)
        share = f"{ga / gb:.2f}" if gb > 0.01 else "-"
        lines.append(
            f"both feasible on {len(both)}/{len(pairs)}: mean gap ours {ga:.2f} %, {rival} {gb:.2f} %, "
            f"ratio {share}; ours at most as long on {ahead}/{len(both)}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit status 1 when any run of ours is infeasible."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="solomon100", choices=["solomon100", "homberger200"])
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    ap.add_argument("--instances", default="", help="comma-separated names, default all")
    ap.add_argument("--workers", type=int, default=2, help="processes of the search portfolio")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--vs", choices=RIVALS, help="also run this solver on each instance, side by side")
    args = ap.parse_args(argv)
    folder = BENCH_DIR / args.set
    bks = read_bks(folder / "bks.csv")
    params = SearchParams(time_limit_s=args.time_limit, seed=args.seed, workers=args.workers, converge=False)
    compile_kernel()  # compile once into numba's cache, so no solver process compiles on the clock
    results, pairs = [], []
    for path in instance_files(folder, [n for n in args.instances.split(",") if n] or None):
        inst = read_instance(path)
        res = run(inst, bks[inst.name][1], params)
        results.append(res)
        if args.vs:
            pairs.append((res, run(inst, bks[inst.name][1], params, args.vs)))
            print(versus(pairs[-1:]).splitlines()[1], flush=True)
        else:
            print(report([res]).splitlines()[1], flush=True)
    print(versus(pairs) if args.vs else report(results))
    return 0 if all(r.feasible for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
