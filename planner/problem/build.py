"""Turn a loaded scenario plus travel times into the solver's `Problem`.

This is where calendar rules become numbers: van-days become vehicles, availability, date ranges,
fixed starts and the home-visit notice period become time windows in seconds since Monday 00:00
local time, and buffers become service times. Requests that cannot be planned at all are set
aside here with their reason, so nothing reaches the solver that it could only drop silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import numpy as np

from planner.errors import InputError, InputProblem
from planner.network import TravelMatrix
from planner.problem.routing import Break, Job, Problem, Vehicle
from planner.reasons import GeocodeWhy, Reason
from planner.scenario import PRIORITY_WEIGHT, Buffers, Kind, Point, Request, Scenario

DAY = 86_400
# The objective, lexicographic in effect: (1) priority-weighted people reached, (2) people reached,
# (3) working time and driving. Leaving a request out costs PERSON x its priority weight (each level
# three times the next, `PRIORITY_WEIGHT`) per person it would reach (a van stop: its expected
# visitors), plus PER_PERSON per person. A person of the lowest priority (10^6) outweighs about
# 69 hours of driving (arc cost 4/s), and PER_PERSON only decides between plans of equal weight
# while a week has fewer than 1000 people. With `[objective] weighting = "hours"` the cost counts
# started hours of the appointment instead of people (a 3-hour van stop = three 1-hour visits).
PERSON = 1_000_000
PER_PERSON = 1_000
# A week with more candidate jobs than this is cut to size before travel times are computed, keeping
# the most urgent (`select_within_capacity`): ~1,500 jobs keep the search's matrices and the routing
# model of both portfolio workers within about 1.5 GB, where 10,000 needed over 24 GB.
MAX_JOBS = 1_500
OVERBOOKING = 3  # ... and jobs beyond three times what their van-days can work are left out first
PREFERRED_BONUS = 3_600  # cost of missing the client's own coach: about 15 min of driving
MatrixFn = Callable[[Sequence[Point]], TravelMatrix]
HOUR = 3600
MAX_STRETCH = 6 * HOUR  # Arbeitszeitgesetz §4: no more than six hours of work without a break
MIN_WORK_AROUND_BREAK = 15 * 60  # a break interrupts work: never right at departure or return


@dataclass(frozen=True)
class VanDay:
    """A van out on one date with its crew: one vehicle of the model."""

    van: str
    day: date
    crew: tuple[str, ...]
    depot: str


@dataclass(frozen=True)
class SetAside:
    """A request the solver never sees, with the reason and the parameters of its sentence."""

    request: Request
    reason: Reason
    detail: dict[str, str]


@dataclass(frozen=True)
class Built:
    """The problem plus what is needed to translate its solution back into a plan."""

    problem: Problem
    requests: tuple[Request, ...]  # requests[j] is problem.jobs[j]
    van_days: tuple[VanDay, ...]  # van_days[v] is problem.vehicles[v]
    points: tuple[Point, ...]  # matrix location -> position
    set_aside: tuple[SetAside, ...]  # left out before solving


def seconds(scenario: Scenario, when: datetime) -> int:
    """Seconds since Monday 00:00 of the planning week (local wall-clock time)."""
    monday = datetime.combine(scenario.settings.monday, time())
    return int((when.replace(tzinfo=None) - monday).total_seconds())


def van_days(scenario: Scenario) -> list[VanDay]:
    """Every van on every date it is in service and has a crew on the roster."""
    result = []
    for van in scenario.vans:
        for day in scenario.settings.days:
            crew = scenario.crew(van.id, day)
            if day.weekday() in van.weekdays and day not in van.unavailable and crew:
                result.append(VanDay(van.id, day, crew, van.depot))
    return result


def earliest_visit(scenario: Scenario, req: Request) -> date | None:
    """First date a home visit may take place under the notice period; None for other kinds."""
    if req.kind is not Kind.HOME_VISIT:
        return None
    sent = req.notice_sent or scenario.settings.planning_date
    try:
        return sent + timedelta(days=scenario.settings.notice_days)
    except OverflowError:  # after the year 9999: no day of the week is late enough
        return date.max


def possible_days(scenario: Scenario, req: Request, notice: bool = True) -> list[date]:
    """Dates of the week allowed by the request's date range and, for home visits, the notice."""
    first = earliest_visit(scenario, req) if notice else None
    return [
        d
        for d in scenario.settings.days
        if (req.earliest is None or d >= req.earliest)
        and (req.latest is None or d <= req.latest)
        and (first is None or d >= first)
    ]


def windows(scenario: Scenario, req: Request, days: Sequence[date]) -> list[tuple[int, int]]:
    """Allowed appointment starts (seconds of the week) on the given dates.

    A pin or a fixed start is one instant; it counts only where the client is available, because
    both refer to the same appointment (docs/input.md).
    """
    free = _available(scenario, req, days)
    fixed = (
        datetime.combine(req.pin_date, req.pin_start) if req.pin_date and req.pin_start else req.fixed_start
    )
    if fixed is None:
        return free
    t = seconds(scenario, fixed)
    return [(t, t)] if any(a <= t <= b for a, b in free) else []


def _available(scenario: Scenario, req: Request, days: Sequence[date]) -> list[tuple[int, int]]:
    """Starts that keep the whole appointment inside the client's availability on the given dates."""
    dur = req.duration_min * 60
    result = []
    for d in days:
        base = seconds(scenario, datetime.combine(d, time()))
        if not req.availability:
            result.append((base, base + DAY - dur))
            continue
        for w in req.availability:
            if w.weekday == d.weekday():
                a = base + w.start.hour * 3600 + w.start.minute * 60
                b = base + w.end.hour * 3600 + w.end.minute * 60 - dur
                if a <= b:
                    result.append((a, b))
    return sorted(result)


def build(
    scenario: Scenario,
    points: Mapping[str, Point],
    matrix_of: MatrixFn,
    geocode_why: Mapping[str, str] | None = None,
    max_jobs: int = MAX_JOBS,
) -> Built:
    """Make the problem. `points` holds the position of every request that has one (geocoded);
    `geocode_why` says why geocoding failed for the others (`planner.reasons.GeocodeWhy` values).

    In order: requests no van-day can take (dates, availability, crew, staff, skills, pins) leave
    before any travel time is computed; in a week with more than `max_jobs` candidates the least
    urgent leave next (`select_within_capacity`); only the rest get a travel matrix, over their
    distinct locations. So memory follows what the week can hold, not the size of the request file.
    """
    days_out = van_days(scenario)
    depots = [scenario.depot(d.id) for d in scenario.settings.depots]
    depot_loc = {d.id: k for k, d in enumerate(depots)}
    caps = work_caps(scenario, days_out)
    vehicles = tuple(
        _vehicle(scenario, vd, depot_loc[vd.depot], cap) for vd, cap in zip(days_out, caps, strict=True)
    )
    set_aside = [
        _aside(
            r,
            Reason.GEOCODE_FAILED,
            address=r.address,
            why=(geocode_why or {}).get(r.id, GeocodeWhy.NOT_FOUND),
        )
        for r in scenario.requests
        if r.id not in points
    ]
    candidates: list[tuple[Request, Job]] = []
    for req in scenario.requests:
        if req.id in points:
            job_or_reason = _job(scenario, req, days_out, vehicles)
            if isinstance(job_or_reason, SetAside):
                set_aside.append(job_or_reason)
            else:
                candidates.append((req, job_or_reason))
    candidates, over = select_within_capacity(candidates, vehicles, max_jobs)
    set_aside += [_aside(req, Reason.CAPACITY, priority=str(req.priority)) for req, _ in over]

    locs = [d.point for d in depots]
    loc_of_point: dict[Point, int] = {}
    for req, _ in candidates:
        loc_of_point.setdefault(points[req.id], len(locs) + len(loc_of_point))
    locs += list(loc_of_point)
    tm = matrix_of(locs)
    far = [
        InputProblem(
            "scenario.toml",
            None,
            f"depots[{k + 1}]",
            f"depot {d.id} is {tm.snap_m[k]:.0f} m from the road network",
        )
        for k, d in enumerate(depots)
        if not tm.reachable[k]
    ]
    if far:
        raise InputError(far)

    jobs: list[Job] = []
    kept: list[Request] = []
    for req, job in candidates:
        loc = loc_of_point[points[req.id]]
        if not tm.reachable[loc]:
            set_aside.append(_aside(req, Reason.UNREACHABLE, snap_m=f"{tm.snap_m[loc]:.0f}"))
            continue
        job = replace(job, location=loc)
        assert job.vehicles is not None
        reachable = frozenset(v for v in job.vehicles if _round_trip_fits(job, vehicles[v], tm))
        if not reachable and req.pinned:
            set_aside.append(_aside(req, Reason.PIN_INVALID, why="travel", **_pin_detail(req)))
        elif not reachable:
            set_aside.append(_aside(req, Reason.OUTSIDE_SHIFT))
        if not reachable:
            continue
        jobs.append(replace(job, vehicles=reachable))
        kept.append(req)
    problem = Problem(
        jobs=tuple(jobs),
        vehicles=vehicles,
        durations=tm.durations.astype(np.int64),
        distances=tm.distances.astype(np.int64),
        objective="duration",
        preferred_bonus=PREFERRED_BONUS,
        span_cost=1,
    )
    return Built(problem, tuple(kept), tuple(days_out), tuple(locs), tuple(set_aside))


def select_within_capacity(
    candidates: Sequence[tuple[Request, Job]], vehicles: Sequence[Vehicle], max_jobs: int
) -> tuple[list[tuple[Request, Job]], list[tuple[Request, Job]]]:
    """Split a week with more than `max_jobs` candidate jobs into the ones the search weighs and the
    ones left out for capacity, so a whole caseload exported by mistake still plans in bounded memory.

    Jobs go in order of urgency (priority, then shorter appointments: more people reached, then file
    order); each charges its time to the van-days that may take it, and a job whose van-days are all
    booked `OVERBOOKING` times over by more urgent ones is left out. At most `max_jobs` stay. Pinned
    jobs always stay. A week of at most `max_jobs` candidates is not touched.
    """
    if len(candidates) <= max_jobs:
        return list(candidates), []
    order = sorted(
        range(len(candidates)),
        key=lambda k: (not candidates[k][0].pinned, candidates[k][0].priority, candidates[k][1].service, k),
    )
    booked = [0.0] * len(vehicles)
    limit = [
        OVERBOOKING * (v.max_work if v.max_work is not None else v.shift_end - v.shift_start)
        for v in vehicles
    ]
    keep: set[int] = set()
    for k in order:
        req, job = candidates[k]
        allowed = sorted(job.vehicles or ())
        if not req.pinned and (len(keep) >= max_jobs or all(booked[v] >= limit[v] for v in allowed)):
            continue
        keep.add(k)
        for v in allowed:
            booked[v] += job.service / len(allowed)
    return (
        [c for k, c in enumerate(candidates) if k in keep],
        [c for k, c in enumerate(candidates) if k not in keep],
    )


def work_caps(scenario: Scenario, days_out: Sequence[VanDay]) -> list[int]:
    """Most seconds of work each van-day may take: the daily limit, and each crew member's share.

    A coach's weekly hours are shared out over the van-days the coach is rostered on, in proportion
    to their shift lengths; a van-day stays within the smallest share of its crew. Fixed shares
    keep the limit visible to the routing search (a week-wide sum constraint was not, and
    stranded the search with empty plans).
    """

    def shift(vd: VanDay) -> float:
        van = scenario.van(vd.van)
        return (
            datetime.combine(vd.day, van.shift_end) - datetime.combine(vd.day, van.shift_start)
        ).total_seconds()

    rostered: dict[str, float] = {}
    for vd in days_out:
        for c in vd.crew:
            rostered[c] = rostered.get(c, 0.0) + shift(vd)
    daily = scenario.settings.max_work_min * 60
    return [
        int(min([daily] + [scenario.coach(c).weekly_hours * 3600 * shift(vd) / rostered[c] for c in vd.crew]))
        for vd in days_out
    ]


def _vehicle(scenario: Scenario, vd: VanDay, depot_loc: int, max_work: int) -> Vehicle:
    van = scenario.van(vd.van)
    base = seconds(scenario, datetime.combine(vd.day, time()))
    coaches = [scenario.coach(c) for c in vd.crew]
    return Vehicle(
        id=f"{vd.van}@{vd.day.isoformat()}",
        start_location=depot_loc,
        end_location=depot_loc,
        shift_start=base + van.shift_start.hour * 3600 + van.shift_start.minute * 60,
        shift_end=base + van.shift_end.hour * 3600 + van.shift_end.minute * 60,
        staff=len(vd.crew),
        skills=frozenset().union(*(c.skills for c in coaches)),
        max_work=max_work,
        breaks=arbzg_breaks(
            base + van.shift_start.hour * HOUR + van.shift_start.minute * 60,
            base + van.shift_end.hour * HOUR + van.shift_end.minute * 60,
        ),
        break_free_span=MAX_STRETCH,
        break_margin=MIN_WORK_AROUND_BREAK,
    )


def arbzg_breaks(shift_start: int, shift_end: int) -> tuple[Break, ...]:
    """Breaks a shift needs under the Arbeitszeitgesetz, placed so no stretch of work exceeds 6 h.

    Up to 6 h: none. Up to 9 h 30 min: 30 min (work then stays within 9 h). Longer: 30 + 15 min.
    Windows are chosen from the shift so that any route inside it keeps the six-hour rule, and
    at least MIN_WORK_AROUND_BREAK from the shift's ends, so a break interrupts work.
    """
    length = shift_end - shift_start
    if length <= MAX_STRETCH:
        return ()
    first_ok, last_ok = shift_start + MIN_WORK_AROUND_BREAK, shift_end - MIN_WORK_AROUND_BREAK
    if length <= 9 * HOUR + 30 * 60:
        d = 30 * 60
        return (
            Break(max(first_ok, shift_end - MAX_STRETCH - d), min(shift_start + MAX_STRETCH, last_ok - d), d),
        )
    first, second = 30 * 60, 15 * 60
    return (
        Break(first_ok, shift_start + MAX_STRETCH, first),
        Break(shift_end - MAX_STRETCH - second, last_ok - second, second),
    )


def _job(
    scenario: Scenario, req: Request, days_out: Sequence[VanDay], vehicles: Sequence[Vehicle]
) -> Job | SetAside:
    """The job for a request with the van-days its dates, crew and skills allow (its location and
    the travel check come later), or the reason it cannot be planned this week."""
    if not days_out:  # the week itself has no van-day: the root cause for every request alike
        return _aside(req, Reason.NO_CREW)
    days = possible_days(scenario, req)
    if req.pinned:
        return _pinned_job(scenario, req, days, days_out, vehicles)
    if not possible_days(scenario, req, notice=False):
        return _aside(req, Reason.OUTSIDE_WEEK, earliest=_iso(req.earliest), latest=_iso(req.latest))
    first = earliest_visit(scenario, req)
    if not days and first is not None:
        return _notice_period(scenario, req, first)
    wins = windows(scenario, req, days)
    day_names = ", ".join(d.strftime("%d.%m.") for d in days)
    if not wins:
        if first is not None and windows(scenario, req, possible_days(scenario, req, notice=False)):
            return _notice_period(scenario, req, first)
        if req.fixed_start is not None:
            fs = req.fixed_start
            return _aside(req, Reason.FIXED_OUTSIDE, date=fs.date().isoformat(), time=f"{fs:%H:%M}")
        return _aside(req, Reason.NO_WINDOW, days=day_names)
    window_days = {d for d in days if any(_on_day(scenario, d, w) for w in wins)}
    on_days = [v for v, vd in enumerate(days_out) if vd.day in window_days]
    if not on_days:
        return _aside(req, Reason.NO_VAN_DAY, days=day_names)
    staffed = [v for v in on_days if vehicles[v].staff >= req.staff]
    if not staffed:
        return _aside(
            req, Reason.STAFF, staff=str(req.staff), crew=str(max(vehicles[v].staff for v in on_days))
        )
    skilled = [v for v in staffed if req.skills <= vehicles[v].skills]
    if not skilled:
        return _aside(req, Reason.SKILLS, skills=", ".join(sorted(req.skills)))
    return replace(
        _base_job(scenario, req, wins),
        preferred_vehicles=frozenset(v for v, vd in enumerate(days_out) if req.preferred_coach in vd.crew),
        vehicles=frozenset(skilled),
    )


def _base_job(scenario: Scenario, req: Request, wins: Sequence[tuple[int, int]]) -> Job:
    """The job's times from the request and its kind's buffers (at location 0 until it has one)."""
    buf = scenario.settings.buffers.get(req.kind, Buffers())
    return Job(
        id=req.id,
        location=0,
        duration=req.duration_min * 60,
        windows=tuple(wins),
        setup=buf.setup_min * 60,
        after=(buf.overrun_min + buf.documentation_min) * 60,
        staff=req.staff,
        skills=req.skills,
        penalty=drop_cost(scenario, req),
        travel_factor_pct=100 + buf.travel_safety_pct,
    )


def drop_cost(scenario: Scenario, req: Request) -> int:
    """What leaving `req` out costs the objective (see PERSON)."""
    weight = PRIORITY_WEIGHT[req.priority]
    if scenario.settings.weighting == "hours":
        return PERSON * weight * max(1, round(req.duration_min / 60))
    return (PERSON * weight + PER_PERSON) * req.people(scenario.settings.van_stop_visitors)


def _pin_detail(req: Request) -> dict[str, str]:
    """Van, date and time of a pinned request, for its unscheduled reason."""
    assert req.pin_date is not None and req.pin_start is not None
    return {"van": req.pin_van, "date": req.pin_date.isoformat(), "time": req.pin_start.strftime("%H:%M")}


def _pinned_job(
    scenario: Scenario,
    req: Request,
    days: Sequence[date],
    days_out: Sequence[VanDay],
    vehicles: Sequence[Vehicle],
) -> Job | SetAside:
    """A pinned appointment keeps van, date and start, or is reported with what makes it impossible."""
    assert req.pin_date is not None and req.pin_start is not None
    start = seconds(scenario, datetime.combine(req.pin_date, req.pin_start))
    detail = _pin_detail(req)
    v = next((k for k, vd in enumerate(days_out) if vd.van == req.pin_van and vd.day == req.pin_date), None)
    if v is None:
        return _aside(req, Reason.PIN_INVALID, why="no_van_day", **detail)
    veh = vehicles[v]
    job = replace(_base_job(scenario, req, [(start, start)]), pinned=(v, start))
    if veh.staff < req.staff:
        return _aside(req, Reason.PIN_INVALID, why="staff", **detail)
    if not req.skills <= veh.skills:
        return _aside(req, Reason.PIN_INVALID, why="skills", **detail)
    if start - job.setup < veh.shift_start or start + job.duration + job.after > veh.shift_end:
        return _aside(req, Reason.PIN_INVALID, why="shift", **detail)
    if req.pin_date not in days or not _in_own_windows(scenario, req, start):
        return _aside(req, Reason.PIN_INVALID, why="window", **detail)
    return replace(job, vehicles=frozenset({v}))


def _in_own_windows(scenario: Scenario, req: Request, start: int) -> bool:
    """Whether a pinned start also respects the request's availability (the pin may not override it)."""
    unpinned = replace(req, pin_van="", pin_date=None, pin_start=None)
    return any(a <= start <= b for a, b in windows(scenario, unpinned, possible_days(scenario, unpinned)))


def _on_day(scenario: Scenario, d: date, window: tuple[int, int]) -> bool:
    """Whether an appointment-start window lies on date d."""
    base = seconds(scenario, datetime.combine(d, time()))
    return base <= window[0] < base + DAY


def _round_trip_fits(job: Job, veh: Vehicle, tm: TravelMatrix) -> bool:
    """Whether a van could serve the job alone: depot -> job -> depot within shift and a window."""
    go = -(-int(tm.durations[veh.start_location, job.location]) * job.travel_factor_pct // 100)
    back = int(tm.durations[job.location, veh.end_location])
    earliest = veh.shift_start + go + job.setup
    latest = veh.shift_end - back - job.duration - job.after
    return any(max(a, earliest) <= min(b, latest) for a, b in job.windows)


def _notice_period(scenario: Scenario, req: Request, first: date) -> SetAside:
    """A home visit the notice period keeps out of the week: the date it is met, counted from the
    notice sent or, if none was sent, from the planning date (so the coordinator knows to send it)."""
    sent = req.notice_sent or scenario.settings.planning_date
    return _aside(
        req,
        Reason.NOTICE_PERIOD,
        date=first.isoformat(),
        sent=sent.isoformat(),
        days=str(scenario.settings.notice_days),
        why="sent" if req.notice_sent else "not_sent",
    )


def _aside(req: Request, reason: Reason, **detail: str) -> SetAside:
    """The request set aside for `reason`, the keywords its sentence's parameters."""
    return SetAside(req, reason, detail)


def _iso(d: date | None) -> str:
    return d.isoformat() if d else "…"
