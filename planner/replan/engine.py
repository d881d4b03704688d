"""Replan a week under way: keep what was communicated, change as little as possible.

The engine runs the stages of `vanplan plan` and re-implements no rule. Changes are applied to the
scenario (a cancelled request leaves the build, an absence leaves the roster, workshop days join
the van's `unavailable` dates, new windows and fixed times replace the old ones); what the old plan
keeps becomes pins (`pin_van`/`pin_date`/`pin_start`), so `planner.problem.build` checks them exactly as it
checks a coordinator's pins; the search, the assembly and the validator are those of `plan`. Only
what `now` means is added to the built problem: van-days that are over take nothing new, a tour on
the road keeps its departure, its stops and breaks so far, and nothing new begins before now.

The objective is lexicographic, in stages:
1. Every appointment of the old plan after now is pinned where it was. An appointment a change makes
   impossible (build reports its pin invalid, or the search cannot keep it with the others) is
   *displaced*: free again, first at its old time on another van-day, else anywhere, each step away
   from its old van-day (other coach, other day) costing more than any new request that is not
   urgent gains (`_step`), and leaving it out more than its farthest move; a communicated one (home
   visit whose notice went out, accompaniment, van stop, or pinned in requests.csv) weighs
   `COMMUNICATED_PENALTY` when left out, more than any request, an urgent request `URGENT_PENALTY`.
2. If an urgent request (priority 1) or a communicated appointment is still left out, the
   appointments that were not communicated on the van-days it could take are freed as well, first
   at their old start (on any van-day, graded as above), those that then find no place at any
   time, and that plan is taken if it is better by (communicated appointments left out,
   communicated moved, urgent requests left out, appointments moved, objective).
The search starts from the old routes (every pinned appointment in place), so none is lost to a
search that did not find its way back to them.
New requests and the old plan's waiting list fill the gaps in both stages, by the usual objective.
"""

from __future__ import annotations

import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from planner.input.load import parse_availability, parse_datetime
from planner.pipeline import default_time_limit
from planner.plan.assemble import assemble, left_out
from planner.plan.tours import Amendments, Plan, Stop, Tour
from planner.plan.validate import Violation, validate
from planner.problem.build import Built, MatrixFn, SetAside, arbzg_breaks, build, seconds
from planner.problem.routing import PIN_PENALTY, Break, Job, Vehicle
from planner.reasons import Reason
from planner.replan.absence import Way, partly
from planner.replan.changes import Change, ChangeKind
from planner.replan.diff import PlanChange, diff
from planner.replan.history import History, begun, split
from planner.scenario import WEEKDAYS_DE, Kind, Point, Request, RosterEntry, Scenario, Van, WeeklyWindow
from planner.solution import Solution
from planner.solver import SearchParams, solve

COMMUNICATED_PENALTY = (
    PIN_PENALTY // 10
)  # a communicated appointment left out: above any request, below a pin
URGENT_PENALTY = COMMUNICATED_PENALTY // 10  # an urgent request left out: above any number of moves here
MOVE_STEP = 1_000_000  # least cost of each step away from the old van-day: other coach, then other day
PLANNED_FACTOR = 3  # an appointment of the old plan weighs like one a priority level more urgent
DROP_STEPS = 5  # an old appointment left out costs this many steps more than its farthest move
REPLAN_STEPS = 100  # compiled search steps per job: most of the week is pinned
MAX_ROUNDS = 4  # searches of stage 1 (each frees what the previous one could not keep)


@dataclass(frozen=True)
class Replanned:
    """The new plan version, what it was checked against, and what changed for whom."""

    plan: Plan
    week: Scenario  # the scenario with the changes applied: the plan keeps every rule of it
    outputs: Scenario  # the same with the replan day as planning date (letters, sheets, maps)
    changes: tuple[PlanChange, ...]
    violations: tuple[Violation, ...]  # planner.plan.validate, then the replan's own rules (`_check`)
    refused: tuple[tuple[str, dict[str, str]], ...] = ()  # impossible moves: request, pin_invalid detail
    forced: frozenset[str] = frozenset()  # old appointments a change made impossible where they were


@dataclass
class _Run:
    """One replan: the changed week, the old plan split at now, and the state of the stages."""

    week: Scenario
    old: Plan
    changes: tuple[Change, ...]
    history: History
    now: datetime  # naive local
    replan_day: date  # notice periods of appointments not in the old plan count from here
    cuts: dict[tuple[str, date], datetime]  # a van-day must be back by then (naive local)
    starts: dict[tuple[str, date], datetime]  # a van-day leaves the depot no earlier (naive local)
    kept: dict[str, tuple[Tour, Stop]]  # old appointments after now, not cancelled
    communicated: frozenset[str]
    amendments: Amendments  # earlier replans' and this one's: the next replan applies them again
    cancelled: dict[str, Change] = field(default_factory=dict)
    causes: dict[str, str] = field(default_factory=dict)  # request -> what changed it (`diff` causes)
    displaced: dict[str, str] = field(default_factory=dict)  # request -> why its pin failed (PIN_WHY)
    untimed: set[str] = field(default_factory=set)  # freed ones that may change their start too
    released: set[str] = field(default_factory=set)  # stage 2: freed to make room
    moves: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # coordinator: van, new start
    refused: dict[str, dict[str, str]] = field(default_factory=dict)  # impossible moves: pin_invalid detail

    @property
    def now_s(self) -> int:
        """Now in seconds of the week."""
        return seconds(self.week, self.now)

    @property
    def forced(self) -> set[str]:
        """Old appointments a change made impossible where they were (build found their pin
        invalid, or their tour must be back before them) and the coordinator's moves; the others
        that move (conflicts with those, room for urgent cases) could in principle have stayed."""
        return {rid for rid, why in self.displaced.items() if why != "conflict"} | set(self.moves)

    @property
    def free(self) -> set[str]:
        """Old appointments that are no longer pinned where they were."""
        return set(self.displaced) | self.released

    def at(self, instant: datetime) -> int:
        """An aware time in seconds of the week."""
        return seconds(self.week, instant.astimezone(self.week.settings.tz))


def replan(
    scenario: Scenario,
    old: Plan,
    changes: Sequence[Change],
    now: datetime,
    points: Mapping[str, Point],
    matrix_of: MatrixFn,
    *,
    geocode_why: Mapping[str, str] | None = None,
    params: SearchParams | None = None,
    travel_source: str = "",
    deadline: float | None = None,
) -> Replanned:
    """The next version of `old` after `changes` (as `planner.replan.changes.load_changes` checked
    them), keeping everything before `now` (naive local time) as it was. `points`, `matrix_of` and
    `geocode_why` are what `planner.problem.build.build` takes; the search ends by `deadline` (monotonic
    clock; default: the time limit of `params` from now). No changes give the same plan."""
    settings = scenario.settings
    limit = settings.time_limit_s or default_time_limit(len(scenario.requests))
    params = params or SearchParams(time_limit_s=limit, seed=settings.seed, steps_per_job=REPLAN_STEPS)
    end = deadline if deadline is not None else clock.monotonic() + params.time_limit_s
    run = _start(scenario, old, changes, now)
    if changes:
        plan = _stages(run, points, matrix_of, geocode_why, params, end, travel_source)
    else:  # nothing happened since: the same plan, as the next version
        plan = _versioned(old, old, run)
    run.week = _unpinned(run.week, set(run.displaced) | set(run.moves))  # moved: its pin is history
    outputs = replace(run.week, settings=replace(run.week.settings, planning_date=run.replan_day))
    violations = validate(run.week, plan, matrix_of) + _check(run, plan)
    by = {rid: c.by for rid, c in run.cancelled.items()}
    rows = diff(old, plan, run.week, run.causes, by, run.replan_day)
    refused = tuple(sorted(run.refused.items()))
    forced = frozenset(run.forced)
    return Replanned(plan, run.week, outputs, tuple(rows), tuple(violations), refused, forced)


def _start(scenario: Scenario, old: Plan, changes: Sequence[Change], now: datetime) -> _Run:
    """Apply the earlier replans' amendments and the changes to the scenario; split the old plan."""
    history = split(old, now.replace(tzinfo=scenario.settings.tz))
    base, earlier_cuts, earlier_starts = amend(scenario, old)
    tours = {(t.van, t.day): t for t in old.tours}
    week, cuts, starts, amendments = apply_changes(base, history, changes, now, tours)
    for key, at in earlier_cuts.items():
        if key not in history.closed:
            cuts[key] = min(cuts.get(key, at), at)
    for key, at in earlier_starts.items():
        if key not in history.closed:
            starts[key] = max(starts.get(key, at), at)
    requests = {r.id: r for r in scenario.requests}
    cancelled = {
        rid: Change(ChangeKind.CANCEL, 0, request=rid, by=by) for rid, by in old.amendments.cancelled
    }
    cancelled |= {c.request: c for c in changes if c.kind is ChangeKind.CANCEL}
    kept = {
        s.request_id: (t, s)
        for t, s in old.stops()
        if s.request_id not in history.stops and s.request_id not in cancelled
    }
    run = _Run(
        week=week,
        old=old,
        changes=tuple(changes),
        history=history,
        now=now,
        replan_day=max(scenario.settings.planning_date, now.date()),
        cuts=cuts,
        starts=starts,
        kept=kept,
        communicated=frozenset(r for r in kept if r in requests and is_communicated(requests[r])),
        amendments=_merged(old.amendments, amendments),
        cancelled=cancelled,
    )
    run.causes.update(dict.fromkeys(cancelled, "cancel"))
    for u in old.unscheduled:
        run.causes.setdefault(u.request_id, "waiting_list")
    run.causes.update({c.request: "new_request" for c in changes if c.kind is ChangeKind.NEW_REQUEST})
    joined = {(van, date.fromisoformat(d)) for d, van, _ in amendments.on_roster}
    for rid, (tour, _stop) in kept.items():
        if (tour.van, tour.day) in joined:  # its crew grows by the coaches of a van out of service
            run.causes.setdefault(rid, "van_unavailable")
    for c in changes:
        if c.kind is ChangeKind.MOVE and c.fixed_start is not None:
            run.moves[c.request] = (c.van, c.fixed_start)
            run.causes[c.request] = "move"
    for rid, (tour, stop) in kept.items():
        cut, out = cuts.get((tour.van, tour.day)), starts.get((tour.van, tour.day))
        if cut is not None and _naive(run, stop.departure) > cut:
            _displace(run, rid, "cut")
        elif out is not None and _naive(run, begun(stop)) < out:
            _displace(run, rid, "late")
    return run


def _unpinned(scenario: Scenario, ids: set[str]) -> Scenario:
    """The scenario without the requests.csv pins of `ids` (appointments a change moved)."""
    requests = tuple(
        replace(r, pin_van="", pin_date=None, pin_start=None) if r.id in ids else r for r in scenario.requests
    )
    return replace(scenario, requests=requests)


def is_communicated(req: Request) -> bool:
    """Whether the client was told: a home visit whose notice went out, an accompaniment (the
    third party's time), a van stop (announced), or a pin of requests.csv."""
    if req.pinned or req.kind in (Kind.ACCOMPANY, Kind.VAN_STOP):
        return True
    return req.kind is Kind.HOME_VISIT and req.notice_sent is not None


def amend(
    scenario: Scenario, plan: Plan
) -> tuple[Scenario, dict[tuple[str, date], datetime], dict[tuple[str, date], datetime]]:
    """The scenario as the replans up to `plan` left it (their amendments, as the plan records them,
    and the requests.csv pins they had to give up), the tours they cut short and those they let
    start late: what `plan` keeps every rule of (`vanplan validate` checks a replanned version
    against the scenario)."""
    a = plan.amendments
    tz = scenario.settings.tz
    pins = {r.id: (r.pin_van, r.pin_date, r.pin_start) for r in scenario.requests if r.pinned}
    moved = {
        s.request_id
        for t, s in plan.stops()
        if s.request_id in pins and pins[s.request_id] != (t.van, t.day, s.start.astimezone(tz).time())
    }
    availability = {rid: parse_availability(text) for rid, text in a.availability}
    fixed = {rid: parse_datetime(text) for rid, text in a.fixed_start}
    requests = tuple(
        replace(
            r, availability=availability.get(r.id, r.availability), fixed_start=fixed.get(r.id, r.fixed_start)
        )
        for r in scenario.requests
    )
    off = {(date.fromisoformat(d), van, coach) for d, van, coach in a.off_roster}
    roster = tuple(e for e in scenario.roster if (e.day, e.van, e.coach) not in off) + tuple(
        RosterEntry(date.fromisoformat(d), van, coach, 0) for d, van, coach in a.on_roster
    )
    out = [(van, date.fromisoformat(d)) for van, d in a.van_unavailable]
    vans = tuple(
        replace(v, unavailable=v.unavailable | {d for van, d in out if van == v.id}) for v in scenario.vans
    )
    cuts: dict[tuple[str, date], datetime] = {}
    for van, d, t in a.back_by:
        key, at = (van, date.fromisoformat(d)), parse_datetime(t)
        cuts[key] = min(cuts.get(key, at), at)
    starts: dict[tuple[str, date], datetime] = {}
    for van, d, t in a.out_from:
        key, at = (van, date.fromisoformat(d)), parse_datetime(t)
        starts[key] = max(starts.get(key, at), at)
    return _unpinned(replace(scenario, requests=requests, roster=roster, vans=vans), moved), cuts, starts


Bounds = dict[tuple[str, date], datetime]  # (van, day) -> a time its tour must keep (naive local)


def apply_changes(
    scenario: Scenario,
    history: History,
    changes: Sequence[Change],
    now: datetime,
    tours: Mapping[tuple[str, date], Tour],
) -> tuple[Scenario, Bounds, Bounds, Amendments]:
    """The scenario as the changes leave it (cancelled requests stay in it: the plan lists them as
    unscheduled), the van-days that must come back early and those that must start late, and the
    changes as amendments for the next replan (`tours`: the old plan's, by van-day).

    An absent coach leaves the roster of every van-day whose shift the absence covers. On a van-day
    it covers in part, the coach either leaves the roster or stays for the part before or after it
    (`planner.replan.absence.partly`: whichever keeps more of the old tour); a tour already on the
    road with the coach aboard comes back when the absence begins (or now, if it began already).
    A van out of service on a day whose tour is on the road comes back now. Tours back before now
    are history: no change touches them."""
    new = {c.request: c for c in changes if c.kind in (ChangeKind.AVAILABILITY, ChangeKind.FIXED_TIME)}
    requests = tuple(
        req
        if req.id not in new
        else replace(req, availability=new[req.id].availability)
        if new[req.id].kind is ChangeKind.AVAILABILITY
        else replace(req, fixed_start=new[req.id].fixed_start)
        for req in scenario.requests
    )
    cuts: Bounds = {}
    starts: Bounds = {}

    def cut(key: tuple[str, date], at: datetime) -> None:
        cuts[key] = min(cuts.get(key, at), max(at, now))

    roster = list(scenario.roster)
    off = []
    for c in changes:
        if c.kind is not ChangeKind.ABSENT:
            continue
        for entry in [e for e in roster if e.coach == c.coach]:
            van = scenario.van(entry.van)
            first, last = (datetime.combine(entry.day, t) for t in (van.shift_start, van.shift_end))
            overlap = [(a, b) for a, b in c.absent_between() if a < last and b > first]
            key = (entry.van, entry.day)
            if not overlap or key in history.closed:
                continue
            absent = min(a for a, _ in overlap), max(b for _, b in overlap)
            tour = history.running.get(key)
            if tour is not None and c.coach in tour.crew:
                cut(key, absent[0])
                continue
            way = partly(scenario, entry, roster, tours.get(key), absent, history.stops)
            if way is Way.BEFORE:
                cut(key, absent[0])
            elif way is Way.AFTER:
                starts[key] = max(starts.get(key, absent[1]), absent[1])
            else:
                roster.remove(entry)
                off.append((entry.day.isoformat(), entry.van, entry.coach))
    vans, out = [], []
    for van in scenario.vans:
        days = set()
        for c in changes:
            for d in c.dates if c.kind is ChangeKind.VAN_UNAVAILABLE and c.van == van.id else ():
                if (van.id, d) in history.running:
                    cut((van.id, d), now)
                elif (van.id, d) not in history.closed:
                    days.add(d)
        vans.append(replace(van, unavailable=van.unavailable | days))
        out += [(van.id, d.isoformat()) for d in sorted(days - van.unavailable)]
    on = _crew_elsewhere(vans, roster, out, history, tours)
    roster += [RosterEntry(date.fromisoformat(d), van, coach, 0) for d, van, coach in on]
    week = replace(scenario, requests=requests, vans=tuple(vans), roster=tuple(roster))
    amendments = Amendments(
        cancelled=tuple((c.request, c.by) for c in changes if c.kind is ChangeKind.CANCEL),
        off_roster=tuple(off),
        van_unavailable=tuple(out),
        availability=tuple(
            (rid, windows_text(c.availability)) for rid, c in new.items() if c.kind is ChangeKind.AVAILABILITY
        ),
        fixed_start=tuple(
            (rid, f"{c.fixed_start:%Y-%m-%d %H:%M}") for rid, c in new.items() if c.fixed_start
        ),
        back_by=tuple((van, d.isoformat(), f"{at:%Y-%m-%d %H:%M}") for (van, d), at in sorted(cuts.items())),
        out_from=tuple(
            (van, d.isoformat(), f"{at:%Y-%m-%d %H:%M}") for (van, d), at in sorted(starts.items())
        ),
        on_roster=tuple(on),
    )
    return week, cuts, starts, amendments


def _crew_elsewhere(
    vans: Sequence[Van],
    roster: Sequence[RosterEntry],
    out: Sequence[tuple[str, str]],
    history: History,
    tours: Mapping[tuple[str, date], Tour],
) -> list[tuple[str, str, str]]:
    """The crew of a van out of service moves to another van of the same depot that day: all of it
    to a van that stands idle (no crew), so the tour can ride as it was; else, if the tour had
    two-person visits, each coach to the riding van with the fewest crew and a free seat, so pairs
    stay possible; never to a tour already on the road. (date, van, coach) for each move."""
    by_id = {v.id: v for v in vans}
    crew: dict[tuple[str, date], list[str]] = {}
    for e in roster:
        crew.setdefault((e.van, e.day), []).append(e.coach)
    added = []
    for van_id, text in out:
        day = date.fromisoformat(text)
        riding = {
            e.coach
            for e in roster
            if e.day == day and e.van != van_id and day not in by_id[e.van].unavailable
        }
        coaches = sorted(set(crew.get((van_id, day), ())) - riding)
        free = [
            v
            for v in vans
            if v.id != van_id
            and v.depot == by_id[van_id].depot
            and day.weekday() in v.weekdays
            and day not in v.unavailable
            and (v.id, day) not in history.running
            and (v.id, day) not in history.closed
        ]
        idle = [v for v in free if not crew.get((v.id, day)) and v.seats >= len(coaches)]
        old = tours.get((van_id, day))
        pairs = old is not None and any(stop.staff > 1 for stop in old.stops)
        for coach in coaches if idle or pairs else ():
            seats = [v for v in (idle[:1] or free) if len(crew.get((v.id, day), ())) < v.seats]
            if not seats:
                break
            target = min(seats, key=lambda v: (len(crew.get((v.id, day), ())), v.id))
            crew.setdefault((target.id, day), []).append(coach)
            added.append((text, target.id, coach))
    return added


def windows_text(windows: Sequence[WeeklyWindow]) -> str:
    """Weekly windows as requests.csv writes them: `Mo 09:00-12:00; Mi 14:00-17:00`."""
    return "; ".join(f"{WEEKDAYS_DE[w.weekday]} {w.start:%H:%M}-{w.end:%H:%M}" for w in windows)


def _merged(old: Amendments, new: Amendments) -> Amendments:
    """Earlier amendments and this replan's: a request's newest windows or fixed start wins."""

    def latest(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple({**dict(a), **dict(b)}.items())

    return Amendments(
        cancelled=old.cancelled + new.cancelled,
        off_roster=old.off_roster + new.off_roster,
        van_unavailable=old.van_unavailable + new.van_unavailable,
        availability=latest(old.availability, new.availability),
        fixed_start=latest(old.fixed_start, new.fixed_start),
        back_by=old.back_by + new.back_by,
        out_from=old.out_from + new.out_from,
        on_roster=old.on_roster + new.on_roster,
    )


def _displace(run: _Run, rid: str, why: str) -> None:
    """Free an old appointment a change makes impossible where it was, and say what caused it."""
    run.displaced.setdefault(rid, why)
    run.causes.setdefault(rid, _cause(run, rid, why))


def _cause(run: _Run, rid: str, why: str) -> str:
    """The change behind a displaced appointment: its own, or one on its old van-day; a conflict
    with other appointments is its own cause (it could have stayed, had they moved)."""
    for c in run.changes:
        if c.request == rid and c.kind in (ChangeKind.FIXED_TIME, ChangeKind.AVAILABILITY):
            return str(c.kind)
    if why == "conflict":
        return why
    tour, _ = run.kept[rid]
    for c in run.changes:
        if c.kind is ChangeKind.VAN_UNAVAILABLE and c.van == tour.van and tour.day in c.dates:
            return str(c.kind)
    for c in run.changes:
        if c.kind is ChangeKind.ABSENT and c.coach in tour.crew:
            day = (datetime.combine(tour.day, time()), datetime.combine(tour.day, time()) + timedelta(days=1))
            if any(a < day[1] and b > day[0] for a, b in c.absent_between()):
                return str(c.kind)
    return "notice" if why == "window" and run.kept[rid][1].kind == Kind.HOME_VISIT else "conflict"


def _naive(run: _Run, instant: datetime) -> datetime:
    """An aware time as naive local time of the scenario."""
    return instant.astimezone(run.week.settings.tz).replace(tzinfo=None)


def _stages(
    run: _Run,
    points: Mapping[str, Point],
    matrix_of: MatrixFn,
    geocode_why: Mapping[str, str] | None,
    params: SearchParams,
    end: float,
    travel_source: str,
) -> Plan:
    """Stage 1, and stage 2 where it places more of what matters (see the module doc)."""

    def search(placed: Mapping[str, tuple[str, date, datetime]]) -> tuple[Built, Solution]:
        for _ in range(MAX_ROUNDS):
            built, solution = _search(run, points, matrix_of, geocode_why, params, end, placed)
            if not _free_what_failed(run, built, solution) or clock.monotonic() >= end:
                break
        return built, solution

    built, solution = search({})
    plan = _plan(run, built, solution, params, travel_source)
    targets = [j for j in solution.dropped if _matters(run, built.requests[j])]
    if not targets or clock.monotonic() >= end:
        return plan
    wanted = set().union(*(built.problem.jobs[j].vehicles or () for j in targets))
    release = {
        req.id
        for req, job in zip(built.requests, built.problem.jobs, strict=True)
        if job.pinned is not None
        and job.pinned[0] in wanted
        and req.id in run.kept
        and req.id not in run.communicated
        and req.id not in run.moves
    }
    if not release:
        return plan
    before = (dict(run.displaced), set(run.untimed), dict(run.causes))
    run.released = release
    # stage 2 starts from stage 1's plan: what it freed is still where it was, until a search moves it
    built2, solution2 = search({s.request_id: (t.van, t.day, s.start) for t, s in plan.stops()})
    plan2 = _plan(run, built2, solution2, params, travel_source)
    if _key(run, plan2) < _key(run, plan):
        for rid in release:
            run.causes.setdefault(rid, "room")
        return plan2
    run.displaced, run.untimed, run.causes = before
    run.released = set()
    return plan


def _matters(run: _Run, req: Request) -> bool:
    """What stage 2 frees room for: an urgent request or a communicated appointment left out."""
    return req.priority == 1 or req.id in run.communicated


def _key(run: _Run, plan: Plan) -> tuple[int, int, int, int, int]:
    """Lexicographic quality of a plan: communicated appointments left out, communicated moved,
    urgent requests left out, old appointments moved (or left out), the search's objective."""
    where = {s.request_id: (t.van, t.day, s.start) for t, s in plan.stops()}
    old = {rid: (t.van, t.day, s.start) for rid, (t, s) in run.kept.items()}
    lost = sum(1 for rid in run.communicated if rid not in where)
    moved = sum(1 for rid in run.communicated if rid in where and where[rid] != old[rid])
    urgent = sum(
        1 for r in run.week.requests if r.priority == 1 and r.id not in where and r.id not in run.cancelled
    )
    changed = sum(1 for rid in old if where.get(rid) != old[rid])
    return lost, moved, urgent, changed, plan.objective


def _search(
    run: _Run,
    points: Mapping[str, Point],
    matrix_of: MatrixFn,
    geocode_why: Mapping[str, str] | None,
    params: SearchParams,
    end: float,
    placed: Mapping[str, tuple[str, date, datetime]],
) -> tuple[Built, Solution]:
    """Build the week with its pins (freeing pins build rejects), fit it to now, and search it from
    the old routes and, for what is not pinned, from where `placed` has it (van, day, start) if
    the job may still start there."""
    for _ in range(MAX_ROUNDS):
        built = build(_for_build(run), points, matrix_of, geocode_why)
        again = False
        for a in built.set_aside:
            rid = a.request.id
            if rid in run.history.stops:
                raise RuntimeError(f"{rid} took place before now but cannot be kept: {a.reason} {a.detail}")
            if rid in run.moves:  # the coordinator's move is impossible: the appointment stays
                _refuse(
                    run, rid, a.detail.get("why", a.reason) if a.reason == Reason.PIN_INVALID else a.reason
                )
                again = True
            elif rid in run.kept and rid not in run.free and a.reason == Reason.PIN_INVALID:
                _displace(run, rid, a.detail.get("why", "window"))
                again = True
            elif rid in run.free and rid not in run.untimed:  # not at its old time: at any time
                run.untimed.add(rid)
                again = True
        if not again:
            break
    built = _at_now(run, built)
    # start the search from the old routes: every kept appointment in place, so none is lost to a
    # search that did not find its way back to them
    routes: list[list[tuple[int, int]]] = [[] for _ in built.problem.vehicles]
    vehicle = {(vd.van, vd.day): v for v, vd in enumerate(built.van_days)}
    for j, (job, req) in enumerate(zip(built.problem.jobs, built.requests, strict=True)):
        if job.pinned is not None and (req.id in run.kept or req.id in run.history.stops):
            routes[job.pinned[0]].append((job.pinned[1], j))
        elif job.pinned is None and req.id in placed:
            van, day, at = placed[req.id]
            v, s = vehicle.get((van, day)), run.at(at)
            if v is not None and v in (job.vehicles or ()) and any(a <= s <= b for a, b in job.windows):
                routes[v].append((s, j))
    start = tuple(tuple(j for _, j in sorted(r)) for r in routes)
    return built, solve(built.problem, replace(params, start=start), deadline=end)


def _free_what_failed(run: _Run, built: Built, solution: Solution) -> bool:
    """Free the pins the search could not keep together and let displaced appointments move in
    time as well; whether anything was freed (then the week is searched again)."""
    freed = False
    for j in solution.dropped:
        rid = built.requests[j].id
        if rid in run.history.stops:
            raise RuntimeError(f"{rid} took place before now but the search could not keep it")
        if rid in run.moves:
            _refuse(run, rid, "conflict")
            freed = True
        elif built.problem.jobs[j].pinned is not None and rid in run.kept:
            _displace(run, rid, _bound(run, rid))
            freed = True
        elif rid in run.free and rid not in run.untimed:
            run.untimed.add(rid)
            freed = True
    return freed


def _bound(run: _Run, rid: str) -> str:
    """Why an old appointment the search could not keep failed: its van-day is cut short or starts
    late (the part kept cannot take it), else a conflict with other appointments."""
    tour, _ = run.kept[rid]
    key = (tour.van, tour.day)
    return "cut" if key in run.cuts else "late" if key in run.starts else "conflict"


def _for_build(run: _Run) -> Scenario:
    """The scenario `build` sees: history and kept appointments pinned where they were, freed ones
    without pins (at their old start, displaced ones at any time once that failed), nothing new
    before today, and the replan day as planning date (notice periods of new home visits count
    from it)."""
    settings = run.week.settings
    closed = {s.request_id for t in run.history.closed.values() for s in t.stops}
    requests = []
    for req in run.week.requests:
        rid = req.id
        if rid in run.cancelled or rid in closed:
            continue
        if rid in run.moves:
            van, at = run.moves[rid]
            requests.append(_pinned(run, req, van, at, rid in run.kept))
            continue
        old = run.history.stops.get(rid) or (run.kept.get(rid) if rid not in run.free else None)
        if old is not None:
            requests.append(_pinned(run, req, old[0].van, _naive(run, old[1].start), True))
            continue
        if rid in run.free:  # an old home visit keeps counting its notice from the old planning date
            req = replace(_noticed(run, req), pin_van="", pin_date=None, pin_start=None)
        if rid in run.free and rid not in run.untimed and req.fixed_start is None:
            req = replace(req, fixed_start=_naive(run, run.kept[rid][1].start))
        if req.earliest is None or req.earliest < run.now.date():
            req = replace(req, earliest=run.now.date())
        requests.append(req)
    return replace(
        run.week, requests=tuple(requests), settings=replace(settings, planning_date=run.replan_day)
    )


def _pinned(run: _Run, req: Request, van: str, start: datetime, planned: bool) -> Request:
    """The request pinned to `van` and `start` (naive local); one of the old plan (`planned`) with
    its notice as `_noticed` says."""
    req = _noticed(run, req) if planned else req
    return replace(req, pin_van=van, pin_date=start.date(), pin_start=start.time())


def _noticed(run: _Run, req: Request) -> Request:
    """A home visit of the old plan counts its notice from the old planning date, as the old plan's
    letters list did, wherever it goes now (a new home visit counts from the replan day)."""
    if req.kind is Kind.HOME_VISIT and req.notice_sent is None:
        return replace(req, notice_sent=run.week.settings.planning_date)
    return req


def _refuse(run: _Run, rid: str, why: str) -> None:
    """Give up the coordinator's move of `rid` (it stays where it was) and remember why."""
    van, at = run.moves.pop(rid)
    run.refused[rid] = {"van": van, "date": at.date().isoformat(), "time": f"{at:%H:%M}", "why": why}
    run.causes.pop(rid, None)


def _at_now(run: _Run, built: Built) -> Built:
    """The built week fitted to now: van-days that are over take nothing, a tour on the road keeps
    its departure and breaks so far (and comes back by its cut), a van-day not out yet starts now
    at the earliest, keeps its late start and its cut, and nothing new begins before now. Old
    appointments freed get their graded van-day costs."""
    p = built.problem
    now_s = run.now_s
    vehicles = list(p.vehicles)
    closed: set[int] = set()
    for v, vd in enumerate(built.van_days):
        key, veh = (vd.van, vd.day), vehicles[v]
        tour = run.history.running.get(key)
        if key in run.history.closed or (tour is None and veh.shift_end <= now_s):
            closed.add(v)
        elif tour is not None:
            vehicles[v] = _on_the_road(run, built, v, tour)
        else:
            start, end = veh.shift_start, veh.shift_end
            if key in run.starts:
                start = max(start, seconds(run.week, run.starts[key]))
            if key in run.cuts:
                end = min(end, seconds(run.week, run.cuts[key]))
            start = max(start, now_s)
            if start >= end:
                closed.add(v)
            elif (start, end) != (veh.shift_start, veh.shift_end):
                vehicles[v] = replace(veh, shift_start=start, shift_end=end, breaks=arbzg_breaks(start, end))
    jobs: list[Job] = []
    requests: list[Request] = []
    left: list[SetAside] = []
    step = _step(run, built)
    for job, req in zip(p.jobs, built.requests, strict=True):
        days = ", ".join(sorted({built.van_days[v].day.strftime("%d.%m.") for v in job.vehicles or ()}))
        if job.pinned is not None:
            if req.id not in run.history.stops and (
                job.pinned[0] in closed or job.pinned[1] - job.setup < now_s
            ):
                pin = {"van": req.pin_van, "date": str(req.pin_date), "time": f"{req.pin_start:%H:%M}"}
                left.append(_left(req, Reason.PIN_INVALID, why="window", **pin))
                continue
            jobs.append(job)
            requests.append(req)
            continue
        wins = tuple((max(a, now_s + job.setup), b) for a, b in job.windows if max(a, now_s + job.setup) <= b)
        allowed = frozenset(
            v
            for v in job.vehicles or ()
            if v not in closed
            and any(a <= vehicles[v].shift_end and b >= vehicles[v].shift_start for a, b in wins)
        )
        if not allowed:
            left.append(_left(req, Reason.NO_VAN_DAY if wins else Reason.NO_WINDOW, days=days))
            continue
        job = replace(job, windows=wins, vehicles=allowed, preferred_vehicles=job.preferred_vehicles - closed)
        if req.id in run.free:
            job = replace(
                job,
                vehicle_costs=_steps(run, req.id, built, allowed, step),
                penalty=COMMUNICATED_PENALTY
                if req.id in run.communicated
                else job.penalty * PLANNED_FACTOR + DROP_STEPS * step,
            )
        if req.priority == 1:
            job = replace(job, penalty=max(job.penalty, URGENT_PENALTY))
        jobs.append(job)
        requests.append(req)
    problem = replace(p, jobs=tuple(jobs), vehicles=tuple(vehicles))
    return replace(built, problem=problem, requests=tuple(requests), set_aside=built.set_aside + tuple(left))


def _on_the_road(run: _Run, built: Built, v: int, tour: Tour) -> Vehicle:
    """A van-day whose tour left before now: it keeps its departure and the breaks taken so far
    (later breaks not before now) and, when cut, comes back by the cut or after its last stop so
    far, with the breaks the shorter day needs."""
    veh = built.problem.vehicles[v]
    now_s = run.now_s
    last = veh.shift_end
    cut = run.cuts.get((tour.van, tour.day))
    if cut is not None:
        done = [s for s in tour.stops if s.request_id in run.history.stops]
        back = run.at(tour.depart)
        if done:
            loc = built.problem.jobs[[r.id for r in built.requests].index(done[-1].request_id)].location
            back = run.at(done[-1].departure) + int(built.problem.durations[loc, veh.end_location])
        last = min(last, max(seconds(run.week, cut), back))
    needed = veh.breaks if last == veh.shift_end else arbzg_breaks(veh.shift_start, last)
    taken = sorted(
        (run.at(b.start), run.at(b.end) - run.at(b.start)) for b in tour.breaks if b.start <= run.history.now
    )
    # a day cut so short that it needs no break drops the one taken: at its end it would be none.
    # A break taken may begin anywhere in the gap it was taken in: the search drives after a break,
    # the old plan may have driven first and waited.
    breaks = [Break(_gap_start(run, tour, t), t, d) for t, d in taken] if needed else []
    for b in needed[len(taken) :]:
        breaks.append(
            replace(b, earliest=max(b.earliest, now_s)) if max(b.earliest, now_s) <= b.latest else b
        )
    return replace(veh, shift_start=run.at(tour.depart), shift_end=last, breaks=tuple(breaks))


def _gap_start(run: _Run, tour: Tour, at: int) -> int:
    """When the crew of `tour` left its last place before the break taken at `at` (seconds)."""
    left = [run.at(s.departure) for s in tour.stops if run.at(s.departure) <= at]
    return max([run.at(tour.depart), *left])


def _step(run: _Run, built: Built) -> int:
    """The cost of one step of a move: more than placing any request that is neither urgent nor in
    the old plan gains (fewest moves come before the usual objective), at least `MOVE_STEP`."""
    gains = [
        job.penalty
        for job, req in zip(built.problem.jobs, built.requests, strict=True)
        if req.priority != 1 and req.id not in run.kept and req.id not in run.history.stops
    ]
    return max([MOVE_STEP - 1, *gains]) + 1


def _steps(
    run: _Run, rid: str, built: Built, allowed: frozenset[int], step: int
) -> tuple[tuple[int, int], ...]:
    """What serving a freed appointment costs on each van-day: nothing on its old one, then one
    `step` for the same day with one of its coaches, two for another crew that day, three for
    another day with one of its coaches, four otherwise."""
    tour, _ = run.kept[rid]
    costs = []
    for v in sorted(allowed):
        vd = built.van_days[v]
        if (vd.van, vd.day) == (tour.van, tour.day):
            continue
        steps = 1 + (0 if vd.day == tour.day else 2) + (0 if set(vd.crew) & set(tour.crew) else 1)
        costs.append((v, steps * step))
    return tuple(costs)


def _left(req: Request, reason: Reason, **detail: str) -> SetAside:
    """A request not in the plan, with its reason."""
    return SetAside(req, reason, detail)


def _plan(run: _Run, built: Built, solution: Solution, params: SearchParams, travel_source: str) -> Plan:
    """The new plan: the searched van-days, the tours back before now as they were, the cancelled
    requests, and displaced appointments that found no place, with the reason."""
    fresh = assemble(run.week, built, solution, travel_source, params.seed, params.time_limit_s)
    requests = {r.id: r for r in run.week.requests}
    tours = [
        replace(t, stops=tuple(replace(s, pinned=requests[s.request_id].pinned) for s in t.stops))
        for t in fresh.tours
    ]
    tours += run.history.closed.values()
    unscheduled = []
    for u in fresh.unscheduled:
        if u.request_id in run.displaced and u.reason in (Reason.CAPACITY, Reason.PIN_CONFLICT):
            tour, stop = run.kept[u.request_id]
            start = _naive(run, stop.start)
            detail = {"van": tour.van, "date": tour.day.isoformat(), "time": f"{start:%H:%M}"}
            u = replace(u, reason=Reason.DISPLACED, detail={**detail, "why": run.displaced[u.request_id]})
        unscheduled.append(u)
    for rid, c in run.cancelled.items():
        unscheduled.append(left_out(_left(requests[rid], Reason.CANCELLED, why=c.by)))
    plan = replace(
        fresh,
        tours=tuple(sorted(tours, key=lambda t: (t.day, t.van))),
        unscheduled=tuple(sorted(unscheduled, key=lambda u: u.request_id)),
    )
    return _versioned(plan, run.old, run)


def _versioned(plan: Plan, old: Plan, run: _Run) -> Plan:
    """`plan` as the version after `old`, made now."""
    return replace(
        plan,
        amendments=run.amendments,
        version=old.version + 1,
        previous_version=old.version,
        history_until=run.now.isoformat(sep=" ", timespec="minutes"),
        created=datetime.now(run.week.settings.tz).isoformat(timespec="seconds"),
    )


def _check(run: _Run, plan: Plan) -> list[Violation]:
    """The replan's own rules, on top of `planner.plan.validate`: history as it was, nothing new before
    now, communicated appointments where they were unless a change made that impossible, new home
    visits only where the notice period counted from the replan day is met, cut tours back in time,
    tours starting late not out before."""
    out: list[Violation] = []
    now = run.history.now
    where = {s.request_id: (t, s) for t, s in plan.stops()}
    for rid, (t, s) in run.history.stops.items():
        got = where.get(rid)
        if got is None or (got[0].van, got[0].day, got[1].start, got[1].end) != (
            t.van,
            t.day,
            s.start,
            s.end,
        ):
            out.append(Violation("history", rid, f"the stop of {t.van} {t.day} before --now was changed"))
    for (van, day), tour in run.history.closed.items():
        if tour not in plan.tours:
            out.append(Violation("history", f"{van} {day}", "the tour back before --now was changed"))
    notice = timedelta(days=run.week.settings.notice_days)
    sent = {r.id: r.notice_sent for r in run.week.requests}
    for t, s in plan.stops():
        rid = s.request_id
        if rid in run.history.stops:
            continue
        old = run.kept.get(rid)
        same = old is not None and (old[0].van, old[0].day, old[1].start) == (t.van, t.day, s.start)
        if not same and s.start - timedelta(minutes=s.setup_min) < now:
            out.append(Violation("before_now", rid, f"begins {s.start:%d.%m. %H:%M}, before --now"))
        if rid in run.communicated and not same and rid not in run.displaced and rid not in run.moves:
            out.append(Violation("communicated", rid, "moved though no change made its time impossible"))
        if (
            s.kind == Kind.HOME_VISIT
            and old is None
            and sent[rid] is None
            and t.day < run.replan_day + notice
        ):
            out.append(
                Violation("notice", rid, f"new home visit on {t.day}: notice from {run.replan_day} too late")
            )
    for (van, day), cut in run.cuts.items():
        for t in plan.tours:
            late = [
                s for s in t.stops if s.request_id not in run.history.stops and _naive(run, s.departure) > cut
            ]
            if (t.van, t.day) == (van, day) and late:
                out.append(
                    Violation(
                        "absent", f"{van} {day}", f"stops after {cut:%H:%M}, when the tour must be back"
                    )
                )
    for (van, day), start in run.starts.items():
        for t in plan.tours:
            if (t.van, t.day) == (van, day) and _naive(run, t.depart) < start:
                early = f"leaves before {start:%H:%M}, when it may start"
                out.append(Violation("absent", f"{van} {day}", early))
    return out
