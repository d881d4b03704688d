"""Tests for planner.input.places and planner.input.geocode: real addresses, a local Nominatim, no network."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.geocoders.base import Geocoder

from planner.input.geocode import (
    AddressIndex,
    GeocodeCache,
    distance_m,
    geocode_requests,
    parse_address,
)
from planner.input.places import Places, read_places
from planner.reasons import GeocodeWhy
from planner.scenario import GeocodingSettings, Kind, Point, Request

OSM = Path(__file__).resolve().parents[2] / "shared" / "osm"
NORTH = OSM / "north-bayreuth.osm.gz"
pytestmark = pytest.mark.skipif(not NORTH.exists(), reason="the shared OSM extracts are not here")

# Addresses as tagged in north-bayreuth.osm.gz (checked in test_known_addresses_are_in_the_extract).
CAFE = "St.-Georgen-Straße 16, 95463 Bindlach"  # Cafeteria Sonngard
BRAEUWERCK = "Marktplatz 2a, 95512 Neudrossenfeld"  # Drossenfelder Bräuwerck
MORETH = "Hauptstraße 2, 95500 Heinersreuth"  # Landgasthof Moreth; Bindlach has a Hauptstraße 2 too


@pytest.fixture(scope="module")
def places() -> Places:
    """The features of the rural extract, read once."""
    return read_places(NORTH)


@pytest.fixture(scope="module")
def index(places: Places) -> AddressIndex:
    """The offline geocoder over the rural extract."""
    return AddressIndex(places.addresses)


def request(rid: str, address: str = "", point: Point | None = None, row: int = 2) -> Request:
    """A walk and talk request located by address or point."""
    return Request(rid, Kind.WALK_AND_TALK, "K-1", 60, row, point=point, address=address)


def test_read_places_groups_and_order(places: Places) -> None:
    """Every group is filled from the real extract, sorted nodes first then by id, ways as centroids."""
    assert len(places.addresses) == 800
    assert len(places.buildings) > 4000
    assert len(places.parking) == 50
    assert {p.name for p in places.third_parties if p.kind == "townhall"} >= {"Rathaus"}
    assert any(p.kind == "village" and p.population == 3959 for p in places.settlements)
    for group in (places.addresses, places.buildings, places.parking):
        keys = [(p.ref[0] != "n", int(p.ref[1:])) for p in group]
        assert keys == sorted(keys)
    way = next(p for p in places.buildings if p.ref.startswith("w"))
    assert 49.9 < way.point.lat < 50.1 and 11.4 < way.point.lon < 11.7


def test_rathaus_is_where_the_brief_says(places: Places) -> None:
    """The town hall node named "Rathaus" sits at 50.0167, 11.5011."""
    rathaus = next(p for p in places.third_parties if p.name == "Rathaus")
    assert distance_m(rathaus.point, Point(50.01671, 11.50113)) < 30


def test_known_addresses_are_in_the_extract(places: Places) -> None:
    """The test addresses are real and formatted German style."""
    formatted = {p.address for p in places.addresses}
    assert {CAFE, BRAEUWERCK, MORETH} <= formatted


def test_index_is_a_geopy_geocoder(index: AddressIndex) -> None:
    """It drops in where a geopy geocoder is expected and answers with a Location."""
    assert isinstance(index, Geocoder)
    loc = index.geocode(CAFE)
    assert loc is not None and loc.address == CAFE
    assert distance_m(Point(loc.latitude, loc.longitude), Point(50.0, 11.58)) < 5000


@pytest.mark.parametrize(
    "query",
    [
        CAFE,
        "St.-Georgen-Str. 16, Bindlach",
        "St.-Georgen-Str.16, Bindlach",
        "st georgen strasse 16",
        "  ST.-GEORGEN-STRASSE   16 ,  95463  ",
        "95463 Bindlach, St.-Georgen-Straße 16",
        "St.-Georgen-Straße 16 95463 Bindlach",
        "St.-Georgen-Straße 16, 95463 Bindlach, Deutschland",
    ],
)
def test_normalised_queries_find_the_same_door(index: AddressIndex, query: str) -> None:
    """Case, street abbreviations, spacing, comma order, optional postcode and city all match."""
    loc = index.geocode(query)
    assert loc is not None and loc.address == CAFE


def test_house_number_suffix_is_exact(index: AddressIndex) -> None:
    """ "2a" and "2 A" find Marktplatz 2a; plain "2" is another door and is not guessed."""
    assert index.geocode("Marktplatz 2a, Neudrossenfeld").address == BRAEUWERCK
    assert index.geocode("marktplatz 2 A 95512").address == BRAEUWERCK
    assert index.geocode("Marktplatz 2, Neudrossenfeld") is None


def test_same_street_in_two_towns_needs_the_town(index: AddressIndex) -> None:
    """Hauptstraße 2 exists in Bindlach and Heinersreuth: without a town it is ambiguous."""
    assert index.geocode("Hauptstraße 2") is None
    assert len(index.geocode("Hauptstraße 2", exactly_one=False)) == 2
    assert index.geocode("Hauptstr. 2, Heinersreuth").address == MORETH
    assert index.geocode("Hauptstraße 2, 95500").address == MORETH


def test_contradicting_town_or_postcode_is_a_miss(index: AddressIndex) -> None:
    """A right street and number in the wrong town or postcode is not moved to another town."""
    assert index.geocode("St.-Georgen-Straße 16, Neudrossenfeld") is None
    assert index.geocode("St.-Georgen-Straße 16, 95512") is None
    assert index.geocode("St.-Georgen-Straße 999, Bindlach") is None
    assert index.geocode("St.-Georgen-Weg 16, Bindlach") is None
    assert index.geocode("Bindlach") is None


def test_parse_address_parts() -> None:
    """The parser splits street, number, postcode and city and folds spellings."""
    parsed = parse_address("Bayreuther Str. 5 a, 91207 Lauf a.d.Pegnitz")
    assert parsed is not None
    assert (parsed.street, parsed.number, parsed.postcode) == ("bayreutherstrasse", "5a", "91207")
    assert parsed.city == ("lauf", "an", "der", "pegnitz")
    assert parse_address("no number here") is None


def test_lauf_town_name_variants() -> None:
    """Lauf's addresses are tagged "Lauf a.d.Pegnitz": "Lauf" and "Lauf an der Pegnitz" both match."""
    lauf = read_places(OSM / "lauf.osm.pbf")
    idx = AddressIndex(lauf.addresses)
    place = next(p for p in lauf.addresses if p.tag("addr:city") == "Lauf a.d.Pegnitz")
    street, number = place.tag("addr:street"), place.tag("addr:housenumber")
    for town in ("Lauf", "Lauf an der Pegnitz", "Lauf a. d. Pegnitz"):
        loc = idx.geocode(f"{street} {number}, {town}")
        assert loc is not None and distance_m(Point(loc.latitude, loc.longitude), place.point) < 75


def test_geocode_requests_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hits get points, misses and ambiguities are listed with their row; no socket is opened."""

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fixed = Point(50.0, 11.5)
    reqs = [
        request("A", CAFE, row=2),
        request("B", "Hauptstraße 2", row=3),
        request("C", "Nirgendwo 1, Bindlach", row=4),
        request("D", point=fixed, row=5),
    ]
    result = geocode_requests(reqs, GeocodingSettings(), NORTH)
    assert set(result.points) == {"A"}
    assert [(f.request_id, f.row, f.reason) for f in result.failures] == [
        ("B", 3, GeocodeWhy.AMBIGUOUS),
        ("C", 4, GeocodeWhy.NOT_FOUND),
    ]
    assert result.failures[1].message("de") == "Adresse nicht gefunden"
    assert result.failures[1].address == "Nirgendwo 1, Bindlach"


def test_geocode_requests_without_extract_or_address() -> None:
    """No extract and no Nominatim: every address fails clearly; a request without location too."""
    result = geocode_requests([request("A", CAFE), request("B")], GeocodingSettings(), None)
    assert result.points == {}
    assert [f.reason for f in result.failures] == [GeocodeWhy.NO_INDEX, GeocodeWhy.NO_LOCATION]


class _Nominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim: one known address, [] for anything else; counts the calls."""

    calls: list[str] = []  # noqa: RUF012 - shared by the test through the class

    def do_GET(self) -> None:
        """Serve /search?q=...&format=json."""
        url = urlsplit(self.path)
        query = parse_qs(url.query).get("q", [""])[0]
        type(self).calls.append(query)
        hits = [{"lat": "50.1", "lon": "11.6", "display_name": "Testweg 1, 95463 Testdorf"}]
        body = json.dumps(hits if url.path == "/search" and query == "Testweg 1, Testdorf" else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def nominatim() -> Iterator[str]:
    """A local Nominatim stand-in on a free port, as "http://127.0.0.1:PORT"."""
    _Nominatim.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_nominatim_with_persistent_cache(nominatim: str, tmp_path: Path) -> None:
    """Addresses the index cannot place go to the configured server once; the cache answers the rerun."""
    cache = tmp_path / "geocode-cache.json"
    settings = GeocodingSettings(nominatim_url=nominatim, min_delay_s=0.0, cache=cache)
    reqs = [request("A", CAFE), request("B", "Testweg 1, Testdorf"), request("C", "Unbekannt 9, Testdorf")]
    first = geocode_requests(reqs, settings, NORTH)
    assert first.points["B"] == Point(50.1, 11.6)
    assert "A" in first.points  # from the offline index, never sent
    assert [f.request_id for f in first.failures] == ["C"]
    assert _Nominatim.calls == ["Testweg 1, Testdorf", "Unbekannt 9, Testdorf"]
    stored = json.loads(cache.read_text(encoding="utf-8"))["entries"]
    assert stored["Testweg 1, Testdorf"]["lat"] == 50.1 and stored["Unbekannt 9, Testdorf"]["miss"]

    second = geocode_requests(reqs, settings, NORTH)
    assert second == first
    assert len(_Nominatim.calls) == 2  # no new HTTP request

    geocode_requests(reqs, settings, NORTH, retry_misses=True)
    assert _Nominatim.calls[2:] == ["Unbekannt 9, Testdorf"]


def test_nominatim_down_is_a_listed_failure(tmp_path: Path) -> None:
    """A configured server that does not answer: failures, no exception, nothing cached."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cache = tmp_path / "geocode-cache.json"
    settings = GeocodingSettings(nominatim_url=f"http://127.0.0.1:{port}", min_delay_s=0.0, cache=cache)
    result = geocode_requests(
        [request("B", "Testweg 1, Testdorf"), request("C", "Weg 2, Ort")], settings, None
    )
    assert result.points == {}
    assert [f.reason for f in result.failures] == [GeocodeWhy.SERVICE_UNAVAILABLE] * 2
    assert not cache.exists()


def test_cache_round_trip(tmp_path: Path) -> None:
    """Hits and misses survive a reload, keyed by the address with whitespace collapsed."""
    path = tmp_path / "sub" / "cache.json"
    cache = GeocodeCache(path)
    cache.put("Weg  1,  Ort", Point(1.0, 2.0), "Weg 1")
    cache.put("Weg 2, Ort", None)
    cache.save()
    again = GeocodeCache(path)
    hit = again.get("Weg 1, Ort")
    assert hit is not None and hit["lat"] == 1.0
    assert again.get("Weg 2,  Ort") == {"miss": True, "at": again.entries["Weg 2, Ort"]["at"]}
