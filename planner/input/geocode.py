"""Turn request addresses into points: offline from the extract's addresses, a self-hosted Nominatim if set.

Client addresses are social data, so nothing is sent anywhere unless `nominatim_url` is configured, and
then only to that server (system proxies are ignored). The offline index answers exact matches only: a
wrong door is worse than a clear "not found", which puts the request on the unscheduled list.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from planner.errors import InputError, InputProblem
from planner.input.places import Place, read_places
from planner.reasons import GEOCODE_WHY, GeocodeWhy
from planner.scenario import GeocodingSettings, Point, Request

SAME_PLACE_M = 75.0  # candidates closer than this are one address (an entrance node and its building)
CACHE_VERSION = 1
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_CITY_ABBREVIATIONS = {("a", "d"): ("an", "der"), ("i", "d"): ("in", "der")}
_COUNTRIES = frozenset({"deutschland", "germany", "de"})
_NUMBER = r"\d+(?:\s?[a-z])?(?:\s?[-/]\s?\d+(?:\s?[a-z])?)?"
_STREET_PART = re.compile(rf"^(?P<street>.+?)\s+(?P<number>{_NUMBER})$")
_ONE_LINE = re.compile(
    rf"^(?P<street>.+?)\s+(?P<number>{_NUMBER})(?:\s+(?P<postcode>\d{{5}}))?(?:\s+(?P<city>[^\d]+))?$"
)
_LOCALITY_PART = re.compile(r"^(?P<postcode>\d{5})?\s*(?P<city>[^\d]*)$")


def _fold(text: str) -> str:
    """Lower case, umlauts spelled out, "str."/"straße" as "strasse", punctuation (not 5-7) as spaces."""
    text = text.lower().translate(_UMLAUTS)
    text = re.sub(r"str\.|str\b", "strasse ", text)
    text = re.sub(r"(?<=[a-z])(?=\d)", " ", text)
    return " ".join(re.sub(r"(?<!\d)-|-(?!\d)|[^\w/-]+", " ", text).split())


def street_key(street: str) -> str:
    """A street name without case, spelling, spaces, hyphens: "Bayreuther Str." = "Bayreutherstraße"."""
    return re.sub(r"[^a-z0-9]", "", _fold(street))


def number_key(number: str) -> str:
    """A house number without spaces and case ("5 A" = "5a")."""
    return re.sub(r"\s+", "", number.lower())


def city_tokens(city: str) -> tuple[str, ...]:
    """A place name as words, with "a.d." read as "an der" ("Lauf a.d.Pegnitz" = "Lauf an der Pegnitz")."""
    words = _fold(city).replace("/", " ").split()
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = tuple(words[i : i + 2])
        if pair in _CITY_ABBREVIATIONS:
            out += _CITY_ABBREVIATIONS[pair]
            i += 2
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


@dataclass(frozen=True)
class ParsedAddress:
    """The parts of an address query; postcode and city are "" / () when not given."""

    street: str
    number: str
    postcode: str = ""
    city: tuple[str, ...] = ()


def parse_address(query: str) -> ParsedAddress | None:
    """Split "Hauptstr. 5a, 95463 Bindlach" (any order of the comma-separated parts) into its parts."""
    parts = [p.strip() for p in query.split(",") if p.strip()]
    parts = [p for p in parts if _fold(p) not in _COUNTRIES]
    if len(parts) == 1:
        m = _ONE_LINE.match(_fold(parts[0]))
        if not m:
            return None
        return ParsedAddress(
            street_key(m["street"]),
            number_key(m["number"]),
            m["postcode"] or "",
            city_tokens(m["city"] or ""),
        )
    street = [m for p in parts if (m := _STREET_PART.match(_fold(p))) and not p.strip()[:1].isdigit()]
    localities = [m for p in parts if (m := _LOCALITY_PART.match(_fold(p)))]
    if len(street) != 1 or len(localities) != len(parts) - 1:
        return None
    postcodes = {m["postcode"] for m in localities if m["postcode"]}
    cities = [m["city"] for m in localities if m["city"].strip()]
    if len(postcodes) > 1 or len(cities) > 1:
        return None
    return ParsedAddress(
        street_key(street[0]["street"]),
        number_key(street[0]["number"]),
        next(iter(postcodes), ""),
        city_tokens(cities[0]) if cities else (),
    )


def _prefix_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one place name is the other or starts it ("Lauf" and "Lauf an der Pegnitz")."""
    n = min(len(a), len(b))
    return n > 0 and a[:n] == b[:n]


def _confirms(parsed: ParsedAddress, place: Place) -> bool:
    """True unless the place contradicts the query's postcode or town, or (given any) confirms none."""
    checks = []
    postcode = place.tag("addr:postcode")
    if parsed.postcode and postcode:
        checks.append(postcode == parsed.postcode)
    names = [city_tokens(place.tag(k)) for k in ("addr:city", "addr:suburb", "addr:place") if place.tag(k)]
    if parsed.city and names:
        checks.append(any(_prefix_match(parsed.city, n) for n in names))
    return all(checks) and (bool(checks) or not (parsed.postcode or parsed.city))


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(h))


class AddressIndex(Geocoder):
    """An offline geopy geocoder over the addresses of an OSM extract: exact street and number only."""

    def __init__(self, addresses: Sequence[Place]) -> None:
        """Index `addresses` (Places.addresses) by normalised street and house number."""
        super().__init__(proxies={})
        self._index: dict[tuple[str, str], list[Place]] = {}
        for place in addresses:
            for number in re.split(r"[;,]", place.tag("addr:housenumber")):
                key = (street_key(place.tag("addr:street")), number_key(number))
                if key[0] and key[1]:
                    self._index.setdefault(key, []).append(place)

    @classmethod
    def from_extract(cls, extract: Path) -> AddressIndex:
        """The index of every address in an extract."""
        return cls(read_places(extract).addresses)

    def candidates(self, query: str) -> list[Place]:
        """The distinct places the query can mean (duplicates within SAME_PLACE_M merged); [] if none."""
        parsed = parse_address(query)
        if parsed is None:
            return []
        found: list[Place] = []
        for place in self._index.get((parsed.street, parsed.number), []):
            if not _confirms(parsed, place):
                continue
            if all(distance_m(place.point, other.point) > SAME_PLACE_M for other in found):
                found.append(place)
        return found

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: object = None) -> Any:
        """geopy interface: a Location for an unambiguous exact match, else None (or a list)."""
        found = [
            Location(p.address, (p.point.lat, p.point.lon), {"osm": p.ref}) for p in self.candidates(query)
        ]
        if not exactly_one:
            return found or None
        return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class GeocodeFailure:
    """A request whose address could not be turned into a point."""

    request_id: str
    row: int
    address: str
    reason: GeocodeWhy

    def message(self, language: str = "de") -> str:
        """The reason for a user, German or English."""
        de, en = GEOCODE_WHY[self.reason]
        return de if language == "de" else en


@dataclass(frozen=True)
class GeocodeResult:
    """Points found per request id, and the requests that stay without one."""

    points: dict[str, Point] = field(default_factory=dict)
    failures: tuple[GeocodeFailure, ...] = ()


class GeocodeCache:
    """A JSON file of earlier Nominatim answers (hits and misses, with when), so each is asked once."""

    def __init__(self, path: Path | None) -> None:
        """Load `path` if it exists; with None the cache lives only in memory."""
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            self.entries = dict(json.loads(path.read_text(encoding="utf-8")).get("entries", {}))
        self._dirty = False

    def get(self, address: str) -> dict[str, Any] | None:
        """The stored answer for an address: {"lat", "lon", ...} or {"miss": true, ...}."""
        return self.entries.get(_cache_key(address))

    def put(self, address: str, point: Point | None, display_name: str = "") -> dict[str, Any]:
        """Store and return a hit or (point None) a miss."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        entry: dict[str, Any] = (
            {"miss": True, "at": at}
            if point is None
            else {"lat": point.lat, "lon": point.lon, "display_name": display_name, "at": at}
        )
        self.entries[_cache_key(address)] = entry
        self._dirty = True
        return entry

    def save(self) -> None:
        """Write the file atomically if anything changed."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": CACHE_VERSION, "entries": self.entries}, ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".geocode-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, self.path)
        self._dirty = False


def _cache_key(address: str) -> str:
    """Cache entries are keyed by the address with whitespace collapsed."""
    return " ".join(address.split())


_SERVICE_ERROR = object()  # RateLimiter's return value when the server failed after its retries


def nominatim_lookup(settings: GeocodingSettings) -> Callable[[str], Any]:
    """A rate-limited geocode for the configured Nominatim: None on a miss, _SERVICE_ERROR on error."""
    url = urlsplit(settings.nominatim_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        message = f"must be http(s)://host[:port][/path], got {settings.nominatim_url!r}"
        raise InputError([InputProblem("scenario.toml", None, "geocoding.nominatim_url", message)])
    nominatim = Nominatim(
        domain=url.netloc + url.path.rstrip("/"),
        scheme=url.scheme,
        user_agent="vanplan",
        proxies={},
        timeout=10,
    )
    return RateLimiter(
        nominatim.geocode,
        min_delay_seconds=settings.min_delay_s,
        error_wait_seconds=settings.min_delay_s,
        swallow_exceptions=True,
        return_value_on_exception=_SERVICE_ERROR,
    )


def geocode_requests(
    requests: Sequence[Request],
    settings: GeocodingSettings,
    extract: Path | None,
    *,
    retry_misses: bool = False,
) -> GeocodeResult:
    """Points for requests that have an address and no point: the extract's index first, then Nominatim."""
    todo = [r for r in requests if r.point is None]
    if not todo:
        return GeocodeResult()
    index = AddressIndex.from_extract(extract) if extract is not None else None
    points: dict[str, Point] = {}
    pending: dict[str, GeocodeWhy] = {}
    for req in todo:
        if not req.address.strip():
            pending[req.id] = GeocodeWhy.NO_LOCATION
            continue
        found = index.candidates(req.address) if index is not None else []
        if len(found) == 1:
            points[req.id] = found[0].point
        else:
            pending[req.id] = (
                GeocodeWhy.AMBIGUOUS if found else (GeocodeWhy.NOT_FOUND if index else GeocodeWhy.NO_INDEX)
            )
    asked = [
        r
        for r in todo
        if pending.get(r.id) in (GeocodeWhy.NOT_FOUND, GeocodeWhy.AMBIGUOUS, GeocodeWhy.NO_INDEX)
    ]
    if settings.nominatim_url and asked:
        _ask_nominatim(asked, settings, retry_misses, points, pending)
    failures = tuple(GeocodeFailure(r.id, r.row, r.address, pending[r.id]) for r in todo if r.id in pending)
    return GeocodeResult(points=points, failures=failures)


def _ask_nominatim(
    todo: Sequence[Request],
    settings: GeocodingSettings,
    retry_misses: bool,
    points: dict[str, Point],
    pending: dict[str, GeocodeWhy],
) -> None:
    """Resolve `todo` through the cache and Nominatim, moving successes from `pending` to `points`."""
    cache = GeocodeCache(settings.cache)
    lookup = nominatim_lookup(settings)
    service_down = False
    try:
        for req in todo:
            entry = cache.get(req.address)
            if entry is None or (retry_misses and entry.get("miss")):
                answer: Any = _SERVICE_ERROR if service_down else lookup(req.address)
                if answer is _SERVICE_ERROR:
                    service_down = True
                    pending[req.id] = GeocodeWhy.SERVICE_UNAVAILABLE
                    continue
                point = None if answer is None else Point(answer.latitude, answer.longitude)
                entry = cache.put(req.address, point, "" if answer is None else answer.address)
            if not entry.get("miss"):
                points[req.id] = Point(float(entry["lat"]), float(entry["lon"]))
                del pending[req.id]
    finally:
        cache.save()
