"""Van stop siting (maximal covering): a hand-checked instance and the real rural district."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from planner.simulate.coverage import plan_sites
from planner.simulate.district import district
from planner.simulate.siting import coverage_curve, max_cover
from planner.simulate.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "scenarios" / "specs" / "bayreuth-nord.toml"

# Clients 0-3 weigh 2, clients 4-5 weigh 3. Site A covers 0-3 (8), B covers 0, 1, 4 (7), C covers 2, 3, 5 (7).
# Greedy takes A and then B (11); the optimum for k = 2 is B + C (14).
COVERS = np.array(
    [[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]],
    dtype=bool,
)
WEIGHTS = np.array([2, 2, 2, 2, 3, 3])


def test_known_optimum_beats_greedy() -> None:
    """k = 1 takes A (8); k = 2 takes B and C (14), not the greedy A + B (11); k = 3 covers all."""
    assert max_cover(COVERS, WEIGHTS, 1) == ((0,), 8)
    assert max_cover(COVERS, WEIGHTS, 2) == ((1, 2), 14)
    assert max_cover(COVERS, WEIGHTS, 3)[1] == 14


def test_curve_counts_clients_near_a_depot() -> None:
    """Clients already near a depot are covered at k = 0 and do not steer the choice."""
    near_depot = np.array([True, True, True, True, False, False])
    curve = coverage_curve(COVERS, WEIGHTS, near_depot, 2)
    assert curve.covered == (8, 11, 14)
    assert curve.chosen[2] == (1, 2)
    assert curve.share(2) == 1.0


def test_nothing_to_cover() -> None:
    """No candidate covers anybody: no site, no weight."""
    assert max_cover(np.zeros((3, 2), dtype=bool), np.ones(3, dtype=np.int64), 2) == ((), 0)


@pytest.mark.skipif(not SPEC.exists(), reason="built-in spec missing")
def test_real_district_curve_is_monotone_and_optimal() -> None:
    """North of Bayreuth: coverage never falls with k, and k = 1 is the best single site by brute force."""
    spec = load_spec(SPEC)
    d = district(spec)
    plan = plan_sites(spec, d)
    covered = plan.curve.covered
    assert all(a <= b for a, b in pairwise(covered))
    assert len(plan.sites[3]) <= 3
    homes = [c.home for c in d.clients]
    near_depot = (d.minutes(homes, [x.point for x in d.depots]) <= plan.minutes).any(axis=1)
    reach = d.minutes(homes, [c.point for c in d.candidates]) <= plan.minutes
    best = max(int((reach[:, j] | near_depot).sum()) for j in range(reach.shape[1]))
    assert covered[1] == best
