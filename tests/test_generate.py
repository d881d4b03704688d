"""Tests for planner.generate, `vanplan generate` and the committed demo scenario scenarios/bayreuth-nord."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.generate.config import Config
from planner.generate.folder import folder_files, write_folder
from planner.generate.rules import KIND_SHARES, NOTICE_DAYS
from planner.input.geocode import geocode_requests
from planner.input.places import read_places
from planner.scenario import GeocodingSettings, Kind, Request

ROOT = Path(__file__).resolve().parents[1]
NORTH = Path(__file__).resolve().parents[2] / "shared" / "osm" / "north-bayreuth.osm.gz"
COMMITTED = ROOT / "scenarios" / "bayreuth-nord"
MONDAY = date(2026, 11, 30)
pytestmark = pytest.mark.skipif(not NORTH.exists(), reason="the shared OSM extracts are not here")


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    """The demo scenario as its README's command makes it, not written anywhere."""
    return folder_files(Config(NORTH, COMMITTED, "2026-W49", 7, 150, 2, 5, "Rathaus"))


def rows(text: str) -> list[dict[str, str]]:
    """CSV text as dicts."""
    return list(csv.DictReader(io.StringIO(text)))


def documented_columns(table: str) -> list[str]:
    """The columns docs/input.md lists for `table` (e.g. "requests.csv"), in order."""
    doc = (ROOT / "docs" / "input.md").read_text(encoding="utf-8")
    section = doc.split(f"## {table}", 1)[1].split("\n## ", 1)[0]
    columns: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            columns += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return columns


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    """Two runs into different folders of the same name write identical files."""
    a, b = tmp_path / "a" / "demo", tmp_path / "b" / "demo"
    for out in (a, b):
        write_folder(Config(NORTH, out, seed=3, requests=60))
    names = sorted(p.name for p in a.iterdir())
    assert names == ["README.md", "coaches.csv", "requests.csv", "roster.csv", "scenario.toml", "vans.csv"]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    other = folder_files(Config(NORTH, a, seed=4, requests=60))
    assert other["requests.csv"] != (a / "requests.csv").read_text(encoding="utf-8")


def test_committed_scenario_is_the_generators_output(files: dict[str, str]) -> None:
    """scenarios/bayreuth-nord is exactly what the documented command writes (no hand edits)."""
    command = "vanplan generate --osm north-bayreuth.osm.gz --out bayreuth-nord --week 2026-W49 --seed 7"
    assert command in files["README.md"]
    for name, text in files.items():
        assert (COMMITTED / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize("table", ["requests.csv", "vans.csv", "coaches.csv", "roster.csv"])
def test_columns_are_those_of_the_contract(files: dict[str, str], table: str) -> None:
    """Each file has exactly the columns docs/input.md lists, in its order."""
    header = files[table].splitlines()[0].split(",")
    assert header == documented_columns(table)


def test_every_location_is_a_real_place(files: dict[str, str]) -> None:
    """Coordinates are those of a feature of the extract; addresses are addresses tagged in it."""
    places = read_places(NORTH)
    points = {(f"{p.point.lat:.6f}", f"{p.point.lon:.6f}") for p in places.all()}
    addresses = {p.address for p in places.addresses}
    for r in rows(files["requests.csv"]):
        if r["address"]:
            assert not r["lat"] and r["address"] in addresses, r["id"]
        else:
            assert (r["lat"], r["lon"]) in points, r["id"]


def test_addresses_geocode_offline(files: dict[str, str]) -> None:
    """Every address-only request is found by the offline index, at one door."""
    reqs = [
        Request(r["id"], Kind(r["kind"]), r["client"], 60, i + 2, address=r["address"])
        for i, r in enumerate(rows(files["requests.csv"]))
        if r["address"]
    ]
    assert len(reqs) > 30
    result = geocode_requests(reqs, GeocodingSettings(), NORTH)
    assert result.failures == ()
    assert len(set(result.points.values())) == len(reqs)


def test_kind_mix_and_client_attributes(files: dict[str, str]) -> None:
    """About 35/30/20/15 % by kind; pseudonymous clients; skills, preferences, priorities as planned."""
    reqs = rows(files["requests.csv"])
    assert len(reqs) == 150
    counts = Counter(r["kind"] for r in reqs)
    for kind, share in KIND_SHARES.items():
        assert abs(counts[kind.value] - 150 * share / 100) <= 1, kind
    clients = [r for r in reqs if r["kind"] != "van_stop"]
    assert all(re.fullmatch(r"K-\d{4}", r["client"]) for r in clients)
    assert all(r["client_name"] == "" for r in reqs)
    assert not any(r["client"] for r in reqs if r["kind"] == "van_stop")
    assert 0.05 <= sum(1 for r in reqs if r["skills"]) / len(reqs) <= 0.15
    assert 0.25 <= sum(1 for r in clients if r["preferred_coach"]) / len(clients) <= 0.5
    priorities = Counter(r["priority"] for r in reqs)
    assert priorities.most_common(1)[0][0] == "3" and set(priorities) <= set("12345")
    staff = {(r["kind"], r["staff"]) for r in reqs}
    assert staff == {("home_visit", "2"), ("walk_and_talk", "1"), ("accompany", "1"), ("van_stop", "1")}


def test_fixed_starts_inside_the_week_and_hours(files: dict[str, str]) -> None:
    """Accompaniments and van stops start on a weekday of the week in business hours; stops last 2-3 h."""
    for r in rows(files["requests.csv"]):
        if r["kind"] in ("accompany", "van_stop"):
            start = datetime.strptime(r["fixed_start"], "%Y-%m-%d %H:%M")
            assert MONDAY <= start.date() < MONDAY + timedelta(days=5), r["id"]
            assert start.hour * 60 + start.minute >= 8 * 60, r["id"]
            end = start + timedelta(minutes=int(r["duration_min"]))
            assert end.hour * 60 + end.minute <= 15 * 60 + 30, r["id"]
        else:
            assert r["fixed_start"] == ""
        if r["kind"] == "van_stop":
            assert 120 <= int(r["duration_min"]) <= 180


def test_home_visit_notices(files: dict[str, str]) -> None:
    """Notices are never after the planning date; most are 21+ days before the week; a few too late."""
    planning = date.fromisoformat(re.findall(r'planning_date = "(.+)"', files["scenario.toml"])[0])
    visits = [r for r in rows(files["requests.csv"]) if r["kind"] == "home_visit"]
    sent = [date.fromisoformat(r["notice_sent"]) for r in visits if r["notice_sent"]]
    assert all(d <= planning for d in sent)
    assert sum(1 for d in sent if d <= MONDAY - timedelta(days=NOTICE_DAYS)) / len(visits) > 0.6
    late = [
        r
        for r in visits
        if r["latest_date"]
        and date.fromisoformat(r["notice_sent"]) + timedelta(days=NOTICE_DAYS)
        > date.fromisoformat(r["latest_date"])
        >= MONDAY
    ]
    assert 1 <= len(late) <= 5


def test_vans_coaches_roster(files: dict[str, str]) -> None:
    """Two vans with the stated shifts, part-time coaches, mostly two per van, seats never exceeded."""
    vans = {v["id"]: v for v in rows(files["vans.csv"])}
    assert [(v["shift_start"], v["shift_end"], v["seats"]) for v in vans.values()] == [
        ("07:30", "16:30", "3"),
        ("08:00", "16:00", "2"),
    ]
    assert sum(1 for v in vans.values() if v["unavailable"]) == 1
    hours = [c["weekly_hours"] for c in rows(files["coaches.csv"])]
    assert hours == ["39", "30", "25", "20", "19.5"]
    roster = rows(files["roster.csv"])
    crews = Counter((r["date"], r["van"]) for r in roster)
    assert all(n <= int(vans[van]["seats"]) for (_, van), n in crews.items())
    assert sum(1 for n in crews.values() if n >= 2) > len(crews) / 2
    assert len({(r["date"], r["coach"]) for r in roster}) == len(roster)  # one van a day per coach
    for van in vans.values():
        assert not any(r["van"] == van["id"] and r["date"] == van["unavailable"] for r in roster)


def test_pins_fit_roster_and_windows(files: dict[str, str]) -> None:
    """Pinned appointments name a rostered van-day with enough crew, inside the request's own windows."""
    roster = Counter((r["van"], r["date"]) for r in rows(files["roster.csv"]))
    pinned = [r for r in rows(files["requests.csv"]) if r["pin_van"]]
    assert len(pinned) >= 2
    for r in pinned:
        assert roster[(r["pin_van"], r["pin_date"])] >= int(r["staff"])
        weekday = ("Mo", "Di", "Mi", "Do", "Fr")[date.fromisoformat(r["pin_date"]).weekday()]
        h, m = map(int, r["pin_start"].split(":"))
        start, end = h * 60 + m, h * 60 + m + int(r["duration_min"])
        windows = re.findall(r"(\w\w) (\d\d):(\d\d)-(\d\d):(\d\d)", r["availability"])
        assert any(
            d == weekday and int(a) * 60 + int(b) <= start and end <= int(c) * 60 + int(e)
            for d, a, b, c, e in windows
        ), r["id"]


def test_scenario_toml(files: dict[str, str]) -> None:
    """The extract path is relative to the folder; buffers per kind as specified."""
    toml = files["scenario.toml"]
    assert 'osm = "../../../shared/osm/north-bayreuth.osm.gz"' in toml
    assert (COMMITTED / "../../../shared/osm/north-bayreuth.osm.gz").resolve() == NORTH.resolve()
    assert "[buffers.home_visit]\nsetup_min = 10\ndocumentation_min = 15\noverrun_min = 15" in toml
    assert "[buffers.van_stop]\nsetup_min = 15\ndocumentation_min = 15\noverrun_min = 0" in toml
    assert 'planning_date = "2026-11-12"' in toml
    assert "© OpenStreetMap contributors" in files["README.md"]


def test_generates_for_other_extracts(tmp_path: Path) -> None:
    """Any extract works: lauf (a town with doctors and banks) and heidelberg (no villages tagged)."""
    for name in ("lauf.osm.pbf", "heidelberg.osm.pbf"):
        made = folder_files(Config(NORTH.parent / name, tmp_path / name.split(".")[0], requests=40))
        reqs = rows(made["requests.csv"])
        assert len(reqs) == 40 and {r["kind"] for r in reqs} == {k.value for k in KIND_SHARES}


def test_vanplan_generate_writes_the_folder_with_given_depot_coordinates(tmp_path: Path) -> None:
    """--depot-lat/--depot-lon put the depot there, named as given; the README repeats the options."""
    out = tmp_path / "x"
    args = [
        "generate",
        "--osm",
        str(NORTH),
        "--out",
        str(out),
        "--requests",
        "20",
        "--depot-name",
        "Jobcenter",
    ]
    result = CliRunner().invoke(app, [*args, "--depot-lat", "50.0", "--depot-lon", "11.55", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "6 files in" in result.output
    toml = (out / "scenario.toml").read_text(encoding="utf-8")
    assert 'name = "Jobcenter"' in toml and "lat = 50.000000\nlon = 11.550000" in toml
    assert "--depot-lat 50.0 --depot-lon 11.55" in (out / "README.md").read_text(encoding="utf-8")
    assert len(rows((out / "requests.csv").read_text(encoding="utf-8"))) == 20


@pytest.mark.parametrize(
    ("options", "german"),
    [
        (["--depot-lat", "50.0"], "--depot-lat und --depot-lon bitte beide angeben oder keines von beiden"),
        (["--mix", "1,2,3"], "--mix braucht vier ganze Zahlen, z. B. 35,30,20,15"),
        (["--vans", "0"], "--requests, --vans und --coaches müssen mindestens 1 sein"),
        (["--week", "2026-49"], "--week muss eine ISO-Woche wie 2026-W49 sein, nicht '2026-49'"),
        (["--planning-date", "12.11.2026"], "--planning-date muss JJJJ-MM-TT sein, nicht '12.11.2026'"),
    ],
)
def test_vanplan_generate_refuses_unusable_options_in_german(
    tmp_path: Path, options: list[str], german: str
) -> None:
    """An unusable option is an input error (exit 2) in the user's language; nothing is written."""
    out = tmp_path / "x"
    result = CliRunner().invoke(app, ["generate", "--osm", str(NORTH), "--out", str(out), *options])
    assert result.exit_code == 2
    assert german in result.output
    assert not out.exists()


def test_old_command_runs_vanplan_generate() -> None:
    """`python -m scenarios.generate`, which older notes mention, is the same command."""
    cmd = [sys.executable, "-m", "scenarios.generate", "--osm", str(NORTH), "--out", "x", "--mix", "1"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    assert "--mix braucht vier ganze Zahlen" in result.stderr


def test_loads_with_the_loader() -> None:
    """The committed folder passes planner.input.load without a single input problem."""
    load = pytest.importorskip("planner.input.load")
    scenario = load.load_scenario(COMMITTED)
    assert len(scenario.requests) == 150
    assert scenario.settings.planning_date == date(2026, 11, 12)
    assert {r.kind for r in scenario.requests} == set(Kind)
