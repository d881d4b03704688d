"""Travel-time and distance matrices and route geometry on a `RoadGraph`, vectorised with scipy.

Each point is snapped onto its nearest road segment (cKDTree over points sampled along the segments,
then exact projection). It becomes an extra node that splits the chain(s) through that segment, with
the exact partial lengths and times on either side, so two points on the same street are routed
along it. Dijkstra (scipy.sparse.csgraph) then runs on the simplified graph (junctions plus these
points) from all points at once, in chunks of sources to bound memory.

One Dijkstra gives both matrices: an edge weight is `time_ms * 2**24 + length_dm`, integers that
float64 adds exactly, so the fastest route wins and, among equally fast ones, the shortest; the
distance of the fastest route is the low part. The road's offset from a point (`snap_m`) is reported
but not added to durations or distances.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from planner.network import cache
from planner.network.graph import ChainShapes, RoadGraph, road_polylines
from planner.scenario import NetworkSettings, Point

EARTH_RADIUS_M = 6_371_009.0  # as osmnx's great-circle lengths
SAMPLE_SPACING_M = 40.0  # spacing of the snapping samples along segments
CHUNK_SOURCES = 128  # Dijkstra sources per call: chunk x nodes float64 stays a few MB
UNREACHABLE = 10**9  # durations and distances to and from points off the road network
MS_PER_S = 1000
DM_PER_M = 10
LOW_BITS = float(2**24)  # length part of a weight: up to 1677 km; time part up to 149 h


@dataclass(frozen=True)
class TravelMatrix:
    """Travel between points: seconds (van speed) and metres; unreachable rows/columns hold UNREACHABLE."""

    durations: np.ndarray  # int64 seconds, n x n, diagonal 0
    distances: np.ndarray  # int64 metres, n x n
    snap_m: np.ndarray  # float64 metres from each point to where it joins the road graph
    reachable: np.ndarray  # bool, False if farther than max_snap_m from the graph


class Network(Protocol):
    """Where travel times and route shapes come from: a road graph or straight lines."""

    source: str
    is_road: bool

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Durations and distances between all points."""
        ...

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[list[Point]]:
        """A polyline per leg, from its start to its end."""
        ...

    def roads(self) -> list[tuple[str, list[Point]]]:
        """(highway type, polyline) for every road, to draw a map without tiles."""
        ...

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """South, west, north, east."""
        ...


@dataclass(frozen=True)
class Snap:
    """Where points join the graph: an undirected segment, the fraction along it, and the distance."""

    pair: np.ndarray  # int64 index into Snapper.pair_*
    frac: np.ndarray  # float64, 0 at the pair's lower node index, 1 at the higher
    dist_m: np.ndarray  # float64 metres


class Snapper:
    """Nearest road segment for many points at once, in planar metres around the graph's centre."""

    def __init__(self, graph: RoadGraph) -> None:
        """Index the undirected segments and samples along them every SAMPLE_SPACING_M."""
        self.graph = graph
        lat0 = np.radians(float(np.mean(graph.lat)))
        self.scale = np.array([EARTH_RADIUS_M * np.cos(lat0), EARTH_RADIUS_M]) * np.pi / 180
        self.xy = self.planar(graph.lat, graph.lon)
        n = len(graph.osmid)
        keys = np.minimum(graph.seg_u, graph.seg_v) * n + np.maximum(graph.seg_u, graph.seg_v)
        pairs = np.unique(keys)
        self.pair_a, self.pair_b = pairs // n, pairs % n
        directed = graph.seg_u * n + graph.seg_v  # sorted, as segments are sorted by (u, v)
        self.seg_ab = self._lookup(directed, self.pair_a * n + self.pair_b)
        self.seg_ba = self._lookup(directed, self.pair_b * n + self.pair_a)
        a, b = self.xy[self.pair_a], self.xy[self.pair_b]
        steps = np.maximum(np.ceil(np.hypot(*(b - a).T) / SAMPLE_SPACING_M), 1).astype(np.int64)
        self.sample_pair = np.repeat(np.arange(len(pairs)), steps + 1)
        first = np.concatenate([[0], np.cumsum(steps + 1)[:-1]])
        t = (np.arange(len(self.sample_pair)) - first[self.sample_pair]) / steps[self.sample_pair]
        samples = a[self.sample_pair] + t[:, None] * (b - a)[self.sample_pair]
        self.tree = cKDTree(samples)

    def planar(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Equirectangular (x, y) metres; accurate to well under 1 % across a district."""
        return np.column_stack([lon, lat]) * self.scale

    @staticmethod
    def _lookup(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """Index of each wanted key in sorted_keys, -1 where it is absent."""
        idx = np.clip(np.searchsorted(sorted_keys, wanted), 0, len(sorted_keys) - 1)
        return np.where(sorted_keys[idx] == wanted, idx, -1)

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> Snap:
        """Exact nearest segment of each point: every segment with a sample close enough is projected on."""
        p = self.planar(lat, lon)
        if len(p) == 0:
            return Snap(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        nearest, _ = self.tree.query(p)
        # the nearest segment has a sample within (its distance + half a spacing) <= nearest + spacing/2
        found = self.tree.query_ball_point(p, nearest + SAMPLE_SPACING_M / 2 + 1e-6)
        counts = np.array([len(f) for f in found])
        point = np.repeat(np.arange(len(p)), counts)
        cand = np.unique(point * len(self.pair_a) + self.sample_pair[np.concatenate(found)])
        point, pair = cand // len(self.pair_a), cand % len(self.pair_a)
        a, b = self.xy[self.pair_a[pair]], self.xy[self.pair_b[pair]]
        ab, ap = b - a, p[point] - a
        norm = np.einsum("ij,ij->i", ab, ab)
        frac = np.clip(np.einsum("ij,ij->i", ap, ab) / np.where(norm > 0, norm, 1.0), 0.0, 1.0)
        dist = np.hypot(*(ap - frac[:, None] * ab).T)
        order = np.lexsort((pair, dist, point))
        best = order[np.concatenate([[True], point[order][1:] != point[order][:-1]])]
        return Snap(pair[best], frac[best], dist[best])


@dataclass(frozen=True)
class RoutingGraph:
    """Junctions (0..J-1) plus one node per reachable point (J..), as CSR with each edge's geometry."""

    csr: csr_matrix
    edge_chain: np.ndarray  # int64 chain each CSR entry runs along
    edge_from_m: np.ndarray  # float64 metres along that chain where the edge starts
    edge_to_m: np.ndarray  # float64 metres along that chain where it ends
    edge_key: np.ndarray  # int64 u * nodes + v of each CSR entry, ascending
    point_node: np.ndarray  # int64 routing node of each point, -1 when unreachable


class _Edges(NamedTuple):
    """Edges of the routing graph: ends, integer time (ms) and length (dm), and where on which chain."""

    u: np.ndarray
    v: np.ndarray
    time_ms: np.ndarray
    length_dm: np.ndarray
    chain: np.ndarray
    from_m: np.ndarray
    to_m: np.ndarray


class _Placements(NamedTuple):
    """Routing nodes of points on the chains they lie on, sorted along each chain."""

    chain: np.ndarray
    node: np.ndarray
    pos_m: np.ndarray  # float64 metres from the chain's start
    pos_ms: np.ndarray  # integer-valued ms from the chain's start, within the chain's rounded total
    pos_dm: np.ndarray  # integer-valued dm from the chain's start, within the chain's rounded total


def _totals(g: RoadGraph) -> tuple[np.ndarray, np.ndarray]:
    """Each chain's time in whole ms and length in whole dm: pieces of a chain add up to these."""
    return np.rint(g.chain_time * MS_PER_S), np.rint(g.chain_len * DM_PER_M)


def _placements(snapper: Snapper, snap: Snap, point_node: np.ndarray) -> _Placements:
    """Where each reachable point lies on the directed segment(s) of its road, as chain offsets."""
    g = snapper.graph
    total_ms, total_dm = _totals(g)
    idx = np.flatnonzero(point_node >= 0)
    pair, frac = snap.pair[idx], snap.frac[idx]
    seg = np.concatenate([snapper.seg_ab[pair], snapper.seg_ba[pair]])
    along = np.concatenate([frac, 1.0 - frac])
    node = np.concatenate([point_node[idx], point_node[idx]])
    seg, along, node = seg[seg >= 0], along[seg >= 0], node[seg >= 0]
    chain = g.seg_chain[seg]
    pos_m = g.seg_off_len[seg] + along * g.seg_len[seg]
    pos_s = g.seg_off_time[seg] + along * g.seg_time[seg]
    pos_ms = np.clip(np.rint(pos_s * MS_PER_S), 0, total_ms[chain])
    pos_dm = np.clip(np.rint(pos_m * DM_PER_M), 0, total_dm[chain])
    order = np.lexsort((node, pos_dm, pos_ms, chain))
    return _Placements(chain[order], node[order], pos_m[order], pos_ms[order], pos_dm[order])


def _previous(values: np.ndarray, first: np.ndarray, at_first: np.ndarray | float) -> np.ndarray:
    """Each element's predecessor in the array, or `at_first` where a new group starts."""
    return np.where(first, at_first, np.roll(values, 1))


def _edges(g: RoadGraph, node_of: np.ndarray, p: _Placements) -> _Edges:
    """Whole chains, plus pieces from each chain's start through its points to its end."""
    total_ms, total_dm = _totals(g)
    first = np.ones(len(p.chain), dtype=bool)
    first[1:] = p.chain[1:] != p.chain[:-1]
    last = np.roll(first, -1)
    end = p.chain[last]
    whole = _Edges(
        u=node_of[g.chain_u],
        v=node_of[g.chain_v],
        time_ms=total_ms,
        length_dm=total_dm,
        chain=np.arange(len(g.chain_u)),
        from_m=np.zeros(len(g.chain_u)),
        to_m=g.chain_len,
    )
    into_point = _Edges(
        u=_previous(p.node, first, node_of[g.chain_u][p.chain]),
        v=p.node,
        time_ms=p.pos_ms - _previous(p.pos_ms, first, 0.0),
        length_dm=p.pos_dm - _previous(p.pos_dm, first, 0.0),
        chain=p.chain,
        from_m=_previous(p.pos_m, first, 0.0),
        to_m=p.pos_m,
    )
    to_end = _Edges(
        u=p.node[last],
        v=node_of[g.chain_v][end],
        time_ms=total_ms[end] - p.pos_ms[last],
        length_dm=total_dm[end] - p.pos_dm[last],
        chain=end,
        from_m=p.pos_m[last],
        to_m=g.chain_len[end],
    )
    return _Edges(*(np.concatenate(cols) for cols in zip(whole, into_point, to_end, strict=True)))


def routing_graph(snapper: Snapper, snap: Snap, reachable: np.ndarray) -> RoutingGraph:
    """The simplified graph with every reachable point inserted on the chain(s) it snapped to."""
    g = snapper.graph
    junctions = g.junctions
    node_of = np.full(len(g.osmid), -1, dtype=np.int64)
    node_of[junctions] = np.arange(len(junctions))
    point_node = np.full(len(reachable), -1, dtype=np.int64)
    point_node[reachable] = len(junctions) + np.arange(int(reachable.sum()))
    e = _edges(g, node_of, _placements(snapper, snap, point_node))
    weight = np.maximum(e.time_ms * LOW_BITS + e.length_dm, 1.0)
    # keep the lightest of parallel edges; CSR wants entries sorted by (u, v)
    order = np.lexsort((weight, e.v, e.u))
    u, v = e.u[order], e.v[order]
    sel = order[np.concatenate([[True], (u[1:] != u[:-1]) | (v[1:] != v[:-1])])]
    n_nodes = len(junctions) + int(reachable.sum())
    indptr = np.searchsorted(e.u[sel], np.arange(n_nodes + 1))
    csr = csr_matrix((weight[sel], e.v[sel], indptr), shape=(n_nodes, n_nodes))
    key = e.u[sel] * n_nodes + e.v[sel]
    return RoutingGraph(csr, e.chain[sel], e.from_m[sel], e.to_m[sel], key, point_node)


def decode(weights: np.ndarray, speed_factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Van seconds and metres from summed weights; infinite (no route) becomes UNREACHABLE."""
    finite = np.isfinite(weights)
    w = np.where(finite, weights, 0.0)
    time_ms = np.floor(w / LOW_BITS)
    seconds = np.rint(time_ms / MS_PER_S / speed_factor).astype(np.int64)
    metres = np.rint((w - time_ms * LOW_BITS) / DM_PER_M).astype(np.int64)
    return np.where(finite, seconds, UNREACHABLE), np.where(finite, metres, UNREACHABLE)


def travel_matrix(snapper: Snapper, points: Sequence[Point], settings: NetworkSettings) -> TravelMatrix:
    """Durations and distances between all points, Dijkstra from every reachable point in chunks."""
    lat = np.array([p.lat for p in points], dtype=np.float64)
    lon = np.array([p.lon for p in points], dtype=np.float64)
    snap = snapper.snap(lat, lon)
    reachable = snap.dist_m <= settings.max_snap_m
    graph = routing_graph(snapper, snap, reachable)
    n = len(points)
    durations = np.full((n, n), UNREACHABLE, dtype=np.int64)
    distances = np.full((n, n), UNREACHABLE, dtype=np.int64)
    rows = np.flatnonzero(reachable)
    nodes = graph.point_node[rows]
    for start in range(0, len(rows), CHUNK_SOURCES):
        chunk = slice(start, start + CHUNK_SOURCES)
        weights = dijkstra(graph.csr, directed=True, indices=nodes[chunk])[:, nodes]
        secs, metres = decode(weights, settings.van_speed_factor)
        durations[np.ix_(rows[chunk], rows)] = secs
        distances[np.ix_(rows[chunk], rows)] = metres
    np.fill_diagonal(durations, 0)
    np.fill_diagonal(distances, 0)
    return TravelMatrix(durations, distances, snap.dist_m, reachable)


def route_paths(
    snapper: Snapper, shapes: ChainShapes, legs: Sequence[tuple[Point, Point]], settings: NetworkSettings
) -> list[list[Point]]:
    """Road polylines for legs: one Dijkstra with predecessors per distinct reachable start point."""
    points = list(dict.fromkeys(p for leg in legs for p in leg))
    index = {p: i for i, p in enumerate(points)}
    snap = snapper.snap(np.array([p.lat for p in points]), np.array([p.lon for p in points]))
    graph = routing_graph(snapper, snap, snap.dist_m <= settings.max_snap_m)
    node = graph.point_node[[index[p] for p in points]].tolist()
    sources = sorted({node[index[a]] for a, _ in legs} - {-1})
    preds = np.full((len(sources), graph.csr.shape[0]), -9999, dtype=np.int32)
    for start in range(0, len(sources), CHUNK_SOURCES):
        chunk = sources[start : start + CHUNK_SOURCES]
        _, preds[start : start + len(chunk)] = dijkstra(
            graph.csr, directed=True, indices=chunk, return_predecessors=True
        )
    row_of = {s: i for i, s in enumerate(sources)}
    result = []
    for a, b in legs:
        src, dst = node[index[a]], node[index[b]]
        line = [(a.lat, a.lon)]
        if src >= 0 and dst >= 0 and src != dst:
            line += _leg_geometry(shapes, graph, preds[row_of[src]], src, dst)
        line.append((b.lat, b.lon))
        road = _dedupe(line)
        result.append([Point(lat, lon) for lat, lon in road] if len(road) > 1 else [a, b])
    return result


def _leg_geometry(
    shapes: ChainShapes, graph: RoutingGraph, preds: np.ndarray, src: int, dst: int
) -> list[tuple[float, float]]:
    """Coordinates along the predecessor tree from src to dst, cutting each edge's part of its chain."""
    nodes = [dst]
    while nodes[-1] != src and preds[nodes[-1]] >= 0:
        nodes.append(int(preds[nodes[-1]]))
    path = np.array(nodes[::-1], dtype=np.int64)
    entries = np.searchsorted(graph.edge_key, path[:-1] * graph.csr.shape[0] + path[1:])
    line: list[tuple[float, float]] = []
    pieces = (graph.edge_chain[entries], graph.edge_from_m[entries], graph.edge_to_m[entries])
    for chain, frm, to in zip(*(p.tolist() for p in pieces), strict=True):
        line += shapes.cut(chain, frm, to)
    return line


def _dedupe(line: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop consecutive repeated coordinates."""
    return [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]


def _matrix_from_arrays(arrays: dict[str, np.ndarray] | None, n: int) -> TravelMatrix | None:
    """A cached matrix if all four arrays are there with the right shapes, else None."""
    shapes = {"durations": (n, n), "distances": (n, n), "snap_m": (n,), "reachable": (n,)}
    if arrays is None or any(arrays.get(k, np.zeros(0)).shape != s for k, s in shapes.items()):
        return None
    return TravelMatrix(**{k: arrays[k] for k in shapes})


class RoadNetwork:
    """A `Network` on an OSM road graph, with its matrices cached on disk when a cache dir is given."""

    is_road = True

    def __init__(
        self, graph: RoadGraph, name: str, settings: NetworkSettings, store: cache.Cache, key: str
    ) -> None:
        """Wrap a built graph; `name` is the extract's file name, `key` its cache key."""
        self.graph = graph
        self.settings = settings
        self.store = store
        self.key = key
        self.snapper = Snapper(graph)
        self.shapes = ChainShapes(graph)
        self.source = f"OpenStreetMap {name} ({len(graph.junctions)} Knoten)"

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Durations and distances between all points, from the cache when computed before."""
        key = cache.matrix_key(self.key, self.settings, points)
        cached = _matrix_from_arrays(self.store.load("matrix", key), len(points))
        if cached is not None:
            return cached
        result = travel_matrix(self.snapper, points, self.settings)
        self.store.save("matrix", key, vars(result), keep=cache.MATRIX_FILES)
        return result

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[list[Point]]:
        """Road geometry of each leg, its start and end point included."""
        return route_paths(self.snapper, self.shapes, legs, self.settings)

    def roads(self) -> list[tuple[str, list[Point]]]:
        """(highway type, polyline) of every road stretch, for an offline map background."""
        return list(self._roads)

    @functools.cached_property
    def _roads(self) -> list[tuple[str, list[Point]]]:
        """The road stretches, computed on first use (maps ask for them once per map)."""
        lines = road_polylines(self.graph, self.shapes)
        return [(cls, [Point(lat, lon) for lat, lon in line]) for cls, line in lines]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """South, west, north, east of the road graph."""
        return self.graph.bounds
