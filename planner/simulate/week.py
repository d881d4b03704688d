"""One simulated week of one variant: new requests plus carried ones, planned with the real planner.

The week is built, solved and checked exactly as `vanplan plan` would (planner.problem.build,
planner.solver.solve, planner.plan.assemble, planner.plan.validate); what is not placed is carried into the
next week with its request date, unless it had a fixed time (an accompaniment) or has waited
`max_wait_weeks`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from planner.generate.requests import kind_counts
from planner.generate.rules import KIND_SHARES
from planner.generate.sites import Locality
from planner.input.places import Place
from planner.plan.assemble import assemble
from planner.plan.validate import validate
from planner.problem.build import build
from planner.scenario import Kind, NetworkSettings, Request, Scenario, Settings
from planner.simulate.district import District, district
from planner.simulate.fleet import Fleet, make_fleet
from planner.simulate.kpi import Tally, WeekKpi, week_kpi
from planner.simulate.requests import ARRIVAL_DAYS, Pending, to_request
from planner.simulate.spec import Spec
from planner.solver import SearchParams, solve

TIMEZONE = "Europe/Berlin"


@dataclass(frozen=True)
class WeekOutcome:
    """A week's KPIs, the waits of its placed requests, and what is still open afterwards."""

    kpi: WeekKpi
    waits: tuple[int, ...]
    pending: tuple[Pending, ...]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method, fine for the means of a week)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def new_requests(
    d: District, spec: Spec, fleet: Fleet, rng: random.Random, week: int, monday: date
) -> list[Pending]:
    """This week's new client requests, arrived during the week before; home visit notices go out then."""
    d.builder.start_week(rng, monday, fleet.coach_rows)
    mix = [spec.requests.mix.get(k, 0) for k in KIND_SHARES]
    counts = kind_counts(poisson(rng, spec.requests.per_week), mix)
    if not d.builder.third:
        counts[Kind.WALK_AND_TALK] += counts.pop(Kind.ACCOMPANY, 0)
    rows = d.builder.week_rows(counts)
    result = []
    for i, row in enumerate(rows, start=1):
        requested = monday - timedelta(days=7 - rng.randrange(ARRIVAL_DAYS))
        notice = requested if row.kind is Kind.HOME_VISIT else None
        result.append(Pending(to_request(row, f"W{week + 1:02d}-{i:03d}", notice), requested))
    return result


def van_stops(d: District, fleet: Fleet, sites: tuple[Place, ...], week: int) -> list[Request]:
    """The van's consultation blocks, twice a week at each site, scheduled by the generator's rule."""
    chosen = [(Locality(d.builder.name_of(s.point), s.point, 0), s) for s in sites]
    rows = d.builder.schedule_van_stops(chosen, 2 * len(sites), fleet.rows)
    return [to_request(row, f"W{week + 1:02d}-S{i:02d}") for i, row in enumerate(rows, start=1)]


def is_due(spec: Spec, p: Pending, friday: date) -> bool:
    """Whether a request may be visited this week: home visits only once their notice period is over."""
    sent = p.request.notice_sent
    return sent is None or sent + timedelta(days=spec.requests.notice_days) <= friday


def simulate_week(
    spec: Spec,
    variant_index: int,
    replication: int,
    week: int,
    sites: tuple[str, ...],
    carried: tuple[Pending, ...],
) -> WeekOutcome:
    """Plan week `week` (0-based) of a variant with the requests carried from the week before."""
    d = district(spec)
    variant = spec.variants[variant_index]
    monday = spec.start_monday + timedelta(weeks=week)
    days = [monday + timedelta(days=i) for i in range(5)]
    fleet_rng = random.Random(f"fleet/{spec.seed}/{replication}/{variant.name}/{week}")
    fleet = make_fleet(spec, variant, [x.id for x in d.depots], fleet_rng, days)
    rng = random.Random(f"requests/{spec.seed}/{replication}/{week}")
    fresh = new_requests(d, spec, fleet, rng, week, monday)
    places = tuple(p for p in (d.site(ref) for ref in sites) if p is not None)
    stops = van_stops(d, fleet, places, week)
    waiting = [*carried, *fresh]
    due = [p for p in waiting if is_due(spec, p, days[-1])]
    settings = Settings(
        name=spec.name,
        week=f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}",
        timezone=TIMEZONE,
        depots=d.depots,
        network=NetworkSettings(
            osm=spec.osm, van_speed_factor=spec.van_speed_factor, max_snap_m=spec.max_snap_m
        ),
        buffers=spec.buffers_of(variant),
        planning_date=monday - timedelta(days=3),
        notice_days=spec.requests.notice_days,
        time_limit_s=spec.time_limit_s,
        seed=spec.seed,
    )
    requests = tuple(p.request for p in due) + tuple(stops)
    scenario = Scenario(spec.path.parent, settings, requests, fleet.vans, fleet.coaches, fleet.roster)
    built = build(scenario, {r.id: r.point for r in requests if r.point is not None}, d.travel)
    solution = solve(
        built.problem,
        SearchParams(spec.time_limit_s, spec.seed, round_branches=spec.round_branches, workers=1),
    )
    plan = assemble(scenario, built, solution, d.network.source, spec.seed, spec.time_limit_s)
    violations = validate(scenario, plan, d.travel)
    visited = {s.request_id: s.start.date() for _, s in plan.stops()}
    reasons = {u.request_id: u.reason for u in plan.unscheduled}
    waits = tuple((visited[p.request.id] - p.requested).days for p in due if p.request.id in visited)
    left = [p for p in waiting if p.request.id not in visited]
    keep = tuple(
        p if not is_due(spec, p, days[-1]) else Pending(p.request, p.requested, p.tries + 1)
        for p in left
        if not is_due(spec, p, days[-1])
        or (p.request.fixed_start is None and p.tries + 1 < spec.requests.max_wait_weeks)
    )
    facilities = [x.point for x in d.depots if x.id in fleet.depots] + [s.point for s in places]
    homes = [d.home(p.request.client) for p in fresh]
    tally = Tally(
        new=len(fresh),
        due=len(due),
        waiting_notice=len(waiting) - len(due),
        carried=sum(1 for p in keep if is_due(spec, p, days[-1])),
        expired=len(left) - len(keep),
        waits=waits,
        unplaced=tuple(reasons.get(p.request.id, "?") for p in left if is_due(spec, p, days[-1])),
        nearest_min=tuple(d.minutes(homes, facilities).min(axis=1).tolist()) if homes else (),
    )
    kpi = week_kpi(variant.name, replication, week + 1, plan, tally, len(violations))
    return WeekOutcome(kpi, waits, keep)
