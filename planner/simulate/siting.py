"""Van stop siting as a maximal covering location problem, solved exactly with OR-Tools CP-SAT.

Choose at most k sites among candidates so that the most clients (weighted) live within T minutes'
drive of a chosen site; clients already within T of a depot count as covered and do not steer the
choice. Clients with the same set of covering sites are merged into one weighted group, which keeps
the model small. CP-SAT runs with one worker and a fixed seed, so the answer is the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from planner.errors import SitingError

SOLVE_LIMIT_S = 120.0


@dataclass(frozen=True)
class Curve:
    """Coverage for k = 0..K sites: chosen candidate columns and covered weight per k (k = 0: depots only)."""

    chosen: tuple[tuple[int, ...], ...]
    covered: tuple[int, ...]
    total: int

    def share(self, k: int) -> float:
        """Covered share of the weight with k sites."""
        return self.covered[k] / self.total if self.total else 0.0


def max_cover(covers: np.ndarray, weights: np.ndarray, k: int) -> tuple[tuple[int, ...], int]:
    """Columns of at most k candidates covering the most weight, and that weight (proved optimal).

    `covers[i, j]` says candidate j covers client i; `weights[i]` is a whole number.
    """
    groups: dict[tuple[int, ...], int] = {}
    for row, w in zip(covers, weights.tolist(), strict=True):
        sites = tuple(np.flatnonzero(row).tolist())
        if sites and w > 0:
            groups[sites] = groups.get(sites, 0) + int(w)
    useful = sorted({j for sites in groups for j in sites})
    if not groups or k <= 0:
        return (), 0
    model = cp_model.CpModel()
    x = {j: model.new_bool_var(f"x{j}") for j in useful}
    y: list[tuple[cp_model.IntVar, int]] = []
    for sites, w in sorted(groups.items()):
        yi = model.new_bool_var(f"y{len(y)}")
        model.add(sum(x[j] for j in sites) >= yi)
        y.append((yi, w))
    model.add(sum(x.values()) <= k)
    model.maximize(sum(w * yi for yi, w in y))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.max_time_in_seconds = SOLVE_LIMIT_S
    if solver.solve(model) != cp_model.OPTIMAL:
        raise SitingError(f"no proved optimum for k = {k} within {SOLVE_LIMIT_S:g} s")
    chosen = tuple(j for j in useful if solver.boolean_value(x[j]))
    return chosen, round(solver.objective_value)


def coverage_curve(covers: np.ndarray, weights: np.ndarray, pre_covered: np.ndarray, max_k: int) -> Curve:
    """Optimal sites for every k = 1..max_k, clients with `pre_covered` (near a depot) counted as covered."""
    base = int(weights[pre_covered].sum())
    rest = ~pre_covered
    chosen: list[tuple[int, ...]] = [()]
    covered = [base]
    for k in range(1, max_k + 1):
        sites, gain = max_cover(covers[rest], weights[rest], k)
        chosen.append(sites)
        covered.append(base + gain)
    return Curve(tuple(chosen), tuple(covered), int(weights.sum()))
