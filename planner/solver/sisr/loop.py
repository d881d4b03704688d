"""The compiled steps: ruin the trial routes, recreate them, accept or undo, keep the best."""

from __future__ import annotations

import numba as nb
import numpy as np

from planner.solver.flat import Ints
from planner.solver.sisr.accept import accepts, is_best, temperature
from planner.solver.sisr.data import (
    BEST_COST,
    BEST_OBJECTIVE,
    BEST_UNSERVED,
    COST_NOW,
    FRESH,
    PENALTY_NOW,
    UNSERVED,
    Data,
    State,
)
from planner.solver.sisr.recreate import best_place, order
from planner.solver.sisr.route import copy_route, insert
from planner.solver.sisr.ruin import ruin


@nb.njit(cache=True)
def seed(value: int) -> None:
    """Seed the compiled code's random numbers."""
    np.random.seed(value)


@nb.njit(cache=True)
def run(
    cur: State,
    trial: State,
    best: State,
    scratch: State,
    d: Data,
    near: Ints,
    unserved: Ints,
    absences: Ints,
    meta: Ints,
    steps: int,
    t_from: float,
    t_to: float,
) -> None:
    """Run `steps` ruin-and-recreate steps from state `cur` (`trial` equal to it, `unserved` the jobs
    it leaves out, `meta` its figures); keep the best state in `best`."""
    n_nodes = cur.route_of.shape[0]
    n_routes = cur.size.shape[0]
    penalty = d.penalty
    prize = not d.uniform
    touched = np.zeros(n_routes, dtype=np.bool_)
    touched_list = np.empty(n_routes, dtype=np.int64)
    ruined = np.zeros(n_routes, dtype=np.bool_)
    anywhere = np.zeros(0, dtype=np.bool_)
    out = np.zeros(n_nodes, dtype=np.bool_)
    removed = np.empty(n_nodes, dtype=np.int64)
    left = np.empty(n_nodes, dtype=np.int64)
    n_un = meta[UNSERVED]
    cur_cost = meta[COST_NOW]
    cur_pen = meta[PENALTY_NOW]
    distance = meta[BEST_UNSERVED] == 0  # phases change between calls: the caller sets the temperature
    for step in range(steps):
        temp = temperature(step, steps, t_from, t_to)
        n_removed, n_touched = ruin(trial, d, near, n_un, touched, touched_list, removed)
        for i in range(n_un):
            removed[n_removed + i] = unserved[i]
            out[unserved[i]] = True
        n_removed += n_un
        for i in range(n_routes if meta[FRESH] else n_touched):
            ruined[i if meta[FRESH] else touched_list[i]] = True
        order(removed, n_removed, d)
        n_left = 0
        new_pen = 0
        for i in range(n_removed):
            v = removed[i]
            # a job left out before fitted nowhere, and only ruined routes have room now
            k, q, delta = best_place(v, trial, d, scratch, ruined if out[v] else anywhere)
            out[v] = False
            if k < 0 or (prize and delta >= penalty[v]):
                left[n_left] = v
                n_left += 1
                new_pen += penalty[v]
                continue
            insert(v, k, q, trial, d)
            if not touched[k]:
                touched[k] = True
                touched_list[n_touched] = k
                n_touched += 1
        new_cost = cur_cost
        for i in range(n_touched):
            k = touched_list[i]
            new_cost += trial.route_cost[k] - cur.route_cost[k]
        accept = accepts(prize, distance, temp, cur_cost, cur_pen, new_cost, new_pen,
                         unserved, n_un, left, n_left, absences)  # fmt: skip
        src, dst = (trial, cur) if accept else (cur, trial)
        for i in range(n_touched):
            k = touched_list[i]
            copy_route(k, src, dst, k)
            touched[k] = False
        for i in range(n_removed):
            v = removed[i]
            dst.route_of[v] = src.route_of[v]
        ruined[:] = False
        if accept:
            meta[FRESH] = 0
            n_un = n_left
            unserved[:n_un] = left[:n_un]
            cur_cost = new_cost
            cur_pen = new_pen
            if is_best(prize, n_un, cur_cost, cur_pen, meta):
                meta[BEST_UNSERVED] = n_un
                meta[BEST_COST] = cur_cost
                meta[BEST_OBJECTIVE] = cur_cost + cur_pen
                for k in range(n_routes):
                    copy_route(k, cur, best, k)
    meta[UNSERVED] = n_un
    meta[COST_NOW] = cur_cost
    meta[PENALTY_NOW] = cur_pen
