"""Helpers that word maps, sheets and calendars; the words themselves live in `planner.i18n`.

Client references stay pseudonymous unless the coordinator switched names on.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from planner.i18n import Texts
from planner.plan.tours import Stop, Tour
from planner.reasons import REASONS, sentence
from planner.scenario import Kind


def kind_name(tx: Texts, kind: str) -> str:
    """Display name of an appointment kind; an unknown kind shows as its code."""
    return tx.kinds.get(kind, kind)


def day_label(tx: Texts, day: date) -> str:
    """Weekday and date, e.g. "Di 01.12.2026"."""
    return f"{tx.weekdays[day.weekday()]} {day.strftime(tx.date_format)}"


def clock(dt: datetime, tz: ZoneInfo) -> str:
    """Local wall-clock time HH:MM in the plan's time zone."""
    return dt.astimezone(tz).strftime("%H:%M")


def client_ref(tx: Texts, stop: Stop, show_names: bool) -> str:
    """The pseudonymous client reference, with the real name only when names are switched on."""
    if not stop.client:
        return tx.walk_in
    if show_names and stop.client_name:
        return f"{stop.client_name} ({stop.client})"
    return stop.client


def bring_list(tx: Texts, tour: Tour, stop: Stop) -> list[str]:
    """What the crew takes to a stop: the kind's items, ID at a first meeting, the request's extras.

    A meeting counts as a first one unless the client's own contact person rides this tour.
    """
    items = list(tx.bring.get(stop.kind, ()))
    if stop.kind != Kind.VAN_STOP and stop.preferred_coach not in tour.crew:
        items.append(tx.id_first_meeting)
    items += [part.strip() for part in re.split(r"[;,]", stop.bring) if part.strip()]
    return items


def buffer_text(tx: Texts, stop: Stop) -> str:
    """The stop's buffers in one line, e.g. "Ankommen 10 · Reserve 15 · Doku 15 min"."""
    return (
        f"{tx.setup} {stop.setup_min} · {tx.overrun} {stop.overrun_min} · "
        f"{tx.documentation} {stop.documentation_min} min"
    )


def reason_text(tx: Texts, code: str, detail: dict[str, str]) -> str:
    """Why a request is unscheduled, as the planner words it; an unknown code shows with its details."""
    if code in REASONS:
        return sentence(code, detail, tx.lang)
    return code + (" (" + ", ".join(f"{k}: {v}" for k, v in sorted(detail.items())) + ")" if detail else "")
