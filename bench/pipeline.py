"""Time per stage of `vanplan plan` on the built-in scenario: load, geocode, network, matrix, search.

After the table it prints what the plan validator and the solver-level checker
(`planner.solver.evaluate`) found.

Run: `python -m bench.pipeline [--time-limit 30] [--until-limit] [--cold]`. `--cold` uses an empty
cache, so the network stage includes reading the extract and building the graph; `--until-limit`
searches until the time limit instead of for the default fixed amount of work.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from planner.pipeline import default_cache_dir, plan_scenario
from planner.solver.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Plan the scenario once and print a table of stage times and placed requests."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "bayreuth-nord")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cold", action="store_true", help="start with an empty road network cache")
    ap.add_argument("--until-limit", action="store_true", help="search until the time limit (not repeatable)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) if args.cold else default_cache_dir()
        t0 = time.perf_counter()
        run = plan_scenario(
            args.scenario,
            time_limit_s=args.time_limit,
            seed=args.seed,
            until_limit=args.until_limit,
            cache_dir=cache,
        )
        total = time.perf_counter() - t0
    placed = sum(len(t.stops) for t in run.plan.tours)
    requests = placed + len(run.plan.unscheduled)
    print(f"scenario {args.scenario.name}, time limit {args.time_limit:g} s"
          f"{' (until the limit)' if args.until_limit else ''}, seed {args.seed}, "
          f"cache {'cold' if args.cold else 'warm'}")  # fmt: skip
    print(f"{'stage':<10} {'seconds':>8}")
    for stage, seconds in run.timings.items():
        print(f"{stage:<10} {seconds:>8.2f}")
    print(f"{'total':<10} {total:>8.2f}")
    stops = [s for t in run.plan.tours for s in t.stops]
    placed_by, left_by = Counter(s.priority for s in stops), Counter(u.priority for u in run.plan.unscheduled)
    by_priority = "  ".join(f"{p}: {placed_by[p]}/{placed_by[p] + left_by[p]}" for p in range(1, 6))
    hours = sum((s.end - s.start).total_seconds() for s in stops) / 3600
    print(f"placed by priority (1 = most urgent): {by_priority}; appointment hours placed {hours:.1f}")
    drive = sum(t.drive_min for t in run.plan.tours)
    print(f"placed {placed}/{requests}, drive {drive:.0f} min, objective {run.plan.objective}, "
          f"stop {run.plan.stop_reason}, "
          f"violations {len(run.violations)}")  # fmt: skip
    assert run.built is not None and run.solution is not None
    found = evaluate(run.built.problem, run.solution)
    same = found.objective == run.solution.objective
    print(f"solver check (planner.solver.evaluate): {'feasible' if found.feasible else 'INFEASIBLE'}, "
          f"objective {'as reported' if same else f'recomputed {found.objective}'}"
          + "".join(f"\n  {code}: {detail}" for code, detail in found.violations[:10]))  # fmt: skip


if __name__ == "__main__":
    main()
