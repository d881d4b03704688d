"""Why a request is not in the plan: stable reason codes and the sentences users read.

Codes are data (`unscheduled.csv`, `plan.json`); sentences are rendered per language from the
code and its detail parameters, so a plan written in German can be shown in English later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum


class Reason(StrEnum):
    """Why a request is not in the plan; the value is the code plan.json and unscheduled.csv hold."""

    NO_CREW = "no_crew"
    GEOCODE_FAILED = "geocode_failed"
    UNREACHABLE = "unreachable"
    OUTSIDE_WEEK = "outside_week"
    NOTICE_PERIOD = "notice_period"
    FIXED_OUTSIDE = "fixed_outside"
    NO_WINDOW = "no_window"
    NO_VAN_DAY = "no_van_day"
    STAFF = "staff"
    SKILLS = "skills"
    OUTSIDE_SHIFT = "outside_shift"
    PIN_INVALID = "pin_invalid"
    PIN_CONFLICT = "pin_conflict"
    CAPACITY = "capacity"
    CANCELLED = "cancelled"  # set by `vanplan replan` (planner.replan)
    DISPLACED = "displaced"  # ditto


class GeocodeWhy(StrEnum):
    """Why an address could not be placed (detail `why` of `Reason.GEOCODE_FAILED`)."""

    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    NO_INDEX = "no_index"
    SERVICE_UNAVAILABLE = "service_unavailable"
    NO_LOCATION = "no_location"


# German and English sentence per reason; the detail parameters fill the placeholders. Keyed by `Reason`,
# looked up by the codes plan files hold (plain strings equal to the members)
REASONS: dict[str, tuple[str, str]] = {
    Reason.NO_CREW: (
        "Keine Besatzung eingeteilt: in dieser Woche ist kein Van mit Besatzung unterwegs "
        "(roster.csv, Feiertage, Verfügbarkeit der Vans)",
        "No crew rostered: no van with a crew is out this week (roster.csv, holidays, van availability)",
    ),
    Reason.GEOCODE_FAILED: ("{why}: {address}", "{why}: {address}"),
    Reason.UNREACHABLE: (
        "Ort liegt {snap_m} m vom Straßennetz entfernt (außerhalb des Kartenausschnitts?)",
        "Location is {snap_m} m from the road network (outside the map extract?)",
    ),
    Reason.OUTSIDE_WEEK: (
        "Zeitraum {earliest} bis {latest} liegt außerhalb der Planungswoche",
        "Date range {earliest} to {latest} lies outside the planning week",
    ),
    Reason.NOTICE_PERIOD: (
        "Ankündigungsfrist erst am {date} erfüllt{why}",
        "Notice period only satisfied on {date}{why}",
    ),
    Reason.FIXED_OUTSIDE: (
        "Fester Termin am {date} um {time} liegt außerhalb der Verfügbarkeit, des Zeitraums oder der Woche",
        "Fixed appointment on {date} at {time} lies outside the availability, the date range or the week",
    ),
    Reason.NO_WINDOW: (
        "Keine Verfügbarkeit der Person passt in die möglichen Tage ({days})",
        "No availability window of the client fits the possible days ({days})",
    ),
    Reason.NO_VAN_DAY: (
        "An den möglichen Tagen ({days}) ist kein Van mit Besatzung unterwegs",
        "No van with a crew is out on the possible days ({days})",
    ),
    Reason.STAFF: (
        "Braucht {staff} Personen, an den möglichen Tagen fährt höchstens {crew} mit",
        "Needs {staff} staff; at most {crew} ride on the possible days",
    ),
    Reason.SKILLS: (
        "Niemand in der Besatzung an den möglichen Tagen hat: {skills}",
        "No crew on the possible days has: {skills}",
    ),
    Reason.OUTSIDE_SHIFT: (
        "Termin liegt außerhalb der Dienstzeiten oder ist in der Schicht nicht erreichbar",
        "Appointment lies outside the shifts or cannot be reached within a shift",
    ),
    Reason.PIN_INVALID: (
        "Festgelegter Termin ({van}, {date} {time}) ist nicht möglich: {why}",
        "Pinned appointment ({van}, {date} {time}) is impossible: {why}",
    ),
    Reason.PIN_CONFLICT: (
        "Festgelegter Termin kollidiert mit anderen festen Terminen oder Pausen",
        "Pinned appointment conflicts with other fixed appointments or breaks",
    ),
    Reason.CAPACITY: (
        "Keine freie Kapazität in dieser Woche (Priorität {priority}); dringendere Termine gehen vor",
        "No capacity left this week (priority {priority}); more urgent requests came first",
    ),
    Reason.CANCELLED: ("Termin abgesagt{why}", "Appointment cancelled{why}"),
    Reason.DISPLACED: (
        "Bisheriger Termin ({van}, {date} {time}) ist nicht mehr möglich: {why}; "
        "in dieser Woche ist kein anderer passender Platz frei",
        "The appointment ({van}, {date} {time}) is no longer possible: {why}; "
        "no other suitable place is free this week",
    ),
}

# The requests.csv column a reason points at (capacity and pin conflicts are about the week, not a cell)
REASON_COLUMN: dict[str, str] = {
    Reason.GEOCODE_FAILED: "address",
    Reason.UNREACHABLE: "lat/lon",
    Reason.OUTSIDE_WEEK: "earliest_date/latest_date",
    Reason.NOTICE_PERIOD: "notice_sent",
    Reason.FIXED_OUTSIDE: "fixed_start",
    Reason.NO_WINDOW: "availability",
    Reason.NO_VAN_DAY: "earliest_date/latest_date",
    Reason.STAFF: "staff",
    Reason.SKILLS: "skills",
    Reason.OUTSIDE_SHIFT: "fixed_start/availability",
    Reason.PIN_INVALID: "pin_van/pin_date/pin_start",
}

# Why geocoding failed, German and English
GEOCODE_WHY: dict[str, tuple[str, str]] = {
    GeocodeWhy.NOT_FOUND: ("Adresse nicht gefunden", "Address not found"),
    GeocodeWhy.AMBIGUOUS: (
        "Adresse mehrdeutig (Ort oder PLZ angeben)",
        "Address ambiguous (add town or postcode)",
    ),
    GeocodeWhy.NO_INDEX: ("Keine OSM-Datei für die Adresssuche", "No OSM extract to look addresses up in"),
    GeocodeWhy.SERVICE_UNAVAILABLE: ("Geocoding-Dienst nicht erreichbar", "Geocoding service unavailable"),
    GeocodeWhy.NO_LOCATION: ("Weder Koordinaten noch Adresse", "Neither coordinates nor address"),
}

PIN_WHY: dict[str, tuple[str, str]] = {
    "no_van_day": ("Van fährt an dem Tag nicht oder hat keine Besatzung", "van not out that day or no crew"),
    "shift": ("außerhalb der Dienstzeit", "outside the shift"),
    "staff": ("zu wenig Personal an Bord", "not enough staff on board"),
    "skills": ("Besatzung fehlt eine Fähigkeit", "crew lacks a skill"),
    "window": ("außerhalb der Verfügbarkeit oder Terminfrist", "outside availability or date range"),
    "travel": ("vom Depot aus nicht rechtzeitig erreichbar", "cannot be reached from the depot in time"),
    "conflict": ("kollidiert mit anderen festen Terminen", "collides with other fixed appointments"),
    "cut": (
        "die Tour muss vorher zurück sein (Abwesenheit oder Ausfall des Vans)",
        "the tour must be back before then (an absence or the van out of service)",
    ),
    "late": ("die Tour beginnt erst später (Abwesenheit)", "the tour starts later (an absence)"),
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

WHYS: dict[str, Mapping[str, tuple[str, str]]] = {
    Reason.PIN_INVALID: PIN_WHY,
    Reason.DISPLACED: PIN_WHY,
    Reason.GEOCODE_FAILED: GEOCODE_WHY,
    Reason.NOTICE_PERIOD: NOTICE_WHY,
    Reason.CANCELLED: CANCEL_WHY,
}


def sentence(code: str, detail: Mapping[str, str], lang: str = "de") -> str:
    """The user-facing sentence for a reason code in German (default) or English."""
    de, en = REASONS[code]
    text = en if lang == "en" else de
    values = {k: _localise(v, lang) for k, v in detail.items()}
    whys = WHYS.get(code, {})
    if code == Reason.GEOCODE_FAILED:
        values.setdefault("why", GeocodeWhy.NOT_FOUND)
    if code in (Reason.NOTICE_PERIOD, Reason.CANCELLED):
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
