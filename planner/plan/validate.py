"""Independent check of a plan against the scenario: every rule re-derived from the inputs.

Deliberately shares no code with `planner.problem.build` or the solver (and imports no OR-Tools): it works
on calendar dates and local times, reads the rules from the scenario as written, and needs only
travel times between the plan's places. A plan that passes here keeps every rule in docs/input.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.network import TravelMatrix
from planner.plan.tours import Plan, Stop, Tour
from planner.reasons import REASONS
from planner.scenario import Buffers, Kind, Point, Request, Scenario

MIN_BREAK_PART = timedelta(minutes=15)
MAX_STRETCH = timedelta(hours=6)
POSITION_TOLERANCE_DEG = 1e-5  # about a metre


@dataclass(frozen=True)
class Violation:
    """One broken rule: a code, where (request or van-day) and a sentence for the user."""

    code: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.where}: {self.message}"


def validate(
    scenario: Scenario, plan: Plan, matrix_of: Callable[[Sequence[Point]], TravelMatrix]
) -> list[Violation]:
    """All violations of the plan; an empty list means the plan keeps every rule."""
    out: list[Violation] = []
    requests = {r.id: r for r in scenario.requests}
    _check_completeness(plan, requests, out)
    points = _points(scenario, plan)
    tm = matrix_of(points)
    index = {p: k for k, p in enumerate(points)}
    for tour in plan.tours:
        _check_tour(scenario, tour, requests, tm, index, out)
    _check_weekly_hours(scenario, plan, out)
    return out


def _points(scenario: Scenario, plan: Plan) -> list[Point]:
    seen: dict[Point, None] = {}
    for tour in plan.tours:
        seen[Point(tour.depot_lat, tour.depot_lon)] = None
        for s in tour.stops:
            seen[Point(s.lat, s.lon)] = None
    return list(seen)


def _check_completeness(plan: Plan, requests: dict[str, Request], out: list[Violation]) -> None:
    """Every request exactly once: in a tour or in the unscheduled list, never lost, never twice."""
    ids = [s.request_id for t in plan.tours for s in t.stops] + [u.request_id for u in plan.unscheduled]
    counts = Counter(ids)
    for rid, n in counts.items():
        if rid not in requests:
            out.append(Violation("unknown_request", rid, "request is not in the scenario"))
        elif n > 1:
            out.append(Violation("duplicate", rid, f"request appears {n} times in the plan"))
    for rid in requests:
        if rid not in counts:
            out.append(Violation("lost", rid, "request is neither in a tour nor unscheduled"))
    for u in plan.unscheduled:
        if u.reason not in REASONS:
            out.append(Violation("unknown_reason", u.request_id, f"unknown reason code {u.reason!r}"))


def _check_tour(
    scenario: Scenario,
    tour: Tour,
    requests: dict[str, Request],
    tm: TravelMatrix,
    index: dict[Point, int],
    out: list[Violation],
) -> None:
    where = f"{tour.van} {tour.day.isoformat()}"
    vans = {v.id: v for v in scenario.vans}
    van = vans.get(tour.van)
    if van is None:
        out.append(Violation("unknown_van", where, "van is not in the scenario"))
        return
    if tour.day not in scenario.settings.days:
        out.append(Violation("outside_week", where, "tour date is not in the planning week"))
    if tour.day.weekday() not in van.weekdays or tour.day in van.unavailable:
        out.append(Violation("van_not_in_service", where, "van is not in service on this date"))
    roster = sorted(r.coach for r in scenario.roster if r.van == tour.van and r.day == tour.day)
    if sorted(tour.crew) != roster:
        out.append(Violation("crew", where, f"crew {list(tour.crew)} differs from the roster {roster}"))
    if len(tour.crew) > van.seats:
        out.append(Violation("seats", where, f"{len(tour.crew)} crew but {van.seats} seats"))
    depot = scenario.depot(van.depot)
    if not _same_place(depot.point, tour.depot_lat, tour.depot_lon):
        out.append(Violation("depot", where, "tour does not start at the van's depot"))
    shift_start = _local(scenario, tour.day, van.shift_start)
    shift_end = _local(scenario, tour.day, van.shift_end)
    if tour.depart < shift_start or tour.back > shift_end:
        out.append(Violation("shift", where, f"tour {tour.depart:%H:%M}-{tour.back:%H:%M} leaves the shift"))
    crew_skills = frozenset().union(
        *(scenario.coach(c).skills for c in tour.crew if c in _coach_ids(scenario))
    )
    for stop in tour.stops:
        req = requests.get(stop.request_id)
        if req is not None:
            _check_stop(scenario, tour, stop, req, crew_skills, out)
    _check_travel(scenario, tour, requests, tm, index, out)
    _check_breaks(scenario, tour, out)


def _same_place(point: Point, lat: float, lon: float) -> bool:
    """Whether (lat, lon) is `point` within the tolerance, in each coordinate on its own."""
    return abs(point.lat - lat) <= POSITION_TOLERANCE_DEG and abs(point.lon - lon) <= POSITION_TOLERANCE_DEG


def _coach_ids(scenario: Scenario) -> set[str]:
    return {c.id for c in scenario.coaches}


def _local(scenario: Scenario, day: date, clock: object) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=scenario.settings.tz)  # type: ignore[arg-type]


def _check_stop(
    scenario: Scenario,
    tour: Tour,
    stop: Stop,
    req: Request,
    crew_skills: frozenset[str],
    out: list[Violation],
) -> None:
    """The request's own rules: kind, place, length, buffers, staff, skills, dates, windows, pins."""
    w = req.id
    buf = scenario.settings.buffers.get(req.kind, Buffers())
    day = stop.start.astimezone(scenario.settings.tz).date()
    if day != tour.day:
        out.append(Violation("date", w, f"stop is on {day}, its tour on {tour.day}"))
    if stop.kind != req.kind.value:
        out.append(Violation("kind", w, f"planned as {stop.kind}, requested {req.kind.value}"))
    if req.point is not None and not _same_place(req.point, stop.lat, stop.lon):
        out.append(Violation("place", w, "planned at another place than requested"))
    if stop.end - stop.start != timedelta(minutes=req.duration_min):
        out.append(
            Violation("duration", w, f"lasts {stop.end - stop.start}, requested {req.duration_min} min")
        )
    if stop.start - stop.arrival < timedelta(minutes=buf.setup_min):
        out.append(Violation("setup", w, f"less than {buf.setup_min} min between arrival and start"))
    if stop.departure - stop.end < timedelta(minutes=buf.overrun_min + buf.documentation_min):
        out.append(Violation("after_buffer", w, "overrun and documentation buffer not kept"))
    if len(tour.crew) < req.staff:
        out.append(Violation("staff", w, f"needs {req.staff} staff, crew has {len(tour.crew)}"))
    if not req.skills <= crew_skills:
        out.append(Violation("skills", w, f"crew lacks {sorted(req.skills - crew_skills)}"))
    if (req.earliest and day < req.earliest) or (req.latest and day > req.latest):
        out.append(Violation("date_range", w, f"{day} outside {req.earliest}..{req.latest}"))
    if req.kind is Kind.HOME_VISIT:
        sent = req.notice_sent or scenario.settings.planning_date
        if day < sent + timedelta(days=scenario.settings.notice_days):
            out.append(
                Violation(
                    "notice",
                    w,
                    f"notice sent {sent} is less than {scenario.settings.notice_days} days before",
                )
            )
    tz = scenario.settings.tz
    naive_start = stop.start.astimezone(tz).replace(tzinfo=None)
    naive_end = stop.end.astimezone(tz).replace(tzinfo=None)
    if req.fixed_start is not None and naive_start != req.fixed_start:
        out.append(Violation("fixed_start", w, f"starts {naive_start}, fixed at {req.fixed_start}"))
    if req.availability and not any(
        win.weekday == day.weekday()
        and datetime.combine(day, win.start) <= naive_start
        and naive_end <= datetime.combine(day, win.end)
        for win in req.availability
    ):
        out.append(
            Violation(
                "availability", w, f"{naive_start:%a %H:%M}-{naive_end:%H:%M} outside the client's windows"
            )
        )
    if req.pinned and (tour.van != req.pin_van or day != req.pin_date or naive_start.time() != req.pin_start):
        out.append(
            Violation("pin", w, f"pinned to {req.pin_van} {req.pin_date} {req.pin_start}, planned otherwise")
        )


def _check_travel(
    scenario: Scenario,
    tour: Tour,
    requests: dict[str, Request],
    tm: TravelMatrix,
    index: dict[Point, int],
    out: list[Violation],
) -> None:
    """Stops are in order, and between consecutive places there is time for the drive (with the kind's
    safety margin). Arriving too late for the setup is the `setup` rule."""
    depot = index[Point(tour.depot_lat, tour.depot_lon)]
    legs: list[tuple[int, datetime, int, datetime, int, str]] = []
    prev, leave = depot, tour.depart
    for seq, stop in enumerate(tour.stops, start=1):
        req = requests.get(stop.request_id)
        kind = req.kind if req else Kind(stop.kind)
        buf = scenario.settings.buffers.get(kind, Buffers())
        here = index[Point(stop.lat, stop.lon)]
        begin = stop.start - timedelta(minutes=buf.setup_min)
        legs.append((prev, leave, here, begin, 100 + buf.travel_safety_pct, stop.request_id))
        if stop.sequence != seq:
            out.append(
                Violation("order", stop.request_id, f"is stop {seq} of the tour but numbered {stop.sequence}")
            )
        if stop.arrival < leave:
            out.append(
                Violation(
                    "order",
                    stop.request_id,
                    f"arrives {stop.arrival:%H:%M}, before the van left at {leave:%H:%M}",
                )
            )
        prev, leave = here, stop.departure
    legs.append((prev, leave, depot, tour.back, 100, f"{tour.van} {tour.day} return"))
    for a, t_leave, b, t_begin, pct, label in legs:
        need = -(-int(tm.durations[a, b]) * pct // 100)
        paused = sum(
            (
                (br.end - br.start).total_seconds()
                for br in tour.breaks
                if t_leave <= br.start and br.end <= t_begin
            ),
            0.0,
        )
        have = (t_begin - t_leave).total_seconds() - paused
        if have + 1e-6 < need:
            out.append(
                Violation("travel", label, f"{have / 60:.1f} min available for a {need / 60:.1f} min drive")
            )


def _check_breaks(scenario: Scenario, tour: Tour, out: list[Violation]) -> None:
    """Arbeitszeitgesetz: 10 h max, 30/45 min breaks after 6/9 h, no 6 h stretch without a break."""
    where = f"{tour.van} {tour.day.isoformat()}"
    busy = [(s.start - timedelta(minutes=s.setup_min), s.departure) for s in tour.stops]
    for br in tour.breaks:
        if br.end - br.start < MIN_BREAK_PART:
            out.append(Violation("break_part", where, "break part shorter than 15 min"))
        if br.start - tour.depart < MIN_BREAK_PART or tour.back - br.end < MIN_BREAK_PART:
            out.append(Violation("break_outside", where, f"break {br.start:%H:%M} does not interrupt work"))
        if any(br.start < e and s < br.end for s, e in busy):
            out.append(Violation("break_overlap", where, f"break {br.start:%H:%M} overlaps an appointment"))
    pause = sum((br.end - br.start for br in tour.breaks), timedelta())
    work = tour.back - tour.depart - pause
    if work > timedelta(minutes=scenario.settings.max_work_min):
        out.append(
            Violation("max_work", where, f"{work} of work exceeds {scenario.settings.max_work_min} min")
        )
    if work > timedelta(hours=9) and pause < timedelta(minutes=45):
        out.append(Violation("break_45", where, f"{work} of work needs 45 min break, has {pause}"))
    elif work > timedelta(hours=6) and pause < timedelta(minutes=30):
        out.append(Violation("break_30", where, f"{work} of work needs 30 min break, has {pause}"))
    edges = [
        tour.depart,
        *[t for br in sorted(tour.breaks, key=lambda b: b.start) for t in (br.start, br.end)],
        tour.back,
    ]
    for a, b in zip(edges[::2], edges[1::2], strict=False):
        if b - a > MAX_STRETCH:
            out.append(Violation("stretch", where, f"{b - a} of work without a break from {a:%H:%M}"))


def _check_weekly_hours(scenario: Scenario, plan: Plan, out: list[Violation]) -> None:
    """A coach's hours on tour over the week stay within the coach's weekly hours."""
    minutes: dict[str, float] = defaultdict(float)
    days: dict[tuple[str, date], int] = defaultdict(int)
    for tour in plan.tours:
        for c in tour.crew:
            minutes[c] += tour.work_min
            days[(c, tour.day)] += 1
    for coach in scenario.coaches:
        if minutes[coach.id] > coach.weekly_hours * 60 + 1e-6:
            out.append(
                Violation(
                    "weekly_hours",
                    coach.id,
                    f"{minutes[coach.id] / 60:.1f} h on tour, {coach.weekly_hours} h allowed",
                )
            )
    for (c, d), n in days.items():
        if n > 1:
            out.append(Violation("two_vans", c, f"rides {n} vans on {d}"))
