"""Acceptance: whether a step's routes replace the current ones, and whether they are the best so far.

- Uniform problems (the VRPTW benchmarks: identical vehicles, every job must be served): while
  jobs are left out (the *fleet phase*) every job counts how often it was left out (its absences),
  and a step is kept when it leaves out fewer jobs or jobs with fewer absences between them: hard
  jobs get in first, easy ones follow. Once every job is served (the *distance phase*) a step must
  serve every job again and is kept under simulated annealing on the route cost.
- Other problems (a planning week): every step is kept under simulated annealing on the whole
  objective, route costs plus the penalties of the jobs left out.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from planner.solver.flat import Ints
from planner.solver.sisr.data import BEST_COST, BEST_OBJECTIVE, BEST_UNSERVED


@nb.njit(cache=True, inline="always")
def temperature(step: int, steps: int, t_from: float, t_to: float) -> float:
    """The annealing temperature at `step` of `steps`, falling geometrically from t_from to t_to."""
    return t_from * (t_to / t_from) ** (step / steps) if t_from > 0 else 0.0


@nb.njit(cache=True, inline="always")
def annealing(current: int, candidate: int, temp: float) -> bool:
    """Simulated annealing: whether `candidate` is below `current` plus a random exponential margin
    of mean `temp` (one random number drawn in any case)."""
    return candidate < current - temp * math.log(1.0 - np.random.random())


@nb.njit(cache=True, inline="always")
def fewer_absences(unserved: Ints, n_un: int, left: Ints, n_left: int, absences: Ints) -> bool:
    """Fleet phase: count one more absence for each job in `left`; whether it leaves out fewer jobs
    than `unserved`, or jobs with no more absences between them."""
    for i in range(n_left):
        absences[left[i]] += 1
    old_sum = 0
    new_sum = 0
    for i in range(n_un):
        old_sum += absences[unserved[i]]
    for i in range(n_left):
        new_sum += absences[left[i]]
    return n_left < n_un or new_sum <= old_sum


@nb.njit(cache=True, inline="always")
def accepts(
    prize: bool,
    distance: bool,
    temp: float,
    cost: int,
    pen: int,
    new_cost: int,
    new_pen: int,
    unserved: Ints,
    n_un: int,
    left: Ints,
    n_left: int,
    absences: Ints,
) -> bool:
    """Whether a step leaving out `left` at `new_cost` + `new_pen` replaces the current routes
    (`cost` + `pen`, leaving out `unserved`): `prize` for problems other than uniform ones, else
    `distance` once every job is served (see the module doc)."""
    if prize:
        return annealing(cost + pen, new_cost + new_pen, temp)
    if distance:
        return annealing(cost, new_cost, temp) and n_left == 0
    return fewer_absences(unserved, n_un, left, n_left, absences)


@nb.njit(cache=True, inline="always")
def is_best(prize: bool, n_un: int, cost: int, pen: int, meta: Ints) -> bool:
    """Whether routes of `cost` leaving out `n_un` jobs of penalty `pen` beat the best so far in
    `meta`: on the objective for `prize` problems, else fewer left out and then on the cost."""
    if prize:
        return cost + pen < meta[BEST_OBJECTIVE]
    return n_un < meta[BEST_UNSERVED] or (n_un == meta[BEST_UNSERVED] and cost < meta[BEST_COST])
