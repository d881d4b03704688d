"""User-facing words of maps, sheets and calendars: German by default, English on request.

Kind names and what to bring follow the job centre's directive on outreach counselling; client
references stay pseudonymous unless the coordinator switched names on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from planner.plan import Stop, Tour
from planner.reasons import REASONS, sentence
from planner.scenario import WEEKDAYS_DE, WEEKDAYS_EN, Kind


@dataclass(frozen=True)
class Texts:
    """All labels of one language; a field per label so a missing translation is a type error."""

    lang: str
    weekdays: tuple[str, ...]
    date_format: str
    kinds: dict[str, str]
    bring: dict[str, tuple[str, ...]]
    hints: dict[str, str]
    id_first_meeting: str
    file_day: str
    file_week: str
    day_plan: str
    week_plan: str
    my_day: str
    my_week: str
    day_sheet: str
    unscheduled: str
    depot: str
    roads: str
    places: str
    straight_lines: str
    van: str
    crew: str
    stops: str
    staff: str
    buffer: str
    setup: str
    overrun: str
    documentation: str
    arrival: str
    departure: str
    appointment: str
    client: str
    walk_in: str
    request: str
    place: str
    kind: str
    what_to_bring: str
    hints_title: str
    note: str
    leave_depot: str
    back_at_depot: str
    pause: str
    drive: str
    if_late: str
    confidential: str
    open_in_app: str
    pinned: str
    reason: str
    no_location: str
    priority: str
    none: str
    shapes: str
    cancelled: str


DE = Texts(
    lang="de",
    weekdays=WEEKDAYS_DE,
    date_format="%d.%m.%Y",
    kinds={
        Kind.HOME_VISIT: "Hausbesuch",
        Kind.WALK_AND_TALK: "Walk and Talk",
        Kind.ACCOMPANY: "Begleitung zu Dritten",
        Kind.VAN_STOP: "Beratungsmobil-Halt",
    },
    bring={
        Kind.HOME_VISIT: ("Einverständniserklärung (falls der Besuch über die Haustür hinausgeht)", "Flyer"),
        Kind.WALK_AND_TALK: ("Flyer",),
        Kind.ACCOMPANY: ("Schweigepflichtentbindung", "Terminbestätigung des Dritten"),
        Kind.VAN_STOP: ("Flyer", "Formulare und Merkblätter"),
    },
    hints={
        Kind.HOME_VISIT: (
            "In der Regel zu zweit; Wohnumfeld und Datenschutz beachten; Abbruch jederzeit möglich."
        ),
        Kind.WALK_AND_TALK: (
            "Auf Datenschutzrisiken im öffentlichen Raum hinweisen; Abbruch jederzeit möglich."
        ),
        Kind.ACCOMPANY: (
            "Der Termin beim Dritten ist fest: vorher da sein; Begleitung in der Regel bis zur Tür."
        ),
        Kind.VAN_STOP: "Anonyme Beratung muss nicht dokumentiert werden; auf Mithörende achten.",
    },
    id_first_meeting="Ausweis (erster persönlicher Kontakt: beidseitig, Erkennungszeichen vereinbaren)",
    file_day="tag",
    file_week="woche",
    day_plan="Tagesplan",
    week_plan="Wochenübersicht",
    my_day="Meine Termine",
    my_week="Meine Woche",
    day_sheet="Tagesblatt",
    unscheduled="Nicht eingeplant",
    depot="Dienststelle",
    roads="Straßen",
    places="Orte",
    straight_lines="Linien sind Luftlinien (kein Straßennetz geladen).",
    van="Fahrzeug",
    crew="Besatzung",
    stops="Termine",
    staff="Personal",
    buffer="Puffer",
    setup="Ankommen",
    overrun="Reserve",
    documentation="Doku",
    arrival="Ankunft",
    departure="Abfahrt",
    appointment="Termin",
    client="Kunde/Kundin",
    walk_in="offen für alle",
    request="Anfrage",
    place="Ort",
    kind="Art",
    what_to_bring="Mitbringen",
    hints_title="Hinweise",
    note="Notiz",
    leave_depot="Abfahrt Dienststelle",
    back_at_depot="Rückkehr Dienststelle",
    pause="Pause",
    drive="Fahrt",
    if_late="Bei Verspätung anrufen",
    confidential=(
        "Vertraulich: enthält Sozialdaten (§ 35 SGB I). Nicht liegen lassen, nach dem Einsatz vernichten."
    ),
    open_in_app="in Karten-App öffnen",
    pinned="fest vereinbart",
    reason="Grund",
    no_location="ohne Ort",
    priority="Priorität",
    none="keine",
    shapes=(
        "Form der Nummer: Kreis Hausbesuch, abgerundet Walk and Talk, eckig Begleitung, Ring Beratungsmobil"
    ),
    cancelled="Abgesagt",
)

EN = Texts(
    lang="en",
    weekdays=WEEKDAYS_EN,
    date_format="%Y-%m-%d",
    kinds={
        Kind.HOME_VISIT: "Home visit",
        Kind.WALK_AND_TALK: "Walk and Talk",
        Kind.ACCOMPANY: "Accompanying to a third party",
        Kind.VAN_STOP: "Van stop",
    },
    bring={
        Kind.HOME_VISIT: ("Consent form (if the visit goes past the front door)", "Flyers"),
        Kind.WALK_AND_TALK: ("Flyers",),
        Kind.ACCOMPANY: ("Release from confidentiality", "Third party's appointment confirmation"),
        Kind.VAN_STOP: ("Flyers", "Forms and leaflets"),
    },
    hints={
        Kind.HOME_VISIT: (
            "Two staff as a rule; mind the surroundings and data protection; may end at any time."
        ),
        Kind.WALK_AND_TALK: "Point out the data protection risks of a public place; may end at any time.",
        Kind.ACCOMPANY: "The third party's time is fixed: be there early; accompany to the door as a rule.",
        Kind.VAN_STOP: "Anonymous consultations need not be recorded; watch for people overhearing.",
    },
    id_first_meeting="ID (first personal meeting: both sides, agree on a recognition sign)",
    file_day="day",
    file_week="week",
    day_plan="Day plan",
    week_plan="Week overview",
    my_day="My appointments",
    my_week="My week",
    day_sheet="Day sheet",
    unscheduled="Not scheduled",
    depot="Office",
    roads="Roads",
    places="Places",
    straight_lines="Lines are straight lines (no road network loaded).",
    van="Van",
    crew="Crew",
    stops="Stops",
    staff="Staff",
    buffer="Buffer",
    setup="arrive",
    overrun="reserve",
    documentation="notes",
    arrival="Arrival",
    departure="Departure",
    appointment="Appointment",
    client="Client",
    walk_in="open to all",
    request="Request",
    place="Place",
    kind="Kind",
    what_to_bring="Bring",
    hints_title="Notes",
    note="Note",
    leave_depot="Leave office",
    back_at_depot="Back at office",
    pause="Break",
    drive="Drive",
    if_late="If late, call",
    confidential=(
        "Confidential: contains social data (§ 35 SGB I). Do not leave lying around; destroy after use."
    ),
    open_in_app="open in maps app",
    pinned="already agreed",
    reason="Reason",
    no_location="no location",
    priority="Priority",
    none="none",
    shapes="Number shape: circle home visit, rounded Walk and Talk, square accompanying, ring van stop",
    cancelled="Cancelled",
)


def texts(lang: str) -> Texts:
    """The labels for `lang` ("de" or "en"); anything else is an error, not a silent fallback."""
    if lang not in ("de", "en"):
        raise ValueError(f'language must be "de" or "en", not {lang!r}')
    return DE if lang == "de" else EN


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
