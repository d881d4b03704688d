"""The planning job end to end: load -> geocode -> road network -> problem -> search -> plan -> check.

One function per stage boundary so the CLI, the benchmark and the tests time and drive the same
path. Stage names are reported through `Progress` so a front end can show them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from planner.errors import InputError, InputProblem
from planner.input.geocode import geocode_requests
from planner.input.load import load_scenario
from planner.network import Network, NetworkSettingError, load_network
from planner.plan.assemble import assemble
from planner.plan.tours import Plan
from planner.plan.validate import Violation, validate
from planner.problem.build import Built, build
from planner.scenario import Scenario
from planner.solution import Solution
from planner.solver import SearchParams, compile_kernel, solve

SECONDS_PER_JOB = 0.3  # the default time limit: 1000 requests get 5 minutes ...
MIN_LIMIT_S, MAX_LIMIT_S = 30.0, 600.0  # ... a small week at least 30 s, none more than 10 minutes
AFTER_SEARCH_SHARE, AFTER_SEARCH_S_PER_REQUEST = 0.03, 0.001  # see after_search


class Progress:
    """Receives stage changes and search ticks; the default does nothing."""

    def stage(self, name: str) -> None:
        """A stage begins."""

    def tick(self, elapsed_s: float, limit_s: float) -> None:
        """The search found a solution after `elapsed_s` of at most `limit_s` seconds."""


@dataclass
class Run:
    """Everything one planning run produced, with the seconds each stage took."""

    scenario: Scenario
    network: Network
    plan: Plan
    violations: list[Violation]
    timings: dict[str, float] = field(default_factory=dict)
    built: Built | None = None  # the routing problem and the solver's answer, for solver-level checks
    solution: Solution | None = None
    limit_scaled: bool = False  # the time limit was not given, so it follows the week's size


Stage = Callable[[str], AbstractContextManager[None]]  # `with stage(name):` around each stage


def stage_timer(progress: Progress, timings: dict[str, float]) -> Stage:
    """`with stage(name):` reports the stage to `progress` and adds its seconds to `timings[name]`."""

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        progress.stage(name)
        t0 = time.perf_counter()
        yield
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0

    return stage


def default_cache_dir() -> Path:
    """Where road graphs and matrices are cached: $VANPLAN_CACHE or ~/.cache/vanplan."""
    env = os.environ.get("VANPLAN_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vanplan"


def network_of(scenario: Scenario, cache: Path) -> Network:
    """The scenario's road network; a missing extract or a bad setting is an input error at its key.

    An extract that is there but yields no road network stays a `NetworkError` (a data error).
    """
    try:
        return load_network(scenario.settings.network, scenario.folder, cache)
    except NetworkSettingError as exc:
        raise InputError([InputProblem("scenario.toml", None, exc.key, str(exc))]) from exc


def prepare(
    folder: Path,
    cache: Path,
    today: date | None = None,
    stage: Stage = lambda _: nullcontext(),
) -> tuple[Scenario, Network, Built]:
    """The scenario in `folder`, its road network and its routing problem: every stage before the
    search, each run inside `stage(name)` (for timing and progress)."""
    with stage("load"):
        scenario = load_scenario(folder, today=today)
    settings = scenario.settings
    with stage("network"):
        network = network_of(scenario, cache)
    with stage("geocode"):
        geo = geocode_requests(scenario.requests, settings.geocoding, settings.network.osm)
    with stage("matrix"):
        points = {r.id: r.point for r in scenario.requests if r.point is not None} | dict(geo.points)
        why = {f.request_id: f.reason.value for f in geo.failures}
        built = build(scenario, points, network.matrix, why)
    return scenario, network, built


def plan_scenario(
    folder: Path,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    until_limit: bool = False,
    cache_dir: Path | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    started: float | None = None,
) -> Run:
    """Plan the week of the scenario in `folder`; raises InputError for bad input, NetworkError
    for an extract without a usable road network.

    The search does a fixed amount of work, so a seed repeats its plan, unless `until_limit` lets it
    use the whole time limit (better plans with more time, not repeatable). The time limit counts
    from the start of the run (reading, road network, travel times and search alike); compiling the
    search on a first run comes before it, so the first run plans as every later one. `started`
    (monotonic clock) is when the clock began, e.g. the command's process start; default: now."""
    progress = progress or Progress()
    timings: dict[str, float] = {}
    cache = cache_dir or default_cache_dir()
    compiled: list[bool] = []

    def compiling() -> None:
        compiled.append(True)
        progress.stage("compile")

    compile_kernel(compiling)
    clock = time.monotonic() if started is None or compiled else started  # a compile restarts it

    stage = stage_timer(progress, timings)
    scenario, network, built = prepare(folder, cache, today, stage)
    settings = scenario.settings
    given = time_limit_s if time_limit_s is not None else settings.time_limit_s
    limit = given if given is not None else default_time_limit(len(built.problem.jobs))
    seed_used = settings.seed if seed is None else seed
    with stage("search"):
        solution = solve(
            built.problem,
            SearchParams(time_limit_s=limit, seed=seed_used, converge=not until_limit),
            on_solution=lambda: progress.tick(time.monotonic() - clock, limit),
            deadline=clock + limit - after_search(limit, len(scenario.requests)),
        )
    plan = assemble(scenario, built, solution, network.source, seed_used, limit)
    with stage("validate"):
        violations = validate(scenario, plan, network.matrix)
    return Run(scenario, network, plan, violations, timings, built, solution, limit_scaled=given is None)


def after_search(limit_s: float, requests: int) -> float:
    """Seconds of the limit kept for what follows the search (reading its answer back, assembling and
    checking the plan, writing the tables), so the whole run ends within its limit."""
    return AFTER_SEARCH_SHARE * limit_s + AFTER_SEARCH_S_PER_REQUEST * requests


def default_time_limit(jobs: int) -> float:
    """The time limit when neither `--time-limit` nor scenario.toml sets one: `SECONDS_PER_JOB` per
    request the search may place, between `MIN_LIMIT_S` and `MAX_LIMIT_S` (a big week needs longer)."""
    return min(MAX_LIMIT_S, max(MIN_LIMIT_S, SECONDS_PER_JOB * jobs))


def process_start() -> float:
    """When this process started, on the monotonic clock (Linux: /proc; elsewhere: now), so that a
    command's time limit also covers starting Python and loading its libraries."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic()
    return time.monotonic() - max(0.0, age)
