"""Tables written next to plan.json: tours, unscheduled requests with reasons, home-visit letters.

Column names are stable English identifiers (docs/output.md); the sentences inside cells follow
the chosen language (German by default).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from planner.outputs.spreadsheet import write_csv
from planner.plan.tours import Plan
from planner.reasons import sentence
from planner.scenario import Kind, Scenario

TOUR_COLUMNS = [
    "van", "date", "coaches", "sequence", "request_id", "kind", "client", "place", "address", "lat", "lon",
    "arrival", "start", "end", "departure", "drive_min", "km", "staff", "priority", "pinned",
]  # fmt: skip


def tours_table(plan: Plan) -> pd.DataFrame:
    """A row per stop, in tour order."""
    rows = [
        {
            "van": t.van,
            "date": t.day.isoformat(),
            "coaches": ";".join(t.crew),
            "sequence": s.sequence,
            "request_id": s.request_id,
            "kind": s.kind,
            "client": s.client,
            "place": s.place,
            "address": s.address,
            "lat": s.lat,
            "lon": s.lon,
            "arrival": f"{s.arrival:%H:%M}",
            "start": f"{s.start:%H:%M}",
            "end": f"{s.end:%H:%M}",
            "departure": f"{s.departure:%H:%M}",
            "drive_min": s.drive_min,
            "km": s.drive_km,
            "staff": s.staff,
            "priority": s.priority,
            "pinned": s.pinned,
        }
        for t, s in plan.stops()
    ]
    return pd.DataFrame(rows, columns=TOUR_COLUMNS)


def unscheduled_table(plan: Plan, lang: str = "de") -> pd.DataFrame:
    """Every request not in a tour, with its reason code and the sentence a coordinator reads."""
    rows = [
        {
            "request_id": u.request_id,
            "kind": u.kind,
            "client": u.client,
            "priority": u.priority,
            "reason": u.reason,
            "message": sentence(u.reason, u.detail, lang),
            "row": u.row,
        }
        for u in plan.unscheduled
    ]
    return pd.DataFrame(
        rows, columns=["request_id", "kind", "client", "priority", "reason", "message", "row"]
    )


def letters_table(plan: Plan, scenario: Scenario, lang: str = "de") -> pd.DataFrame:
    """Home visits: the latest date to send the written notice, the reminder date, and what to do;
    a letter whose date lies before the planning date is `overdue` and becomes a phone call."""
    s = scenario.settings
    sent = {r.id: r.notice_sent for r in scenario.requests}
    rows = []
    for t, stop in plan.stops():
        if stop.kind != Kind.HOME_VISIT.value:
            continue
        visit: date = stop.start.date()
        already = sent.get(stop.request_id)
        latest = visit - timedelta(days=s.notice_days)
        reminder = visit - timedelta(days=s.reminder_days)
        todo, when = _next_letter(already, latest, reminder, s.planning_date)
        rows.append(
            {
                "request_id": stop.request_id,
                "client": stop.client,
                "visit_date": visit.isoformat(),
                "visit_start": f"{stop.start:%H:%M}",
                "van": t.van,
                "notice_sent": already.isoformat() if already else "",
                "notice_latest": latest.isoformat(),
                "reminder_date": reminder.isoformat(),
                "overdue": todo if todo in OVERDUE else "",
                "action": _letter_action(todo, when, lang),
            }
        )
    columns = ["request_id", "client", "visit_date", "visit_start", "van", "notice_sent", "notice_latest",
               "reminder_date", "overdue", "action"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


OVERDUE = ("notice", "reminder")  # values of letters.csv's `overdue` column besides ""

_LETTER_ACTIONS: dict[str, tuple[str, str]] = {
    "send_notice": ("Ankündigung spätestens am {when} versenden", "Send the notice by {when}"),
    "send_reminder": (
        "Ankündigung versandt; Erinnerung am {when} senden",
        "Notice sent; send the reminder on {when}",
    ),
    "notice": (
        "Ankündigung überfällig (Frist {when} verpasst): Termin telefonisch absprechen oder verschieben",
        "Notice overdue (was due by {when}): agree the visit by phone or move it",
    ),
    "reminder": (
        "Erinnerung überfällig (war am {when} fällig): bitte telefonisch erinnern",
        "Reminder overdue (was due on {when}): remind the client by phone",
    ),
}


def _next_letter(already: date | None, latest: date, reminder: date, today: date) -> tuple[str, date]:
    """The visit's next letter (the notice if not sent, else the reminder) and its date; one whose
    date lies before `today` (the planning date) is overdue ("notice" or "reminder")."""
    if not already:
        return ("notice" if latest < today else "send_notice"), latest
    return ("reminder" if reminder < today else "send_reminder"), reminder


def _letter_action(todo: str, when: date, lang: str) -> str:
    """The sentence in `action`: what the coordinator does about the next letter, in the language."""
    de, en = _LETTER_ACTIONS[todo]
    if lang == "de":
        return de.format(when=when.strftime("%d.%m.%Y"))
    return en.format(when=when.isoformat())


def write_tables(plan: Plan, scenario: Scenario, out: Path, lang: str = "de") -> list[Path]:
    """Write plan.json, tours.csv, unscheduled.csv and letters.csv into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "plan.json", out / "tours.csv", out / "unscheduled.csv", out / "letters.csv"]
    plan.write(written[0])  # exact text: programs read it
    write_csv(tours_table(plan), written[1])  # the tables are opened in spreadsheets: no formulas
    write_csv(unscheduled_table(plan, lang), written[2])
    write_csv(letters_table(plan, scenario, lang), written[3])
    return written
