"""Fit every job into a fixed fleet: an ejection-pool search after Nagata & Bräysy (2009).

OR-Tools' local search minimises distance well but rarely reaches the smallest fleet of a tightly
windowed instance: it ends with a few jobs left out. This search takes those routes and the jobs
left out (the pool). A job from the pool goes in at its cheapest feasible place; if there is none,
it goes in while ejecting one or two jobs of one route, choosing the ejection whose jobs were
ejected least often so far, the ejected jobs join the pool and random feasible moves shake the
routes. It applies to plain problems only (capacity, one window per job, identical vehicles, no
breaks or working-time limits: the VRPTW benchmarks); `plain_view` says whether a problem is one.
Times are the model's: a job's time is when the crew begins at the place, its window shifted by
the setup. Node 0 is the depot, node j + 1 is job j.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

from planner.problem import Problem
from planner.solver.model import vehicle_fits

SHAKE_MOVES = 300  # random move attempts after each ejection


@dataclass(frozen=True)
class Plain:
    """A problem reduced to what the ejection search checks, indexed by node."""

    travel: list[list[int]]
    cost: list[list[int]]
    service: list[int]
    early: list[int]
    late: list[int]
    demand: list[int]
    capacity: int


def plain_view(p: Problem) -> Plain | None:
    """The plain form of a problem, or None when it has rules the ejection search does not check."""
    v0 = p.vehicles[0] if p.vehicles else None
    if v0 is None or not p.jobs:
        return None
    shape = (v0.start_location, v0.shift_start, v0.shift_end, v0.capacity)
    for k, veh in enumerate(p.vehicles):
        if veh.breaks or veh.max_work is not None or veh.end_location != veh.start_location:
            return None
        if (veh.start_location, veh.shift_start, veh.shift_end, veh.capacity) != shape:
            return None
        if not all(vehicle_fits(p, job, k) for job in p.jobs):
            return None
    if any(len(j.windows) != 1 or j.pinned is not None for j in p.jobs):
        return None
    locs = [v0.start_location, *(j.location for j in p.jobs)]
    jobs = [None, *p.jobs]
    base = p.durations if p.objective == "duration" else p.distances
    return Plain(
        travel=[[p.travel(jobs[b], la, lb) for b, lb in enumerate(locs)] for la in locs],
        cost=[[int(base[la, lb]) for lb in locs] for la in locs],
        service=[0, *(j.service for j in p.jobs)],
        early=[v0.shift_start, *(j.windows[0][0] - j.setup for j in p.jobs)],
        late=[v0.shift_end, *(j.windows[0][1] - j.setup for j in p.jobs)],
        demand=[0, *(j.demand for j in p.jobs)],
        capacity=v0.capacity if v0.capacity is not None else sum(j.demand for j in p.jobs),
    )


class Routes:
    """Routes as node sequences with depots at both ends, their loads, earliest and latest times."""

    def __init__(self, d: Plain, routes: list[list[int]]) -> None:
        self.d = d
        self.seq = [[0, *r, 0] for r in routes]
        self.load = [0] * len(routes)
        self.early = [[0]] * len(routes)
        self.late = [[0]] * len(routes)
        for k in range(len(routes)):
            self.update(k)

    def update(self, k: int) -> None:
        """Recompute load, earliest begin (forward) and latest begin (backward) of route k."""
        d, seq = self.d, self.seq[k]
        self.load[k] = sum(d.demand[c] for c in seq)
        b = [d.early[0]]
        for a, c in itertools.pairwise(seq):
            b.append(max(d.early[c], b[-1] + d.service[a] + d.travel[a][c]))
        z = [d.late[0]] * len(seq)
        for i in range(len(seq) - 2, -1, -1):
            a, c = seq[i], seq[i + 1]
            z[i] = min(d.late[a], z[i + 1] - d.service[a] - d.travel[a][c])
        self.early[k], self.late[k] = b, z

    def fits(self, k: int, lo: int, nodes: list[int], hi: int) -> bool:
        """Whether route k stays on time with seq[lo:hi] replaced by `nodes` (1 <= lo <= hi < len)."""
        d, seq = self.d, self.seq[k]
        prev, t = seq[lo - 1], self.early[k][lo - 1]
        for c in nodes:
            t = max(d.early[c], t + d.service[prev] + d.travel[prev][c])
            if t > d.late[c]:
                return False
            prev = c
        nxt = seq[hi]
        return max(d.early[nxt], t + d.service[prev] + d.travel[prev][nxt]) <= self.late[k][hi]

    def insertions(self, v: int) -> list[tuple[int, int, int]]:
        """Feasible places (added cost, route, position) for node v."""
        d, found = self.d, []
        for k, seq in enumerate(self.seq):
            if self.load[k] + d.demand[v] > d.capacity:
                continue
            for q in range(1, len(seq)):
                if self.fits(k, q, [v], q):
                    a, c = seq[q - 1], seq[q]
                    found.append((d.cost[a][v] + d.cost[v][c] - d.cost[a][c], k, q))
        return found

    def ejection(
        self, v: int, weight: list[int], rng: random.Random
    ) -> tuple[int, int, tuple[int, ...]] | None:
        """A way to insert v while ejecting one or two nodes of a route, least summed weight, ties random."""
        d = self.d
        best_w, ties = 0, list[tuple[int, int, tuple[int, ...]]]()
        for size in (1, 2):
            for k, seq in enumerate(self.seq):
                m = len(seq) - 2
                picks = (
                    [(i,) for i in range(1, m + 1)]
                    if size == 1
                    else [(i, j) for i in range(1, m + 1) for j in range(i + 1, m + 1)]
                )
                for out in picks:
                    w = sum(weight[seq[i]] for i in out)
                    if ties and (w > best_w or (size == 2 and w == best_w)):
                        continue
                    if self.load[k] + d.demand[v] - sum(d.demand[seq[i]] for i in out) > d.capacity:
                        continue
                    for q in range(1, m + 2):
                        lo, hi = min(q, out[0]), max(q, out[-1] + 1)
                        nodes = [seq[i] for i in range(lo, hi) if i not in out]
                        nodes.insert(q - lo - sum(1 for i in out if lo <= i < q), v)
                        if self.fits(k, lo, nodes, hi):
                            if not ties or w < best_w:
                                best_w, ties = w, []
                            ties.append((k, q, out))
                            break
        return rng.choice(ties) if ties else None

    def place(self, k: int, q: int, v: int, out: tuple[int, ...] = ()) -> list[int]:
        """Insert v before position q of route k, eject positions `out`; return the ejected nodes."""
        seq = self.seq[k]
        ejected = [seq[i] for i in out]
        new = [c for i, c in enumerate(seq) if i not in out]
        new.insert(q - sum(1 for i in out if i < q), v)
        self.seq[k] = new
        self.update(k)
        return ejected

    def shake(self, rng: random.Random, moves: int) -> None:
        """Random feasible relocations and exchanges between routes."""
        d, n = self.d, len(self.seq)
        for _ in range(moves):
            k1, k2 = rng.randrange(n), rng.randrange(n)
            s1, s2 = self.seq[k1], self.seq[k2]
            if len(s1) < 3 or k1 == k2:
                continue
            i = rng.randrange(1, len(s1) - 1)
            u = s1[i]
            kind = rng.random()
            if kind < 0.34:
                self._two_opt_star(k1, k2, i, rng.randrange(1, len(s2)))
            elif kind < 0.67 and len(s2) > 2:
                j = rng.randrange(1, len(s2) - 1)
                w = s2[j]
                if (
                    self.load[k1] - d.demand[u] + d.demand[w] <= d.capacity
                    and self.load[k2] - d.demand[w] + d.demand[u] <= d.capacity
                    and self.fits(k1, i, [w], i + 1)
                    and self.fits(k2, j, [u], j + 1)
                ):
                    s1[i], s2[j] = w, u
                    self.update(k1)
                    self.update(k2)
            elif self.load[k2] + d.demand[u] <= d.capacity and self.fits(k1, i, [], i + 1):
                places = [q for q in range(1, len(s2)) if self.fits(k2, q, [u], q)]
                if places:
                    del s1[i]
                    s2.insert(rng.choice(places), u)
                    self.update(k1)
                    self.update(k2)

    def _two_opt_star(self, k1: int, k2: int, i: int, j: int) -> None:
        """Swap the tails of routes k1 (from position i) and k2 (from j) if both stay feasible."""
        d, s1, s2 = self.d, self.seq[k1], self.seq[k2]
        head1 = sum(d.demand[c] for c in s1[:i])
        head2 = sum(d.demand[c] for c in s2[:j])
        if head1 + self.load[k2] - head2 > d.capacity or head2 + self.load[k1] - head1 > d.capacity:
            return
        a1, a2 = s1[i - 1], s2[j - 1]
        t1 = max(d.early[s2[j]], self.early[k1][i - 1] + d.service[a1] + d.travel[a1][s2[j]])
        t2 = max(d.early[s1[i]], self.early[k2][j - 1] + d.service[a2] + d.travel[a2][s1[i]])
        if t1 <= self.late[k2][j] and t2 <= self.late[k1][i]:
            self.seq[k1], self.seq[k2] = s1[:i] + s2[j:], s2[:j] + s1[i:]
            self.update(k1)
            self.update(k2)

    def routes(self) -> list[list[int]]:
        """The routes without depots."""
        return [s[1:-1] for s in self.seq]


def fill(
    d: Plain, routes: list[list[int]], pool: list[int], seed: int, deadline: float, max_steps: int
) -> list[list[int]] | None:
    """Routes (node lists, node = job + 1) that serve every node of the pool too, or None if not found."""
    rng = random.Random(seed)
    state = Routes(d, routes)
    weight = [1] * len(d.service)
    pool = list(pool)
    steps = 0
    while pool:
        if steps >= max_steps or time.monotonic() >= deadline:
            return None
        steps += 1
        v = pool.pop()
        places = state.insertions(v)
        if places:
            _, k, q = min(places)
            state.place(k, q, v)
            continue
        weight[v] += 1
        eject = state.ejection(v, weight, rng)
        if eject is None:
            pool.insert(0, v)
        else:
            k, q, out = eject
            pool.extend(state.place(k, q, v, out))
        state.shake(rng, SHAKE_MOVES)
    return state.routes()
