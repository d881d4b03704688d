"""Everything about a district that stays the same across weeks, built once per worker process.

Places, depots, the client population, the candidate van stop sites and one travel matrix over every
point a simulated request can take place at (homes, meeting points, third parties, sites, depots).
A week's matrix is a slice of it, so no week reads the extract or runs Dijkstra again. The road graph
and the big matrix come from the shared on-disk network cache after the first build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.generate.sites import choose_depot, dedupe, localities, van_stop_sites
from planner.input.places import Place, Places, read_places
from planner.network import Network, TravelMatrix, load_network
from planner.pipeline import default_cache_dir
from planner.scenario import Depot, NetworkSettings, Point
from planner.simulate.population import Client, draw_clients
from planner.simulate.requests import WeekBuilder
from planner.simulate.spec import Spec

_DISTRICTS: dict[str, District] = {}


@dataclass
class District:
    """A district ready to simulate weeks in."""

    places: Places
    depots: tuple[Depot, ...]
    clients: tuple[Client, ...]
    candidates: tuple[Place, ...]
    builder: WeekBuilder
    network: Network
    points: tuple[Point, ...]
    matrix: TravelMatrix

    def __post_init__(self) -> None:
        """Index the points of the matrix and the clients' homes."""
        self.index = {p: i for i, p in enumerate(self.points)}
        self.homes = {c.id: c.home for c in self.clients}

    def home(self, client: str) -> Point:
        """Where a client of the population lives."""
        return self.homes[client]

    def travel(self, points: Sequence[Point]) -> TravelMatrix:
        """The travel matrix between some of the district's points (a slice of the big one)."""
        idx = np.array([self.index[p] for p in points], dtype=np.int64)
        cut = np.ix_(idx, idx)
        m = self.matrix
        return TravelMatrix(m.durations[cut], m.distances[cut], m.snap_m[idx], m.reachable[idx])

    def minutes(self, origins: Sequence[Point], targets: Sequence[Point]) -> np.ndarray:
        """Drive minutes from each origin to each target (origins x targets)."""
        rows = [self.index[p] for p in origins]
        cols = [self.index[p] for p in targets]
        return np.asarray(self.matrix.durations[np.ix_(rows, cols)], dtype=float) / 60.0

    def site(self, ref: str) -> Place | None:
        """The candidate site with this OSM ref ("n123", "w456")."""
        return next((c for c in self.candidates if c.ref == ref), None)


def district_key(spec: Spec) -> str:
    """What identifies a district's build: extract, depots, population, network and siting settings."""
    parts = (spec.osm.resolve(), spec.depots, spec.population, spec.seed, spec.van_speed_factor)
    return repr((*parts, spec.max_snap_m, spec.siting.kinds))


def district(spec: Spec) -> District:
    """The spec's district, built on first use in this process and kept."""
    key = district_key(spec)
    if key not in _DISTRICTS:
        _DISTRICTS[key] = build_district(spec, default_cache_dir())
    return _DISTRICTS[key]


def candidate_sites(places: Places, kinds: Sequence[str]) -> tuple[Place, ...]:
    """Public open-air parking places, squares and town halls (as `kinds` selects), one per spot."""
    found = [p for p in van_stop_sites(places) if ("parking" if p.kind == "parking" else "square") in kinds]
    if "townhall" in kinds:
        found += [t for t in places.third_parties if t.kind == "townhall"]
    return tuple(dedupe(list({p.point: p for p in found}.values())))


def build_district(spec: Spec, cache_dir: Path) -> District:
    """Read the extract, draw the population, and compute the travel matrix over all its points."""
    places = read_places(spec.osm)
    clients = draw_clients(places, spec.population, spec.seed)
    builder = WeekBuilder(places, localities(places), clients)
    depots = spec.depots or (_default_depot(places, spec, builder),)
    candidates = candidate_sites(places, spec.siting.kinds)
    pool = [d.point for d in depots] + [c.point for c in candidates] + [c.home for c in clients]
    pool += [m.point for m in builder.meeting] + [t.point for t in builder.third]
    points = tuple(dict.fromkeys(pool))
    settings = NetworkSettings(
        osm=spec.osm, van_speed_factor=spec.van_speed_factor, max_snap_m=spec.max_snap_m
    )
    network = load_network(settings, spec.path.parent, cache_dir)
    return District(places, depots, clients, candidates, builder, network, points, network.matrix(points))


def _default_depot(places: Places, spec: Spec, builder: WeekBuilder) -> Depot:
    """The generator's depot: the town hall or public office nearest the centre of the homes."""
    return choose_depot(places, builder.name_of, "Rathaus")
