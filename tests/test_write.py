"""planner.input.write mirrors planner.input.load: a written scenario loads back equal (demo, generated,
any)."""

from __future__ import annotations

import string
import tempfile
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.generate.config import Config
from planner.generate.folder import generate
from planner.input.load import load_scenario
from planner.input.write import coordinate_text, decimal_text, weekdays_text, write_scenario
from planner.scenario import (
    WEIGHTINGS,
    Buffers,
    Coach,
    Depot,
    GeocodingSettings,
    Kind,
    NetworkSettings,
    Point,
    Request,
    RosterEntry,
    Scenario,
    Settings,
    Van,
    WeeklyWindow,
)

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "bayreuth-nord"
VALID_MIN = ROOT / "tests" / "data" / "valid_min"
NORTH = ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz"
TABLES = ("requests.csv", "vans.csv", "coaches.csv", "roster.csv")


def same_files(scenario: Scenario) -> Scenario:
    """The scenario with what only names the same files in other words made equal: the folder is
    dropped and paths are resolved (the writer documents these as not round-tripping)."""
    net, geo = scenario.settings.network, scenario.settings.geocoding
    network = replace(net, osm=net.osm.resolve() if net.osm else None)
    geocoding = replace(geo, cache=geo.cache.resolve() if geo.cache else None)
    return replace(
        scenario, folder=Path(), settings=replace(scenario.settings, network=network, geocoding=geocoding)
    )


def round_trip(scenario: Scenario, folder: Path) -> Scenario:
    """The scenario written into `folder` and loaded again."""
    write_scenario(scenario, folder)
    return load_scenario(folder)


def test_numbers_read_back_exactly_and_stay_short() -> None:
    """Whole numbers have no `.0`, coordinates six decimals where exact, nothing in exponent form."""
    assert [decimal_text(v) for v in (39.0, 19.5, 1e-7, -0.25, 1e16)] == [
        "39",
        "19.5",
        "0.0000001",
        "-0.25",
        "10000000000000000",
    ]
    assert [coordinate_text(v) for v in (50.0, 11.501273, 11.5012734, 1e-9)] == [
        "50.000000",
        "11.501273",
        "11.5012734",
        "0.000000001",
    ]
    assert [weekdays_text(d) for d in ({0, 1, 2, 3, 4}, {0, 2, 3, 4}, {6}, {0, 2, 6})] == [
        "Mo-Fr",
        "Mo; Mi-Fr",
        "So",
        "Mo; Mi; So",
    ]


@pytest.mark.skipif(not NORTH.exists(), reason="the shared OSM extracts are not here")
def test_the_demo_writes_back_as_its_own_tables_and_loads_equal(tmp_path: Path) -> None:
    """The committed demo, loaded and written elsewhere, has the same CSV bytes and loads equal."""
    demo = load_scenario(DEMO)
    again = round_trip(demo, tmp_path / "demo")
    for name in TABLES:
        assert (tmp_path / "demo" / name).read_bytes() == (DEMO / name).read_bytes(), name
    assert again.settings.network.osm != demo.settings.network.osm  # spelt from the other folder
    assert same_files(again) == same_files(demo)
    assert again.requests == demo.requests and again.roster == demo.roster


def test_valid_min_loads_equal_after_writing(tmp_path: Path) -> None:
    """The loader's reference scenario (lat/lon and address rows, pins, two depots) survives a write."""
    valid = load_scenario(VALID_MIN, today=date(2026, 11, 9))
    assert same_files(round_trip(valid, tmp_path / "v")) == same_files(valid)


@pytest.mark.skipif(not NORTH.exists(), reason="the shared OSM extracts are not here")
def test_a_generated_scenario_is_what_its_files_load_as(tmp_path: Path) -> None:
    """The generator's `Scenario` is exactly what its written folder loads as (coordinates rounded first)."""
    made = generate(Config(NORTH, tmp_path / "gen", seed=5, requests=40, vans=3, coaches=7))
    loaded = round_trip(made, made.folder)
    assert same_files(loaded) == same_files(made)
    assert loaded.folder == made.folder.resolve()
    assert any(r.pin_van for r in loaded.requests) and any(r.point is None for r in loaded.requests)


# --- any scenario the loader accepts, drawn small ---

TEXT = st.text(
    st.sampled_from([*string.ascii_letters[:6], *"0 9äßé€-_#'\\=,;\"\t\n{}[]"])
    | st.characters(codec="utf-8"),
    max_size=8,
).map(str.strip)
NAME_CHARS = st.sampled_from([*'ABCxyz019-_ äß,;"'])
IDS = st.lists(
    st.text(NAME_CHARS, min_size=1, max_size=4).map(str.strip).filter(bool),
    min_size=1,
    max_size=3,
    unique=True,
)
SKILLS = st.frozensets(st.sampled_from(("tr", "ar", "sucht", "gebärdensprache")), max_size=2)
MINUTE = st.builds(time, st.integers(0, 23), st.integers(0, 59))
NUMBER = st.floats(0, 1e6, allow_nan=False) | st.integers(0, 10_000).map(float)
MONDAY = date(2026, 11, 30)


@st.composite
def windows(draw: st.DrawFn) -> tuple[WeeklyWindow, ...]:
    """Weekly windows, each ending after it starts, sorted by weekday and start as the loader sorts them."""
    found = []
    for _ in range(draw(st.integers(0, 3))):
        start, end = sorted(draw(st.lists(MINUTE, min_size=2, max_size=2, unique=True)))
        found.append(WeeklyWindow(draw(st.integers(0, 6)), start, end))
    return tuple(sorted(found, key=lambda w: (w.weekday, w.start)))


@st.composite
def request_rows(draw: st.DrawFn, vans: list[str], coaches: list[str], planning: date) -> tuple[Request, ...]:
    """Requests that keep every rule the loader checks: one location, pins whole, kind-only columns."""
    made = []
    for number, request_id in enumerate(draw(IDS), start=2):
        kind = draw(st.sampled_from(Kind))
        point = draw(st.none() | st.builds(Point, st.floats(-90, 90), st.floats(-180, 180)))
        address = draw(TEXT.filter(bool) if point is None else TEXT)
        earliest = draw(st.none() | st.dates())
        latest = draw(st.none() | st.dates(min_value=earliest or date.min))
        fixed = draw(st.builds(datetime.combine, st.dates(date(2000, 1, 1)), MINUTE))
        pinned = draw(st.booleans())
        made.append(
            Request(
                id=request_id,
                kind=kind,
                client=draw(TEXT if kind is Kind.VAN_STOP else TEXT.filter(bool)),
                duration_min=draw(st.integers(1, 600)),
                row=number,
                point=point,
                address=address,
                place=draw(TEXT),
                client_name=draw(TEXT),
                earliest=earliest,
                latest=latest,
                availability=draw(windows()),
                fixed_start=fixed if kind in (Kind.ACCOMPANY, Kind.VAN_STOP) or draw(st.booleans()) else None,
                staff=draw(st.integers(1, 3)),
                skills=draw(SKILLS),
                preferred_coach=draw(st.sampled_from(["", *coaches])),
                priority=draw(st.integers(1, 5)),
                notice_sent=draw(st.none() | st.dates(max_value=planning))
                if kind is Kind.HOME_VISIT
                else None,
                pin_van=draw(st.sampled_from(vans)) if pinned else "",
                pin_date=MONDAY + timedelta(days=draw(st.integers(0, 6))) if pinned else None,
                pin_start=draw(MINUTE) if pinned else None,
                bring=draw(TEXT),
                note=draw(TEXT),
                visitors=draw(st.none() | st.integers(1, 50)) if kind is Kind.VAN_STOP else None,
            )
        )
    return tuple(made)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A small scenario the loader accepts, as it would load it (rows numbered from 2, paths absolute)."""
    folder = Path(tempfile.gettempdir()) / "vanplan-write-test"
    depot_ids = draw(IDS)
    depots = tuple(
        Depot(i, draw(TEXT), Point(draw(st.floats(-90, 90)), draw(st.floats(-180, 180))), draw(TEXT))
        for i in depot_ids
    )
    planning = draw(st.dates(date(2020, 1, 1), date(2030, 1, 1)))
    reminder = draw(st.integers(0, 30))
    settings_ = Settings(
        name=draw(TEXT),
        week="2026-W49",
        timezone=draw(st.sampled_from(("Europe/Berlin", "UTC"))),
        depots=depots,
        network=NetworkSettings(
            osm=draw(st.sampled_from((None, folder / "x.osm.pbf", Path("/data/d.osm.gz")))),
            van_speed_factor=draw(st.floats(0.01, 10)),
            detour_factor=draw(st.floats(1, 10)),
            fallback_speed_kmh=draw(st.floats(1, 200)),
            max_snap_m=draw(NUMBER),
        ),
        buffers={k: Buffers(*draw(st.lists(st.integers(0, 120), min_size=4, max_size=4))) for k in Kind},
        planning_date=planning,
        notice_days=reminder + draw(st.integers(1, 30)),
        reminder_days=reminder,
        max_work_min=draw(st.integers(1, 1440)),
        time_limit_s=draw(st.none() | st.floats(0.1, 600)),
        seed=draw(st.integers(0, 2**31 - 1)),
        weighting=draw(st.sampled_from(WEIGHTINGS)),
        van_stop_visitors=draw(st.integers(1, 20)),
        geocoding=GeocodingSettings(
            draw(TEXT), draw(NUMBER), draw(st.sampled_from((None, folder / "g.json")))
        ),
        show_names=draw(st.booleans()),
        language=draw(st.sampled_from(("de", "en"))),
        contact=draw(TEXT),
        tile_url=draw(TEXT),
    )
    van_ids, coach_ids = draw(IDS), draw(IDS)
    vans = []
    for van_id in van_ids:
        start, end = sorted(draw(st.lists(MINUTE, min_size=2, max_size=2, unique=True)))
        days = draw(st.frozensets(st.integers(0, 6), min_size=1))
        away = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=2))
        vans.append(
            Van(
                van_id,
                draw(st.sampled_from(depot_ids)),
                days,
                start,
                end,
                draw(st.integers(1, 4)),
                draw(TEXT),
                away,
            )
        )
    coaches = tuple(
        Coach(i, draw(TEXT.filter(bool)), draw(SKILLS), draw(st.floats(0, 168)), draw(TEXT))
        for i in coach_ids
    )
    seats = {v.id: v.seats for v in vans}
    roster: list[RosterEntry] = []
    for day in (MONDAY + timedelta(days=d) for d in range(7)):
        for coach in coach_ids:
            van = draw(st.sampled_from(["", *van_ids]))
            if van and sum(1 for e in roster if (e.day, e.van) == (day, van)) < seats[van]:
                roster.append(RosterEntry(day, van, coach, len(roster) + 2))
    return Scenario(
        folder.resolve(),
        settings_,
        draw(request_rows(van_ids, list(coach_ids), planning)),
        tuple(vans),
        coaches,
        tuple(roster),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_scenario_loads_back_equal(scenario: Scenario) -> None:
    """load_scenario(write_scenario(s)) == s for scenarios as the loader makes them."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "s"
        loaded = round_trip(scenario, folder)
    assert same_files(loaded) == same_files(scenario)
