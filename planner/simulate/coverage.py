"""Van stop siting on a district's data, and how far each client lives from the nearest stop or depot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from planner.input.places import Place
from planner.scenario import Point
from planner.simulate.district import District
from planner.simulate.siting import Curve, coverage_curve
from planner.simulate.spec import Spec, Variant


@dataclass(frozen=True)
class SitePlan:
    """The coverage curve of the spec's siting and the sites chosen for each k."""

    minutes: float
    candidates: int
    curve: Curve
    sites: tuple[tuple[Place, ...], ...]  # sites[k] for k = 0..max_sites


def client_weights(d: District) -> tuple[list[Point], np.ndarray]:
    """Distinct client homes and how many clients live at each."""
    counts = Counter(c.home for c in d.clients)
    homes = list(counts)
    return homes, np.array([counts[h] for h in homes], dtype=np.int64)


def plan_sites(spec: Spec, d: District) -> SitePlan:
    """Optimal van stop sites for k = 1..max_sites; clients within reach of a depot count as covered."""
    homes, weights = client_weights(d)
    limit = spec.siting.minutes
    candidates = list(d.candidates)
    covers = (
        d.minutes(homes, [c.point for c in candidates]) <= limit
        if candidates
        else np.zeros((len(homes), 0), bool)
    )
    near_depot = np.asarray((d.minutes(homes, [x.point for x in d.depots]) <= limit).any(axis=1))
    k_max = min(spec.siting.max_sites, len(candidates))
    curve = coverage_curve(covers, weights, near_depot, k_max)
    sites = tuple(tuple(candidates[j] for j in chosen) for chosen in curve.chosen)
    return SitePlan(limit, len(candidates), curve, sites)


def variant_sites(variant: Variant, plan: SitePlan) -> tuple[str, ...]:
    """OSM refs of a variant's van stop sites: its own list, or the optimal ones for its k."""
    if isinstance(variant.van_stops, tuple):
        return variant.van_stops
    k = min(variant.van_stops, len(plan.sites) - 1)
    return tuple(s.ref for s in plan.sites[k])


def nearest_minutes(d: District, facilities: list[Point]) -> np.ndarray:
    """Drive minutes from every client's home to the nearest of `facilities`."""
    return d.minutes([c.home for c in d.clients], facilities).min(axis=1)
