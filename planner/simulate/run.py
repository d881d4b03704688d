"""Run a spec: variants x replications as chains of week tasks, in process or on a Dask cluster.

Weeks of one variant depend on each other through the carried requests, so each (variant,
replication) is a chain of tasks, week k+1 taking week k's outcome; chains run in parallel. Every
worker process builds the district once (`district.district`) and keeps it; only the spec, the site
refs and the few carried requests travel between tasks. A finished week is a finished future, which
drives the progress bar.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from planner.errors import InputError, InputProblem
from planner.simulate.coverage import SitePlan, plan_sites, variant_sites
from planner.simulate.district import District, district
from planner.simulate.kpi import Summary, WeekKpi, summarise
from planner.simulate.spec import Spec
from planner.simulate.week import WeekOutcome, simulate_week

OnWeek = Callable[[WeekKpi], None]


@dataclass(frozen=True)
class Results:
    """All KPI rows, the summary per variant, the siting and each variant's sites."""

    spec: Spec
    rows: tuple[WeekKpi, ...]
    summaries: tuple[Summary, ...]
    site_plan: SitePlan
    sites: dict[str, tuple[str, ...]]
    elapsed_s: float


def next_week(
    spec: Spec,
    variant: int,
    replication: int,
    week: int,
    sites: tuple[str, ...],
    previous: WeekOutcome | None,
) -> WeekOutcome:
    """One link of a chain: the week after `previous` (None before the first week)."""
    carried = previous.pending if previous is not None else ()
    return simulate_week(spec, variant, replication, week, sites, carried)


def simulate(
    spec: Spec, *, workers: int = 2, scheduler: str | None = None, on_week: OnWeek | None = None
) -> Results:
    """Site the van stops, then simulate every variant; `workers=0` without a scheduler runs in process."""
    started = time.perf_counter()
    d = district(spec)
    plan = plan_sites(spec, d)
    sites = {v.name: variant_sites(v, plan) for v in spec.variants}
    _check_sites(spec, d, sites)
    chains = [(v, r) for v in range(len(spec.variants)) for r in range(spec.replications)]
    report = on_week or (lambda _row: None)
    if workers == 0 and scheduler is None:
        outcomes = _inline(spec, chains, sites, report)
    else:
        with _client(workers, scheduler) as client:
            outcomes = _on_dask(client, spec, chains, sites, report)
    rows = tuple(o.kpi for chain in outcomes for o in chain)
    summaries = []
    for v, variant in enumerate(spec.variants):
        mine = [chain for (cv, _), chain in zip(chains, outcomes, strict=True) if cv == v]
        waits = [w for chain in mine for o in chain for w in o.waits]
        open_end = sum(len(chain[-1].pending) for chain in mine) / len(mine)
        summaries.append(summarise(variant.name, [o.kpi for chain in mine for o in chain], waits, open_end))
    return Results(spec, rows, tuple(summaries), plan, sites, time.perf_counter() - started)


def _check_sites(spec: Spec, d: District, sites: dict[str, tuple[str, ...]]) -> None:
    """Van stop refs written in a variant must be candidate sites of the district."""
    problems = [
        InputProblem(spec.path.name, None, f"variants[{i}].van_stops", f'"{ref}" is not a candidate site')
        for i, v in enumerate(spec.variants, start=1)
        for ref in sites[v.name]
        if d.site(ref) is None
    ]
    if problems:
        raise InputError(problems)


def _inline(
    spec: Spec, chains: list[tuple[int, int]], sites: dict[str, tuple[str, ...]], report: OnWeek
) -> list[list[WeekOutcome]]:
    """Every chain in this process, one week after the other."""
    result = []
    for v, r in chains:
        chain: list[WeekOutcome] = []
        for k in range(spec.weeks):
            chain.append(next_week(spec, v, r, k, sites[spec.variants[v].name], chain[-1] if chain else None))
            report(chain[-1].kpi)
        result.append(chain)
    return result


@contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[object]:
    """A Dask client on the given scheduler, or on a local cluster of single-threaded worker processes."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _on_dask(
    client: object,
    spec: Spec,
    chains: list[tuple[int, int]],
    sites: dict[str, tuple[str, ...]],
    report: OnWeek,
) -> list[list[WeekOutcome]]:
    """Submit every chain as dependent futures, report weeks as they finish, gather the outcomes."""
    from distributed import Client, Future, as_completed

    assert isinstance(client, Client)
    run = uuid.uuid4().hex[:8]
    futures: list[list[Future]] = []
    for v, r in chains:
        chain: list[Future] = []
        for k in range(spec.weeks):
            previous = chain[-1] if chain else None
            key = f"vanplan-week-{run}-{v}-{r}-{k}"
            chain.append(
                client.submit(next_week, spec, v, r, k, sites[spec.variants[v].name], previous, key=key)
            )
        futures.append(chain)
    for future in as_completed([f for chain in futures for f in chain]):
        report(future.result().kpi)
    return [client.gather(chain) for chain in futures]
