"""The road-network stage: travel times, distances and route shapes from a local OSM extract.

`load_network` builds (or loads from the cache) the drivable road graph of the extract named in the
scenario's `[network]` settings, or falls back to straight lines when none is named.
"""

from __future__ import annotations

from pathlib import Path

from planner.errors import NetworkError, NetworkSettingError
from planner.network.cache import Cache, extract_key
from planner.network.graph import RoadGraph, build_graph
from planner.network.matrix import Network, RoadNetwork, TravelMatrix
from planner.network.straight import StraightNetwork
from planner.scenario import NetworkSettings

__all__ = ["Network", "NetworkError", "NetworkSettingError", "TravelMatrix", "load_network"]


def load_network(settings: NetworkSettings, base_dir: Path, cache_dir: Path | None) -> Network:
    """The scenario's network: its OSM extract (relative to base_dir) as a road graph, else straight lines."""
    _check(settings)
    if settings.osm is None:
        return StraightNetwork(settings)
    path = base_dir / settings.osm
    if not path.is_file():
        raise NetworkSettingError(f"OSM extract not found: {path}")
    cache = Cache(None if cache_dir is None else cache_dir / "network")
    key = extract_key(path)
    graph = _cached_graph(cache, key)
    if graph is None:
        graph = build_graph(path)
        cache.save("graph", key, graph.to_arrays())
    return RoadNetwork(graph, path.name, settings, cache, key)


def _check(settings: NetworkSettings) -> None:
    """Reject settings that would give zero, negative or infinite travel times."""
    positive = {
        "van_speed_factor": settings.van_speed_factor,
        "fallback_speed_kmh": settings.fallback_speed_kmh,
        "detour_factor": settings.detour_factor,
        "max_snap_m": settings.max_snap_m,
    }
    for name, value in positive.items():
        if not value > 0:
            raise NetworkSettingError(
                f"network.{name} must be greater than 0, got {value}", f"network.{name}"
            )


def _cached_graph(cache: Cache, key: str) -> RoadGraph | None:
    """The graph saved under this key, or None if it is not cached or incomplete."""
    arrays = cache.load("graph", key)
    try:
        return None if arrays is None else RoadGraph.from_arrays(arrays)
    except KeyError:
        return None
