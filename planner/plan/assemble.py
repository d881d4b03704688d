"""Translate a solver `Solution` back into the user's `Plan`: dates, local times, crews, kilometres."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from planner.plan.tours import BreakTime, Plan, Stop, Tour, Unscheduled
from planner.problem.build import Built, SetAside
from planner.reasons import Reason
from planner.scenario import Buffers, Scenario
from planner.solution import Route, Solution


def assemble(
    scenario: Scenario,
    built: Built,
    solution: Solution,
    travel_source: str,
    seed: int,
    time_limit_s: float,
) -> Plan:
    """The plan: one tour per used van-day, and every request not in a tour with its reason."""
    tours = tuple(_tour(scenario, built, r) for r in solution.routes)
    dropped = tuple(_dropped(built, j) for j in solution.dropped)
    left = tuple(left_out(a) for a in built.set_aside)
    unscheduled = tuple(sorted(left + dropped, key=lambda u: u.request_id))
    return Plan(
        scenario=scenario.settings.name,
        week=scenario.settings.week,
        timezone=scenario.settings.timezone,
        tours=tuple(sorted(tours, key=lambda t: (t.day, t.van))),
        unscheduled=unscheduled,
        travel_source=travel_source,
        seed=seed,
        time_limit_s=time_limit_s,
        stop_reason=solution.stop_reason,
        search_s=round(solution.elapsed_s, 2),
        objective=solution.objective,
        cpu_share=round(solution.cpu_share, 2),
        unfinished_workers=solution.unfinished_workers,
        created=datetime.now(scenario.settings.tz).isoformat(timespec="seconds"),
    )


def _clock(scenario: Scenario, t: int) -> datetime:
    """Seconds of the week -> aware local datetime."""
    monday = datetime.combine(scenario.settings.monday, time())
    return (monday + timedelta(seconds=t)).replace(tzinfo=scenario.settings.tz)


def _tour(scenario: Scenario, built: Built, route: Route) -> Tour:
    p = built.problem
    vd = built.van_days[route.vehicle]
    veh = p.vehicles[route.vehicle]
    depot = scenario.depot(vd.depot)
    stops = []
    leave, loc = route.start, veh.start_location
    for seq, visit in enumerate(route.visits, start=1):
        job = p.jobs[visit.job]
        req = built.requests[visit.job]
        buf = scenario.settings.buffers.get(req.kind, Buffers())
        drive = int(p.durations[loc, job.location])
        paused = sum(d for s, d in route.breaks if leave <= s < visit.begin)
        arrival = min(visit.begin, leave + paused + p.travel(job, loc, job.location))
        start = visit.begin + job.setup
        point = built.points[job.location]
        stops.append(
            Stop(
                sequence=seq,
                request_id=req.id,
                kind=req.kind.value,
                client=req.client,
                lat=point.lat,
                lon=point.lon,
                place=req.place,
                address=req.address,
                arrival=_clock(scenario, arrival),
                start=_clock(scenario, start),
                end=_clock(scenario, start + job.duration),
                departure=_clock(scenario, start + job.duration + job.after),
                drive_min=round(drive / 60, 1),
                drive_km=round(int(p.distances[loc, job.location]) / 1000, 2),
                staff=req.staff,
                setup_min=buf.setup_min,
                overrun_min=buf.overrun_min,
                documentation_min=buf.documentation_min,
                priority=req.priority,
                pinned=req.pinned,
                preferred_coach=req.preferred_coach,
                bring=req.bring,
                note=req.note,
                client_name=req.client_name if scenario.settings.show_names else "",
            )
        )
        leave, loc = start + job.duration + job.after, job.location
    return Tour(
        van=vd.van,
        day=vd.day,
        crew=vd.crew,
        depot=depot.id,
        depot_lat=depot.point.lat,
        depot_lon=depot.point.lon,
        depart=_clock(scenario, route.start),
        back=_clock(scenario, route.end),
        stops=tuple(stops),
        breaks=tuple(BreakTime(_clock(scenario, s), _clock(scenario, s + d)) for s, d in route.breaks),
        return_drive_min=round(int(p.durations[loc, veh.end_location]) / 60, 1),
        return_km=round(int(p.distances[loc, veh.end_location]) / 1000, 2),
    )


def left_out(aside: SetAside) -> Unscheduled:
    """A request set aside before solving, as the plan lists it: at the position its row gave, if any."""
    req = aside.request
    lat, lon = (req.point.lat, req.point.lon) if req.point else (None, None)
    return Unscheduled(
        request_id=req.id,
        kind=req.kind.value,
        client=req.client,
        reason=aside.reason,
        detail=aside.detail,
        lat=lat,
        lon=lon,
        priority=req.priority,
        row=req.row,
    )


def _dropped(built: Built, j: int) -> Unscheduled:
    """A job the solver left out: a pinned one conflicts, any other did not fit the capacity."""
    req = built.requests[j]
    point = built.points[built.problem.jobs[j].location]
    return Unscheduled(
        request_id=req.id,
        kind=req.kind.value,
        client=req.client,
        reason=Reason.PIN_CONFLICT if req.pinned else Reason.CAPACITY,
        detail={"priority": str(req.priority)},
        lat=point.lat,
        lon=point.lon,
        priority=req.priority,
        row=req.row,
    )
