"""The generator's numbers and texts: kind shares, buffers, the fictional staff, labels, reasons, notes.

Sampling (planner.generate.requests, planner.generate.fleet) draws from these; the simulation
(planner.simulate) shares them so that its weeks look like the generator's.
"""

from __future__ import annotations

from planner.scenario import Buffers, Kind

KIND_SHARES = {Kind.WALK_AND_TALK: 42, Kind.HOME_VISIT: 32, Kind.ACCOMPANY: 20, Kind.VAN_STOP: 6}
BUFFERS = {  # setup, documentation, overrun, travel safety %
    Kind.HOME_VISIT: Buffers(10, 15, 15, 10),
    Kind.WALK_AND_TALK: Buffers(5, 10, 15, 10),
    Kind.ACCOMPANY: Buffers(10, 10, 0, 15),
    Kind.VAN_STOP: Buffers(15, 15, 0, 10),
}
NOTICE_DAYS = 21
REMINDER_DAYS = 10
PLANNING_LEAD_DAYS = 18  # planning date before Monday: most notices in time, a few cannot be
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr")
VAN_SHIFTS = (("07:30", "16:30", 3), ("08:00", "16:00", 2))  # shift start, end, seats; cycled
DAY_HOURS = 8.5  # hours a coach works on a van-day, to turn weekly hours into rostered days
# Fictional staff: name, skills (languages: tr, ar, ru, uk; sucht = addiction counselling), weekly hours.
COACHES = (
    ("Selin Aksoy", ("tr",), 39.0),
    ("Olena Hartmann", ("ru", "uk"), 30.0),
    ("Karim Nasser", ("ar", "sucht"), 25.0),
    ("Jonas Weber", ("uk",), 20.0),
    ("Maria Schmitt", (), 19.5),
    ("Thomas Fischer", ("sucht",), 30.0),
    ("Lena Wolf", ("tr",), 25.0),
    ("Daniel Koch", (), 39.0),
)
SKILL_SHARE = 0.10
PREFERRED_SHARE = 0.40
PRIORITY_WEIGHTS = ((1, 6), (2, 17), (3, 47), (4, 20), (5, 10))
DEPOT_KINDS = ("townhall", "government", "community_centre", "social_facility")  # offices a depot may share
PUBLIC_ACCESS = ("", "yes", "public")
INDOOR_PARKING = ("underground", "multi-storey")
BLOCKED_ACCESS = frozenset({"private", "customers", "no", "permit", "delivery", "destination"})
NON_RESIDENTIAL_KEYS = ("amenity", "shop", "office", "craft", "tourism", "leisure", "healthcare", "man_made")
LABELS = {  # German names for unnamed features
    "bench": "Sitzbank",
    "cafe": "Café",
    "park": "Park",
    "square": "Platz",
    "marketplace": "Marktplatz",
    "parking": "Parkplatz",
    "townhall": "Rathaus",
    "government": "Behörde",
    "doctors": "Arztpraxis",
    "doctor": "Arztpraxis",
    "dentist": "Zahnarztpraxis",
    "clinic": "Klinik",
    "hospital": "Krankenhaus",
    "pharmacy": "Apotheke",
    "post_office": "Post",
    "bank": "Bank",
    "school": "Schule",
    "kindergarten": "Kindergarten",
    "social_facility": "Beratungsstelle",
    "community_centre": "Bürgerhaus",
}
# Third parties: opening hours for appointments (minutes of day), durations, weight, reasons.
ACCOMPANY_RULES: dict[str, tuple[tuple[tuple[int, int], ...], tuple[int, ...], int, tuple[str, ...]]] = {
    "townhall": (
        ((540, 690), (840, 900)),
        (30, 45, 60),
        4,
        ("Termin Bürgerbüro: Ummeldung", "Antrag Wohngeld abgeben", "Termin Ordnungsamt"),
    ),
    "government": (((540, 690),), (45, 60), 3, ("Termin bei der Behörde", "Vorsprache Sozialamt")),
    "doctors": (
        ((540, 690), (840, 900)),
        (45, 60, 90),
        3,
        ("Facharzttermin (Begleitung bis zur Praxis)", "Arzttermin, Attest zur Arbeitsfähigkeit"),
    ),
    "dentist": (((540, 690),), (45, 60), 1, ("Zahnarzttermin (Begleitung bis zur Praxis)",)),
    "clinic": (((540, 720),), (60, 90), 2, ("Vorgespräch Klinik", "Termin Sozialdienst der Klinik")),
    "hospital": (((540, 720),), (60, 90), 2, ("Termin Sozialdienst im Krankenhaus",)),
    "pharmacy": (((540, 870),), (30,), 1, ("Zuzahlungsbefreiung klären",)),
    "post_office": (((540, 870),), (30,), 1, ("Postident für Kontoeröffnung", "Nachsendeauftrag einrichten")),
    "bank": (((540, 720), (840, 900)), (45, 60), 2, ("Basiskonto eröffnen", "Termin Pfändungsschutzkonto")),
    "school": (((480, 780),), (45, 60), 2, ("Gespräch mit der Klassenlehrkraft", "Termin Schulsozialarbeit")),
    "kindergarten": (((510, 780),), (30, 45), 2, ("Anmeldung Kita-Platz", "Eingewöhnungsgespräch Kita")),
    "social_facility": (
        ((540, 870),),
        (60, 90),
        3,
        ("Erstgespräch Schuldnerberatung", "Termin Suchtberatung"),
    ),
    "community_centre": (((540, 870),), (60, 90), 1, ("Termin Migrationsberatung", "Bewerbungswerkstatt")),
}
OTHER_THIRD_PARTY = (((540, 840),), (45, 60), 1, ("Begleitung zum Termin",))
HOME_NOTES = (
    "Hund im Haushalt",
    "Klingel defekt, vorher anrufen",
    "seit über einem Jahr nicht erreicht",
    "mehrere Einladungen ohne Reaktion",
    "Einverständniserklärung liegt vor",
    "mobilitätseingeschränkt",
)
WALK_NOTES = (
    "Erstkontakt: Erkennungszeichen rote Mappe, Ausweis mitbringen",
    "kann jederzeit abbrechen, ruhige Strecke wählen",
    "Kinderbetreuung nur vormittags",
    "lieber draußen als im Büro",
)
BRING = (
    "Flyer Schuldnerberatung",
    "Antrag Weiterbewilligung",
    "Infoblatt Kinderbetreuung",
    "Bewerbungsmappe",
)
LANGUAGE_NOTE = "spricht wenig Deutsch"
