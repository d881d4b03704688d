"""The map background drawn from the road network itself, because there are no tiles by default.

Roads come from `network.roads()` and become one GeoJSON layer, one MultiLineString per highway
class, clipped to the area the page shows. Settlement names are drawn when the network offers them.
"""

from __future__ import annotations

from html import escape
from typing import Any

import folium
import shapely

from maps.protocol import Box, Network, Places
from planner.i18n import Texts
from planner.scenario import Point

# (colour, weight) per OSM highway class; minor roads pale so the coloured routes stand out.
ROAD_STYLES: dict[str, tuple[str, float]] = {
    "motorway": ("#e08a4f", 4.5),
    "trunk": ("#e89c60", 4.0),
    "primary": ("#eeb36f", 3.5),
    "secondary": ("#f1c98c", 3.0),
    "tertiary": ("#b9b2a6", 2.5),
    "unclassified": ("#c4beb4", 2.0),
    "residential": ("#cdc8bf", 1.6),
    "living_street": ("#d6d1c9", 1.4),
    "service": ("#dcd8d1", 1.2),
    "other": ("#d2cdc4", 1.2),
}
_DRAW_ORDER = list(reversed(ROAD_STYLES))


def road_class(highway: str) -> str:
    """The drawing class of an OSM highway value: links like their road, unknown values as "other"."""
    base = highway.removesuffix("_link")
    return base if base in ROAD_STYLES else "other"


def pad(box: Box, fraction: float = 0.15, minimum: float = 0.01) -> Box:
    """A box grown on every side by a fraction of its size, at least `minimum` degrees."""
    south, west, north, east = box
    dlat = max((north - south) * fraction, minimum)
    dlon = max((east - west) * fraction, minimum)
    return south - dlat, west - dlon, north + dlat, east + dlon


def _touches(box: Box, line: list[Point]) -> bool:
    south, west, north, east = box
    lats = [p.lat for p in line]
    lons = [p.lon for p in line]
    return min(lats) <= north and max(lats) >= south and min(lons) <= east and max(lons) >= west


SIMPLIFY_DEG = 0.00004  # about 3-4 m: invisible at street zoom, halves the vertices of rural roads


def _simplified(line: list[Point]) -> list[list[float]]:
    """A road polyline as GeoJSON [lon, lat] pairs, thinned with Douglas-Peucker and rounded to ~1 m."""
    thin = shapely.simplify(shapely.LineString([(p.lon, p.lat) for p in line]), SIMPLIFY_DEG)
    return [[round(x, 5), round(y, 5)] for x, y in thin.coords]


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    colour, weight = ROAD_STYLES[feature["id"]]
    return {"color": colour, "weight": weight, "opacity": 1.0}


def road_layer(network: Network, box: Box, tx: Texts) -> folium.GeoJson | None:
    """Roads touching `box` as one non-interactive GeoJSON layer styled by class; None if there are none."""
    lines: dict[str, list[list[list[float]]]] = {}
    for highway, line in network.roads():
        if len(line) >= 2 and _touches(box, line):
            lines.setdefault(road_class(highway), []).append(_simplified(line))
    if not lines:
        return None
    features = [
        {
            "type": "Feature",
            "id": cls,
            "properties": {"highway": cls},
            "geometry": {"type": "MultiLineString", "coordinates": lines[cls]},
        }
        for cls in _DRAW_ORDER
        if cls in lines
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=tx.roads,
        style_function=_style,
        interactive=False,
        class_name="vp-road",
    )


def place_layer(network: Network, box: Box, tx: Texts) -> folium.FeatureGroup | None:
    """Names of settlements inside `box` when the network knows them; None otherwise."""
    if not isinstance(network, Places):
        return None
    south, west, north, east = box
    inside = [(n, p) for n, p in network.places() if south <= p.lat <= north and west <= p.lon <= east]
    if not inside:
        return None
    group = folium.FeatureGroup(name=tx.places)
    for name, point in inside:
        label = folium.DivIcon(html=f"<span>{escape(name)}</span>", class_name="vp-place", icon_size=(0, 0))
        folium.Marker([point.lat, point.lon], icon=label, interactive=False).add_to(group)
    return group
