"""Read a local OSM extract with pyosmium and write the drivable roads as OSM XML for osmnx.

osmnx's `graph_from_xml` turns every way of a raw extract into edges, cannot read `.pbf`, and fails on
ways that reference nodes missing from a clipped extract. This module filters the extract to the ways
osmnx's `network_type="drive"` would download, splits ways at missing node references, and writes a
small, sorted (hence deterministic) XML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import osmium

from planner.errors import NetworkError, NetworkSettingError

# Tag filters of osmnx 2.x `_overpass._get_network_filter("drive")` with `settings.default_access`:
# Overpass `["key"!~"regex"]` drops a way whose tag value matches the (unanchored) regex.
DRIVE_EXCLUDE: dict[str, re.Pattern[str]] = {
    "area": re.compile("yes"),
    "access": re.compile("private"),
    "highway": re.compile(
        "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|footway|no|"
        "path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|services|steps|track"
    ),
    "motor_vehicle": re.compile("no"),
    "motorcar": re.compile("no"),
    "service": re.compile("alley|driveway|emergency_access|parking|parking_aisle|private"),
}

# Way tags written to the XML: what osmnx needs for direction (oneway, junction) and what we use.
WAY_TAGS = ("highway", "maxspeed", "oneway", "junction", "name", "ref")

SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")


@dataclass(frozen=True)
class Way:
    """A run of consecutive present nodes of one drivable OSM way, with the tags we keep."""

    id: int
    nodes: tuple[int, ...]
    tags: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Extract:
    """The drivable part of an extract: node coordinates and way pieces, both sorted by id."""

    nodes: dict[int, tuple[float, float]]  # id -> (lat, lon)
    ways: list[Way]


def is_drivable(tags: dict[str, str]) -> bool:
    """True if osmnx's `network_type="drive"` filter keeps a way with these tags."""
    if "highway" not in tags:
        return False
    return not any(key in tags and rx.search(tags[key]) for key, rx in DRIVE_EXCLUDE.items())


def split_runs(refs: list[tuple[int, tuple[float, float] | None]]) -> list[list[int]]:
    """Split a way's node references at missing nodes into runs of at least two present nodes."""
    runs: list[list[int]] = [[]]
    for ref, loc in refs:
        if loc is None:
            runs.append([])
        else:
            runs[-1].append(ref)
    return [run for run in runs if len(run) >= 2]


def piece_id(way_id: int, part: int) -> int:
    """Id of the part-th piece of a split way: the way's own id first, then unique negative ids."""
    return way_id if part == 0 else -(way_id * 1000 + part)


def read_drivable(path: Path) -> Extract:
    """Read the drivable ways and the coordinates of their nodes from an .osm/.osm.gz/.osm.pbf file."""
    if not path.name.endswith(SUFFIXES):
        raise NetworkSettingError(f"OSM extract {path}: expected a .osm, .osm.gz or .osm.pbf file")
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[Way] = []
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = {tag.k: tag.v for tag in way.tags}
            if not is_drivable(tags):
                continue
            refs = [
                (nd.ref, (nd.location.lat, nd.location.lon) if nd.location.valid() else None)
                for nd in way.nodes
            ]
            nodes.update((ref, loc) for ref, loc in refs if loc is not None)
            kept = tuple((k, tags[k]) for k in WAY_TAGS if k in tags)
            ways.extend(Way(piece_id(way.id, i), tuple(run), kept) for i, run in enumerate(split_runs(refs)))
    except RuntimeError as exc:
        raise NetworkError(f"OSM extract {path} is not readable: {exc}") from exc
    if not ways:
        raise NetworkError(f"OSM extract {path} has no drivable roads")
    ways.sort(key=lambda w: w.id)
    return Extract(dict(sorted(nodes.items())), ways)


def write_xml(extract: Extract, target: Path) -> None:
    """Write the extract as plain OSM XML that `osmnx.graph_from_xml` reads."""
    with target.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="vanplan">\n')
        for node_id, (lat, lon) in extract.nodes.items():
            out.write(f' <node id="{node_id}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way in extract.ways:
            out.write(f' <way id="{way.id}">\n')
            out.writelines(f'  <nd ref="{ref}"/>\n' for ref in way.nodes)
            out.writelines(f"  <tag k={quoteattr(k)} v={quoteattr(v)}/>\n" for k, v in way.tags)
            out.write(" </way>\n")
        out.write("</osm>\n")
