"""The district's clients: drawn at OSM homes, each village weighted by its tagged population.

A home is a residential building, or an address not inside a mapped building. Each home belongs to
the nearest named settlement; a settlement's weight is its `population` tag where there is one, else
its number of homes times `persons_per_home`, shared equally among its homes. Clients are drawn
from the homes by that weight, with a seeded generator, and keep their language needs and priority.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from planner.errors import DataError
from planner.generate.rules import PREFERRED_SHARE, PRIORITY_WEIGHTS
from planner.input.places import Places
from planner.scenario import Point
from planner.simulate.spec import Population

SAME_HOME_M = 20.0  # an address this close to a building's centre is that building


@dataclass(frozen=True)
class Client:
    """A member of the client population; `coach_rank` picks the own coach, -1 for none."""

    id: str
    home: Point
    skills: tuple[str, ...]
    priority: int
    coach_rank: int


def planar(points: list[Point]) -> np.ndarray:
    """Equirectangular metres, exact enough within a district."""
    if not points:
        return np.zeros((0, 2))
    lat0 = np.radians(np.mean([p.lat for p in points]))
    return np.array([(p.lon * np.cos(lat0), p.lat) for p in points]) * 111_195.0


def homes(places: Places) -> list[Point]:
    """Residential buildings plus addresses that lie in no mapped building."""
    buildings = [b.point for b in places.buildings]
    addresses = [a.point for a in places.addresses]
    if buildings and addresses:
        xy = planar(buildings + addresses)
        dist, _ = cKDTree(xy[: len(buildings)]).query(xy[len(buildings) :])
        addresses = [a for a, d in zip(addresses, dist, strict=True) if d > SAME_HOME_M]
    return list(dict.fromkeys(buildings + addresses))


def home_weights(places: Places, points: list[Point], persons_per_home: float) -> np.ndarray:
    """Probability of each home: its settlement's population shared among the settlement's homes."""
    settlements = list(places.settlements)
    if not settlements:
        return np.full(len(points), 1.0 / len(points))
    xy = planar(points + [s.point for s in settlements])
    _, nearest = cKDTree(xy[len(points) :]).query(xy[: len(points)])
    count = np.bincount(nearest, minlength=len(settlements)).astype(float)
    people = np.array(
        [s.population or count[i] * persons_per_home for i, s in enumerate(settlements)], dtype=float
    )
    weight = people[nearest] / count[nearest]
    return weight / weight.sum()


def draw_clients(places: Places, spec: Population, seed: int) -> tuple[Client, ...]:
    """The seeded client population of a district."""
    points = homes(places)
    if not points:
        raise DataError("the extract has no buildings or addresses to place clients at")
    rng = np.random.default_rng([seed, 17])
    at = rng.choice(len(points), size=spec.clients, p=home_weights(places, points, spec.persons_per_home))
    languages = sorted(spec.languages)
    cumulative = np.cumsum([spec.languages[k] / 100 for k in languages])
    prios, prio_w = zip(*PRIORITY_WEIGHTS, strict=True)
    clients = []
    for i, home in enumerate(at.tolist()):
        lang = int(np.searchsorted(cumulative, rng.random(), side="right"))
        skills = (languages[lang],) if lang < len(languages) else ()
        priority = int(rng.choice(prios, p=np.array(prio_w) / sum(prio_w)))
        rank = int(rng.integers(1000)) if rng.random() < PREFERRED_SHARE else -1
        clients.append(Client(f"K-{i + 1:04d}", points[home], skills, priority, rank))
    return tuple(clients)
