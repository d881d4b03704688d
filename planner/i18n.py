"""The one catalogue of user-facing words: command line, input problems, maps, sheets and calendars.

German by default, English on request. Labels are fields of `Texts`, so a missing translation is a
type error. Messages the loader, the network and the planner raise are written in English (they
are also what logs and tests read); `message` renders them in German from the `MESSAGES` table,
and renders the German travel-source notes of plan.json in English. Kind names and what to bring
follow the job centre's directive on outreach counselling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from planner.errors import InputError, InputProblem, RulesBroken, VanplanError
from planner.scenario import WEEKDAYS_DE, WEEKDAYS_EN, Kind

if TYPE_CHECKING:
    from planner.plan.validate import Violation


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
    # the command line
    stages: dict[str, str]
    location_words: tuple[str, str, str, str]  # row, column (tables); line, key (TOML files)
    problems_found: tuple[str, str]  # one problem, several problems
    files_in: str
    travel_times: str
    time_limit_note: str
    busy_note: str
    scaled_limit_note: str
    percent: str
    hint: str
    cannot_plan: str
    summary_columns: tuple[str, ...]
    summary_counts: str
    stop_reasons: dict[str, str]
    plan_ok: str
    bad_lang: str
    bad_date: str
    not_a_coach: str
    no_tour_matches: str
    unreadable_plan: str
    out_not_ours: str
    cannot_access: str
    internal_error: str
    # vanplan replan (planner.replan)
    cancelled: str  # a calendar event the coach no longer has
    bad_now: str
    out_holds_old: str
    changes_title: str
    changes_columns: tuple[str, ...]
    no_changes: str
    version_line: str
    move_refused: str
    change_kinds: dict[str, str]  # planner.replan.diff CHANGES
    change_causes: dict[str, str]
    tell_client: dict[str, str]


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
    stages={
        "load": "Eingaben lesen",
        "geocode": "Adressen verorten",
        "network": "Straßennetz laden",
        "matrix": "Fahrzeiten berechnen",
        "search": "Touren optimieren",
        "validate": "Plan prüfen",
        "compile": "Suche wird übersetzt (nur beim ersten Lauf, bis zu einer Minute)",
    },
    location_words=("Zeile", "Spalte", "Zeile", "Schlüssel"),
    problems_found=("{n} Problem im Szenario:", "{n} Probleme im Szenario:"),
    files_in="Dateien in",
    travel_times="Fahrzeiten",
    time_limit_note=(
        "Hinweis: Die Suche endete am Zeitlimit; mit gleichem Seed kann ein erneuter Lauf leicht abweichen."
    ),
    busy_note=(
        "Hinweis: Der Rechner war ausgelastet (die Suche bekam zeitweise nur {share} eines Kerns, "
        "{workers} Suchprozess(e) nicht fertig); der Plan kann schlechter sein als sonst."
    ),
    scaled_limit_note=(
        "Zeitlimit {limit}: nach Größe der Woche ({per} je Anfrage, {low} bis {high}); "
        "festlegen mit --time-limit oder [solver] time_limit_s."
    ),
    percent="{n} %",
    hint="Hinweis",
    cannot_plan="Nicht planbar (Eingaben prüfen):",
    summary_columns=("Van", "Datum", "Besatzung", "Stopps", "Stunden", "Fahrt min", "km"),
    summary_counts=(
        "Eingeplant: {placed}/{total}, nicht eingeplant: {unscheduled} (Suche {seconds} s, {stop})"
    ),
    stop_reasons={"converged": "konvergiert", "budget": "Rechenbudget", "time_limit": "Zeitlimit"},
    plan_ok="Plan hält alle Regeln ein.",
    bad_lang="--lang muss de oder en sein, nicht {value}",
    bad_date="--date muss JJJJ-MM-TT sein, nicht {value}",
    not_a_coach="--coach {value} ist kein Coach des Szenarios",
    no_tour_matches="keine Tour des Plans passt zu --coach/--date",
    unreadable_plan="{file}: kein lesbarer Plan ({error})",
    out_not_ours=(
        "--out {folder} gibt es schon, ist aber kein Ausgabeordner von vanplan (ohne plan.json); "
        "bitte einen neuen oder leeren Ordner wählen"
    ),
    cannot_access="Kein Zugriff auf {file}: {error}",
    internal_error=(
        "Interner Fehler in vanplan (ein Programmfehler, bitte melden): {error}. "
        "Details: {log} (oder mit vanplan --debug erneut ausführen)"
    ),
    cancelled="Abgesagt",
    bad_now="--now muss JJJJ-MM-TT HH:MM sein, nicht {value}",
    out_holds_old=(
        "--out {folder} enthält Version {version}, von der aus neu geplant wird; "
        "bitte einen anderen Ordner wählen"
    ),
    changes_title="Änderungen",
    changes_columns=("Änderung", "Termin", "bisher", "neu", "Person informieren", "Coaches"),
    no_changes="Keine Termine geändert.",
    version_line="Version {version} (aus Version {previous})",
    move_refused="{request} nicht verschoben, bleibt wo er war",
    change_kinds={
        "moved": "Verschoben",
        "cancelled": "Abgesagt",
        "removed": "Entfällt",
        "added": "Neu eingeplant",
        "crew": "Andere Besatzung",
    },
    change_causes={
        "cancel": "Absage",
        "absent": "Abwesenheit in der Besatzung",
        "van_unavailable": "Van nicht verfügbar",
        "availability": "neue Verfügbarkeit der Person",
        "fixed_time": "Termin der dritten Stelle verlegt",
        "new_request": "neue Anfrage",
        "waiting_list": "aus der Warteliste nachgerückt",
        "room": "Platz für einen dringenderen Termin",
        "conflict": "kollidiert mit festen Terminen",
        "notice": "Ankündigung nicht rechtzeitig versandt",
        "move": "von der Koordination verschoben",
    },
    tell_client={"letter": "Brief", "phone": "Anruf", "public": "Aushang und Ankündigung", "": ""},
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
    stages={
        "load": "Reading input",
        "geocode": "Geocoding addresses",
        "network": "Loading road network",
        "matrix": "Computing travel times",
        "search": "Optimising tours",
        "validate": "Checking the plan",
        "compile": "Compiling the search (first run only, up to a minute)",
    },
    location_words=("row", "column", "line", "key"),
    problems_found=("{n} problem in the scenario:", "{n} problems in the scenario:"),
    files_in="files in",
    travel_times="Travel times",
    time_limit_note=(
        "Note: the search stopped at the time limit; a rerun with the same seed may differ slightly."
    ),
    busy_note=(
        "Note: the machine was busy (the search got as little as {share} of a core, "
        "{workers} search worker(s) unfinished); the plan may be worse than usual."
    ),
    scaled_limit_note=(
        "Time limit {limit}: by the week's size ({per} per request, {low} to {high}); "
        "set it with --time-limit or [solver] time_limit_s."
    ),
    percent="{n}%",
    hint="Note",
    cannot_plan="Cannot be planned (check the input):",
    summary_columns=("Van", "Date", "Crew", "Stops", "Hours", "Drive min", "km"),
    summary_counts="Placed: {placed}/{total}, unscheduled: {unscheduled} (search {seconds} s, {stop})",
    stop_reasons={"converged": "converged", "budget": "budget", "time_limit": "time limit"},
    plan_ok="The plan keeps every rule.",
    bad_lang="--lang must be de or en, not {value}",
    bad_date="--date must be YYYY-MM-DD, not {value}",
    not_a_coach="--coach {value} is not a coach of the scenario",
    no_tour_matches="no tour of the plan matches --coach/--date",
    unreadable_plan="{file}: not a readable plan ({error})",
    out_not_ours=(
        "--out {folder} exists but is not a vanplan output folder (no plan.json in it); "
        "choose a new or empty folder"
    ),
    cannot_access="Cannot access {file}: {error}",
    internal_error=(
        "Internal error in vanplan (a bug, please report it): {error}. "
        "Details: {log} (or run again with vanplan --debug)"
    ),
    cancelled="Cancelled",
    bad_now="--now must be YYYY-MM-DD HH:MM, not {value}",
    out_holds_old="--out {folder} holds version {version}, the one replanned from; choose another folder",
    changes_title="Changes",
    changes_columns=("Change", "Request", "was", "now", "Tell the client", "Coaches"),
    no_changes="No appointment changed.",
    version_line="Version {version} (from version {previous})",
    move_refused="{request} not moved, stays where it was",
    change_kinds={
        "moved": "Moved",
        "cancelled": "Cancelled",
        "removed": "Dropped",
        "added": "Added",
        "crew": "Other crew",
    },
    change_causes={
        "cancel": "cancellation",
        "absent": "a crew member is absent",
        "van_unavailable": "the van is not available",
        "availability": "the client's new availability",
        "fixed_time": "the third party moved its appointment",
        "new_request": "new request",
        "waiting_list": "moved up from the waiting list",
        "room": "room for a more urgent appointment",
        "conflict": "collides with fixed appointments",
        "notice": "the notice was not sent in time",
        "move": "moved by the coordinator",
    },
    tell_client={"letter": "letter", "phone": "phone", "public": "public notice", "": ""},
)


def texts(lang: str) -> Texts:
    """The labels for `lang` ("de" or "en"); anything else is an error, not a silent fallback."""
    if lang not in ("de", "en"):
        raise ValueError(f'language must be "de" or "en", not {lang!r}')
    return DE if lang == "de" else EN


def number(value: float, digits: int, lang: str) -> str:
    """`value` with `digits` decimals in the language's notation: 7,0 in German, 7.0 in English."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "de" else text


# (English, German) message templates; `{name}` matches any text, repeated names match the same text.
# Values of the names in _NESTED are translated through _FRAGMENTS; `n_*` values are numbers.
MESSAGES: tuple[tuple[str, str], ...] = (
    # cells of the tables (planner.input.load)
    ('"{text}" is not a whole number', '"{text}" ist keine ganze Zahl'),
    # broken rules of a plan (planner.plan.validate)
    ("van is not in the scenario", "Van ist nicht im Szenario"),
    ("tour date is not in the planning week", "Tourdatum liegt nicht in der Planungswoche"),
    ("van is not in service on this date", "Van ist an diesem Tag nicht im Dienst"),
    ("crew {crew} differs from the roster {roster}", "Besatzung {crew} weicht vom Dienstplan {roster} ab"),
    ("{crew} crew but {seats} seats", "{crew} Personen Besatzung, aber {seats} Sitze"),
    ("tour does not start at the van's depot", "Tour beginnt nicht am Depot des Vans"),
    ("tour {depart}-{back} leaves the shift", "Tour {depart}-{back} verlässt die Dienstzeit"),
    ("stop is on {day}, its tour on {tour_day}", "Stopp ist am {day}, seine Tour am {tour_day}"),
    ("planned as {planned}, requested {requested}", "geplant als {planned}, angefragt {requested}"),
    ("planned at another place than requested", "an einem anderen Ort geplant als angefragt"),
    ("lasts {lasts}, requested {minutes} min", "dauert {lasts}, angefragt {minutes} min"),
    (
        "less than {minutes} min between arrival and start",
        "weniger als {minutes} min zwischen Ankunft und Beginn",
    ),
    (
        "overrun and documentation buffer not kept",
        "Puffer für Überziehen und Dokumentation nicht eingehalten",
    ),
    ("needs {staff} staff, crew has {crew}", "braucht {staff} Personen, die Besatzung hat {crew}"),
    ("crew lacks {skills}", "der Besatzung fehlt {skills}"),
    ("{day} outside {earliest}..{latest}", "{day} außerhalb von {earliest}..{latest}"),
    ("starts {start}, fixed at {fixed}", "beginnt {start}, fest vereinbart {fixed}"),
    ("{start}-{end} outside the client's windows", "{start}-{end} außerhalb der Verfügbarkeit der Person"),
    ("pinned to {van} {day} {time}, planned otherwise", "festgelegt auf {van} {day} {time}, anders geplant"),
    ("{work} of work exceeds {minutes} min", "{work} Arbeitszeit überschreitet {minutes} min"),
    (
        "{work} of work needs 45 min break, has {pause}",
        "{work} Arbeitszeit braucht 45 min Pause, hat {pause}",
    ),
    (
        "{work} of work needs 30 min break, has {pause}",
        "{work} Arbeitszeit braucht 30 min Pause, hat {pause}",
    ),
    ("request is not in the scenario", "Anfrage ist nicht im Szenario"),
    ("request is neither in a tour nor unscheduled", "Anfrage ist weder in einer Tour noch nicht eingeplant"),
    ("unknown reason code {code}", "unbekannter Grund {code}"),
    (
        "notice sent {sent} is less than {days} days before",
        "Ankündigung vom {sent} liegt weniger als {days} Tage davor",
    ),
    ("is stop {seq} of the tour but numbered {number}", "ist Stopp {seq} der Tour, aber nummeriert {number}"),
    (
        "arrives {arrival}, before the van left at {leave}",
        "kommt {arrival} an, bevor der Van um {leave} abfuhr",
    ),
    ("{have} min available for a {need} min drive", "{have} min verfügbar für {need} min Fahrt"),
    ("break part shorter than 15 min", "Pausenteil kürzer als 15 min"),
    ("break {start} does not interrupt work", "Pause {start} unterbricht keine Arbeit"),
    ("break {start} overlaps an appointment", "Pause {start} überschneidet einen Termin"),
    ("{work} of work without a break from {start}", "{work} Arbeit ohne Pause ab {start}"),
    ("{hours} h on tour, {allowed} h allowed", "{hours} h auf Tour, {allowed} h erlaubt"),
    ("rides {n} vans on {day}", "fährt am {day} in {n} Vans"),
    ("request appears {n} times in the plan", "Anfrage steht {n}-mal im Plan"),
    ("has {count} digits, too many for a whole number", "hat {count} Ziffern, zu viele für eine ganze Zahl"),
    ("has a whole number of over 4300 digits", "enthält eine ganze Zahl mit über 4300 Ziffern"),
    ("is too large: {value}", "ist zu groß: {value}"),
    ('"{text}" is not a number', '"{text}" ist keine Zahl'),
    (
        '"{text}" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
        '"{text}" ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ)',
    ),
    ('"{text}" is not a date in the calendar', '"{text}" gibt es im Kalender nicht'),
    (
        '"{text}" is not a clock time (HH:MM, 00:00 to 23:59)',
        '"{text}" ist keine Uhrzeit (HH:MM, 00:00 bis 23:59)',
    ),
    (
        '"{text}" is not a date-time (YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM)',
        '"{text}" ist kein Zeitpunkt (JJJJ-MM-TT HH:MM oder TT.MM.JJJJ HH:MM)',
    ),
    ('"{text}" is not an ISO week like 2026-W49', '"{text}" ist keine ISO-Woche wie 2026-W49'),
    (
        '"{text}" is not a weekday (Mo Di Mi Do Fr Sa So or Mon ... Sun)',
        '"{text}" ist kein Wochentag (Mo Di Mi Do Fr Sa So oder Mon ... Sun)',
    ),
    (
        '"{text}" runs backwards; write ranges from Monday towards Sunday',
        '"{text}" läuft rückwärts; Bereiche von Montag in Richtung Sonntag schreiben',
    ),
    ('"{text}" names no weekday', '"{text}" nennt keinen Wochentag'),
    ('"{text}" is not a window like "Mo 09:00-12:00"', '"{text}" ist kein Zeitfenster wie "Mo 09:00-12:00"'),
    (
        '"{text}" does not end after it starts (a window cannot cross midnight)',
        '"{text}" endet nicht nach seinem Beginn (ein Zeitfenster kann nicht über Mitternacht gehen)',
    ),
    ('"{text}" names no window', '"{text}" nennt kein Zeitfenster'),
    ('"{text}" is not a kind ({kinds})', '"{text}" ist keine Art ({kinds})'),
    ('"{text}" is not a {what} id{hint}', '"{text}" ist keine {what}-ID{hint}'),
    ("is empty but required", "ist leer, wird aber benötigt"),
    ("is empty but required for {kind}", "ist leer, wird aber für {kind} benötigt"),
    ("{latest} is before earliest_date {earliest}", "{latest} liegt vor earliest_date {earliest}"),
    (
        "is empty but {other} is given; lat and lon go together",
        "ist leer, aber {other} ist angegeben; lat und lon gehören zusammen",
    ),
    ("no location: give lat and lon, or an address", "kein Ort: lat und lon oder eine Adresse angeben"),
    ("is only for home_visit, not {kind}", "gilt nur für home_visit, nicht für {kind}"),
    (
        "is only for van_stop (expected visitors), not for {kind}",
        "gilt nur für van_stop (erwartete Besucherzahl), nicht für {kind}",
    ),
    ("{sent} is after planning_date {planning}", "{sent} liegt nach planning_date {planning}"),
    ("{columns} go together; {missing} missing", "{columns} gehören zusammen; es fehlt: {missing}"),
    ("{day} is not in the planning week {week}", "{day} liegt nicht in der Planungswoche {week}"),
    ("{end} is not after shift_start {start}", "{end} liegt nicht nach shift_start {start}"),
    ('duplicate id "{id}" (first in row {row})', 'doppelte ID "{id}" (zuerst in Zeile {row})'),
    (
        '"{coach}" is already on the roster on {day} (row {row})',
        '"{coach}" steht am {day} schon im Dienstplan (Zeile {row})',
    ),
    (
        'van "{van}" has {seats} seats; this is crew member {n} on {day}',
        'Van "{van}" hat {seats} Sitze; das ist Besatzungsmitglied {n} am {day}',
    ),
    # files and headers
    ("is not a folder", "ist kein Ordner"),
    (
        "both {csv} and {xlsx} exist; keep one",
        "es gibt sowohl {csv} als auch {xlsx}; bitte nur eine behalten",
    ),
    ("missing: the folder needs a {file}", "fehlt: der Ordner braucht eine {file}"),
    ("missing: the folder needs {csv} or {xlsx}", "fehlt: der Ordner braucht {csv} oder {xlsx}"),
    ('is not UTF-8 text; save it as "CSV UTF-8"', 'ist kein UTF-8-Text; bitte als "CSV UTF-8" speichern'),
    ("is not UTF-8 text", "ist kein UTF-8-Text"),
    ("is empty; it needs at least a header row", "ist leer; es braucht mindestens eine Kopfzeile"),
    ("has {saw} cells but the header has {expected}", "hat {saw} Zellen, die Kopfzeile aber {expected}"),
    (
        "has {count} cell{plural} but the header has {width} (no cell for {columns}); "
        "a separator is missing or the row was cut off",
        "hat {count} Zelle{plural}, die Kopfzeile aber {width} (keine Zelle für {columns}); "
        "ein Trennzeichen fehlt oder die Zeile ist abgeschnitten",
    ),
    ('has a quote (") that is never closed', 'hat ein Anführungszeichen ("), das nie geschlossen wird'),
    ("cannot be read as UTF-16 text: {error}", "kann nicht als UTF-16-Text gelesen werden: {error}"),
    (
        "lists no {what}; at least one row is needed",
        "enthält keine {what}; mindestens eine Zeile wird benötigt",
    ),
    ("cannot be read as CSV: {error}", "kann nicht als CSV gelesen werden: {error}"),
    (
        "cannot be read as an Excel workbook: {error}",
        "kann nicht als Excel-Arbeitsmappe gelesen werden: {error}",
    ),
    ("appears more than once in the header", "steht mehrmals in der Kopfzeile"),
    ("required column is missing", "Pflichtspalte fehlt"),
    ("column {n} holds data but has no name", "Spalte {n} enthält Daten, hat aber keinen Namen"),
    ("unknown column{hint}", "unbekannte Spalte{hint}"),
    # scenario.toml (planner.input.load, planner.input.tomltable)
    ("syntax error{where}: {error}", "Syntaxfehler{where}: {error}"),
    (
        '"{text}" is not a known time zone (e.g. Europe/Berlin)',
        '"{text}" ist keine bekannte Zeitzone (z. B. Europe/Berlin)',
    ),
    ('"{text}" is not a weighting ({options})', '"{text}" ist keine Gewichtung ({options})'),
    (
        '"{text}" is not a supported language (de or en)',
        '"{text}" ist keine unterstützte Sprache (de oder en)',
    ),
    (
        "the reminder ({reminder} days before) must come after the notice ({notice} days before the visit)",
        "die Erinnerung ({reminder} Tage vorher) muss nach der Ankündigung "
        "({notice} Tage vor dem Besuch) kommen",
    ),
    ('is required, e.g. week = "2026-W49"', 'wird benötigt, z. B. week = "2026-W49"'),
    ("must be a date like 2026-11-23, got {value}", "muss ein Datum wie 2026-11-23 sein, nicht {value}"),
    ("must be [[depots]] tables", "muss aus [[depots]]-Tabellen bestehen"),
    ("at least one [[depots]] table is required", "mindestens eine [[depots]]-Tabelle wird benötigt"),
    ('duplicate depot id "{id}"', 'doppelte Dienststellen-ID "{id}"'),
    ("is required", "wird benötigt"),
    ("must be from {low} to {high}, got {value}", "muss von {low} bis {high} reichen, nicht {value}"),
    ("must be at least {low}, got {value}", "muss mindestens {low} sein, nicht {value}"),
    ("must be at most {high}, got {value}", "darf höchstens {high} sein, nicht {value}"),
    ("must be a table", "muss eine Tabelle sein"),
    ("must be an array of tables", "muss eine Liste von Tabellen sein"),
    ("must be a string in quotes, got {value}", "muss ein Text in Anführungszeichen sein, nicht {value}"),
    ("must be true or false, got {value}", "muss true oder false sein, nicht {value}"),
    ("must be a number, got {value}", "muss eine Zahl sein, nicht {value}"),
    ("must be a whole number, got {value}", "muss eine ganze Zahl sein, nicht {value}"),
    ("unknown key{hint}", "unbekannter Schlüssel{hint}"),
    (
        "must be http(s)://host[:port][/path], got {value}",
        "muss http(s)://host[:port][/pfad] sein, nicht {value}",
    ),
    # the road network and the planner
    ("depot {id} is {m} m from the road network", "Dienststelle {id} liegt {m} m vom Straßennetz entfernt"),
    ("OSM extract not found: {path}", "OSM-Auszug nicht gefunden: {path}"),
    (
        "network.{name} must be greater than 0, got {value}",
        "network.{name} muss größer als 0 sein, nicht {value}",
    ),
    ("OSM extract {path} is not readable: {error}", "OSM-Auszug {path} ist nicht lesbar: {error}"),
    (
        "OSM extract {path} has no connected drivable road network",
        "OSM-Auszug {path} hat kein zusammenhängendes befahrbares Straßennetz",
    ),
    (
        "OSM extract {path}: expected a .osm, .osm.gz or .osm.pbf file",
        "OSM-Auszug {path}: erwartet wird eine Datei .osm, .osm.gz oder .osm.pbf",
    ),
    ("OSM extract {path} has no drivable roads", "OSM-Auszug {path} hat keine befahrbaren Straßen"),
    ("cannot read OSM extract {path}: {error}", "OSM-Auszug {path} kann nicht gelesen werden: {error}"),
    ("not a vanplan plan of format {n}", "kein vanplan-Plan im Format {n}"),
    ("OpenStreetMap {name} ({n} junctions)", "OpenStreetMap {name} ({n} Knoten)"),
    (
        "Straight line × {n_detour} at {n_speed} km/h (no road network)",
        "Luftlinie × {n_detour} bei {n_speed} km/h (kein Straßennetz)",
    ),
    # maps and sheets
    (
        "no chromium to print PDFs with: install the Debian package chromium",
        "kein Chromium zum Drucken der PDFs: bitte das Debian-Paket chromium installieren",
    ),
    (
        "chromium could not print {page} to PDF: {error}",
        "Chromium konnte {page} nicht als PDF drucken: {error}",
    ),
    # vanplan generate (planner.generate)
    (
        "give both --depot-lat and --depot-lon, or neither",
        "--depot-lat und --depot-lon bitte beide angeben oder keines von beiden",
    ),
    (
        "--requests, --vans and --coaches must be at least 1",
        "--requests, --vans und --coaches müssen mindestens 1 sein",
    ),
    (
        "--mix takes four whole numbers, e.g. 35,30,20,15",
        "--mix braucht vier ganze Zahlen, z. B. 35,30,20,15",
    ),
    (
        "--week must be an ISO week like 2026-W49, not {value}",
        "--week muss eine ISO-Woche wie 2026-W49 sein, nicht {value}",
    ),
    (
        "--planning-date must be YYYY-MM-DD, not {value}",
        "--planning-date muss JJJJ-MM-TT sein, nicht {value}",
    ),
    (
        "the extract has no addresses or buildings: give --depot-lat/--depot-lon",
        "der Auszug enthält keine Adressen oder Gebäude: bitte --depot-lat/--depot-lon angeben",
    ),
    (
        "the extract has too few addresses and buildings for this many requests",
        "der Auszug enthält zu wenige Adressen und Gebäude für so viele Anfragen",
    ),
    # simulation specs
    ("not found: {path}", "nicht gefunden: {path}"),
    ("not a valid TOML file: {error}", "keine gültige TOML-Datei: {error}"),
    ("at least one [[variants]] table is required", "mindestens eine [[variants]]-Tabelle wird benötigt"),
    ('duplicate variant name "{name}"', 'doppelter Variantenname "{name}"'),
    ("needs at least one kind with a share above 0", "braucht mindestens eine Art mit einem Anteil über 0"),
    ("must be a list of {kinds}", "muss eine Liste aus {kinds} sein"),
    ('unknown depot "{depot}" (known: {known})', 'unbekannte Dienststelle "{depot}" (bekannt: {known})'),
    ('unknown depot "{depot}"', 'unbekannte Dienststelle "{depot}"'),
    ("must be after shift_start", "muss nach shift_start liegen"),
    ('"{ref}" is not a candidate site', '"{ref}" ist kein Kandidatenstandort'),
    (
        "the extract has no buildings or addresses to place clients at",
        "der Auszug enthält keine Gebäude oder Adressen, an denen Kundinnen und Kunden wohnen könnten",
    ),
    ("no proved optimum for k = {k} within {s} s", "kein bewiesenes Optimum für k = {k} innerhalb von {s} s"),
    # changes.csv and the old plan (planner.replan, planner.input.load.read_table)
    ("missing: {path} is not a file", "fehlt: {path} ist keine Datei"),
    ("not a readable plan ({error})", "kein lesbarer Plan ({error})"),
    ('"{text}" is not a change ({kinds}){hint}', '"{text}" ist keine Änderung ({kinds}){hint}'),
    (
        "is not used by a {kind} change; leave it empty",
        "wird von einer Änderung {kind} nicht gelesen; bitte leer lassen",
    ),
    (
        '"{text}" is not a request id of requests.csv{hint}',
        '"{text}" ist keine Anfrage-ID aus requests.csv{hint}',
    ),
    (
        '"{id}" is already in the plan; new_request is for rows added since',
        '"{id}" ist schon im Plan; new_request ist für seither hinzugefügte Zeilen',
    ),
    (
        '"{id}" is not in the plan; list it as new_request first',
        '"{id}" ist nicht im Plan; zuerst als new_request aufführen',
    ),
    ('"{id}" was cancelled before version {version}', '"{id}" wurde vor Version {version} abgesagt'),
    (
        '"{id}" began at {time}, before --now; history stays as it was',
        '"{id}" begann am {time}, vor --now; Vergangenes bleibt, wie es war',
    ),
    ('"{text}" is not one of {options}', '"{text}" ist keiner der Werte {options}'),
    (
        "is empty but required for availability (the client's new windows)",
        "ist leer, wird aber für availability benötigt (die neuen Zeitfenster der Person)",
    ),
    (
        "is empty but required for fixed_time (the third party's new time)",
        "ist leer, wird aber für fixed_time benötigt (die neue Uhrzeit der dritten Stelle)",
    ),
    ("{time} lies before --now {now}", "{time} liegt vor --now {now}"),
    (
        '"{id}" is a {kind}; fixed_time is for accompany and van_stop',
        '"{id}" ist {kind}; fixed_time gilt für accompany und van_stop',
    ),
    ("from and until go together", "from und until gehören zusammen"),
    ("is empty; give dates, or from and until", "ist leer; dates oder from und until angeben"),
    ("is empty; give dates", "ist leer; dates angeben"),
    (
        "give either dates or from and until, not both",
        "entweder dates oder from und until angeben, nicht beides",
    ),
    (
        "{day} is before --now {now}; history stays as it was",
        "{day} liegt vor --now {now}; Vergangenes bleibt, wie es war",
    ),
    ("{end} is not after from {start}", "{end} liegt nicht nach from {start}"),
    (
        '"{id}" has a {kind} change in row {row} already',
        '"{id}" hat schon in Zeile {row} eine Änderung {kind}',
    ),
    ('"{id}" is cancelled in row {row}', '"{id}" wird in Zeile {row} abgesagt'),
    ("plans {plan_week}, the scenario {week}", "plant {plan_week}, das Szenario {week}"),
    (
        '"{id}" of the plan is missing; to cancel it, keep its row and list it as cancel',
        '"{id}" aus dem Plan fehlt; zum Absagen die Zeile behalten und als cancel aufführen',
    ),
    (
        '"{id}" is not in the plan; list it in changes.csv as new_request',
        '"{id}" ist nicht im Plan; in changes.csv als new_request aufführen',
    ),
)

# Parts of messages: the values of these placeholder names are translated, never user text
_NESTED = frozenset({"hint", "what", "where", "week", "missing", "plural", "options"})
_FRAGMENTS: tuple[tuple[str, str], ...] = (
    (" (did you mean {name}?)", " (meinten Sie {name}?)"),
    (" (note columns start with _ or x_)", " (Spalten für Notizen beginnen mit _ oder x_)"),
    (" at column {n}", " in Spalte {n}"),
    ("{week} ({first} to {last})", "{week} ({first} bis {last})"),
    ("{first} and {second}", "{first} und {second}"),
    ("{first} or {second}", "{first} oder {second}"),
    ("van", "Van"),
    ("coach", "Coach"),
    ("depot", "Dienststellen"),
    ("vans", "Vans"),
    ("coaches", "Coaches"),
    ("s", "n"),
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def message(text: str, lang: str) -> str:
    """A message from the loader, the network or the planner in `lang`; unknown text stays as it is."""
    return _translate(text, lang, MESSAGES)


def violation_text(violation: Violation, lang: str) -> str:
    """A broken rule of a plan in `lang`: "[code] where: sentence" (code and place stay as they are)."""
    return f"[{violation.code}] {violation.where}: {message(violation.message, lang)}"


def problem_text(problem: InputProblem, lang: str) -> str:
    """One input problem, located and worded in `lang` (German: "Zeile 14, Spalte kind")."""
    return f"{problem.located(texts(lang).location_words)}: {message(problem.message, lang)}"


def error_text(error: VanplanError, lang: str) -> str:
    """What the user reads for an error: an input error lists its problems, one per line."""
    if isinstance(error, InputError):
        one, many = texts(lang).problems_found
        header = (one if len(error.problems) == 1 else many).format(n=len(error.problems))
        return "\n  ".join([header, *(problem_text(p, lang) for p in error.problems)])
    if isinstance(error, RulesBroken):
        return "\n".join(error.lines)
    return message(str(error), lang)


def _translate(text: str, lang: str, table: tuple[tuple[str, str], ...]) -> str:
    """`text` matched against the other language's templates of `table` and rendered in `lang`.

    Of several matching templates the one with the most literal text wins, so "has {n} cells but
    the header has {m}" cannot swallow the longer message that begins the same way.
    """
    source, target = (0, 1) if lang == "de" else (1, 0)
    matches = [
        (len(_PLACEHOLDER.sub("", pair[source])), pair, m)
        for pair, patterns in zip(table, _patterns(table), strict=True)
        if (m := patterns[source].fullmatch(text))
    ]
    if not matches:
        return text
    _, pair, match = max(matches, key=lambda found: found[0])
    values = {name: _value(name, value, lang) for name, value in match.groupdict().items()}
    return _PLACEHOLDER.sub(lambda m: values[m[1]], pair[target])


def _value(name: str, value: str, lang: str) -> str:
    """A placeholder's value in the target language: parts translated, numbers in its notation."""
    if name in _NESTED:
        return _translate(value, lang, _FRAGMENTS)
    if name.startswith("n_"):
        return value.replace(".", ",") if lang == "de" else value.replace(",", ".")
    return value


@cache
def _patterns(table: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    """Each template pair of a table as two regular expressions."""
    return [(_regex(en), _regex(de)) for en, de in table]


def _regex(template: str) -> re.Pattern[str]:
    """A template as a regular expression: a named group per placeholder, the rest literal."""
    parts, seen, pos = [], set(), 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos : m.start()]))
        parts.append(f"(?P={m[1]})" if m[1] in seen else f"(?P<{m[1]}>.*?)")
        seen.add(m[1])
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.DOTALL)
