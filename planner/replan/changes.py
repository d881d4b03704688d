"""changes.csv: what happened since a plan was made (docs/input.md, "changes.csv").

Read and checked exactly like the scenario's own tables (`planner.load.read_table`), so every
problem names file, row and column. The checks that need the old plan and `--now` are made here
too: a change may not rewrite history, a new request must be in requests.csv and not yet in the
plan, and every row of requests.csv must either be in the plan or be listed as a new request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from planner.errors import InputError, InputProblem
from planner.load import (
    TableRow,
    parse_availability,
    parse_dates,
    parse_datetime,
    read_table,
)
from planner.plan import Plan
from planner.replan.history import begun, split
from planner.scenario import Kind, ReadNotice, Scenario, WeeklyWindow
from planner.tomltable import did_you_mean


class ChangeKind(StrEnum):
    """The things that happen to a planned week, and the coordinator's move of one appointment."""

    CANCEL = "cancel"
    ABSENT = "absent"
    VAN_UNAVAILABLE = "van_unavailable"
    NEW_REQUEST = "new_request"
    AVAILABILITY = "availability"
    FIXED_TIME = "fixed_time"
    MOVE = "move"


CANCELLED_BY = ("client", "third_party", "coordinator")
REQUIRED = ("change",)
OPTIONAL = ("request", "by", "coach", "van", "dates", "from", "until", "availability", "fixed_start", "note")
# the columns each kind of change reads (besides `change` and `note`); any other filled cell is an error
USES: dict[ChangeKind, tuple[str, ...]] = {
    ChangeKind.CANCEL: ("request", "by"),
    ChangeKind.ABSENT: ("coach", "dates", "from", "until"),
    ChangeKind.VAN_UNAVAILABLE: ("van", "dates"),
    ChangeKind.NEW_REQUEST: ("request",),
    ChangeKind.AVAILABILITY: ("request", "availability"),
    ChangeKind.FIXED_TIME: ("request", "fixed_start"),
    ChangeKind.MOVE: ("request", "van", "fixed_start"),
}


@dataclass(frozen=True)
class Change:
    """One row of changes.csv. Times are naive local times, like `fixed_start` in requests.csv."""

    kind: ChangeKind
    row: int
    request: str = ""
    by: str = ""  # cancel: who cancelled (CANCELLED_BY)
    coach: str = ""
    van: str = ""
    dates: frozenset[date] = frozenset()  # absent, van_unavailable: whole days
    start: datetime | None = None  # absent: from
    end: datetime | None = None  # absent: until
    availability: tuple[WeeklyWindow, ...] = ()
    fixed_start: datetime | None = None
    note: str = ""

    def absent_between(self) -> list[tuple[datetime, datetime]]:
        """An absence as intervals of local time: each whole date, or from..until."""
        if self.start is not None and self.end is not None:
            return [(self.start, self.end)]
        midnight = datetime.min.time()
        return [
            (datetime.combine(d, midnight), datetime.combine(d + timedelta(days=1), midnight))
            for d in sorted(self.dates)
        ]


def load_changes(path: Path, scenario: Scenario, plan: Plan, now: datetime) -> tuple[Change, ...]:
    """Read and check `path` against the scenario, the old plan and `now` (naive local time); raise
    one `InputError` listing every problem, in changes.csv, requests.csv or the plan alike."""
    problems: list[InputProblem] = []
    notices: list[ReadNotice] = []
    rows = read_table(path, REQUIRED, OPTIONAL, problems, notices)
    changes = [c for row in rows or [] if (c := _change(row, scenario, plan, now)) is not None]
    _check_together(path.name, changes, problems)
    _check_plan_matches(scenario, plan, changes, problems)
    if problems:
        raise InputError(problems)
    return tuple(changes)


def _change(row: TableRow, scenario: Scenario, plan: Plan, now: datetime) -> Change | None:
    """One row as a `Change`, or None when it has problems (recorded in the row)."""
    text = row.text("change")
    try:
        kind = ChangeKind(text.strip().casefold())
    except ValueError:
        row.problem(
            "change", f'"{text}" is not a change ({", ".join(ChangeKind)}){did_you_mean(text, ChangeKind)}'
        )
        return None
    for column in OPTIONAL:
        if column != "note" and column not in USES[kind] and row.text(column):
            row.problem(column, f"is not used by a {kind} change; leave it empty")
    history = split(plan, now.replace(tzinfo=scenario.settings.tz))
    requests = {r.id: r for r in scenario.requests}
    planned = {s.request_id for _, s in plan.stops()} | {u.request_id for u in plan.unscheduled}
    rid = row.text("request")
    if "request" in USES[kind]:
        if not rid:
            row.problem("request", f"is empty but required for {kind}")
        elif rid not in requests:
            row.problem(
                "request", f'"{rid}" is not a request id of requests.csv{did_you_mean(rid, requests)}'
            )
        elif kind is ChangeKind.NEW_REQUEST and rid in planned:
            row.problem("request", f'"{rid}" is already in the plan; new_request is for rows added since')
        elif kind is not ChangeKind.NEW_REQUEST and rid not in planned:
            row.problem("request", f'"{rid}" is not in the plan; list it as new_request first')
        elif rid in dict(plan.amendments.cancelled):
            row.problem("request", f'"{rid}" was cancelled before version {plan.version}')
        elif (done := history.done(rid)) is not None:
            row.problem(
                "request",
                f'"{rid}" began at {begun(done):%d.%m.%Y %H:%M}, before --now; history stays as it was',
            )
    by = row.text("by").casefold() or "client"
    if kind is ChangeKind.CANCEL and by not in CANCELLED_BY:
        row.problem("by", f'"{row.text("by")}" is not one of {", ".join(CANCELLED_BY)}')
    coach, van = row.text("coach"), row.text("van")
    if kind is ChangeKind.ABSENT:
        _known(row, "coach", coach, {c.id for c in scenario.coaches}, "coach")
    if kind in (ChangeKind.VAN_UNAVAILABLE, ChangeKind.MOVE):
        _known(row, "van", van, {v.id for v in scenario.vans}, "van")
    dates = row.get("dates", parse_dates) or frozenset()
    start, end = row.get("from", parse_datetime), row.get("until", parse_datetime)
    if kind in (ChangeKind.ABSENT, ChangeKind.VAN_UNAVAILABLE):
        _check_when(row, kind, dates, start, end, scenario, now)
    availability = row.get("availability", parse_availability) or ()
    if kind is ChangeKind.AVAILABILITY and not row.text("availability"):
        row.problem("availability", "is empty but required for availability (the client's new windows)")
    fixed = row.get("fixed_start", parse_datetime)
    if kind in (ChangeKind.FIXED_TIME, ChangeKind.MOVE):
        req = requests.get(rid)
        if not row.text("fixed_start"):
            what = "the third party's new time" if kind is ChangeKind.FIXED_TIME else "the new start"
            row.problem("fixed_start", f"is empty but required for {kind} ({what})")
        elif fixed is not None and fixed < now:
            row.problem("fixed_start", f"{fixed:%d.%m.%Y %H:%M} lies before --now {now:%d.%m.%Y %H:%M}")
        if (
            kind is ChangeKind.FIXED_TIME
            and req is not None
            and req.kind not in (Kind.ACCOMPANY, Kind.VAN_STOP)
        ):
            row.problem("request", f'"{rid}" is a {req.kind}; fixed_time is for accompany and van_stop')
    if row.failed:
        return None
    return Change(kind, row.number, rid, by if kind is ChangeKind.CANCEL else "", coach, van, dates, start,
                  end, availability, fixed, row.text("note"))  # fmt: skip


def _known(row: TableRow, column: str, value: str, ids: set[str], what: str) -> None:
    """A required id that must exist in the scenario."""
    if not value:
        row.problem(column, "is empty but required")
    elif value not in ids:
        row.problem(column, f'"{value}" is not a {what} id{did_you_mean(value, ids)}')


def _check_when(
    row: TableRow,
    kind: ChangeKind,
    dates: frozenset[date],
    start: datetime | None,
    end: datetime | None,
    scenario: Scenario,
    now: datetime,
) -> None:
    """Whole dates (or, for an absence, from..until) in the week and not all before `now`."""
    if kind is ChangeKind.ABSENT and (start is None) != (end is None):
        row.problem("until" if end is None else "from", "from and until go together")
    spans = bool(start and end)
    absent = kind is ChangeKind.ABSENT
    if not dates and not spans and not row.failed:
        row.problem("dates", "is empty; give dates, or from and until" if absent else "is empty; give dates")
    if dates and spans:
        row.problem("dates", "give either dates or from and until, not both")
    week = scenario.settings.days
    for d in sorted(dates):
        if d not in week:
            row.problem(
                "dates", f"{d} is not in the planning week {scenario.settings.week} ({week[0]} to {week[-1]})"
            )
        elif d < now.date():
            row.problem("dates", f"{d} is before --now {now:%d.%m.%Y %H:%M}; history stays as it was")
    if start and end:
        if end <= start:
            row.problem("until", f"{end:%d.%m.%Y %H:%M} is not after from {start:%d.%m.%Y %H:%M}")
        elif end <= now:
            row.problem(
                "until", f"{end:%d.%m.%Y %H:%M} is before --now {now:%d.%m.%Y %H:%M}; history stays as it was"
            )


def _check_together(file: str, changes: Sequence[Change], problems: list[InputProblem]) -> None:
    """At most one change of a kind per request; a cancelled request has no other change."""
    seen: dict[tuple[str, ChangeKind], int] = {}
    cancelled = {c.request: c.row for c in changes if c.kind is ChangeKind.CANCEL}
    for c in changes:
        if not c.request:
            continue
        key = (c.request, c.kind)
        if key in seen:
            problems.append(
                InputProblem(
                    file, c.row, "request", f'"{c.request}" has a {c.kind} change in row {seen[key]} already'
                )
            )
        seen.setdefault(key, c.row)
        if c.kind is not ChangeKind.CANCEL and c.request in cancelled:
            problems.append(
                InputProblem(
                    file, c.row, "request", f'"{c.request}" is cancelled in row {cancelled[c.request]}'
                )
            )


def _check_plan_matches(
    scenario: Scenario, plan: Plan, changes: Sequence[Change], problems: list[InputProblem]
) -> None:
    """The plan belongs to the scenario's week, every planned request is still in requests.csv, and
    every row added to requests.csv since is listed as a new request."""
    if plan.week != scenario.settings.week:
        problems.append(
            InputProblem(
                "plan.json", None, "week", f"plans {plan.week}, the scenario {scenario.settings.week}"
            )
        )
        return
    requests = {r.id: r for r in scenario.requests}
    planned = {s.request_id for _, s in plan.stops()} | {u.request_id for u in plan.unscheduled}
    for rid in sorted(planned - set(requests)):
        message = f'"{rid}" of the plan is missing; to cancel it, keep its row and list it as cancel'
        problems.append(InputProblem("requests.csv", None, "id", message))
    new = {c.request for c in changes if c.kind is ChangeKind.NEW_REQUEST}
    for req in scenario.requests:
        if req.id not in planned and req.id not in new:
            message = f'"{req.id}" is not in the plan; list it in changes.csv as new_request'
            problems.append(InputProblem("requests.csv", req.row, "id", message))
