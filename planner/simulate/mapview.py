"""What the report's coverage map shows, as plain data: the report works it out, a renderer draws it.

The renderer is passed in (the command line composes `maps.coverage.coverage_map`), so the
simulation never reaches for the map code and the map code never runs a simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.scenario import Point

if TYPE_CHECKING:
    from planner.network import Network


@dataclass(frozen=True)
class Mark:
    """A van stop site or a depot on the map, with the text of its popup."""

    point: Point
    label: str


@dataclass(frozen=True)
class CoverageLayer:
    """One variant: its clients coloured by drive time to the nearest stop or depot, its sites, its depots."""

    name: str
    colour: str  # the variant's colour, for its sites
    clients: tuple[tuple[Point, str], ...]  # home and the colour of its drive-time band
    sites: tuple[Mark, ...]
    depots: tuple[Mark, ...]


@dataclass(frozen=True)
class CoverageView:
    """The whole map: title, area, road network for the background, one layer per variant (the last shown)."""

    title: str
    box: tuple[float, float, float, float]  # south, west, north, east of the clients' homes
    network: Network
    layers: tuple[CoverageLayer, ...]


CoverageMap = Callable[[CoverageView], str]
"""Draws a coverage view as a self-contained HTML page."""
