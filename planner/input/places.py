"""Features of an OSM extract that appointments can take place at: addresses, homes, villages, parking.

The scenario generator picks its locations from here and the offline geocoder indexes the addresses.
Nodes and ways are read (ways as centroids); relations are not assembled. Reading an extract is fast
enough (0.3 s for north-bayreuth, 0.4 s for lauf, 0.2 s for heidelberg) that nothing is cached on disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import osmium

from planner.network import NetworkError
from planner.scenario import Point

RESIDENTIAL_BUILDINGS = frozenset(
    {"house", "residential", "detached", "apartments", "semidetached_house", "terrace", "farm", "yes"}
)
SETTLEMENT_PLACES = frozenset({"city", "town", "village", "hamlet", "isolated_dwelling"})
THIRD_PARTY_AMENITIES = frozenset(
    {
        "townhall",
        "doctors",
        "dentist",
        "clinic",
        "hospital",
        "pharmacy",
        "post_office",
        "bank",
        "school",
        "kindergarten",
        "social_facility",
        "community_centre",
    }
)
MEETING_AMENITIES = frozenset({"bench", "cafe"})
MEETING_LEISURE = frozenset({"park"})
_KEYS = ("addr:housenumber", "building", "place", "amenity", "office", "healthcare", "leisure")
_TYPE_ORDER = {"n": 0, "w": 1}


@dataclass(frozen=True)
class Place:
    """One OSM feature reduced to what planning needs; `ref` is "n123" or "w456"."""

    kind: str
    name: str
    point: Point
    address: str
    tags: tuple[tuple[str, str], ...]
    ref: str

    def tag(self, key: str, default: str = "") -> str:
        """The value of an OSM tag of this feature, `default` when it is not tagged."""
        return next((v for k, v in self.tags if k == key), default)

    @property
    def population(self) -> int | None:
        """The tagged population of a settlement, None when absent or not a number."""
        value = self.tag("population").replace(".", "").replace(",", "").strip()
        return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Places:
    """The features of one extract, grouped by their use; each group sorted by OSM type and id."""

    addresses: tuple[Place, ...]
    buildings: tuple[Place, ...]
    settlements: tuple[Place, ...]
    parking: tuple[Place, ...]
    third_parties: tuple[Place, ...]
    squares: tuple[Place, ...]
    meeting_points: tuple[Place, ...]

    def all(self) -> tuple[Place, ...]:
        """Every place of every group (a feature in two groups appears twice)."""
        return (
            self.addresses
            + self.buildings
            + self.settlements
            + self.parking
            + self.third_parties
            + self.squares
            + self.meeting_points
        )


def format_address(tags: dict[str, str]) -> str:
    """German postal style, e.g. "Hauptstraße 5, 95463 Bindlach"; "" without street and number."""
    street, number = tags.get("addr:street", ""), tags.get("addr:housenumber", "")
    if not street or not number:
        return ""
    locality = " ".join(p for p in (tags.get("addr:postcode", ""), tags.get("addr:city", "")) if p)
    return f"{street} {number}, {locality}" if locality else f"{street} {number}"


def _centroid(locations: list[tuple[float, float]]) -> Point:
    """Area centroid of a closed ring (shoelace), else the mean of the vertices; input is (lon, lat)."""
    closed = len(locations) >= 4 and locations[0] == locations[-1]
    if closed:
        x0, y0 = locations[0]
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in pairwise(locations):
            cross = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
            area += cross
            cx += (x1 + x2 - 2 * x0) * cross
            cy += (y1 + y2 - 2 * y0) * cross
        if abs(area) > 1e-18:
            return Point(lat=y0 + cy / (3 * area), lon=x0 + cx / (3 * area))
        locations = locations[:-1]
    return Point(
        lat=sum(lat for _, lat in locations) / len(locations),
        lon=sum(lon for lon, _ in locations) / len(locations),
    )


def _groups(tags: dict[str, str]) -> Iterable[tuple[str, str]]:
    """The (group, kind) pairs a feature with these tags belongs to."""
    if tags.get("addr:street") and tags.get("addr:housenumber"):
        yield "addresses", "address"
    if tags.get("building") in RESIDENTIAL_BUILDINGS:
        yield "buildings", tags["building"]
    if tags.get("place") in SETTLEMENT_PLACES and tags.get("name"):
        yield "settlements", tags["place"]
    amenity = tags.get("amenity", "")
    if amenity == "parking":
        yield "parking", "parking"
    if amenity in THIRD_PARTY_AMENITIES:
        yield "third_parties", amenity
    elif tags.get("office") == "government":
        yield "third_parties", "government"
    elif tags.get("healthcare"):
        yield "third_parties", tags["healthcare"]
    if tags.get("place") == "square" or amenity == "marketplace":
        yield "squares", "marketplace" if amenity == "marketplace" else "square"
    if amenity in MEETING_AMENITIES:
        yield "meeting_points", amenity
    elif tags.get("leisure") in MEETING_LEISURE:
        yield "meeting_points", tags["leisure"]


def read_places(path: Path) -> Places:
    """Read the features of an .osm, .osm.gz or .osm.pbf extract; ways clipped by the extract are skipped."""
    try:
        return _read(path)
    except RuntimeError as exc:  # osmium's way of saying the file is missing or not OSM data
        raise NetworkError(f"cannot read OSM extract {path}: {exc}") from exc


def _read(path: Path) -> Places:
    """read_places without the error translation."""
    found: dict[str, list[Place]] = {name: [] for name in Places.__dataclass_fields__}
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter(*_KEYS))
    )
    for obj in processor:
        tags = dict(obj.tags)
        groups = list(_groups(tags))
        if not groups:
            continue
        if isinstance(obj, osmium.osm.Node):
            point = Point(lat=obj.location.lat, lon=obj.location.lon)
        elif isinstance(obj, osmium.osm.Way) and obj.nodes and all(n.location.valid() for n in obj.nodes):
            point = _centroid([(n.location.lon, n.location.lat) for n in obj.nodes])
        else:
            continue
        ref = f"{obj.type_str()}{obj.id}"
        address = format_address(tags)
        tag_items = tuple(sorted(tags.items()))
        for group, kind in groups:
            found[group].append(Place(kind, tags.get("name", ""), point, address, tag_items, ref))
    return Places(**{g: tuple(sorted(ps, key=_order)) for g, ps in found.items()})


def _order(place: Place) -> tuple[int, int]:
    """Sort key: nodes before ways, then by OSM id."""
    return _TYPE_ORDER[place.ref[0]], int(place.ref[1:])
