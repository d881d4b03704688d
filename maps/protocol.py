"""What the maps need from a road network: route geometry, roads to draw, and the area it covers.

`planner.network` implements this; maps code against the protocol so they never load OSM data or
solve anything themselves, and tests can pass a small fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from planner.scenario import Point

Box = tuple[float, float, float, float]
"""South, west, north, east in degrees."""


class Network(Protocol):
    """A road network (or the straight-line fallback) as seen by the maps."""

    source: str
    is_road: bool

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[list[Point]]:
        """Polyline along the roads for each (from, to) leg; straight in the fallback."""
        ...

    def roads(self) -> list[tuple[str, list[Point]]]:
        """(highway class, polyline) per edge, for the map background."""
        ...

    @property
    def bounds(self) -> Box:
        """South, west, north, east of the covered area."""
        ...


@runtime_checkable
class Places(Protocol):
    """Optional extra of a network: named villages and towns to label on the background."""

    def places(self) -> list[tuple[str, Point]]:
        """(name, position) of each settlement."""
        ...
