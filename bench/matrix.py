"""Benchmark of the road-network stage on the shared OSM extracts.

For each extract: graph size, load time cold (empty cache) and cached, time and peak traced memory
of one n x n matrix (without the matrix cache), and whether two cold builds and two computations
give the same bytes. Points are uniform random (seeded) in the graph's bounds, keeping those within
500 m of a road node so that every point is routed (the worst case for the matrix step).

Run from the repository root:  .venv/bin/python -m bench.matrix [--points 1000] [EXTRACT ...]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from planner.network import load_network
from planner.network.matrix import RoadNetwork, TravelMatrix, travel_matrix
from planner.scenario import NetworkSettings, Point

OSM_DIR = Path(__file__).resolve().parents[2] / "shared" / "osm"
TARGET_S = {"heidelberg.osm.pbf": 1.5, "north-bayreuth.osm.gz": 0.3}  # matrix time for 1000 points
TARGET_MB = 100.0
NEAR_ROAD_M = 500.0


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    extract: str
    nodes: str
    points: int
    load_cold_s: float
    load_cached_s: float
    matrix_s: float
    peak_mb: float
    deterministic: bool
    digest: str
    target: str


def road_network(path: Path, cache_dir: Path) -> tuple[RoadNetwork, float]:
    """Load an extract's network with this cache dir; the network and the seconds it took."""
    start = time.perf_counter()
    net = load_network(NetworkSettings(osm=path), path.parent, cache_dir)
    assert isinstance(net, RoadNetwork)
    return net, time.perf_counter() - start


def random_points(net: RoadNetwork, n: int, seed: int) -> list[Point]:
    """n uniform random points in the network's bounds that lie within NEAR_ROAD_M of a road node."""
    south, west, north, east = net.bounds
    scale = np.array([np.cos(np.radians((south + north) / 2)), 1.0]) * 111_195.0  # metres per degree
    tree = cKDTree(np.column_stack([net.graph.lon, net.graph.lat]) * scale)
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    while sum(len(k) for k in kept) < n:
        cand = np.column_stack([rng.uniform(west, east, 4 * n), rng.uniform(south, north, 4 * n)])
        dist, _ = tree.query(cand * scale)
        kept.append(cand[dist <= NEAR_ROAD_M])
    lonlat = np.concatenate(kept)[:n]
    return [Point(float(lat), float(lon)) for lon, lat in lonlat]


def timed_matrix(net: RoadNetwork, points: list[Point]) -> tuple[TravelMatrix, float]:
    """The matrix computed without the cache, and its wall-clock seconds."""
    start = time.perf_counter()
    result = travel_matrix(net.snapper, points, net.settings)
    return result, time.perf_counter() - start


def traced_peak_mb(net: RoadNetwork, points: list[Point]) -> float:
    """Peak memory traced by tracemalloc (numpy arrays included) while computing the matrix."""
    tracemalloc.start()
    travel_matrix(net.snapper, points, net.settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def same_bytes(a: TravelMatrix, b: TravelMatrix) -> bool:
    """True if two matrices are identical byte for byte."""
    return all(
        getattr(a, f).tobytes() == getattr(b, f).tobytes() for f in ("durations", "distances", "snap_m")
    )


def bench(path: Path, n_points: int, seed: int) -> Row:
    """Measure one extract."""
    with tempfile.TemporaryDirectory() as tmp:
        net, cold = road_network(path, Path(tmp) / "a")
        cached_net, cached = road_network(path, Path(tmp) / "a")
        rebuilt, _ = road_network(path, Path(tmp) / "b")
    points = random_points(cached_net, n_points, seed)
    first, seconds = timed_matrix(cached_net, points)
    second, _ = timed_matrix(cached_net, points)
    graphs_equal = all(
        a.tobytes() == b.tobytes()
        for a, b in zip(net.graph.to_arrays().values(), rebuilt.graph.to_arrays().values(), strict=True)
    )
    deterministic = (
        graphs_equal and same_bytes(first, second) and same_bytes(first, timed_matrix(rebuilt, points)[0])
    )
    peak = traced_peak_mb(cached_net, points)
    limit = TARGET_S.get(path.name) if n_points == 1000 else None
    target = (
        "-"
        if limit is None
        else f"<= {limit} s: {'ok' if seconds <= limit and peak <= TARGET_MB else 'MISSED'}"
    )
    return Row(
        extract=path.name,
        nodes=f"{len(net.graph.junctions)} / {len(net.graph.osmid)}",
        points=int(first.reachable.sum()),
        load_cold_s=cold,
        load_cached_s=cached,
        matrix_s=seconds,
        peak_mb=peak,
        deterministic=deterministic,
        digest=hashlib.sha256(first.durations.tobytes() + first.distances.tobytes()).hexdigest()[:12],
        target=target,
    )


def print_table(rows: list[Row]) -> None:
    """Print the rows as an aligned text table."""
    header = ["extract", "nodes (simpl./full)", "points", "load cold s", "load cached s", "matrix s"]
    header += ["peak MB", "deterministic", "sha256", "target"]
    lines = [
        [
            r.extract,
            r.nodes,
            str(r.points),
            f"{r.load_cold_s:.2f}",
            f"{r.load_cached_s:.3f}",
            f"{r.matrix_s:.3f}",
            f"{r.peak_mb:.1f}",
            "yes" if r.deterministic else "NO",
            r.digest,
            r.target,
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    for line in [header, *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def main() -> None:
    """Parse arguments, run the benchmark for each extract, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("extracts", nargs="*", help=f"file names in {OSM_DIR} (default: all)")
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = args.extracts or sorted(
        p.name for p in OSM_DIR.iterdir() if p.name.endswith((".osm.gz", ".osm.pbf"))
    )
    print_table([bench(OSM_DIR / name, args.points, args.seed) for name in names])


if __name__ == "__main__":
    main()
