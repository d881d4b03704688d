"""The fallback without an OSM extract: straight-line distance x detour factor at a fixed speed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planner.network.matrix import EARTH_RADIUS_M, TravelMatrix
from planner.scenario import NetworkSettings, Point

WORLD = (-90.0, -180.0, 90.0, 180.0)


def haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres, element-wise (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class StraightNetwork:
    """A `Network` without roads: every point is reachable, legs are straight segments."""

    is_road = False

    def __init__(self, settings: NetworkSettings) -> None:
        """Use the settings' detour factor and fallback speed (the van factor does not apply)."""
        self.detour = settings.detour_factor
        self.speed_ms = settings.fallback_speed_kmh / 3.6
        # German, in German number notation, like the other notes of plan.json
        factor, speed = (f"{x:g}".replace(".", ",") for x in (self.detour, settings.fallback_speed_kmh))
        self.source = f"Luftlinie × {factor} bei {speed} km/h (kein Straßennetz)"
        self._seen: list[Point] = []

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Haversine x detour in metres, and that over the fallback speed in seconds."""
        self._seen.extend(points)
        lat = np.array([p.lat for p in points], dtype=np.float64)
        lon = np.array([p.lon for p in points], dtype=np.float64)
        road_m = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * self.detour
        n = len(points)
        return TravelMatrix(
            durations=np.rint(road_m / self.speed_ms).astype(np.int64),
            distances=np.rint(road_m).astype(np.int64),
            snap_m=np.zeros(n),
            reachable=np.ones(n, dtype=bool),
        )

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[list[Point]]:
        """A straight segment per leg."""
        self._seen.extend(p for leg in legs for p in leg)
        return [[a, b] for a, b in legs]

    def roads(self) -> list[tuple[str, list[Point]]]:
        """No roads to draw."""
        return []

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """South, west, north, east of the points seen so far (the whole world before any)."""
        if not self._seen:
            return WORLD
        lats = [p.lat for p in self._seen]
        lons = [p.lon for p in self._seen]
        return min(lats), min(lons), max(lats), max(lons)
