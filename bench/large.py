"""Large weeks end to end: time per stage, peak memory of all processes, placed requests, wall/limit.

Run: `python -m bench.large [--weeks 250,500,1000,2000] [--limits 30,120,300,600] [--caseload]
[--load 10]`. Each week is generated once (`vanplan generate`, Lauf and Heidelberg extracts) into
`--work`; each (week, limit) is one `vanplan plan`-equivalent run in a fresh process, so the peak RSS
is the sum over that process and its search workers, sampled every 0.1 s. `--caseload` adds the
10,000-row requests file (the demo's rows repeated with new ids, the demo's two vans); `--load N`
repeats every run with N CPU-bound processes beside it (a busy office server).
Only one benchmark may run at a time on the 2-core machine: every other job skews the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.isolated import last_json, measured

ROOT = Path(__file__).resolve().parents[1]
OSM = ROOT.parent / "shared" / "osm"
DEMO = ROOT / "scenarios" / "bayreuth-nord"


@dataclass(frozen=True)
class Week:
    """A generated week: requests, vans, coaches and the extract it lies in."""

    requests: int
    vans: int
    osm: str
    depot: str

    @property
    def name(self) -> str:
        """Folder and table name."""
        return f"{Path(self.osm).name.split('.')[0]}-{self.requests}"


WEEKS = {
    250: Week(250, 4, "lauf.osm.pbf", "Rathaus"),
    500: Week(500, 8, "lauf.osm.pbf", "Rathaus"),
    1000: Week(1000, 8, "lauf.osm.pbf", "Rathaus"),
    2000: Week(2000, 16, "lauf.osm.pbf", "Rathaus"),  # heidelberg.osm.pbf has roads but too few addresses
}
CASELOAD = 10_000


def generate(week: Week, work: Path) -> Path:
    """The week's scenario folder, generated on first use (seed 7, week 2026-W50)."""
    folder = work / week.name
    if not (folder / "scenario.toml").exists():
        cmd = [sys.executable, "-m", "planner.cli", "generate", "--osm", str(OSM / week.osm),
               "--out", str(folder), "--week", "2026-W50", "--requests", str(week.requests),
               "--vans", str(week.vans), "--coaches", str(2 * week.vans), "--depot-name", week.depot,
               "--seed", "7"]  # fmt: skip
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return folder


def caseload(work: Path) -> Path:
    """The demo with its requests repeated to `CASELOAD` rows under new ids (an exported caseload)."""
    folder = work / f"caseload-{CASELOAD}"
    if (folder / "scenario.toml").exists():
        return folder
    shutil.copytree(DEMO, folder, dirs_exist_ok=True)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(toml.replace('"../../../shared/osm/', f'"{OSM}/'), encoding="utf-8")
    with (DEMO / "requests.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with (folder / "requests.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for k in range(CASELOAD):
            writer.writerow({**rows[k % len(rows)], "id": f"R{k + 1:05d}"})
    return folder


@contextmanager
def busy(n: int) -> Iterator[None]:
    """`n` CPU-bound processes for the duration (nothing when n = 0)."""
    procs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.join()


def _spin() -> None:
    while True:
        pass


def measure(folder: Path, limit: float, load: int) -> dict[str, object]:
    """One run in a fresh process: its JSON line plus wall time and peak RSS of the process tree."""
    cmd = [sys.executable, "-m", "bench.large", "--one", str(folder), "--limits", str(limit)]
    with busy(load):
        run = measured(cmd, ROOT)
    result = last_json(run.out) if run.returncode == 0 else {}
    return {**result, "wall": run.wall, "peak_mb": run.peak_mb, "exit": run.returncode}


def one(folder: Path, limit: float) -> None:
    """Plan `folder` (the default mode of `vanplan plan`) and print one JSON line of figures."""
    from planner.pipeline import plan_scenario, process_start
    from planner.scenario import PRIORITY_WEIGHT

    run = plan_scenario(folder, time_limit_s=limit, started=process_start())  # as `vanplan plan` does
    plan = run.plan
    stops = [s for t in plan.tours for s in t.stops]
    visitors = run.scenario.settings.van_stop_visitors
    people = {r.id: r.people(visitors) for r in run.scenario.requests}
    requests = len(stops) + len(plan.unscheduled)
    placed_people = sum(people[s.request_id] for s in stops)
    weighted = sum(PRIORITY_WEIGHT[s.priority] * people[s.request_id] for s in stops)
    left = sum(PRIORITY_WEIGHT[u.priority] * people.get(u.request_id, 1) for u in plan.unscheduled)
    print(json.dumps({
        "stages": {k: round(v, 2) for k, v in run.timings.items()},
        "planned_s": time.monotonic() - process_start(),
        "placed": len(stops), "requests": requests, "people": placed_people,
        "weighted": weighted, "weighted_all": weighted + left,
        "stop": plan.stop_reason, "violations": len(run.violations), "cpu_share": plan.cpu_share,
        "unfinished": plan.unfinished_workers,
    }))  # fmt: skip


def row(name: str, limit: float, load: int, r: dict[str, object]) -> str:
    """One table row."""
    if r.get("exit") != 0:
        return f"| {name} | {limit:g} | {load} | exit {r.get('exit')} | | | | | | | {r['peak_mb']:.0f} | | |"
    st = r["stages"]
    assert isinstance(st, dict)
    stages = " / ".join(f"{st.get(k, 0):.0f}" for k in ("load", "network", "matrix", "search", "validate"))
    wall, run = float(r["wall"]), float(r["planned_s"])  # type: ignore[arg-type]
    return (f"| {name} | {limit:g} | {load} | {r['placed']}/{r['requests']} | {r['people']} "
            f"| {r['weighted']}/{r['weighted_all']} | {stages} | {run:.1f} | {run / limit:.2f} | {wall:.1f} "
            f"| {r['peak_mb']:.0f} | {r['stop']} "
            f"| {r['violations']} |")  # fmt: skip


def main() -> None:
    """Print the table for the chosen weeks and limits."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weeks", default="250,500,1000,2000", help="generated weeks by requests ('' = none)")
    ap.add_argument("--limits", default="30,120,300,600", help="time limits in seconds")
    ap.add_argument("--caseload", action="store_true", help=f"also the {CASELOAD:,}-row caseload")
    ap.add_argument("--load", type=int, default=0, help="repeat each run with N CPU-bound processes")
    ap.add_argument("--work", type=Path, default=ROOT / ".cache" / "bench-large", help="generated weeks")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    limits = [float(x) for x in args.limits.split(",")]
    if args.one:
        one(args.one, limits[0])
        return
    args.work.mkdir(parents=True, exist_ok=True)
    folders = [(f"{WEEKS[int(n)].name} ({WEEKS[int(n)].vans} vans)", generate(WEEKS[int(n)], args.work))
               for n in args.weeks.split(",") if n]  # fmt: skip
    if args.caseload:
        folders.append((f"caseload-{CASELOAD} (2 vans)", caseload(args.work)))
    print(
        f"{os.cpu_count()} cores; peak RSS summed over the run and its search workers; stages load / "
        "network / matrix / search / validate in s; people and priority-weighted people reached "
        "(docs/input.md); run: plan_scenario to its plan; process: the whole command incl. start-up"
    )
    print(
        "| week | limit s | busy | placed | people | weighted | stages s | run s | run/limit | process s "
        "| peak MB | stop | violations |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, folder in folders:
        for limit in limits:
            for load in sorted({0, args.load}):
                print(row(name, limit, load, measure(folder, limit, load)), flush=True)


if __name__ == "__main__":
    main()
