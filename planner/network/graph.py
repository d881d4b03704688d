"""The drivable road graph: built with osmnx from a filtered extract, stored as sorted numpy arrays.

Pipeline: `osm.read_drivable` -> OSM XML -> `osmnx.graph_from_xml` (unsimplified) -> largest strongly
connected component -> one directed segment per (u, v) pair with a length and a road travel time ->
chains: maximal runs of segments through nodes that only pass traffic on (degree-2 nodes), which is
what osmnx's simplification does, but kept as arrays so every point on a chain has an exact offset.
Everything is sorted by OSM ids, so the same extract gives the same arrays byte for byte.

Speeds (km/h) come from the `maxspeed` tag when it parses, otherwise from `HIGHWAY_KMH`. The van
speed factor is applied later, to whole travel times, so one cached graph serves every factor.
"""

from __future__ import annotations

import bisect
import itertools
import re
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox

from planner.network.osm import NetworkError, read_drivable, write_xml

# Free-flow speed (km/h) by highway type when `maxspeed` is missing or says "no limit". Chosen for
# German roads: motorways have no general limit (advisory 130; vans drive slower), most residential
# streets are 30 zones, federal roads (primary) mix towns (50) and open road (100).
HIGHWAY_KMH: dict[str, float] = {
    "motorway": 120.0,
    "motorway_link": 60.0,
    "trunk": 90.0,
    "trunk_link": 50.0,
    "primary": 70.0,
    "primary_link": 50.0,
    "secondary": 60.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,
    "tertiary_link": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 7.0,
    "road": 30.0,
}
# Any other highway value the drive filter lets through (busway, bus_stop, access_ramp, ...).
OTHER_HIGHWAY_KMH = 20.0

# `maxspeed` words with an implied limit (km/h). "none", "signals", "variable", "DE:motorway" have no
# fixed number and fall back to the highway type's speed.
MAXSPEED_WORDS: dict[str, float] = {
    "walk": 7.0,
    "DE:walk": 7.0,
    "DE:living_street": 7.0,
    "DE:bicycle_road": 30.0,
    "DE:urban": 50.0,
    "DE:rural": 100.0,
    "AT:urban": 50.0,
    "AT:rural": 100.0,
    "CH:urban": 50.0,
    "CH:rural": 80.0,
    "CZ:urban": 50.0,
    "CZ:rural": 90.0,
}
ZONE = re.compile(r"^[A-Z]{2}:zone:?(\d+)$")  # "DE:zone30", "DE:zone:20"
NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?$")
UNIT_KMH = {None: 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}


def parse_maxspeed(value: str | None) -> float | None:
    """Speed limit in km/h from an OSM `maxspeed` value, the lowest of several; None if it has no number."""
    if value is None:
        return None
    speeds = [_parse_one_maxspeed(part.strip()) for part in re.split(r"[;|]", value)]
    known = [s for s in speeds if s is not None and s > 0]
    return min(known) if known else None


def _parse_one_maxspeed(part: str) -> float | None:
    """One `maxspeed` value: a number with an optional unit, a zone or a known word."""
    if match := NUMBER.match(part):
        return float(match.group(1).replace(",", ".")) * UNIT_KMH[match.group(2)]
    if match := ZONE.match(part):
        return float(match.group(1))
    return MAXSPEED_WORDS.get(part)


def road_speed_kmh(highway: str, maxspeed: str | None) -> float:
    """Free-flow speed of a car on this road: the signed limit, else the highway type's default."""
    return parse_maxspeed(maxspeed) or HIGHWAY_KMH.get(highway, OTHER_HIGHWAY_KMH)


@dataclass(frozen=True)
class RoadGraph:
    """The largest strongly connected drivable network of an extract, as arrays (see module doc).

    Nodes are sorted by OSM id; segments by (u, v). A chain runs from junction `chain_u` to junction
    `chain_v` through the segments `chain_segs[chain_start[c]:chain_start[c + 1]]`.
    """

    osmid: np.ndarray  # int64, per node
    lat: np.ndarray  # float64, per node
    lon: np.ndarray  # float64, per node
    seg_u: np.ndarray  # int64 node index, per directed segment
    seg_v: np.ndarray  # int64 node index
    seg_len: np.ndarray  # float64 metres (great circle, as osmnx)
    seg_time: np.ndarray  # float64 seconds at road speed
    seg_class: np.ndarray  # int64 index into `classes`
    classes: np.ndarray  # str, highway types
    seg_chain: np.ndarray  # int64 chain of each segment
    seg_off_len: np.ndarray  # float64 metres from the chain's start to the segment's start
    seg_off_time: np.ndarray  # float64 seconds from the chain's start to the segment's start
    chain_u: np.ndarray  # int64 node index of the first junction
    chain_v: np.ndarray  # int64 node index of the last junction
    chain_len: np.ndarray  # float64 metres
    chain_time: np.ndarray  # float64 seconds
    chain_segs: np.ndarray  # int64 segment indices, chains one after another
    chain_start: np.ndarray  # int64 offsets into chain_segs, one more than chains

    @property
    def junctions(self) -> np.ndarray:
        """Sorted node indices where chains start or end: the nodes of the simplified graph."""
        return np.unique(np.concatenate([self.chain_u, self.chain_v]))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """South, west, north, east of all nodes."""
        return (
            float(self.lat.min()),
            float(self.lon.min()),
            float(self.lat.max()),
            float(self.lon.max()),
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """All fields by name, for saving with numpy."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> RoadGraph:
        """Inverse of `to_arrays`; KeyError if a field is missing."""
        return cls(**{f.name: arrays[f.name] for f in fields(cls)})


def build_graph(path: Path) -> RoadGraph:
    """Read an extract and build its road graph (the slow step that `cache` saves)."""
    extract = read_drivable(path)
    with tempfile.TemporaryDirectory(prefix="vanplan-osm-") as tmp:
        xml = Path(tmp) / "drive.osm"
        write_xml(extract, xml)
        multigraph = ox.graph_from_xml(xml, simplify=False, retain_all=True)
    strong = ox.truncate.largest_component(multigraph, strongly=True)
    if strong.number_of_edges() == 0:
        raise NetworkError(f"OSM extract {path} has no connected drivable road network")
    return graph_from_multigraph(strong)


def graph_from_multigraph(graph: nx.MultiDiGraph) -> RoadGraph:
    """Arrays of a strongly connected osmnx graph, keeping the fastest of parallel edges."""
    osmid = np.array(sorted(graph.nodes), dtype=np.int64)
    lat = np.array([graph.nodes[n]["y"] for n in osmid.tolist()], dtype=np.float64)
    lon = np.array([graph.nodes[n]["x"] for n in osmid.tolist()], dtype=np.float64)
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if u != v]
    u = np.searchsorted(osmid, np.array([e[0] for e in edges], dtype=np.int64))
    v = np.searchsorted(osmid, np.array([e[1] for e in edges], dtype=np.int64))
    length = np.array([float(e[2]["length"]) for e in edges])
    highway = [_first(e[2]["highway"]) for e in edges]
    speed = np.array([road_speed_kmh(h, _maxspeed(e[2])) for h, e in zip(highway, edges, strict=True)])
    time = length / (speed / 3.6)
    classes, seg_class = np.unique(np.array(highway, dtype=str), return_inverse=True)
    # sort by (u, v, time, length, class) and keep the first of each (u, v): fastest parallel edge
    order = np.lexsort((seg_class, length, time, v, u))
    u, v = u[order], v[order]
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    sel = order[keep]
    seg_u, seg_v = u[keep].astype(np.int64), v[keep].astype(np.int64)
    chains = contract(len(osmid), seg_u, seg_v, length[sel], time[sel])
    return RoadGraph(
        osmid=osmid,
        lat=lat,
        lon=lon,
        seg_u=seg_u,
        seg_v=seg_v,
        seg_len=length[sel],
        seg_time=time[sel],
        seg_class=seg_class[sel].astype(np.int64),
        classes=classes,
        **chains,
    )


def _first(value: object) -> str:
    """A tag value that osmnx may hold as a list: its first element, as text."""
    return str(value[0] if isinstance(value, list) else value)


def _maxspeed(data: dict[str, object]) -> str | None:
    """The edge's `maxspeed` tag as one string ("50;30" if osmnx holds a list), or None."""
    value = data.get("maxspeed")
    if value is None:
        return None
    return ";".join(map(str, value)) if isinstance(value, list) else str(value)


def junction_mask(n_nodes: int, seg_u: np.ndarray, seg_v: np.ndarray) -> np.ndarray:
    """True for nodes a chain must stop at: not exactly two neighbours, or in-degree != out-degree."""
    out_deg = np.bincount(seg_u, minlength=n_nodes)
    in_deg = np.bincount(seg_v, minlength=n_nodes)
    pairs = np.unique(np.minimum(seg_u, seg_v) * n_nodes + np.maximum(seg_u, seg_v))
    neighbours = np.bincount(pairs // n_nodes, minlength=n_nodes) + np.bincount(
        pairs % n_nodes, minlength=n_nodes
    )
    return (neighbours != 2) | (in_deg != out_deg)


def contract(
    n_nodes: int, seg_u: np.ndarray, seg_v: np.ndarray, seg_len: np.ndarray, seg_time: np.ndarray
) -> dict[str, np.ndarray]:
    """Group segments (sorted by u, v) into chains between junctions; the chain fields of RoadGraph."""
    junction = junction_mask(n_nodes, seg_u, seg_v).tolist()
    first_out = np.searchsorted(seg_u, np.arange(n_nodes + 1)).tolist()
    heads = seg_v.tolist()
    covered = [False] * len(heads)
    chains: list[list[int]] = []

    def walk(seg: int) -> None:
        """Follow segments from `seg` through pass-through nodes to the next junction."""
        chain = [seg]
        covered[seg] = True
        prev, node = int(seg_u[seg]), heads[seg]
        while not junction[node]:
            nxt = next(s for s in range(first_out[node], first_out[node + 1]) if heads[s] != prev)
            chain.append(nxt)
            covered[nxt] = True
            prev, node = node, heads[nxt]
        chains.append(chain)

    for node in np.flatnonzero(junction).tolist():
        for seg in range(first_out[node], first_out[node + 1]):
            walk(seg)
    # rings without any junction: cut each at its lowest segment's start node
    while not all(covered):
        start = int(seg_u[covered.index(False)])
        junction[start] = True
        for seg in range(first_out[start], first_out[start + 1]):
            if not covered[seg]:
                walk(seg)
    return _chain_arrays(chains, seg_u, seg_v, seg_len, seg_time)


def _chain_arrays(
    chains: list[list[int]],
    seg_u: np.ndarray,
    seg_v: np.ndarray,
    seg_len: np.ndarray,
    seg_time: np.ndarray,
) -> dict[str, np.ndarray]:
    """Flat arrays for chains given as lists of segment indices: ends, totals and segment offsets."""
    sizes = np.array([len(c) for c in chains], dtype=np.int64)
    chain_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    chain_segs = np.concatenate([np.array(c, dtype=np.int64) for c in chains])
    chain_of = np.repeat(np.arange(len(chains), dtype=np.int64), sizes)
    result: dict[str, np.ndarray] = {
        "chain_u": seg_u[chain_segs[chain_start[:-1]]],
        "chain_v": seg_v[chain_segs[chain_start[1:] - 1]],
        "chain_segs": chain_segs,
        "chain_start": chain_start,
    }
    seg_chain = np.empty(len(seg_u), dtype=np.int64)
    seg_chain[chain_segs] = chain_of
    result["seg_chain"] = seg_chain
    for name, values in (("len", seg_len), ("time", seg_time)):
        cum = np.concatenate([[0.0], np.cumsum(values[chain_segs])])
        offsets = np.empty(len(seg_u))
        offsets[chain_segs] = cum[:-1] - cum[chain_start[:-1]][chain_of]
        result[f"seg_off_{name}"] = offsets
        result[f"chain_{name}"] = cum[chain_start[1:]] - cum[chain_start[:-1]]
    return result


class ChainShapes:
    """Every chain's polyline as Python lists, to cut many route pieces out of them quickly."""

    def __init__(self, graph: RoadGraph) -> None:
        """Split the node coordinates and distances along the chains into one list per chain."""
        segs, start = graph.chain_segs, graph.chain_start
        ends = start[1:] + np.arange(1, len(start))  # each chain has one node more than segments
        nodes = np.insert(graph.seg_u[segs], start[1:], graph.seg_v[segs[start[1:] - 1]])
        along = np.insert(graph.seg_off_len[segs], start[1:], graph.chain_len)
        bounds = np.concatenate([[0], ends]).tolist()
        lat, lon, dist = graph.lat[nodes].tolist(), graph.lon[nodes].tolist(), along.tolist()
        self.coords = [list(zip(lat[i:j], lon[i:j], strict=True)) for i, j in itertools.pairwise(bounds)]
        self.along = [dist[i:j] for i, j in itertools.pairwise(bounds)]

    def cut(self, chain: int, start_m: float, end_m: float) -> list[tuple[float, float]]:
        """The part of a chain between two distances from its start, ends interpolated, as (lat, lon)."""
        along, coords = self.along[chain], self.coords[chain]
        inner = coords[bisect.bisect_right(along, start_m) : bisect.bisect_left(along, end_m)]
        return [self._at(chain, start_m), *inner, self._at(chain, end_m)]

    def _at(self, chain: int, at_m: float) -> tuple[float, float]:
        """The (lat, lon) at a distance along a chain, linear within a segment."""
        along, coords = self.along[chain], self.coords[chain]
        i = min(max(bisect.bisect_right(along, at_m) - 1, 0), len(along) - 2)
        span = along[i + 1] - along[i]
        f = min(max((at_m - along[i]) / span, 0.0), 1.0) if span > 0 else 0.0
        (lat0, lon0), (lat1, lon1) = coords[i], coords[i + 1]
        return lat0 + f * (lat1 - lat0), lon0 + f * (lon1 - lon0)


def road_polylines(graph: RoadGraph, shapes: ChainShapes) -> list[tuple[str, list[tuple[float, float]]]]:
    """(highway type, [(lat, lon), ...]) per stretch: two-way chains once, split where the type changes."""
    n = len(graph.osmid)
    pair = (np.minimum(graph.seg_u, graph.seg_v) * n + np.maximum(graph.seg_u, graph.seg_v))[graph.chain_segs]
    starts = graph.chain_start.tolist()
    pair_list, class_list = pair.tolist(), graph.classes[graph.seg_class[graph.chain_segs]].tolist()
    drawn: set[int] = set()
    result: list[tuple[str, list[tuple[float, float]]]] = []
    for chain, (lo, hi) in enumerate(itertools.pairwise(starts)):
        if pair_list[lo] in drawn:  # the reverse of a chain drawn already
            continue
        drawn.update((pair_list[lo], pair_list[hi - 1]))
        run_start = 0
        for k in range(1, hi - lo + 1):
            if k == hi - lo or class_list[lo + k] != class_list[lo + k - 1]:
                result.append((class_list[lo + run_start], shapes.coords[chain][run_start : k + 1]))
                run_start = k
    return result
