"""Maps, coach pages, day sheets and calendars rendered from a hand-made plan and a fake network."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import folium
import icalendar
import pytest

from maps.calendar import coach_calendar, event_uid
from maps.coach import coach_page, phone_links
from maps.day import day_map
from maps.offline import external_urls, leaflet_css, leaflet_js
from maps.render import coach_file_names, file_names, render_all
from maps.sheets import day_sheet
from maps.text import bring_list
from maps.week import week_map
from planner.i18n import texts
from planner.plan.tours import BreakTime, Plan, Stop, Tour, Unscheduled
from planner.scenario import (
    Buffers,
    Coach,
    Depot,
    Kind,
    NetworkSettings,
    Point,
    RosterEntry,
    Scenario,
    Settings,
    Van,
)

TZ = ZoneInfo("Europe/Berlin")
DAY1 = date(2026, 12, 1)
DAY2 = date(2026, 12, 2)
TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
BIN = Point(50.0167, 11.5011)
BT = Point(49.9456, 11.5713)


@dataclass
class FakeNetwork:
    """A network with a bent line per leg, a few roads around Bindlach and one village name."""

    source: str = "fake"
    is_road: bool = True

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[list[Point]]:
        """A kink north of the midpoint, so a drawn route is told apart from a straight line."""
        return [
            [a, Point(round((a.lat + b.lat) / 2 + 0.00123, 5), round((a.lon + b.lon) / 2, 5)), b]
            for a, b in legs
        ]

    def roads(self) -> list[tuple[str, list[Point]]]:
        """Three roads near the stops and one far away that must be clipped."""
        return [
            ("primary", [BIN, BT]),
            ("residential", [Point(50.02, 11.49), Point(50.03, 11.52)]),
            ("motorway_link", [Point(49.99, 11.55), Point(50.0, 11.6)]),
            ("track", [Point(48.0, 9.0), Point(48.01, 9.01)]),
        ]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Around the stops."""
        return 49.9, 11.4, 50.1, 11.7

    def places(self) -> list[tuple[str, Point]]:
        """One village inside, one outside."""
        return [("Bindlach", Point(50.02, 11.505)), ("Fernweiler", Point(48.0, 9.0))]


def at(day: date, hh: int, mm: int) -> datetime:
    """A Berlin local time."""
    return datetime.combine(day, time(hh, mm), TZ)


def stop(
    seq: int, rid: str, kind: Kind, client: str, day: date, hh: int, mm: int, lat: float, lon: float
) -> Stop:
    """A stop of 60 minutes with 10/15/15 minutes of buffers."""
    start = at(day, hh, mm)
    return Stop(
        sequence=seq,
        request_id=rid,
        kind=kind,
        client=client,
        lat=lat,
        lon=lon,
        place=f"Treffpunkt {rid}",
        address=f"Hauptstraße {seq}, 95463 Bindlach",
        arrival=start - timedelta(minutes=10),
        start=start,
        end=start + timedelta(minutes=60),
        departure=start + timedelta(minutes=90),
        drive_min=12.0,
        drive_km=8.4,
        staff=2 if kind == Kind.HOME_VISIT else 1,
        setup_min=10,
        overrun_min=15,
        documentation_min=15,
        bring="Antrag WBA; Stift" if rid == "R-01" else "",
        note="Hund im Haus" if rid == "R-01" else "",
        client_name=f"Name {client}" if client else "",
        preferred_coach="C1" if rid == "R-02" else "",
    )


def tour(van: str, day: date, crew: tuple[str, ...], depot: Point, stops: tuple[Stop, ...]) -> Tour:
    """A tour from 08:00 to 16:00 with a lunch break."""
    return Tour(
        van=van,
        day=day,
        crew=crew,
        depot="JC-BIN" if depot == BIN else "JC-BT",
        depot_lat=depot.lat,
        depot_lon=depot.lon,
        depart=at(day, 8, 0),
        back=at(day, 16, 0),
        stops=stops,
        breaks=(BreakTime(at(day, 12, 0), at(day, 12, 30)),),
        return_drive_min=20.0,
        return_km=15.0,
    )


def sample_plan() -> Plan:
    """2 vans, 2 days, 6 stops, 2 unscheduled requests; read back from JSON like plan.json."""
    tours = (
        tour(
            "V1",
            DAY1,
            ("C1", "C2"),
            BIN,
            (
                stop(1, "R-01", Kind.HOME_VISIT, "K-1001", DAY1, 9, 0, 50.03, 11.52),
                stop(2, "R-02", Kind.WALK_AND_TALK, "K-1002", DAY1, 10, 45, 50.05, 11.47),
            ),
        ),
        tour(
            "V2",
            DAY1,
            ("C3",),
            BT,
            (
                stop(1, "R-10", Kind.ACCOMPANY, "K-2010", DAY1, 9, 30, 49.95, 11.6),
                stop(2, "R-11", Kind.VAN_STOP, "", DAY1, 13, 0, 49.97, 11.63),
            ),
        ),
        tour(
            "V1",
            DAY2,
            ("C1",),
            BIN,
            (stop(1, "R-03", Kind.WALK_AND_TALK, "K-1003", DAY2, 9, 15, 50.04, 11.45),),
        ),
        tour(
            "V2",
            DAY2,
            ("C3",),
            BT,
            (stop(1, "R-12", Kind.WALK_AND_TALK, "K-2012", DAY2, 14, 0, 49.93, 11.55),),
        ),
    )
    unscheduled = (
        Unscheduled(
            "R-20", Kind.HOME_VISIT, "K-3020", "notice_period", {"date": "2026-12-14"}, 50.06, 11.58, 1
        ),
        Unscheduled(
            "R-21", Kind.WALK_AND_TALK, "K-3021", "geocode_failed", {"address": "Am Bach 9"}, None, None
        ),
    )
    plan = Plan(
        scenario="Bayreuth-Nord Test",
        week="2026-W49",
        timezone="Europe/Berlin",
        tours=tours,
        unscheduled=unscheduled,
        travel_source="fake",
        seed=1,
        time_limit_s=5.0,
        created="2026-11-23T08:00:00+01:00",
    )
    return Plan.from_json(plan.to_json())


def sample_scenario(**settings: object) -> Scenario:
    """The scenario the sample plan belongs to; keyword arguments replace settings."""
    base = Settings(
        name="Bayreuth-Nord Test",
        week="2026-W49",
        timezone="Europe/Berlin",
        depots=(
            Depot("JC-BIN", "Jobcenter-Außenstelle Bindlach", BIN, "Rathausplatz 1, 95463 Bindlach"),
            Depot("JC-BT", "Jobcenter Bayreuth", BT, "Markgrafenallee 1, 95448 Bayreuth"),
        ),
        network=NetworkSettings(),
        buffers={k: Buffers() for k in Kind},
        planning_date=date(2026, 11, 23),
        contact="Koordination: 0921 123456",
    )
    week = frozenset(range(5))
    return Scenario(
        folder=Path("."),
        settings=replace(base, **settings),  # type: ignore[arg-type]
        requests=(),
        vans=(
            Van("V1", "JC-BIN", week, time(7, 30), time(17, 0), 3, name="Beratungsmobil Nord"),
            Van("V2", "JC-BT", week, time(7, 30), time(17, 0), 3, name="Beratungsmobil Süd"),
        ),
        coaches=(
            Coach("C1", "Anna Albers", phone="0171 1111111"),
            Coach("C2", "Ben Brandt", phone="0171 2222222"),
            Coach("C3", "Cem Celik", phone="0171 3333333"),
        ),
        roster=(
            RosterEntry(DAY1, "V1", "C1", 2),
            RosterEntry(DAY1, "V1", "C2", 3),
            RosterEntry(DAY1, "V2", "C3", 4),
            RosterEntry(DAY2, "V1", "C1", 5),
            RosterEntry(DAY2, "V2", "C3", 6),
        ),
    )


def request_ids(plan: Plan, coach: str | None = None, riding: bool = True) -> set[str]:
    """Ids and client references of the stops on tours that `coach` rides (or does not ride)."""
    found = set()
    for t in plan.tours:
        if coach is None or (coach in t.crew) == riding:
            found |= {s.request_id for s in t.stops} | {s.client for s in t.stops if s.client}
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """All German outputs of the sample plan."""
    out = tmp_path_factory.mktemp("out")
    return render_all(sample_plan(), sample_scenario(), FakeNetwork(), out)


def plain(page: str) -> str:
    """The page with JSON unicode escapes undone, so text inside scripts can be searched."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda hit: chr(int(hit.group(1), 16)), page)


def count(pattern: str, text: str) -> int:
    """How often a regular expression matches."""
    return len(re.findall(pattern, text))


def test_day_map_draws_a_route_line_per_leg_and_a_marker_per_stop() -> None:
    page = plain(day_map(sample_plan(), sample_scenario(), FakeNetwork(), DAY1))
    assert count(r'"className": "vp-route"', page) == (2 + 1) + (2 + 1)
    assert count(r'"className": "vp-stop"', page) == 4
    assert count(r'"className": "vp-depot"', page) == 2
    # the fake road path from the depot to stop 1, with its kink
    assert "[50.0167, 11.5011], [50.02458, 11.51055], [50.03, 11.52]" in page
    assert page.count("L.featureGroup(") == 2 + 1  # a layer per van, and the place names
    assert "L.control.layers(" in page
    assert '"zoomSnap": 0.25' in page and ".fitBounds(" in page
    assert "© OpenStreetMap contributors" in page
    assert "K-1001" in page and "Name K-1001" not in page
    assert "Beratungsmobil Nord" in page and "Cem Celik" in page
    assert "R-03" not in page  # a stop of the other day


def test_day_map_background_is_clipped_roads_by_class() -> None:
    page = plain(day_map(sample_plan(), sample_scenario(), FakeNetwork(), DAY1))
    assert '"highway": "primary"' in page and '"highway": "motorway"' in page
    assert "[9.0, 48.0]" not in page and "Fernweiler" not in page
    assert "Bindlach</span>" in page
    assert "Luftlinien" not in page
    straight = day_map(sample_plan(), sample_scenario(), FakeNetwork(is_road=False), DAY1)
    assert "Luftlinien" in straight


def test_week_map_has_a_layer_per_day_and_the_unscheduled_with_reasons() -> None:
    page = plain(week_map(sample_plan(), sample_scenario(), FakeNetwork()))
    assert "Di 01.12.2026 (4)" in page and "Mi 02.12.2026 (2)" in page
    assert "Nicht eingeplant (2)" in page
    assert count(r'"className": "vp-route"', page) == 6 + 2 + 2
    assert count(r'"className": "vp-stop"', page) == 6
    assert count(r'"className": "vp-unscheduled"', page) == 1
    assert "Ankündigungsfrist erst am 14.12.2026 erfüllt" in page
    assert '<td class="vp-nw">R-21</td>' in page and "Adresse nicht gefunden: Am Bach 9 (ohne Ort)" in page
    english = plain(week_map(sample_plan(), sample_scenario(), FakeNetwork(), lang="en"))
    assert "Notice period only satisfied on 2026-12-14" in english


def test_coach_pages_hold_none_of_the_other_coaches_stops(rendered: list[Path]) -> None:
    plan = sample_plan()
    pages = [p for p in rendered if "coaches" in p.parts]
    assert {p.parent.name for p in pages} == {"C1", "C2", "C3"}
    for page in pages:
        coach = page.parent.name
        text = plain(page.read_text(encoding="utf-8"))
        mine = request_ids(plan, coach) if page.stem == "woche" else set()
        leaked = {x for x in request_ids(plan, coach, riding=False) if x in text}
        assert not leaked, f"{page} shows {leaked}"
        assert all(x in text for x in mine)
    c2_week = plain(
        next(p for p in pages if p.parent.name == "C2" and p.stem == "woche").read_text(encoding="utf-8")
    )
    assert "R-03" not in c2_week  # C1 rides V1 alone on day 2: not C2's stop
    for ics in (p for p in rendered if p.suffix == ".ics"):
        text = ics.read_text(encoding="utf-8")
        assert not {x for x in request_ids(plan, ics.stem, riding=False) if x in text}


def test_coach_page_lists_stops_with_geo_links_times_and_what_to_bring() -> None:
    page = plain(coach_page(sample_plan(), sample_scenario(), FakeNetwork(), "C2", DAY1))
    assert page.count('href="geo:') == 2
    assert 'href="geo:50.030000,11.520000"' in page
    assert "09:00–10:00" in page and "Pause 12:00–12:30" in page
    assert "Einverständniserklärung" in page and "Antrag WBA" in page and "Hund im Haus" in page
    assert 'href="tel:0921123456"' in page and 'href="tel:01711111111"' in page  # coordination, Anna
    assert "tel:01712222222" not in page  # C2's own number
    assert 'class="vp-list"' in page and "@media (max-width: 800px)" in page


def test_calendar_parses_back_with_local_times_and_tzid() -> None:
    plan = sample_plan()
    cal = icalendar.Calendar.from_ical(coach_calendar(plan, sample_scenario(), "C1"))
    events = [e for e in cal.walk("VEVENT") if not str(e["UID"]).startswith("tour-")]
    tours = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("tour-")]
    assert len(events) == 3  # on day 1, R-03 on day 2
    assert len(tours) == 2  # one van-day event per tour, depot to depot
    assert all(t.decoded("DTSTART") <= e.decoded("DTSTART") for t in tours for e in events
               if t.decoded("DTSTART").date() == e.decoded("DTSTART").date())  # fmt: skip
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    first = next(e for e in events if "K-1001" in str(e["SUMMARY"]))
    assert first["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert first.decoded("DTSTART") == at(DAY1, 9, 0)
    assert first.decoded("DTSTART").strftime("%H:%M") == "09:00"
    assert first.decoded("DTEND").strftime("%H:%M") == "10:00"
    assert str(first["UID"]) == event_uid(plan, "R-01") == "R-01.Bayreuth-Nord-Test@vanplan"
    assert "Hausbesuch" in str(first["SUMMARY"]) and "Treffpunkt R-01" in str(first["LOCATION"])
    assert "Einverständniserklärung" in str(first["DESCRIPTION"])
    c3 = icalendar.Calendar.from_ical(coach_calendar(plan, sample_scenario(), "C3"))
    assert len([e for e in c3.walk("VEVENT") if not str(e["UID"]).startswith("tour-")]) == 3


def test_german_by_default_english_on_request(tmp_path: Path) -> None:
    plan, scenario, network = sample_plan(), sample_scenario(), FakeNetwork()
    german = plain(day_map(plan, scenario, network, DAY1))
    english = plain(day_map(plan, scenario, network, DAY1, lang="en"))
    assert '<html lang="de">' in german and "Hausbesuch" in german and "Tagesplan" in german
    assert '<html lang="en">' in english and "Home visit" in english and "Day plan" in english
    assert "Hausbesuch" not in english
    sheet = day_sheet(plan, scenario, plan.tours[0], lang="en")
    assert "Consent form" in sheet and "If late, call" in sheet
    names = {
        p.relative_to(tmp_path).as_posix() for p in render_all(plan, scenario, network, tmp_path, lang="en")
    }
    assert names >= {
        "maps/day-2026-12-01.html",
        "maps/week.html",
        "coaches/C3/day-2026-12-02.html",
        "coaches/C3/week.html",
        "sheets/day-2026-12-01-V1.html",
        "calendars/C1.ics",
    }
    with pytest.raises(ValueError, match="language"):
        texts("fr")


def test_german_file_layout(rendered: list[Path]) -> None:
    root = rendered[0].parent.parent
    names = {p.relative_to(root).as_posix() for p in rendered}
    assert names == {
        "maps/tag-2026-12-01.html",
        "maps/tag-2026-12-02.html",
        "maps/woche.html",
        "coaches/C1/tag-2026-12-01.html",
        "coaches/C1/tag-2026-12-02.html",
        "coaches/C1/woche.html",
        "coaches/C2/tag-2026-12-01.html",
        "coaches/C2/woche.html",
        "coaches/C3/tag-2026-12-01.html",
        "coaches/C3/tag-2026-12-02.html",
        "coaches/C3/woche.html",
        "sheets/tag-2026-12-01-V1.html",
        "sheets/tag-2026-12-01-V2.html",
        "sheets/tag-2026-12-02-V1.html",
        "sheets/tag-2026-12-02-V2.html",
        "calendars/C1.ics",
        "calendars/C2.ics",
        "calendars/C3.ics",
    }


def test_no_address_outside_the_page_unless_a_tile_server_is_set(rendered: list[Path]) -> None:
    for path in rendered:
        text = path.read_text(encoding="utf-8")
        assert external_urls(text) == [], path
        assert "jquery" not in text.lower(), path
    with_tiles = day_map(sample_plan(), sample_scenario(tile_url=TILE_URL), FakeNetwork(), DAY1)
    assert external_urls(with_tiles) == [TILE_URL]
    assert "vp-road" not in with_tiles  # tiles replace the drawn roads


def test_external_url_check_finds_what_folium_and_pages_would_load() -> None:
    default = folium.Map().get_root().render()
    found = external_urls(default)
    assert any("leaflet" in u for u in found) and any("jquery" in u for u in found)
    assert any("tile.openstreetmap.org" in u for u in found)
    samples = [
        '<img src="http://a.example/x.png">',
        "<link rel='stylesheet' href='//b.example/x.css'>",
        '<style>.x { background: url("https://c.example/y.png") }</style>',
        '<script>L.tileLayer("https://d.example/{z}/{x}/{y}.png")</script>',
        '<a href="https://e.example/">link</a>',
    ]
    for sample in samples:
        assert len(external_urls(sample)) == 1, sample
    assert external_urls('<a href="geo:50,11">x</a><img src="data:image/png;base64,AAAA">') == []


def test_leaflet_is_inlined_with_images_as_data_uris() -> None:
    assert "sourceMappingURL" not in leaflet_js()
    assert "url(images/" not in leaflet_css() and leaflet_css().count("url(data:image/png;base64,") == 3
    assert set(re.findall(r"https?://[^\s\"')]+", leaflet_js())) <= {
        "http://www.w3.org/2000/svg",
        "https://leafletjs.com",
        "https://bugzilla.mozilla.org/show_bug.cgi?id=888319",
    }


def test_names_only_when_switched_on() -> None:
    plan, network = sample_plan(), FakeNetwork()
    hidden = plain(coach_page(plan, sample_scenario(), network, "C1", DAY1))
    shown = plain(coach_page(plan, sample_scenario(show_names=True), network, "C1", DAY1))
    assert "Name K-1001" not in hidden and "Name K-1001 (K-1001)" in shown
    assert "Name K-1001" not in day_sheet(plan, sample_scenario(), plan.tours[0])


def test_day_sheet_has_times_places_what_to_bring_and_whom_to_call() -> None:
    plan = sample_plan()
    sheet = day_sheet(plan, sample_scenario(), plan.tours[0])
    assert "Tagesblatt · Beratungsmobil Nord · Di 01.12.2026" in sheet
    assert (
        "Abfahrt Dienststelle<br><b>08:00</b>" in sheet and "Rückkehr Dienststelle<br><b>16:00</b>" in sheet
    )
    assert "<b>09:00–10:00</b>" in sheet and "Pause 12:00–12:30" in sheet
    assert sheet.index("10:45–11:45") < sheet.index("Pause 12:00") < sheet.index("Rückkehr")
    assert "Treffpunkt R-01, Hauptstraße 1, 95463 Bindlach" in sheet
    assert "Einverständniserklärung" in sheet and "Ankommen 10 · Reserve 15 · Doku 15 min" in sheet
    assert "Bei Verspätung anrufen: Koordination: 0921 123456 · Anna Albers 0171 1111111" in sheet
    assert "@page { size: A4" in sheet and "<script" not in sheet
    assert "Rathausplatz 1, 95463 Bindlach" in sheet


def test_what_to_bring_depends_on_kind_first_meeting_and_request() -> None:
    plan = sample_plan()
    tx = texts("de")
    first, known = plan.tours[0].stops
    assert bring_list(tx, plan.tours[0], first)[-2:] == ["Antrag WBA", "Stift"]
    assert any("Ausweis" in item for item in bring_list(tx, plan.tours[0], first))
    assert not any("Ausweis" in item for item in bring_list(tx, plan.tours[0], known))  # C1 is their coach


def test_phone_numbers_become_tel_links() -> None:
    assert (
        phone_links("Koordination: 0921 123456") == 'Koordination: <a href="tel:0921123456">0921 123456</a>'
    )
    assert phone_links("<b>") == "&lt;b&gt;"


def test_stops_at_one_spot_are_set_side_by_side() -> None:
    plan = sample_plan()
    first = plan.tours[0]
    at_depot = tuple(replace(s, lat=first.depot_lat, lon=first.depot_lon) for s in first.stops)
    crowded = replace(plan, tours=(replace(first, stops=at_depot),))
    page = day_map(crowded, sample_scenario(), FakeNetwork(), DAY1)
    # the depot holds the spot: stop 1 is set right of it, stop 2 below right
    assert '"iconAnchor": [-11, 13]' in page
    assert '"iconAnchor": [1, -8]' in page


def test_same_plan_gives_the_same_page() -> None:
    plan, scenario = sample_plan(), sample_scenario()
    assert day_map(plan, scenario, FakeNetwork(), DAY1) == day_map(plan, scenario, FakeNetwork(), DAY1)
    assert not re.search(r"_[0-9a-f]{32}\b", day_map(plan, scenario, FakeNetwork(), DAY1))


def test_ids_with_the_same_slug_get_distinct_stable_file_names(tmp_path: Path) -> None:
    rename = {"C1": "C/4", "C2": "C_4"}
    base = sample_plan()
    plan = replace(
        base, tours=tuple(replace(t, crew=tuple(rename.get(c, c) for c in t.crew)) for t in base.tours)
    )
    scenario = replace(
        sample_scenario(),
        coaches=(Coach("C/4", "Anna Albers"), Coach("C_4", "Ben Brandt"), Coach("C3", "Cem")),
    )
    first = render_all(plan, scenario, FakeNetwork(), tmp_path / "a")
    again = render_all(plan, scenario, FakeNetwork(), tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in again]
    names = coach_file_names(plan, scenario)
    assert len({names["C/4"].casefold(), names["C_4"].casefold(), names["C3"].casefold()}) == 3
    assert names["C3"] == "C3"  # a suffix only where slugs meet
    out = tmp_path / "a"
    for coach in ("C/4", "C_4"):
        assert (out / "calendars" / f"{names[coach]}.ics").exists()
    week = {
        c: (out / "coaches" / names[c] / "woche.html").read_text(encoding="utf-8") for c in ("C/4", "C_4")
    }
    assert "R-03" in week["C/4"] and "R-03" not in week["C_4"]  # C/4 alone rides on day 2


def test_file_names_are_distinct_and_safe_for_any_ids() -> None:
    ids = ["", "_", ".", "..", "a/b", "a_b", "a b", "A_B", "ä", "ö", "x" * 300, "x" * 301, "CON", "c1", "C1"]
    names = file_names(ids)
    assert set(names) == set(ids)
    assert len({n.casefold() for n in names.values()}) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,128}", n) for n in names.values())
    assert file_names(reversed(ids)) == names


def test_day_sheet_and_route_popups_write_numbers_in_the_language() -> None:
    plan, scenario = sample_plan(), sample_scenario()
    german = day_sheet(plan, scenario, plan.tours[0])
    english = day_sheet(plan, scenario, plan.tours[0], lang="en")
    assert "8,4 km" in german and "15,0 km" in german and "8.4 km" not in german
    assert "8.4 km" in english and "8,4 km" not in english
    assert "8,4 km" in plain(day_map(plan, scenario, FakeNetwork(), DAY1))


SCRIPT = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://example.org/x","klick")'
IMG = "<img src=x onerror=alert(1)>"


def hostile_plan() -> Plan:
    """The sample plan with markup and spreadsheet formulas in every text that comes from the input."""
    plan = sample_plan()
    tours = tuple(
        replace(
            t,
            stops=tuple(
                replace(
                    s,
                    client=f"{SCRIPT}{s.client}",
                    client_name=IMG,
                    note=FORMULA + IMG,
                    place=FORMULA,
                    address=f"{SCRIPT} 1",
                    bring=IMG,
                )
                for s in t.stops
            ),
        )
        for t in plan.tours
    )
    unscheduled = tuple(replace(u, client=SCRIPT, detail={"address": IMG}) for u in plan.unscheduled)
    return replace(plan, tours=tours, unscheduled=unscheduled)


def hostile_scenario() -> Scenario:
    """The sample scenario, names shown, with markup in van, coach, depot and scenario names."""
    base = sample_scenario(show_names=True, name=f"{SCRIPT} Test", contact=f"{IMG} 0921 123456")
    vans = tuple(replace(v, name=f"{SCRIPT}{v.name}") for v in base.vans)
    coaches = tuple(replace(c, name=f"{IMG}{c.name}") for c in base.coaches)
    return replace(base, vans=vans, coaches=coaches)


def test_every_page_kind_shows_input_markup_and_formulas_as_text(tmp_path: Path) -> None:
    written = render_all(hostile_plan(), hostile_scenario(), FakeNetwork(), tmp_path)
    pages = {p.relative_to(tmp_path).as_posix(): plain(p.read_text(encoding="utf-8")) for p in written
             if p.suffix == ".html"}  # fmt: skip
    kinds = {name.split("/")[0] + ("/week" if "woche" in name else "/day") for name in pages}
    assert kinds == {"maps/day", "maps/week", "coaches/day", "coaches/week", "sheets/day"}
    for name, page in pages.items():
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, name  # shown, as text
        assert "<script>alert" not in page and "<img src=x" not in page, name  # never markup
        assert page.count("<script") == page.count("</script>"), name
    for name, page in pages.items():
        if name.startswith(("coaches/", "sheets/")):
            assert "=HYPERLINK(&quot;http://example.org/x&quot;,&quot;klick&quot;)&lt;img src=x" in page, name


def test_calendar_text_cannot_add_a_property_or_run_as_a_formula() -> None:
    injected = "Hund\r\nATTENDEE:mailto:evil@example.org\rDTSTART:20000101T000000Z\nEND:VEVENT\nBEGIN:VALARM"
    plan = sample_plan()
    first = plan.tours[0]
    stops = (replace(first.stops[0], note=injected, place=FORMULA, client="=1+2"), *first.stops[1:])
    plan = replace(plan, tours=(replace(first, stops=stops), *plan.tours[1:]))
    text = coach_calendar(plan, sample_scenario(), "C1")
    lines = text.decode("utf-8").replace("\r\n ", "").split("\r\n")  # unfolded content lines
    assert not any(line.startswith(("ATTENDEE", "BEGIN:VALARM")) for line in lines)
    events = "\n".join(lines).split("BEGIN:VEVENT")[1:]
    assert all(event.split("END:VEVENT")[0].count("\nDTSTART") == 1 for event in events)
    event = next(
        e for e in icalendar.Calendar.from_ical(text).walk("VEVENT") if str(e["UID"]).startswith("R-01.")
    )
    assert event.decoded("DTSTART") == at(DAY1, 9, 0) and "ATTENDEE" not in event
    assert injected.replace("\r\n", "\n").replace("\r", "\n") in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]).startswith("'=HYPERLINK(")
