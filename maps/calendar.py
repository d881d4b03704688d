"""A coach's appointments as an iCalendar file, to import into the calendar on the phone.

Times carry the plan's TZID with a VTIMEZONE so calendars show them as planned; each event's UID
depends only on the scenario and the request, so importing a revised plan updates the events.
icalendar escapes line breaks in text, so a note cannot add a property; a value that starts with
input text gets `plain_text`, as calendar programs export events to spreadsheets.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from maps.coach import coach_tours
from maps.layers import coach_name, coach_phone, van_name
from maps.text import bring_list, client_ref, clock, kind_name
from planner.i18n import Texts, texts
from planner.outputs.spreadsheet import plain_text
from planner.plan.tours import Plan, Tour
from planner.scenario import Scenario


def event_uid(plan: Plan, request_id: str) -> str:
    """The stable UID of the event of one request in one scenario."""
    scenario = re.sub(r"[^A-Za-z0-9.-]+", "-", plan.scenario).strip("-") or "plan"
    request = re.sub(r"[^A-Za-z0-9.-]+", "-", request_id)
    return f"{request}.{scenario}@vanplan"


def _created(plan: Plan) -> datetime:
    """When the plan was made (for DTSTAMP), or now if the plan does not say."""
    try:
        return datetime.fromisoformat(plan.created).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


def _tour_event(
    plan: Plan, scenario: Scenario, tour: Tour, tx: Texts, tz: ZoneInfo, stamp: datetime
) -> icalendar.Event:
    """The whole van-day from leaving the depot to returning.

    Without it the calendar would show the coach free during drives, setup and documentation.
    """
    event = icalendar.Event()
    event.add("uid", event_uid(plan, f"tour-{tour.van}-{tour.day.isoformat()}"))
    event.add("sequence", plan.version - 1)
    event.add("dtstamp", stamp)
    event.add("dtstart", tour.depart.astimezone(tz))
    event.add("dtend", tour.back.astimezone(tz))
    event.add(
        "summary", plain_text(f"{van_name(scenario, tour.van)}: {tx.leave_depot} {clock(tour.depart, tz)}")
    )
    lines = [f"{tx.leave_depot} {clock(tour.depart, tz)} · {tx.back_at_depot} {clock(tour.back, tz)}"]
    lines += [f"{clock(s.start, tz)} {kind_name(tx, s.kind)}" for s in tour.stops]
    event.add("description", "\n".join(lines))
    event.add("class", "CONFIDENTIAL")
    return event


def _cancelled(plan: Plan, uid: str, start: datetime, end: datetime, summary: str) -> icalendar.Event:
    """An event of the previous version the coach no longer has, marked cancelled under its UID,
    so the calendar program takes it out instead of keeping a stale copy."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", plan.version - 1)
    event.add("dtstamp", _created(plan))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("status", "CANCELLED")
    event.add("class", "CONFIDENTIAL")
    return event


def coach_calendar(
    plan: Plan, scenario: Scenario, coach_id: str, lang: str = "de", previous: Plan | None = None
) -> bytes:
    """The .ics text of every stop on the tours `coach_id` rides this week. Events have the
    plan's version as SEQUENCE; with the `previous` version, the appointments and van-days the
    coach had there and no longer has are included as cancelled."""
    tx = texts(lang)
    tz = ZoneInfo(plan.timezone)
    stamp = _created(plan)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//vanplan//maps//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plain_text(f"{coach_name(scenario, coach_id)} {plan.week}"))
    cal.add("x-wr-timezone", plan.timezone)
    tours = coach_tours(plan, coach_id)
    for tour in tours:
        others = [c for c in tour.crew if c != coach_id]
        call = [scenario.settings.contact] if scenario.settings.contact else []
        call += [
            f"{coach_name(scenario, c)} {coach_phone(scenario, c)}"
            for c in others
            if coach_phone(scenario, c)
        ]
        cal.add_component(_tour_event(plan, scenario, tour, tx, tz, stamp))
        for stop in tour.stops:
            client = client_ref(tx, stop, scenario.settings.show_names)
            lines = [
                f"{tx.arrival} {clock(stop.arrival, tz)} · {tx.departure} {clock(stop.departure, tz)}",
                f"{tx.van}: {van_name(scenario, tour.van)} · {tx.crew}: "
                + ", ".join(coach_name(scenario, c) for c in tour.crew),
                f"{tx.what_to_bring}: " + "; ".join(bring_list(tx, tour, stop)),
                tx.hints.get(stop.kind, ""),
                f"{tx.note}: {stop.note}" if stop.note else "",
                f"{tx.if_late}: " + " · ".join(call) if call else "",
                f"{tx.request} {stop.request_id}",
            ]
            event = icalendar.Event()
            event.add("uid", event_uid(plan, stop.request_id))
            event.add("sequence", plan.version - 1)
            event.add("dtstamp", stamp)
            event.add("dtstart", stop.start.astimezone(tz))
            event.add("dtend", stop.end.astimezone(tz))
            event.add("summary", f"{kind_name(tx, stop.kind)} · {client}")
            where = ", ".join(x for x in (stop.place, stop.address) if x) or f"{stop.lat}, {stop.lon}"
            event.add("location", plain_text(where))
            event.add("geo", (stop.lat, stop.lon))
            event.add("description", "\n".join(line for line in lines if line))
            event.add("categories", [kind_name(tx, stop.kind)])
            event.add("class", "CONFIDENTIAL")
            cal.add_component(event)
    mine = {s.request_id for t in tours for s in t.stops}
    days_out = {(t.van, t.day) for t in tours}
    for tour in coach_tours(previous, coach_id) if previous is not None else []:
        if (tour.van, tour.day) not in days_out:
            uid = event_uid(plan, f"tour-{tour.van}-{tour.day.isoformat()}")
            title = f"{tx.cancelled}: {van_name(scenario, tour.van)}"
            cal.add_component(
                _cancelled(plan, uid, tour.depart.astimezone(tz), tour.back.astimezone(tz), title)
            )
        for stop in tour.stops:
            if stop.request_id not in mine:
                client = client_ref(tx, stop, scenario.settings.show_names)
                title = f"{tx.cancelled}: {kind_name(tx, stop.kind)} · {client}"
                start, end = stop.start.astimezone(tz), stop.end.astimezone(tz)
                cal.add_component(_cancelled(plan, event_uid(plan, stop.request_id), start, end, title))
    days = [t.day for t in tours] or [scenario.settings.monday]
    cal.add_missing_timezones(
        first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
    )
    return bytes(cal.to_ical())
