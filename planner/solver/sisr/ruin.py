"""Ruin: remove strings of consecutive jobs from the routes near a random job (SISR's string removal).

A step removes `AVG_REMOVED` jobs on average, from routes met in the order of the jobs nearest a
random job, one string per route of at most `MAX_STRING` jobs; a share `SPLIT_RATE` of the strings
are split: a stretch inside them stays in the route.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from planner.solver.flat import Bools, Ints
from planner.solver.sisr.data import Data, State
from planner.solver.sisr.route import refresh

AVG_REMOVED = 10.0  # jobs removed per step on average
MAX_STRING = 10.0  # longest string removed from one route
SPLIT_RATE = 0.5  # share of split strings
SPLIT_DEPTH = 0.01  # a split string keeps one more job while a random number exceeds this


@nb.njit(cache=True, inline="always")
def ruin(
    st: State, d: Data, near: Ints, unserved: int, touched: Bools, touched_list: Ints, removed: Ints
) -> tuple[int, int]:
    """Remove strings of jobs near a random job into `removed`, mark their routes in `touched` and
    `touched_list`; return (number removed, number of routes touched)."""
    route, size, jobs, route_of = st.route, st.size, st.jobs, st.route_of
    fj, fb = d.first_job, d.first_break
    used = 0
    for k in range(size.shape[0]):
        if jobs[k] > 0:
            used += 1
    if used == 0:
        return 0, 0
    avg = (fb - fj - unserved) / used
    string_max = min(MAX_STRING, avg)
    strings_max = 4.0 * AVG_REMOVED / (1.0 + string_max) - 1.0
    strings = int(np.random.uniform(1.0, strings_max + 1.0))
    first = np.random.randint(0, fb - fj)
    n_removed = 0
    n_touched = 0
    for idx in range(near.shape[1]):
        if n_touched >= strings:
            break
        c = near[first, idx]
        k = route_of[c]
        if k < 0 or touched[k]:
            continue
        n = size[k]
        length = int(np.random.uniform(1.0, min(float(jobs[k]), string_max) + 1.0))
        pos = 1
        while route[k, pos] != c:
            pos += 1
        keep_lo = 0
        keep_hi = 0
        span = length
        if n > length and np.random.random() < SPLIT_RATE:
            kept = 1
            while length + kept < n and np.random.random() > SPLIT_DEPTH:
                kept += 1
            span = length + kept
        lo = np.random.randint(max(1, pos - span + 1), min(pos, n - span + 1) + 1)
        if span > length:
            keep_lo = lo + np.random.randint(0, length + 1)
            keep_hi = keep_lo + span - length
        j = 1
        for i in range(1, n + 1):
            c2 = route[k, i]
            if lo <= i < lo + span and not keep_lo <= i < keep_hi and c2 < fb:
                removed[n_removed] = c2
                n_removed += 1
                route_of[c2] = -1
            else:
                route[k, j] = c2
                j += 1
        route[k, j] = route[k, n + 1]
        size[k] = j - 1
        refresh(st, k, k, d)
        touched[k] = True
        touched_list[n_touched] = k
        n_touched += 1
    return n_removed, n_touched
