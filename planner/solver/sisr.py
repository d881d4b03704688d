"""Compiled ruin-and-recreate for plain problems: fit every job into the fleet, then shorten the routes.

Slack induction by string removals (SISR, Christiaens & Vanden Berghe 2020), compiled with numba
so that a few hundred thousand steps fit into seconds (the pure-Python search managed a few
thousand). Each step removes a few strings of consecutive jobs from routes near a random job
(sometimes keeping a stretch inside the string: a split string), then puts them back one by one at
the cheapest feasible place, skipping each place with a small probability (blinks), in a random,
largest-demand-first, farthest-first or closest-first order. The fleet is fixed.
- While jobs are left out (the *fleet phase*) the left-out jobs are put back with every step, every
  job counts how often it was left out (its absences), and a step is kept when it leaves out fewer
  jobs or jobs with fewer absences between them: hard jobs get in first, easy ones follow.
- Once every job is served (the *distance phase*) a step must serve every job again and is kept
  under simulated annealing on the route cost, the temperature falling geometrically.
Routes are rows of an array with the depot (node 0) at both ends; feasibility of a place is checked
in O(1) with every position's earliest and latest begin time. Works on `planner.solver.plain.Plain`.
Runs are repeatable: the same seed and the same sequence of `run` calls give the same routes.
"""

from __future__ import annotations

import math
import time

import numba as nb
import numpy as np
import numpy.typing as npt

from planner.solver.plain import Ints, Plain

AVG_REMOVED = 10.0  # jobs removed per step on average
MAX_STRING = 10.0  # longest string removed from one route
SPLIT_RATE = 0.5  # share of split strings
SPLIT_DEPTH = 0.01  # a split string keeps one more job while a random number exceeds this
BLINK = 0.01  # chance that recreate skips a place
T_START = 10.0  # annealing temperature at the start of the distance phase, in mean arcs of the routes
T_END = 0.03  # ... and at the end
CHUNK_S = 0.05  # seconds between clock checks when a deadline is given

# route rows (depot, jobs, depot), jobs per route, earliest and latest begin per position, load,
# cost, route of each node (-1: left out)
State = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints]
Data = tuple[Ints, Ints, Ints, Ints, Ints, Ints]  # travel, cost, service, early, late, demand
Bools = npt.NDArray[np.bool_]

# indices into the meta array shared with the compiled code
UNSERVED, COST, BEST_UNSERVED, BEST_COST = range(4)


@nb.njit(cache=True)
def _seed(seed: int) -> None:
    np.random.seed(seed)


@nb.njit(cache=True)
def _refresh(k: int, st: State, d: Data) -> None:
    """Recompute begin and latest times, load, cost and membership of route k."""
    route, lens, begin, latest, load, rcost, route_of = st
    travel, cost, service, early, late, demand = d
    n = lens[k]
    begin[k, 0] = early[0]
    total = 0
    arcs = 0
    for i in range(1, n + 2):
        a = route[k, i - 1]
        c = route[k, i]
        t = begin[k, i - 1] + service[a] + travel[a, c]
        begin[k, i] = t if t > early[c] else early[c]
        total += demand[c]
        arcs += cost[a, c]
        if i <= n:
            route_of[c] = k
    load[k] = total
    rcost[k] = arcs
    latest[k, n + 1] = late[0]
    for i in range(n, -1, -1):
        c = route[k, i]
        t = latest[k, i + 1] - service[c] - travel[c, route[k, i + 1]]
        latest[k, i] = t if t < late[c] else late[c]


@nb.njit(cache=True)
def _copy_route(k: int, src: State, dst: State) -> None:
    """Make route k of state dst equal to route k of src."""
    n = src[1][k] + 2
    dst[0][k, :n] = src[0][k, :n]
    dst[2][k, :n] = src[2][k, :n]
    dst[3][k, :n] = src[3][k, :n]
    dst[1][k] = src[1][k]
    dst[4][k] = src[4][k]
    dst[5][k] = src[5][k]


@nb.njit(cache=True)
def _ruin(
    st: State, d: Data, near: Ints, unserved: int, touched: Bools, touched_list: Ints, removed: Ints
) -> tuple[int, int]:
    """Remove strings near a random job; return (number removed, number of routes touched)."""
    route, lens, route_of = st[0], st[1], st[6]
    n_nodes = route_of.shape[0]
    used = 0
    for k in range(lens.shape[0]):
        if lens[k] > 0:
            used += 1
    if used == 0:
        return 0, 0
    avg = (n_nodes - 1 - unserved) / used
    string_max = min(MAX_STRING, avg)
    strings_max = 4.0 * AVG_REMOVED / (1.0 + string_max) - 1.0
    strings = int(np.random.uniform(1.0, strings_max + 1.0))
    first = 1 + np.random.randint(0, n_nodes - 1)
    n_removed = 0
    n_touched = 0
    for idx in range(near.shape[1]):
        if n_touched >= strings:
            break
        c = near[first, idx]
        k = route_of[c]
        if k < 0 or touched[k]:
            continue
        size = lens[k]
        length = int(np.random.uniform(1.0, min(float(size), string_max) + 1.0))
        if length > size:
            length = size
        pos = 1
        while route[k, pos] != c:
            pos += 1
        keep_lo = 0
        keep_hi = 0
        span = length
        if size > length and np.random.random() < SPLIT_RATE:
            kept = 1
            while length + kept < size and np.random.random() > SPLIT_DEPTH:
                kept += 1
            span = length + kept
        lo = np.random.randint(max(1, pos - span + 1), min(pos, size - span + 1) + 1)
        if span > length:
            keep_lo = lo + np.random.randint(0, length + 1)
            keep_hi = keep_lo + span - length
        j = 1
        for i in range(1, size + 1):
            c2 = route[k, i]
            if lo <= i < lo + span and not keep_lo <= i < keep_hi:
                removed[n_removed] = c2
                n_removed += 1
                route_of[c2] = -1
            else:
                route[k, j] = c2
                j += 1
        route[k, j] = 0
        lens[k] = j - 1
        _refresh(k, st, d)
        touched[k] = True
        touched_list[n_touched] = k
        n_touched += 1
    return n_removed, n_touched


@nb.njit(cache=True)
def _best_place(v: int, st: State, d: Data, capacity: int) -> tuple[int, int]:
    """The cheapest feasible place (route, position) for v, each place skipped at the blink rate."""
    route, lens, begin, latest, load = st[0], st[1], st[2], st[3], st[4]
    travel, cost, service, early, late, demand = d
    best = np.int64(1) << 62
    best_k = -1
    best_q = -1
    empty_seen = False
    for k in range(lens.shape[0]):
        if load[k] + demand[v] > capacity:
            continue
        if lens[k] == 0:
            if empty_seen:
                continue  # every empty route is the same
            empty_seen = True
        for q in range(1, lens[k] + 2):
            a = route[k, q - 1]
            c = route[k, q]
            delta = cost[a, v] + cost[v, c] - cost[a, c]
            if delta >= best:
                continue
            t = begin[k, q - 1] + service[a] + travel[a, v]
            if t < early[v]:
                t = early[v]
            if t > late[v]:
                continue
            t2 = t + service[v] + travel[v, c]
            if t2 > latest[k, q] or np.random.random() < BLINK:
                continue
            best = delta
            best_k = k
            best_q = q
    return best_k, best_q


@nb.njit(cache=True)
def _insert(v: int, k: int, q: int, st: State, d: Data) -> None:
    """Put v at position q of route k."""
    route, lens = st[0], st[1]
    for i in range(lens[k] + 1, q - 1, -1):
        route[k, i + 1] = route[k, i]
    route[k, q] = v
    lens[k] += 1
    _refresh(k, st, d)


@nb.njit(cache=True)
def _order(removed: Ints, n: int, d: Data) -> None:
    """Sort the first n removed jobs: random, by demand, farthest or closest to the depot first."""
    cost, demand = d[1], d[5]
    r = np.random.random() * 11.0
    part = removed[:n]
    if r < 4.0:
        np.random.shuffle(part)
        return
    key = np.empty(n, dtype=np.float64)
    for i in range(n):
        c = part[i]
        if r < 8.0:
            key[i] = -demand[c] + np.random.random() * 1e-3
        elif r < 10.0:
            key[i] = -cost[0, c]
        else:
            key[i] = cost[0, c]
    removed[:n] = part[np.argsort(key)]


@nb.njit(cache=True)
def _run(
    cur: State,
    trial: State,
    best: State,
    d: Data,
    capacity: int,
    near: Ints,
    unserved: Ints,
    absences: Ints,
    meta: Ints,
    steps: int,
    t_from: float,
    t_to: float,
) -> None:
    """Run `steps` ruin-and-recreate steps from state `cur`; keep the best state in `best`."""
    n_nodes = cur[6].shape[0]
    n_routes = cur[1].shape[0]
    touched = np.zeros(n_routes, dtype=np.bool_)
    touched_list = np.empty(n_routes, dtype=np.int64)
    removed = np.empty(n_nodes, dtype=np.int64)
    left = np.empty(n_nodes, dtype=np.int64)
    n_un = meta[UNSERVED]
    cur_cost = meta[COST]
    distance = meta[BEST_UNSERVED] == 0  # phases change between calls: the caller sets the temperature
    for step in range(steps):
        temperature = t_from * (t_to / t_from) ** (step / steps) if t_from > 0 else 0.0
        n_removed, n_touched = _ruin(trial, d, near, n_un, touched, touched_list, removed)
        for i in range(n_un):
            removed[n_removed + i] = unserved[i]
        n_removed += n_un
        _order(removed, n_removed, d)
        n_left = 0
        for i in range(n_removed):
            v = removed[i]
            k, q = _best_place(v, trial, d, capacity)
            if k < 0:
                left[n_left] = v
                n_left += 1
                continue
            _insert(v, k, q, trial, d)
            if not touched[k]:
                touched[k] = True
                touched_list[n_touched] = k
                n_touched += 1
        new_cost = cur_cost
        for i in range(n_touched):
            k = touched_list[i]
            new_cost += trial[5][k] - cur[5][k]
        if distance:  # distance phase: every job served again, annealing on the cost
            threshold = cur_cost - temperature * math.log(1.0 - np.random.random())
            accept = n_left == 0 and new_cost < threshold
        else:  # fleet phase: fewer left out, or left out with fewer absences between them
            for i in range(n_left):
                absences[left[i]] += 1
            old_sum = 0
            new_sum = 0
            for i in range(n_un):
                old_sum += absences[unserved[i]]
            for i in range(n_left):
                new_sum += absences[left[i]]
            accept = n_left < n_un or new_sum <= old_sum
        src, dst = (trial, cur) if accept else (cur, trial)
        for i in range(n_touched):
            k = touched_list[i]
            _copy_route(k, src, dst)
            touched[k] = False
        for i in range(n_removed):
            v = removed[i]
            dst[6][v] = src[6][v]
        if accept:
            n_un = n_left
            unserved[:n_un] = left[:n_un]
            cur_cost = new_cost
            if n_un < meta[BEST_UNSERVED] or (n_un == meta[BEST_UNSERVED] and cur_cost < meta[BEST_COST]):
                meta[BEST_UNSERVED] = n_un
                meta[BEST_COST] = cur_cost
                for k in range(n_routes):
                    _copy_route(k, cur, best)
    meta[UNSERVED] = n_un
    meta[COST] = cur_cost


def _copy(st: State) -> State:
    """An independent copy of a state."""
    a, b, c, d, e, f, g = st
    return (a.copy(), b.copy(), c.copy(), d.copy(), e.copy(), f.copy(), g.copy())


class Search:
    """One SISR search on a plain problem; `run` resumes it, `best` reads the best routes so far."""

    def __init__(self, d: Plain, routes: list[list[int]], seed: int) -> None:
        n, k = d.nodes, d.vehicles
        if len(routes) > k:
            raise ValueError(f"{len(routes)} routes for a fleet of {k}")
        self.d = d
        self.data = (d.travel, d.cost, d.service, d.early, d.late, d.demand)
        order = np.argsort(d.cost, axis=1, kind="stable")
        self.near = np.ascontiguousarray(order[order != 0].reshape(n, n - 1))
        self.cur = self._state(routes)
        self.trial = _copy(self.cur)
        self.best_state = _copy(self.cur)
        served = {c for r in routes for c in r}
        self.unserved = np.zeros(n, dtype=np.int64)
        left = [c for c in range(1, n) if c not in served]
        self.unserved[: len(left)] = left
        self.absences = np.zeros(n, dtype=np.int64)
        cost = int(self.cur[5].sum())
        self.meta = np.array([len(left), cost, len(left), cost], dtype=np.int64)
        self.steps = 0
        self.scale = 0.0  # mean arc cost once every job is served: the temperature unit
        _seed(seed)

    def _state(self, routes: list[list[int]]) -> State:
        n, k = self.d.nodes, self.d.vehicles
        route = np.zeros((k, n + 1), dtype=np.int64)
        lens = np.zeros(k, dtype=np.int64)
        for i, r in enumerate(routes):
            route[i, 1 : len(r) + 1] = r
            lens[i] = len(r)
        st = (route, lens, np.zeros_like(route), np.zeros_like(route), np.zeros(k, np.int64),
              np.zeros(k, np.int64), np.full(n, -1, dtype=np.int64))  # fmt: skip
        for i in range(k):
            _refresh(i, st, self.data)
        return st

    @property
    def unserved_count(self) -> int:
        """Jobs left out of the best routes so far."""
        return int(self.meta[BEST_UNSERVED])

    def run(self, steps: int, progress: float, until: float) -> None:
        """`steps` more steps; the temperature goes from its value at share `progress` of the search to
        its value at share `until` (the distance phase only)."""
        if self.meta[BEST_UNSERVED] == 0 and self.scale == 0.0:
            self.scale = float(self.meta[COST]) / (self.d.nodes - 1 + self.d.vehicles)
        hot, cold = T_START * self.scale, T_END * self.scale
        t_from = hot * (cold / hot) ** progress if hot > 0 else 0.0
        t_to = hot * (cold / hot) ** until if hot > 0 else 0.0
        _run(self.cur, self.trial, self.best_state, self.data, self.d.capacity, self.near, self.unserved,
             self.absences, self.meta, steps, t_from, t_to)  # fmt: skip
        self.steps += steps

    def best(self) -> tuple[list[list[int]], int]:
        """The best routes found (lists of nodes, no depot) and how many jobs they leave out."""
        route, lens = self.best_state[0], self.best_state[1]
        return [route[k, 1 : lens[k] + 1].tolist() for k in range(len(lens))], int(self.meta[BEST_UNSERVED])


def improve(
    d: Plain, routes: list[list[int]], seed: int, *, steps: int = 0, deadline: float = 0.0
) -> tuple[list[list[int]], int]:
    """Best routes found from `routes` in `steps` steps (repeatable) or by `deadline` (monotonic clock).

    The annealing schedule of the distance phase spans what is left of the steps or the time once
    every job is served. Returns the routes (lists of nodes) and how many jobs they leave out.
    """
    search = Search(d, routes, seed)
    if steps:
        chunk, begun = max(1, steps // 200), -1
        while search.steps < steps:
            if begun < 0 and search.unserved_count == 0:
                begun = search.steps
            size = min(chunk, steps - search.steps)
            todo, done = steps - begun, search.steps - begun
            search.run(size, done / todo if begun >= 0 else 0.0, (done + size) / todo if begun >= 0 else 0.0)
        return search.best()
    rate, since = 1000.0, 0.0  # steps per second, measured as the search goes; distance phase start
    while (now := time.monotonic()) < deadline:
        if not since and search.unserved_count == 0:
            since = now
        chunk = max(10, int(rate * CHUNK_S))
        span = max(1e-9, deadline - since)
        progress = (now - since) / span if since else 0.0
        search.run(chunk, progress, min(1.0, progress + chunk / rate / span) if since else 0.0)
        rate = chunk / max(1e-6, time.monotonic() - now)
    return search.best()


def warm_up() -> None:
    """Compile the search now (numba caches it on disk), so that no timed run pays for compiling."""
    z = np.zeros(3, dtype=np.int64)
    square = np.ones((3, 3), dtype=np.int64)
    tiny = Plain(square, square, service=z, early=z, late=np.full(3, 10, np.int64),
                 demand=np.array([0, 1, 1], np.int64), capacity=2, vehicles=1)  # fmt: skip
    improve(tiny, [], seed=1, steps=20)
