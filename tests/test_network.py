"""Road-network stage: real data from north-bayreuth, a hand-written OSM fixture, the fallback."""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from planner.network import Network, NetworkError, TravelMatrix, load_network
from planner.network import matrix as matrix_module
from planner.network.cache import Cache
from planner.network.graph import RoadGraph, build_graph, parse_maxspeed, road_speed_kmh
from planner.network.matrix import UNREACHABLE, RoadNetwork
from planner.scenario import NetworkSettings, Point

OSM_DIR = Path(__file__).parents[2] / "shared" / "osm"
BAYREUTH = OSM_DIR / "north-bayreuth.osm.gz"
EARTH_RADIUS_M = 6_371_009.0

needs_extract = pytest.mark.skipif(not BAYREUTH.is_file(), reason="shared OSM extracts not present")


def haversine(a: Point, b: Point) -> float:
    """Great-circle metres between two points (independent of the code under test)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def polyline_m(line: list[Point]) -> float:
    """Length of a polyline in metres."""
    return sum(haversine(a, b) for a, b in itertools.pairwise(line))


def road_net(cache_dir: Path | None, factor: float = 0.9) -> RoadNetwork:
    """The north-bayreuth network with the given van factor."""
    net = load_network(NetworkSettings(osm=Path(BAYREUTH.name), van_speed_factor=factor), OSM_DIR, cache_dir)
    assert isinstance(net, RoadNetwork)
    return net


def node_points(graph: RoadGraph, n: int, seed: int, jitter_deg: float = 0.0) -> list[Point]:
    """n graph nodes picked at random (seeded), optionally moved a little off the road."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(graph.osmid), n, replace=False)
    lat = graph.lat[idx] + rng.uniform(-jitter_deg, jitter_deg, n)
    lon = graph.lon[idx] + rng.uniform(-jitter_deg, jitter_deg, n)
    return [Point(float(a), float(b)) for a, b in zip(lat, lon, strict=True)]


def segment_digraph(graph: RoadGraph) -> nx.DiGraph:
    """The unsimplified directed graph of the arrays, as the networkx oracle."""
    g = nx.DiGraph()
    for u, v, length, time in zip(
        graph.seg_u.tolist(),
        graph.seg_v.tolist(),
        graph.seg_len.tolist(),
        graph.seg_time.tolist(),
        strict=True,
    ):
        g.add_edge(u, v, length=length, time=time)
    return g


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache directory shared by the real-data tests."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def net(cache_root: Path) -> RoadNetwork:
    """north-bayreuth, built once for the module."""
    return road_net(cache_root)


@pytest.fixture(scope="module")
def sample(net: RoadNetwork) -> tuple[list[Point], TravelMatrix]:
    """40 points near roads and their matrix."""
    points = node_points(net.graph, 40, seed=7, jitter_deg=0.0005)
    return points, net.matrix(points)


@needs_extract
def test_graph_is_strongly_connected(net: RoadNetwork) -> None:
    g = segment_digraph(net.graph)
    assert g.number_of_nodes() == len(net.graph.osmid) > 4000
    assert nx.is_strongly_connected(g)
    assert net.is_road
    assert net.source.startswith("OpenStreetMap north-bayreuth.osm.gz (")


@needs_extract
def test_matrix_shape_diagonal_positive(sample: tuple[list[Point], TravelMatrix]) -> None:
    points, m = sample
    n = len(points)
    assert m.durations.shape == m.distances.shape == (n, n)
    assert m.durations.dtype == m.distances.dtype == np.int64
    assert m.reachable.all()
    assert (np.diag(m.durations) == 0).all() and (np.diag(m.distances) == 0).all()
    off = ~np.eye(n, dtype=bool)
    assert (m.durations[off] > 0).all() and (m.distances[off] > 0).all()
    assert (m.snap_m < 100).all()


@needs_extract
def test_triangle_inequality(sample: tuple[list[Point], TravelMatrix]) -> None:
    _, m = sample
    d = m.durations[:20, :20]
    via = d[:, :, None] + d[None, :, :]  # i -> j -> k
    assert (d[:, None, :] <= via + 2).all()


@needs_extract
def test_matches_networkx_oracle(net: RoadNetwork) -> None:
    graph = net.graph
    points = node_points(graph, 8, seed=3)
    m = net.matrix(points)
    oracle = segment_digraph(graph)
    node_of = {(float(graph.lat[i]), float(graph.lon[i])): i for i in range(len(graph.osmid))}
    nodes = [node_of[(p.lat, p.lon)] for p in points]
    for i, j in [(0, 1), (2, 3), (4, 5), (6, 7), (7, 0)]:
        path = nx.shortest_path(oracle, nodes[i], nodes[j], weight="time")
        time = sum(oracle.edges[a, b]["time"] for a, b in itertools.pairwise(path))
        length = sum(oracle.edges[a, b]["length"] for a, b in itertools.pairwise(path))
        assert m.durations[i, j] == pytest.approx(time / 0.9, abs=1.0)
        assert m.distances[i, j] == pytest.approx(length, rel=0.01, abs=2.0)


@needs_extract
def test_point_far_outside_is_unreachable(net: RoadNetwork) -> None:
    _, west, north, _ = net.bounds
    inside = node_points(net.graph, 2, seed=1)
    outside = Point(north + 0.18, west)  # 20 km north of the extract
    m = net.matrix([*inside, outside])
    assert m.reachable.tolist() == [True, True, False]
    assert m.snap_m[2] > 19_000
    assert (m.durations[2, :2] == UNREACHABLE).all() and (m.durations[:2, 2] == UNREACHABLE).all()
    assert m.durations[2, 2] == 0 and m.durations[0, 1] < UNREACHABLE


@needs_extract
def test_van_factor_scales_durations(net: RoadNetwork, cache_root: Path) -> None:
    points = node_points(net.graph, 10, seed=5)
    fast = road_net(cache_root, factor=1.0).matrix(points)
    slow = road_net(cache_root, factor=0.5).matrix(points)
    assert np.abs(slow.durations - 2 * fast.durations).max() <= 1
    assert (slow.distances == fast.distances).all()


@needs_extract
def test_deterministic_across_builds_and_processes(net: RoadNetwork) -> None:
    again = build_graph(BAYREUTH)
    for name, arrays in net.graph.to_arrays().items():
        assert arrays.tobytes() == again.to_arrays()[name].tobytes(), name
    points = node_points(net.graph, 30, seed=11, jitter_deg=0.001)
    first = matrix_module.travel_matrix(net.snapper, points, net.settings)
    second = RoadNetwork(again, BAYREUTH.name, net.settings, net.store, net.key)
    m2 = matrix_module.travel_matrix(second.snapper, points, net.settings)
    assert first.durations.tobytes() == m2.durations.tobytes()
    assert first.distances.tobytes() == m2.distances.tobytes()
    # another interpreter with another hash seed, no cache: same bytes
    script = (
        "import hashlib, sys; from pathlib import Path; import numpy as np\n"
        "from planner.network import load_network; from planner.scenario import NetworkSettings, Point\n"
        f"net = load_network(NetworkSettings(osm=Path({str(BAYREUTH)!r})), Path('.'), None)\n"
        f"pts = [Point(a, b) for a, b in {[(p.lat, p.lon) for p in points]!r}]\n"
        "m = net.matrix(pts)\n"
        "print(hashlib.sha256(m.durations.tobytes() + m.distances.tobytes()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).parents[1],
    )
    expected = hashlib.sha256(first.durations.tobytes() + first.distances.tobytes()).hexdigest()
    assert out.stdout.strip() == expected


@needs_extract
def test_cache_hit_returns_identical_matrix(
    net: RoadNetwork, cache_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = node_points(net.graph, 12, seed=2, jitter_deg=0.001)
    first = net.matrix(points)

    def fail(*_: object) -> None:
        raise AssertionError("should have come from the cache")

    monkeypatch.setattr("planner.network.build_graph", fail)
    monkeypatch.setattr(matrix_module, "travel_matrix", fail)
    cached = road_net(cache_root)
    second = cached.matrix(points)
    for name in ("durations", "distances", "snap_m", "reachable"):
        assert getattr(first, name).tobytes() == getattr(second, name).tobytes()


@needs_extract
def test_corrupt_or_missing_cache_is_rebuilt(net: RoadNetwork, tmp_path: Path) -> None:
    points = node_points(net.graph, 5, seed=4)
    expected = net.matrix(points)
    cache_dir = tmp_path / "does" / "not" / "exist"
    road_net(cache_dir).matrix(points)
    files = sorted((cache_dir / "network").glob("*.npz"))
    assert [f.name.split("-")[0] for f in files] == ["graph", "matrix"]
    for f in files:
        f.write_bytes(b"not a numpy file")
    again = road_net(cache_dir).matrix(points)
    assert again.durations.tobytes() == expected.durations.tobytes()
    unwritable = tmp_path / "file-not-dir"
    unwritable.write_text("x")
    assert road_net(unwritable).matrix(points).durations.tobytes() == expected.durations.tobytes()


def test_cache_keeps_recent_matrices(tmp_path: Path) -> None:
    store = Cache(tmp_path / "c")
    for i in range(4):
        store.save("matrix", f"k{i}", {"a": np.arange(i)}, keep=2)
        os.utime(tmp_path / "c" / f"matrix-k{i}.npz", (i, i))
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["matrix-k2.npz", "matrix-k3.npz"]
    loaded = store.load("matrix", "k3")
    assert loaded is not None and loaded["a"].tolist() == [0, 1, 2]
    assert store.load("matrix", "k0") is None and Cache(None).load("matrix", "k3") is None


def test_missing_extract_raises_with_file_name(tmp_path: Path) -> None:
    settings = NetworkSettings(osm=Path("nowhere/missing-extract.osm.pbf"))
    with pytest.raises(NetworkError, match=r"missing-extract\.osm\.pbf"):
        load_network(settings, tmp_path, None)
    (tmp_path / "broken.osm.pbf").write_bytes(b"\x00garbage")
    with pytest.raises(NetworkError, match=r"broken\.osm\.pbf"):
        load_network(NetworkSettings(osm=Path("broken.osm.pbf")), tmp_path, None)
    assert issubclass(NetworkError, ValueError)


FIXTURE = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" lat="50.0000000" lon="11.0000000"/>
 <node id="2" lat="50.0000000" lon="11.0010000"/>
 <node id="3" lat="50.0000000" lon="11.0020000"/>
 <node id="4" lat="50.0010000" lon="11.0020000"/>
 <node id="5" lat="50.0000000" lon="11.0030000"/>
 <node id="6" lat="50.0010000" lon="11.0040000"/>
 <node id="7" lat="50.0010000" lon="11.0050000"/>
 <way id="10">
  <nd ref="1"/><nd ref="2"/><nd ref="3"/>
  <tag k="highway" v="residential"/><tag k="maxspeed" v="DE:urban"/>
 </way>
 <way id="11">
  <nd ref="3"/><nd ref="4"/>
  <tag k="highway" v="footway"/>
 </way>
 <way id="12">
  <nd ref="3"/><nd ref="5"/><nd ref="99"/><nd ref="6"/><nd ref="7"/>
  <tag k="highway" v="primary"/>
 </way>
</osm>
"""


def test_hand_written_extract(tmp_path: Path) -> None:
    (tmp_path / "tiny.osm").write_text(FIXTURE, encoding="utf-8")
    settings = NetworkSettings(osm=Path("tiny.osm"), van_speed_factor=0.8)
    net = load_network(settings, tmp_path, tmp_path / "cache")
    assert isinstance(net, RoadNetwork)
    # footway 3-4 ignored; way 12 split at the missing node 99, its piece 6-7 is not connected
    assert net.graph.osmid.tolist() == [1, 2, 3, 5]
    nodes = {1: Point(50.0, 11.0), 2: Point(50.0, 11.001), 3: Point(50.0, 11.002), 5: Point(50.0, 11.003)}
    urban = haversine(nodes[1], nodes[2]) + haversine(nodes[2], nodes[3])
    primary = haversine(nodes[3], nodes[5])
    seconds = (urban / (50 / 3.6) + primary / (70 / 3.6)) / 0.8
    m = net.matrix([nodes[1], nodes[5]])
    assert m.durations[0, 1] == round(seconds) == m.durations[1, 0]
    assert m.distances[0, 1] == round(urban + primary)
    # a point halfway along 1-2 and a little off the road joins it in the middle
    mid = Point(50.0001, 11.0005)
    m = net.matrix([mid, nodes[1]])
    assert m.snap_m[0] == pytest.approx(11.1, abs=0.2)
    assert m.distances[0, 1] == round(haversine(nodes[1], nodes[2]) / 2)
    [line] = net.paths([(mid, nodes[5])])
    assert line[0] == mid and line[-1] == nodes[5]
    assert [round(p.lon, 4) for p in line] == [11.0005, 11.0005, 11.001, 11.002, 11.003]
    assert sorted(cls for cls, _ in net.roads()) == ["primary", "residential"]


def test_maxspeed_words() -> None:
    assert parse_maxspeed("DE:urban") == 50
    assert parse_maxspeed("walk") == 7
    assert parse_maxspeed("DE:zone:30") == parse_maxspeed("DE:zone30") == 30
    assert parse_maxspeed("30;50") == 30
    assert parse_maxspeed("50 mph") == pytest.approx(80.47, abs=0.01)
    assert parse_maxspeed("none") is None and parse_maxspeed("variable") is None
    assert road_speed_kmh("motorway", "none") == 120
    assert road_speed_kmh("residential", None) == 30
    assert road_speed_kmh("busway", "signals") == 20


def test_straight_line_fallback() -> None:
    settings = NetworkSettings(osm=None, detour_factor=1.3, fallback_speed_kmh=45.0)
    net: Network = load_network(settings, Path("."), None)
    assert not net.is_road and "Luftlinie" in net.source
    a, b, c = Point(49.95, 11.55), Point(50.02, 11.60), Point(49.90, 11.70)
    m = net.matrix([a, b, c])
    road = haversine(a, b) * 1.3
    assert m.distances[0, 1] == round(road)
    assert m.durations[0, 1] == round(road / (45 / 3.6))
    assert (np.diag(m.durations) == 0).all() and m.reachable.all() and (m.snap_m == 0).all()
    assert net.paths([(a, b)]) == [[a, b]]
    assert net.roads() == []
    assert net.bounds == (49.90, 11.55, 50.02, 11.70)


@needs_extract
def test_paths_follow_roads(net: RoadNetwork, sample: tuple[list[Point], TravelMatrix]) -> None:
    points, m = sample
    pairs = [(0, 1), (1, 0), (2, 9), (5, 17), (3, 3)]
    lines = net.paths([(points[i], points[j]) for i, j in pairs])
    for (i, j), line in zip(pairs, lines, strict=True):
        assert line[0] == points[i] and line[-1] == points[j]
        if i == j:
            continue
        assert len(line) > 3
        road = m.distances[i, j] + m.snap_m[i] + m.snap_m[j]
        assert polyline_m(line) == pytest.approx(road, rel=0.01, abs=5.0)


@needs_extract
def test_roads_and_bounds(net: RoadNetwork) -> None:
    roads = net.roads()
    assert len(roads) > 500
    assert {cls for cls, _ in roads} >= {"residential", "motorway", "primary"}
    assert all(len(line) >= 2 for _, line in roads)
    south, west, north, east = net.bounds
    assert south < north and west < east
    assert all(south <= p.lat <= north and west <= p.lon <= east for _, line in roads for p in line)
