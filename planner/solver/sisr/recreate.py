"""Recreate: put removed jobs back one by one at the cheapest feasible place, skipping places at random.

The jobs go back in one of four orders, drawn with the weights below: random, most urgent first
(largest demand, else highest penalty), farthest from the depot first or closest first. Each place
is skipped with probability `BLINK` (SISR's blinks), so that equal-cost places do not always win.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from planner.solver.flat import Bools, Ints
from planner.solver.sisr.data import LATE, Data, State
from planner.solver.sisr.route import fits
from planner.solver.sisr.timing import on_time_between, window_begin

BLINK = 0.01  # chance that recreate skips a place
# weights of the orders the removed jobs go back in
RANDOM_ORDER, URGENT_FIRST, FARTHEST_FIRST, CLOSEST_FIRST = 4.0, 4.0, 2.0, 1.0
ORDERS = RANDOM_ORDER + URGENT_FIRST + FARTHEST_FIRST + CLOSEST_FIRST
TIE_NOISE = 1e-6  # relative noise on the urgency, so equally urgent jobs go back in random order
DEPOT = 0  # the node distances from the depot are measured from (the first depot)


@nb.njit(cache=True, inline="always")
def order(removed: Ints, n: int, d: Data) -> None:
    """Sort the first n removed jobs: random, most urgent, farthest or closest to the depot first."""
    cost, weight = d.cost, d.weight
    r = np.random.random() * ORDERS
    part = removed[:n]
    if r < RANDOM_ORDER:
        np.random.shuffle(part)
        return
    key = np.empty(n, dtype=np.float64)
    for i in range(n):
        c = part[i]
        if r < RANDOM_ORDER + URGENT_FIRST:
            key[i] = -(weight[c] * (1.0 + np.random.random() * TIE_NOISE))
        elif r < RANDOM_ORDER + URGENT_FIRST + FARTHEST_FIRST:
            key[i] = -cost[DEPOT, c]
        else:
            key[i] = cost[DEPOT, c]
    removed[:n] = part[np.argsort(key)]


@nb.njit(cache=True, inline="always")
def best_place(v: int, st: State, d: Data, scratch: State, only: Bools) -> tuple[int, int, int]:
    """The cheapest feasible place (route, position, added cost) for v in the routes marked in `only`
    (all when it is empty); each place skipped at the blink rate."""
    route, size, jobs, load = st.route, st.size, st.jobs, st.load
    begin, latest, at = st.begin, st.latest, st.at
    travel, cost, service, fb = d.travel, d.cost, d.service, d.first_break
    capacity, fixed, breaks, inside, full = d.capacity, d.fixed_cost, d.breaks, d.inside, d.full
    best = LATE
    best_k = -1
    best_q = -1
    empty_seen = False
    single = d.windows[v] == 1
    v_open, v_close, v_service, v_demand = d.win_start[v, 0], d.win_end[v, 0], service[v], d.demand[v]
    v_extra = d.extra[v]
    for k in range(size.shape[0]):
        extra = v_extra[k]
        if (only.shape[0] and not only[k]) or extra < 0 or load[k] + v_demand > capacity[k]:
            continue
        if jobs[k] == 0:
            if d.uniform:
                if empty_seen:
                    continue  # every empty route is the same
                empty_seen = True
            extra += fixed[k]
        n = size[k]
        if single and (breaks[k] == 0 or not inside[k]) and not full[k]:
            # the common case, kept lean: `on_time_between` for one window and no breaks in the row
            for q in range(1, n + 2):
                a, c = route[k, q - 1], route[k, q]
                delta = cost[a, v] + cost[v, c] - cost[a, c] + extra
                if delta >= best:
                    continue
                t = window_begin(begin[k, q - 1] + service[a] + travel[a, v], v_open, v_close)
                if t >= LATE or t + v_service + travel[v, c] > latest[k, q] or np.random.random() < BLINK:
                    continue
                best, best_k, best_q = delta, k, q
            continue
        p = 0  # position of the first job or depot at or after q
        for q in range(1, n + 2):
            if p < q:
                p = q
                while route[k, p] >= fb:
                    p += 1
            la, c = at[k, q - 1], route[k, p]
            delta = cost[la, v] + cost[v, c] - cost[la, c] + extra
            if delta >= best:
                continue
            if not on_time_between(st, k, d, v, q, p) or np.random.random() < BLINK:
                continue
            if full[k] and not fits(st, k, q, v, d, scratch):
                continue
            best, best_k, best_q = delta, k, q
    return best_k, best_q, best
