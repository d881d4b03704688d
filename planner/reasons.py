"""Why a request is not in the plan: stable reason codes and the sentences users read.

Codes are data (`unscheduled.csv`, `plan.json`); sentences are rendered per language from the
code and its detail parameters, so a plan written in German can be shown in English later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

REASONS: dict[str, tuple[str, str]] = {
    "no_crew": (
        "Keine Besatzung eingeteilt: in dieser Woche ist kein Van mit Besatzung unterwegs "
        "(roster.csv, Feiertage, Verfügbarkeit der Vans)",
        "No crew rostered: no van with a crew is out this week (roster.csv, holidays, van availability)",
    ),
    "geocode_failed": ("{why}: {address}", "{why}: {address}"),
    "unreachable": (
        "Ort liegt {snap_m} m vom Straßennetz entfernt (außerhalb des Kartenausschnitts?)",
        "Location is {snap_m} m from the road network (outside the map extract?)",
    ),
    "outside_week": (
        "Zeitraum {earliest} bis {latest} liegt außerhalb der Planungswoche",
        "Date range {earliest} to {latest} lies outside the planning week",
    ),
    "notice_period": (
        "Ankündigungsfrist erst am {date} erfüllt{why}",
        "Notice period only satisfied on {date}{why}",
    ),
    "fixed_outside": (
        "Fester Termin am {date} um {time} liegt außerhalb der Verfügbarkeit, des Zeitraums oder der Woche",
        "Fixed appointment on {date} at {time} lies outside the availability, the date range or the week",
    ),
    "no_window": (
        "Keine Verfügbarkeit der Person passt in die möglichen Tage ({days})",
        "No availability window of the client fits the possible days ({days})",
    ),
    "no_van_day": (
        "An den möglichen Tagen ({days}) ist kein Van mit Besatzung unterwegs",
        "No van with a crew is out on the possible days ({days})",
    ),
    "staff": (
        "Braucht {staff} Personen, an den möglichen Tagen fährt höchstens {crew} mit",
        "Needs {staff} staff; at most {crew} ride on the possible days",
    ),
    "skills": (
        "Niemand in der Besatzung an den möglichen Tagen hat: {skills}",
        "No crew on the possible days has: {skills}",
    ),
    "outside_shift": (
        "Termin liegt außerhalb der Dienstzeiten oder ist in der Schicht nicht erreichbar",
        "Appointment lies outside the shifts or cannot be reached within a shift",
    ),
    "pin_invalid": (
        "Festgelegter Termin ({van}, {date} {time}) ist nicht möglich: {why}",
        "Pinned appointment ({van}, {date} {time}) is impossible: {why}",
    ),
    "pin_conflict": (
        "Festgelegter Termin kollidiert mit anderen festen Terminen oder Pausen",
        "Pinned appointment conflicts with other fixed appointments or breaks",
    ),
    "capacity": (
        "Keine freie Kapazität in dieser Woche (Priorität {priority}); dringendere Termine gehen vor",
        "No capacity left this week (priority {priority}); more urgent requests came first",
    ),
    # set by `vanplan replan` (planner.replan)
    "cancelled": ("Termin abgesagt{why}", "Appointment cancelled{why}"),
    "displaced": (
        "Bisheriger Termin ({van}, {date} {time}) ist nicht mehr möglich: {why}; "
        "in dieser Woche ist kein anderer passender Platz frei",
        "The appointment ({van}, {date} {time}) is no longer possible: {why}; "
        "no other suitable place is free this week",
    ),
}

# The requests.csv column a reason points at (capacity and pin conflicts are about the week, not a cell)
REASON_COLUMN: dict[str, str] = {
    "geocode_failed": "address",
    "unreachable": "lat/lon",
    "outside_week": "earliest_date/latest_date",
    "notice_period": "notice_sent",
    "fixed_outside": "fixed_start",
    "no_window": "availability",
    "no_van_day": "earliest_date/latest_date",
    "staff": "staff",
    "skills": "skills",
    "outside_shift": "fixed_start/availability",
    "pin_invalid": "pin_van/pin_date/pin_start",
}

# Why geocoding failed (planner.geocode.Reason values), German and English
GEOCODE_WHY: dict[str, tuple[str, str]] = {
    "not_found": ("Adresse nicht gefunden", "Address not found"),
    "ambiguous": ("Adresse mehrdeutig (Ort oder PLZ angeben)", "Address ambiguous (add town or postcode)"),
    "no_index": ("Keine OSM-Datei für die Adresssuche", "No OSM extract to look addresses up in"),
    "service_unavailable": ("Geocoding-Dienst nicht erreichbar", "Geocoding service unavailable"),
    "no_location": ("Weder Koordinaten noch Adresse", "Neither coordinates nor address"),
}

PIN_WHY: dict[str, tuple[str, str]] = {
    "no_van_day": ("Van fährt an dem Tag nicht oder hat keine Besatzung", "van not out that day or no crew"),
    "shift": ("außerhalb der Dienstzeit", "outside the shift"),
    "staff": ("zu wenig Personal an Bord", "not enough staff on board"),
    "skills": ("Besatzung fehlt eine Fähigkeit", "crew lacks a skill"),
    "window": ("außerhalb der Verfügbarkeit oder Terminfrist", "outside availability or date range"),
    "travel": ("vom Depot aus nicht rechtzeitig erreichbar", "cannot be reached from the depot in time"),
    "conflict": ("kollidiert mit anderen festen Terminen", "collides with other fixed appointments"),
}

# Who cancelled (detail `why` of `cancelled`), as changes.csv's `by` column says
CANCEL_WHY: dict[str, tuple[str, str]] = {
    "client": (" (Terminabsage der Person)", " (cancelled by the client)"),
    "third_party": (" (von der dritten Stelle)", " (by the third party)"),
    "coordinator": (" (von der Koordination)", " (by the coordinators)"),
}


# From when a notice period that ends too late is counted (detail `sent`, `days`); "" in older plans
NOTICE_WHY: dict[str, tuple[str, str]] = {
    "sent": (
        " ({days} Tage nach der Ankündigung vom {sent})",
        " ({days} days after the notice sent on {sent})",
    ),
    "not_sent": (
        " ({days} Tage nach dem Planungstag {sent}): Ankündigung noch nicht versandt, jetzt versenden",
        " ({days} days after the planning date {sent}): the notice has not been sent, send it now",
    ),
}

WHYS = {
    "pin_invalid": PIN_WHY,
    "displaced": PIN_WHY,
    "geocode_failed": GEOCODE_WHY,
    "notice_period": NOTICE_WHY,
    "cancelled": CANCEL_WHY,
}


def sentence(code: str, detail: Mapping[str, str], lang: str = "de") -> str:
    """The user-facing sentence for a reason code in German (default) or English."""
    de, en = REASONS[code]
    text = en if lang == "en" else de
    values = {k: _localise(v, lang) for k, v in detail.items()}
    whys = WHYS.get(code, {})
    if code == "geocode_failed":
        values.setdefault("why", "not_found")
    if code in ("notice_period", "cancelled"):
        values.setdefault("why", "")
    if values.get("why") in whys:
        values["why"] = whys[values["why"]][1 if lang == "en" else 0].format_map(_Defaulting(values))
    return text.format_map(_Defaulting(values))


def _localise(value: str, lang: str) -> str:
    """ISO dates inside a detail value become German dates (14.12.2026) in German text."""
    if lang == "en":
        return value
    return _ISO_DATE.sub(lambda m: date.fromisoformat(m.group(0)).strftime("%d.%m.%Y"), value)


_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class _Defaulting(dict[str, str]):
    """Leaves a placeholder visible instead of failing when a detail is missing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
