"""Where things are in an extract: localities and their sizes, display names, the depot, van stop sites."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from planner.errors import DataError
from planner.generate.rules import BLOCKED_ACCESS, DEPOT_KINDS, INDOOR_PARKING, LABELS
from planner.input.geocode import city_tokens
from planner.input.places import Place, Places
from planner.scenario import Depot, Point


@dataclass(frozen=True)
class Locality:
    """A named village, hamlet or town with the number of homes nearest to it."""

    name: str
    point: Point
    size: int


def metres(a: Point, b: Point) -> float:
    """Equirectangular distance in metres, exact enough within a district."""
    dy = (a.lat - b.lat) * 110_574.0
    dx = (a.lon - b.lon) * 111_320.0 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def _nearest_index(points: Sequence[Point], targets: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the index of the nearest target and the distance to it in metres."""
    lat0 = math.radians(sum(t.lat for t in targets) / len(targets))
    p = np.array([(q.lat * 110_574.0, q.lon * 111_320.0 * math.cos(lat0)) for q in points])
    t = np.array([(q.lat * 110_574.0, q.lon * 111_320.0 * math.cos(lat0)) for q in targets])
    d = np.hypot(p[:, None, 0] - t[None, :, 0], p[:, None, 1] - t[None, :, 1])
    best = d.argmin(axis=1)
    return best, d[np.arange(len(points)), best]


def localities(places: Places) -> list[Locality]:
    """Named settlements, plus towns known only from addr:city, sized by the homes nearest to them."""
    found = [(s.name, s.point) for s in places.settlements]
    by_city: dict[str, list[Place]] = {}
    for a in places.addresses:
        by_city.setdefault(a.tag("addr:city"), []).append(a)
    for city, addresses in sorted(by_city.items()):
        if not city or len(addresses) < 10:
            continue
        centre = Point(
            sum(a.point.lat for a in addresses) / len(addresses),
            sum(a.point.lon for a in addresses) / len(addresses),
        )
        medoid = min(addresses, key=lambda a: metres(a.point, centre)).point
        named = [p for n, p in found if city_tokens(n)[:1] == city_tokens(city)[:1]]
        if all(metres(medoid, p) > 1000 for _, p in found) and not named:
            found.append((city, medoid))
    if not found:
        return []
    homes = [b.point for b in places.buildings] + [a.point for a in places.addresses]
    sizes = [0] * len(found)
    if homes:
        best, dist = _nearest_index(homes, [p for _, p in found])
        for i, d in zip(best, dist, strict=True):
            if d < 1500:
                sizes[int(i)] += 1
    return [Locality(n, p, s) for (n, p), s in zip(found, sizes, strict=True)]


def locality_namer(locs: Sequence[Locality]) -> Callable[[Point], str]:
    """A function naming the locality nearest to a point ("" when there are none)."""
    if not locs:
        return lambda _p: ""
    return lambda p: min(locs, key=lambda loc: metres(loc.point, p)).name


def label(place: Place, locality: str) -> str:
    """A display name: the OSM name, else a German label with the locality ("Sitzbank bei Theta")."""
    if place.name:
        generic = len(place.name.split()) == 1 and locality.lower() not in place.name.lower()
        return f"{place.name} {locality}" if generic and locality else place.name
    text = LABELS.get(place.kind, "Treffpunkt")
    return f"{text} bei {locality}" if locality else text


def choose_depot(
    places: Places, name_of: Callable[[Point], str], depot_name: str, point: Point | None = None
) -> Depot:
    """The depot: at `point` if given, else the public office (named like `depot_name` if one is)
    nearest the centre of the homes, else the address nearest that centre."""
    homes = places.addresses or places.buildings
    if point is not None:
        name, address = depot_name or "Jobcenter", ""
    else:
        if not homes:
            raise DataError("the extract has no addresses or buildings: give --depot-lat/--depot-lon")
        centre = Point(
            sum(h.point.lat for h in homes) / len(homes), sum(h.point.lon for h in homes) / len(homes)
        )
        offices = [t for t in places.third_parties if t.kind in DEPOT_KINDS]
        named = [t for t in offices if depot_name and depot_name.lower() in t.name.lower()]
        best = min(named or offices or homes, key=lambda t: metres(t.point, centre))
        point, address = best.point, best.address
        locality = name_of(best.point)
        text = best.name or LABELS.get(best.kind, "Jobcenter")
        name = text if best in offices else f"Jobcenter-Außenstelle {locality}".strip()
        if locality and locality.lower() not in name.lower():
            name = f"{name} {locality}"
    letters = "".join(c for c in (name_of(point) or name).upper() if c.isalpha())
    depot_id = f"JC-{letters[:3].replace('Ä', 'A').replace('Ö', 'O').replace('Ü', 'U')}"
    return Depot(depot_id, name, point, address)


def van_stop_sites(places: Places) -> list[Place]:
    """Open-air parking places and squares open to the public, where a van can hold consultation hours."""
    return [
        p
        for p in places.parking + places.squares
        if p.tag("access") not in BLOCKED_ACCESS and p.tag("parking") not in INDOOR_PARKING
    ]


def dedupe(places: Sequence[Place]) -> list[Place]:
    """One place per name and kind within 150 m (an OSM node and the building of the same office)."""
    kept: list[Place] = []
    for p in places:
        if not any(k.name == p.name and k.kind == p.kind and metres(k.point, p.point) < 150 for k in kept):
            kept.append(p)
    return kept
