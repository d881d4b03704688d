"""Compiled ruin-and-recreate on the flat form of a problem: fit the jobs into the fleet, cheaply.

Slack induction by string removals (SISR, Christiaens & Vanden Berghe 2020), compiled with numba
so that a few hundred thousand steps fit into seconds (the pure-Python search managed a few
thousand). Each step removes a few strings of consecutive jobs from routes near a random job
(sometimes keeping a stretch inside the string: a split string), then puts them and the jobs left
out back one by one at the cheapest feasible place, skipping each place with a small probability
(blinks), in a random, most-urgent-first (largest demand, else highest penalty), farthest-first or
closest-first order.
- Uniform problems (the VRPTW benchmarks: identical vehicles, every job must be served): while
  jobs are left out (the *fleet phase*) every job counts how often it was left out (its absences),
  and a step is kept when it leaves out fewer jobs or jobs with fewer absences between them: hard
  jobs get in first, easy ones follow. Once every job is served (the *distance phase*) a step must
  serve every job again and is kept under simulated annealing on the route cost.
- Other problems (a planning week: van-days with their own shifts, breaks and working-time limits,
  jobs allowed on some vehicles only, drop penalties by priority): every step is kept under
  simulated annealing on the whole objective, route costs plus the penalties of the jobs left out.
The annealing temperature falls geometrically from T_START to T_END mean arc costs.
Routes are rows of an array with the vehicle's depots at both ends and its breaks as stops in
between; a place is checked in O(1) from every position's earliest and latest begin time, and
against the whole route only where a vehicle's working-time limit or several breaks could bind.
Runs are repeatable: the same seed and the same sequence of `run` calls give the same routes.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numba as nb
import numpy as np

from planner.problem import Break, Job, Problem, Vehicle
from planner.solver.flat import Bools, Flat, Ints, flat_view

AVG_REMOVED = 10.0  # jobs removed per step on average
MAX_STRING = 10.0  # longest string removed from one route
SPLIT_RATE = 0.5  # share of split strings
SPLIT_DEPTH = 0.01  # a split string keeps one more job while a random number exceeds this
BLINK = 0.01  # chance that recreate skips a place
T_START = 10.0  # annealing temperature at the start, in mean arc costs
T_END = 0.03  # ... and at the end
CHUNK_S = 0.05  # seconds between clock checks when a deadline is given
LATE = 1 << 60  # "no feasible time" going forward
EARLY = -LATE  # ... and going backward

# route rows (depots at both ends, jobs and breaks between), stops per row, jobs per row, earliest
# and latest begin per position, the place each position is at (a break: where the crew is), load,
# cost, route of each node (-1: left out)
State = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints]
Data = tuple[Any, ...]  # the problem's arrays in the order of the positions below

# positions in the data tuple handed to the compiled code (see `Search.__init__`)
(TRAVEL, COST, SERVICE, WIN_START, WIN_END, WINDOWS, DEMAND, PENALTY, WEIGHT, EXTRA, START, END,
 SHIFT_START, SHIFT_END, CAPACITY, SPAN_MAX, FIXED, BREAKS_FROM, BREAKS, INSIDE, MARGIN, GAP, FULL,
 INTS) = range(24)  # fmt: skip
FIRST_JOB, FIRST_BREAK, SPAN_COST, UNIFORM = range(4)  # in d[INTS]
# in the meta array shared with the compiled code
# (FRESH: no step kept yet, so the jobs left out have not been tried in every route)
UNSERVED, COST_NOW, PENALTY_NOW, BEST_UNSERVED, BEST_COST, BEST_OBJECTIVE, FRESH = range(7)


@nb.njit(cache=True)
def _seed(seed: int) -> None:
    np.random.seed(seed)


@nb.njit(cache=True, inline="always")
def _next_start(d: Data, c: int, t: int) -> int:
    """Earliest begin at node c no sooner than t inside one of its windows, or LATE."""
    ws, we = d[WIN_START], d[WIN_END]
    for m in range(d[WINDOWS][c]):
        if t <= we[c, m]:
            return t if t >= ws[c, m] else ws[c, m]
    return LATE


@nb.njit(cache=True, inline="always")
def _last_start(d: Data, c: int, t: int) -> int:
    """Latest begin at node c no later than t inside one of its windows, or EARLY."""
    ws, we = d[WIN_START], d[WIN_END]
    for m in range(d[WINDOWS][c] - 1, -1, -1):
        if ws[c, m] <= t:
            return t if t <= we[c, m] else we[c, m]
    return EARLY


@nb.njit(cache=True, inline="always")
def _forward(st: State, r: int, k: int, d: Data, depart: int, store: bool) -> tuple[int, bool]:
    """Times of row r (vehicle k) leaving at `depart`: (arrival at the end depot, feasible).

    With `store` the begin times and places go into the state. Breaks are taken where the crew
    is; one right after the start or right before the end keeps `margin` of work from it.
    """
    route, n = st[0], st[1][r]
    begin, at = st[3], st[5]
    travel, service, fb, mg = d[TRAVEL], d[SERVICE], d[INTS][FIRST_BREAK], d[MARGIN][k]
    t_prev = depart
    loc = route[r, 0]
    ok = True
    break_end = EARLY
    if store:
        begin[r, 0] = depart
        at[r, 0] = loc
    for i in range(1, n + 2):
        a, c = route[r, i - 1], route[r, i]
        t = t_prev + service[a]
        if c >= fb:
            if i == 1:
                t += mg
            b = t if t >= d[WIN_START][c, 0] else d[WIN_START][c, 0]
            if b > d[WIN_END][c, 0] or (break_end > EARLY and b - break_end > d[GAP][k]):
                ok = False
            break_end = b + service[c]
        else:
            t += travel[loc, c]
            if a >= fb and i == n + 1:
                t += mg
            loc = c
            if i <= n:
                b = _next_start(d, c, t)
                if b >= LATE:
                    ok, b = False, t
            else:
                b = t
                if b > d[SHIFT_END][k]:
                    ok = False
        if store:
            begin[r, i] = b
            at[r, i] = loc
        t_prev = b
    return t_prev, ok


@nb.njit(cache=True, inline="always")
def _outside_breaks_fit(d: Data, k: int, depart: int, end: int) -> bool:
    """Whether vehicle k's breaks fit before a route from `depart` to `end`, or after it."""
    prev_end = EARLY
    for b in range(d[BREAKS_FROM][k], d[BREAKS_FROM][k] + d[BREAKS][k]):
        lo, hi, length = d[WIN_START][b, 0], d[WIN_END][b, 0], d[SERVICE][b]
        t = lo if lo > prev_end else prev_end
        if t > hi or t + length > depart:
            t = max(lo, prev_end, end)
            if t > hi:
                return False
        if prev_end > EARLY and t - prev_end > d[GAP][k]:
            return False
        prev_end = t + length
    return True


@nb.njit(cache=True, inline="always")
def _refresh(st: State, r: int, k: int, d: Data) -> bool:
    """Recompute times, places, jobs, load and cost of row r as vehicle k's route; return feasibility.

    Cost: arcs (and the extra cost of each job on this vehicle), span from the latest departure
    times the span cost, and the vehicle's fixed cost; an unused vehicle costs nothing.
    """
    route, lens, njobs, latest, at = st[0], st[1], st[2], st[4], st[5]
    travel, cost, service, fb, mg = d[TRAVEL], d[COST], d[SERVICE], d[INTS][FIRST_BREAK], d[MARGIN][k]
    n = lens[r]
    shift_end = d[SHIFT_END][k]
    _, first_ok = _forward(st, r, k, d, d[SHIFT_START][k], True)
    latest[r, n + 1] = shift_end
    arcs = 0
    jobs = 0
    total = 0
    for i in range(n, -1, -1):
        c, nx = route[r, i], route[r, i + 1]
        if nx >= fb:
            tr = mg if i == 0 else 0
        else:
            arcs += cost[at[r, i], nx]
            if i < n:
                jobs += 1
                total += d[DEMAND][nx]
                arcs += d[EXTRA][nx, k]
            tr = travel[at[r, i], nx] + (mg if c >= fb and i == n else 0)  # at: c itself if a job
        t = latest[r, i + 1] - tr - service[c]
        if i == 0:
            latest[r, i] = t if t < shift_end else shift_end
        elif c >= fb:
            last = t if t < d[WIN_END][c, 0] else d[WIN_END][c, 0]
            latest[r, i] = last if last >= d[WIN_START][c, 0] else EARLY
        else:
            latest[r, i] = _last_start(d, c, t)
    njobs[r] = jobs
    st[6][r] = total
    if jobs == 0:
        st[7][r] = 0
        return True
    depart = latest[r, 0]
    ok = depart >= d[SHIFT_START][k] and total <= d[CAPACITY][k]
    if not ok:
        depart = d[SHIFT_START][k]
    if not (d[INTS][SPAN_COST] or d[FULL][k]):  # the span matters nowhere: times were checked above
        st[7][r] = arcs + d[FIXED][k]
        return ok and first_ok
    end, fits = _forward(st, r, k, d, depart, False)
    span = end - depart
    ok = ok and fits and span <= d[SPAN_MAX][k]
    if d[BREAKS][k] > 0 and not d[INSIDE][k]:
        ok = ok and _outside_breaks_fit(d, k, depart, end)
    st[7][r] = arcs + d[INTS][SPAN_COST] * span + d[FIXED][k]
    return ok


@nb.njit(cache=True, inline="always")
def _copy_route(r: int, src: State, dst: State, r2: int) -> None:
    """Make row r2 of state dst equal to row r of src."""
    n = src[1][r] + 2
    dst[0][r2, :n] = src[0][r, :n]
    dst[3][r2, :n] = src[3][r, :n]
    dst[4][r2, :n] = src[4][r, :n]
    dst[5][r2, :n] = src[5][r, :n]
    dst[1][r2] = src[1][r]
    dst[2][r2] = src[2][r]
    dst[6][r2] = src[6][r]
    dst[7][r2] = src[7][r]


@nb.njit(cache=True, inline="always")
def _ruin(
    st: State, d: Data, near: Ints, unserved: int, touched: Bools, touched_list: Ints, removed: Ints
) -> tuple[int, int]:
    """Remove strings of jobs near a random job; return (number removed, number of routes touched)."""
    route, lens, njobs, route_of = st[0], st[1], st[2], st[8]
    fj, fb = d[INTS][FIRST_JOB], d[INTS][FIRST_BREAK]
    used = 0
    for k in range(lens.shape[0]):
        if njobs[k] > 0:
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
        size = lens[k]
        length = int(np.random.uniform(1.0, min(float(njobs[k]), string_max) + 1.0))
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
            if lo <= i < lo + span and not keep_lo <= i < keep_hi and c2 < fb:
                removed[n_removed] = c2
                n_removed += 1
                route_of[c2] = -1
            else:
                route[k, j] = c2
                j += 1
        route[k, j] = route[k, size + 1]
        lens[k] = j - 1
        _refresh(st, k, k, d)
        touched[k] = True
        touched_list[n_touched] = k
        n_touched += 1
    return n_removed, n_touched


@nb.njit(cache=True, inline="always")
def _fits(st: State, k: int, q: int, v: int, d: Data, scratch: State) -> bool:
    """Whether route k with v at position q keeps every rule (checked on the whole route)."""
    n = st[1][k]
    row = scratch[0]
    row[0, :q] = st[0][k, :q]
    row[0, q] = v
    row[0, q + 1 : n + 3] = st[0][k, q : n + 2]
    scratch[1][0] = n + 1
    return _refresh(scratch, 0, k, d)


@nb.njit(cache=True, inline="always")
def _best_place(v: int, st: State, d: Data, scratch: State, only: Bools) -> tuple[int, int, int]:
    """The cheapest feasible place (route, position, added cost) for v in the routes marked in `only`
    (all when it is empty); each place skipped at the blink rate."""
    route, lens, njobs, begin, latest, at, load = st[0], st[1], st[2], st[3], st[4], st[5], st[6]
    travel, cost, service, fb = d[TRAVEL], d[COST], d[SERVICE], d[INTS][FIRST_BREAK]
    best = LATE
    best_k = -1
    best_q = -1
    empty_seen = False
    single = d[WINDOWS][v] == 1
    v_open, v_close, v_service = d[WIN_START][v, 0], d[WIN_END][v, 0], service[v]
    for k in range(lens.shape[0]):
        extra = d[EXTRA][v, k]
        if (only.shape[0] and not only[k]) or extra < 0 or load[k] + d[DEMAND][v] > d[CAPACITY][k]:
            continue
        if njobs[k] == 0:
            if d[INTS][UNIFORM]:
                if empty_seen:
                    continue  # every empty route is the same
                empty_seen = True
            extra += d[FIXED][k]
        n = lens[k]
        if single and (d[BREAKS][k] == 0 or not d[INSIDE][k]) and not d[FULL][k]:
            # the common case, kept lean: no breaks in the route, one window, O(1) checks only
            for q in range(1, n + 2):
                a, c = route[k, q - 1], route[k, q]
                delta = cost[a, v] + cost[v, c] - cost[a, c] + extra
                if delta >= best:
                    continue
                t = begin[k, q - 1] + service[a] + travel[a, v]
                if t > v_close:
                    continue
                t = (t if t > v_open else v_open) + v_service + travel[v, c]
                if t > latest[k, q] or np.random.random() < BLINK:
                    continue
                best, best_k, best_q = delta, k, q
            continue
        p = 0  # position of the first job or depot at or after q
        for q in range(1, n + 2):
            if p < q:
                p = q
                while route[k, p] >= fb:
                    p += 1
            a, la, c = route[k, q - 1], at[k, q - 1], route[k, p]
            delta = cost[la, v] + cost[v, c] - cost[la, c] + extra
            if delta >= best:
                continue
            t = _next_start(d, v, begin[k, q - 1] + service[a] + travel[la, v])
            if t >= LATE:
                continue
            t += service[v]
            for pos in range(q, p):  # breaks between v and the next job now follow v
                b = route[k, pos]
                if t < d[WIN_START][b, 0]:
                    t = d[WIN_START][b, 0]
                if t > d[WIN_END][b, 0]:
                    t = LATE
                    break
                t += service[b]
            if t >= LATE:
                continue
            t += travel[v, c] + (d[MARGIN][k] if q < p and p == n + 1 else 0)
            if t > latest[k, p] or np.random.random() < BLINK:
                continue
            if d[FULL][k] and not _fits(st, k, q, v, d, scratch):
                continue
            best, best_k, best_q = delta, k, q
    return best_k, best_q, best


@nb.njit(cache=True, inline="always")
def _insert(v: int, k: int, q: int, st: State, d: Data) -> None:
    """Put v at position q of route k."""
    route, lens = st[0], st[1]
    for i in range(lens[k] + 1, q - 1, -1):
        route[k, i + 1] = route[k, i]
    route[k, q] = v
    lens[k] += 1
    st[8][v] = k
    _refresh(st, k, k, d)


@nb.njit(cache=True, inline="always")
def _order(removed: Ints, n: int, d: Data) -> None:
    """Sort the first n removed jobs: random, most urgent, farthest or closest to the depot first."""
    cost, weight = d[COST], d[WEIGHT]
    r = np.random.random() * 11.0
    part = removed[:n]
    if r < 4.0:
        np.random.shuffle(part)
        return
    key = np.empty(n, dtype=np.float64)
    for i in range(n):
        c = part[i]
        if r < 8.0:
            key[i] = -(weight[c] * (1.0 + np.random.random() * 1e-6))
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
    """Run `steps` ruin-and-recreate steps from state `cur`; keep the best state in `best`."""
    n_nodes = cur[8].shape[0]
    n_routes = cur[1].shape[0]
    penalty = d[PENALTY]
    prize = not d[INTS][UNIFORM]
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
        temperature = t_from * (t_to / t_from) ** (step / steps) if t_from > 0 else 0.0
        n_removed, n_touched = _ruin(trial, d, near, n_un, touched, touched_list, removed)
        for i in range(n_un):
            removed[n_removed + i] = unserved[i]
            out[unserved[i]] = True
        n_removed += n_un
        for i in range(n_routes if meta[FRESH] else n_touched):
            ruined[i if meta[FRESH] else touched_list[i]] = True
        _order(removed, n_removed, d)
        n_left = 0
        new_pen = 0
        for i in range(n_removed):
            v = removed[i]
            # a job left out before fitted nowhere, and only ruined routes have room now
            k, q, delta = _best_place(v, trial, d, scratch, ruined if out[v] else anywhere)
            out[v] = False
            if k < 0 or (prize and delta >= penalty[v]):
                left[n_left] = v
                n_left += 1
                new_pen += penalty[v]
                continue
            _insert(v, k, q, trial, d)
            if not touched[k]:
                touched[k] = True
                touched_list[n_touched] = k
                n_touched += 1
        new_cost = cur_cost
        for i in range(n_touched):
            k = touched_list[i]
            new_cost += trial[7][k] - cur[7][k]
        if prize:  # annealing on routes plus penalties
            threshold = cur_cost + cur_pen - temperature * math.log(1.0 - np.random.random())
            accept = new_cost + new_pen < threshold
        elif distance:  # distance phase: every job served again, annealing on the cost
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
            _copy_route(k, src, dst, k)
            touched[k] = False
        for i in range(n_removed):
            v = removed[i]
            dst[8][v] = src[8][v]
        ruined[:] = False
        if accept:
            meta[FRESH] = 0
            n_un = n_left
            unserved[:n_un] = left[:n_un]
            cur_cost = new_cost
            cur_pen = new_pen
            if prize:
                better = cur_cost + cur_pen < meta[BEST_OBJECTIVE]
            else:
                better = n_un < meta[BEST_UNSERVED] or (
                    n_un == meta[BEST_UNSERVED] and cur_cost < meta[BEST_COST]
                )
            if better:
                meta[BEST_UNSERVED] = n_un
                meta[BEST_COST] = cur_cost
                meta[BEST_OBJECTIVE] = cur_cost + cur_pen
                for k in range(n_routes):
                    _copy_route(k, cur, best, k)
    meta[UNSERVED] = n_un
    meta[COST_NOW] = cur_cost
    meta[PENALTY_NOW] = cur_pen


def _copy(st: State) -> State:
    """An independent copy of a state."""
    return tuple(a.copy() for a in st)  # type: ignore[return-value]


class Search:
    """One SISR search on a flat problem; `run` resumes it, `best` reads the best routes so far.

    `routes` (one list of job nodes per vehicle, in vehicle order; fewer lists leave the last
    vehicles empty) must keep every rule; breaks kept inside routes are put where they first fit.
    """

    def __init__(self, f: Flat, routes: list[list[int]], seed: int) -> None:
        if len(routes) > f.vehicles:
            raise ValueError(f"{len(routes)} routes for a fleet of {f.vehicles}")
        self.f = f
        shift = f.shift_end - f.shift_start
        full = (f.span_max < shift) | (f.breaks > 1) | ((f.breaks > 0) & ~f.inside)
        ints = np.array([f.first_job, f.first_break, f.span_cost, f.uniform], dtype=np.int64)
        self.data = (f.travel, f.cost, f.service, f.win_start, f.win_end, f.windows, f.demand, f.penalty,
                     f.weight, f.extra, f.start, f.end, f.shift_start, f.shift_end, f.capacity, f.span_max,
                     f.fixed_cost, f.breaks_from, f.breaks, f.inside, f.margin, f.break_gap, full,
                     ints)  # fmt: skip
        jobs = np.arange(f.first_job, f.first_break)
        order = np.argsort(f.cost[np.ix_(jobs, jobs)], axis=1, kind="stable")
        self.near = np.ascontiguousarray(jobs[order])
        self.cur = self._state(f.vehicles)
        self.scratch = self._state(1)
        for k in range(f.vehicles):
            self._place(k, routes[k] if k < len(routes) else [])
        self.trial = _copy(self.cur)
        self.best_state = _copy(self.cur)
        served = {c for r in routes for c in r}
        left = [c for c in range(f.first_job, f.first_break) if c not in served]
        self.unserved = np.zeros(f.nodes, dtype=np.int64)
        self.unserved[: len(left)] = left
        self.absences = np.zeros(f.nodes, dtype=np.int64)
        cost = int(self.cur[7].sum())
        pen = int(f.penalty[left].sum())
        self.meta = np.array([len(left), cost, pen, len(left), cost, cost + pen, 1], dtype=np.int64)
        self.steps = 0
        # the temperature unit: mean arc of the routes once every job is served (uniform problems),
        # else the mean cost from a job to its fifth-nearest job
        self.scale = 0.0 if f.uniform else float(f.cost[jobs[:, None], self.near[:, : min(5, f.jobs)]].mean())
        _seed(seed)

    def _state(self, rows: int) -> State:
        f = self.f
        width = f.jobs + int(f.breaks.max(initial=0)) + 3
        route = np.zeros((rows, width), dtype=np.int64)
        per_row = [np.zeros(rows, np.int64) for _ in range(4)]
        times = [np.zeros_like(route) for _ in range(3)]
        return (route, per_row[0], per_row[1], times[0], times[1], times[2], per_row[2], per_row[3],
                np.full(f.nodes, -1, dtype=np.int64))  # fmt: skip

    def _place(self, k: int, jobs: list[int]) -> None:
        """Make vehicle k's route the given jobs, with its inside breaks where they first fit."""
        f = self.f
        stops, after = list(jobs), 0
        for b in range(f.breaks_from[k], f.breaks_from[k] + f.breaks[k]) if f.inside[k] else ():
            q = next(
                (q for q in range(after, len(stops) + 1) if self._set(k, [*stops[:q], b, *stops[q:]])), -1
            )
            if q < 0:
                raise ValueError(f"no place for the breaks in route {k}: {jobs}")
            stops, after = [*stops[:q], b, *stops[q:]], q + 1
        if not self._set(k, stops):
            raise ValueError(f"route {k} breaks a rule: {jobs}")
        self.cur[8][jobs] = k

    def _set(self, k: int, stops: list[int]) -> bool:
        """Write stops into row k and refresh it; whether the route keeps every rule."""
        f, st = self.f, self.cur
        st[0][k, 0], st[0][k, len(stops) + 1] = f.start[k], f.end[k]
        st[0][k, 1 : len(stops) + 1] = stops
        st[1][k] = len(stops)
        return bool(_refresh(st, k, k, self.data))

    @property
    def unserved_count(self) -> int:
        """Jobs left out of the best routes so far."""
        return int(self.meta[BEST_UNSERVED])

    @property
    def objective(self) -> int:
        """Route costs plus penalties of the left-out jobs, of the best routes so far."""
        return int(self.meta[BEST_OBJECTIVE])

    @property
    def annealing(self) -> bool:
        """Whether steps are under the annealing schedule (not in the fleet phase)."""
        return not self.f.uniform or self.unserved_count == 0

    def run(self, steps: int, progress: float, until: float) -> None:
        """`steps` more steps; the temperature goes from its value at share `progress` of the annealing
        to its value at share `until`."""
        if self.scale == 0.0 and self.meta[BEST_UNSERVED] == 0:
            self.scale = float(self.meta[COST_NOW]) / (self.f.jobs + self.f.vehicles)
        hot, cold = T_START * self.scale, T_END * self.scale
        t_from = hot * (cold / hot) ** progress if hot > 0 else 0.0
        t_to = hot * (cold / hot) ** until if hot > 0 else 0.0
        _run(self.cur, self.trial, self.best_state, self.scratch, self.data, self.near, self.unserved,
             self.absences, self.meta, steps, t_from, t_to)  # fmt: skip
        self.steps += steps

    def best(self) -> tuple[list[list[int]], int]:
        """The best routes found (one list of job nodes per vehicle) and how many jobs they leave out."""
        route, lens, fb = self.best_state[0], self.best_state[1], self.f.first_break
        routes = [[c for c in route[k, 1 : lens[k] + 1].tolist() if c < fb] for k in range(len(lens))]
        return routes, int(self.meta[BEST_UNSERVED])


def improve(
    f: Flat, routes: list[list[int]], seed: int, *, steps: int = 0, deadline: float = 0.0
) -> tuple[list[list[int]], int]:
    """Best routes found from `routes` in `steps` steps (repeatable) or by `deadline` (monotonic clock):
    one list of job nodes per vehicle, and how many jobs they leave out."""
    search = Search(f, routes, seed)
    anneal(search, steps, deadline)
    return search.best()


def anneal(search: Search, steps: int, deadline: float) -> bool:
    """Run `steps` steps (repeatable), or without steps until `deadline` (monotonic clock); with both,
    stop at whichever comes first. Returns whether all steps ran. The first chunk of steps always
    runs (it puts every job that fits into the routes), even when compiling used up the time.

    The annealing schedule spans what is left of the steps or the time once it begins (at once, or
    on uniform problems once every job is served).
    """
    if steps:
        chunk, begun = max(1, steps // 200), -1
        while search.steps < steps:
            if deadline and search.steps and time.monotonic() >= deadline:
                return False
            if begun < 0 and search.annealing:
                begun = search.steps
            size = min(chunk, steps - search.steps)
            todo, done = steps - begun, search.steps - begun
            search.run(size, done / todo if begun >= 0 else 0.0, (done + size) / todo if begun >= 0 else 0.0)
        return True
    rate, since = 1000.0, 0.0  # steps per second, measured as the search goes; annealing start
    while (now := time.monotonic()) < deadline or not search.steps:
        if not since and search.annealing:
            since = now
        chunk = max(10, int(rate * CHUNK_S))
        span = max(1e-9, deadline - since)
        progress = (now - since) / span if since else 0.0
        search.run(chunk, progress, min(1.0, progress + chunk / rate / span) if since else 0.0)
        rate = chunk / max(1e-6, time.monotonic() - now)
    return True


def cached() -> bool:
    """Whether numba's disk cache holds the compiled search (else the first call compiles it)."""
    cache = getattr(_run, "_cache", None)
    index = str(getattr(getattr(cache, "_cache_file", None), "_index_path", ""))
    return os.path.exists(index) and os.path.getmtime(index) >= os.path.getmtime(__file__)


def warm_up() -> None:
    """Compile the search now (numba caches it on disk), so that no timed run pays for compiling."""
    square = np.full((2, 2), 600, dtype=np.int64)
    jobs = (Job("a", 1, 1800, ((0, 20_000),)), Job("b", 1, 1800, ((0, 9000), (12_000, 20_000)), demand=1))
    van = Vehicle("v", 0, 0, 0, 30_000, capacity=2, max_work=20_000, breaks=(Break(3600, 9 * 3600, 1800),),
                  break_free_span=6 * 3600, break_margin=900)  # fmt: skip
    improve(flat_view(Problem(jobs, (van, van), square, square)), [], seed=1, steps=20)  # type: ignore[arg-type]
