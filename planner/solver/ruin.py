"""Shorten feasible routes of a plain problem: slack induction by string removals (SISR).

After Christiaens & Vanden Berghe (2020): each step removes a few strings of consecutive jobs from
routes near a random job, puts the jobs back one by one at their cheapest feasible place (in a
random, largest-demand-first, farthest-first or closest-first order) and keeps the result under a
simulated-annealing rule whose temperature falls from `T_START` to `T_END` (shares of the starting
cost) over the time given. The fleet stays fixed: a step that cannot place every job is discarded.
Works on `planner.solver.eject.Plain` (node 0 the depot, node j + 1 job j); routes stay feasible
throughout, checked in O(1) per place with each route's earliest and latest begin times.
"""

from __future__ import annotations

import itertools
import math
import random
import time

from planner.solver.eject import Plain

AVG_REMOVED = 10  # jobs removed per step on average
MAX_STRING = 10  # longest string removed from one route
INSERT_NEIGHBOURS = 15  # a removed job goes back next to one of its nearest jobs if it can
T_START = 0.002  # annealing temperature at the start, as a share of the starting cost
T_END = 0.00005  # ... and at the end


class _State:
    """Routes with depots at both ends, their earliest/latest begin times, loads and total cost."""

    def __init__(self, d: Plain, routes: list[list[int]]) -> None:
        self.d = d
        self.seq = [[0, *r, 0] for r in routes]
        self.begin: list[list[int]] = [[] for _ in routes]
        self.latest: list[list[int]] = [[] for _ in routes]
        self.load = [0] * len(routes)
        self.route_of = [-1] * len(d.service)
        for k in range(len(routes)):
            self.update(k)
        self.cost = sum(d.cost[a][b] for s in self.seq for a, b in itertools.pairwise(s))

    def copy(self) -> _State:
        """A copy that shares the unchanged route lists (routes are replaced, never edited in place)."""
        new = object.__new__(_State)
        new.d, new.cost = self.d, self.cost
        new.seq, new.begin, new.latest = list(self.seq), list(self.begin), list(self.latest)
        new.load, new.route_of = list(self.load), list(self.route_of)
        return new

    def update(self, k: int) -> None:
        """Recompute begin times, latest begin times, load and membership of route k."""
        d, seq = self.d, self.seq[k]
        tt, early, late, service = d.travel, d.early, d.late, d.service
        b = [early[0]]
        for i in range(1, len(seq)):
            a, c = seq[i - 1], seq[i]
            b.append(max(early[c], b[-1] + service[a] + tt[a][c]))
        z = [late[0]] * len(seq)
        for i in range(len(seq) - 2, -1, -1):
            a, c = seq[i], seq[i + 1]
            z[i] = min(late[a], z[i + 1] - service[a] - tt[a][c])
        self.begin[k], self.latest[k] = b, z
        self.load[k] = sum(d.demand[c] for c in seq)
        for c in seq[1:-1]:
            self.route_of[c] = k

    def splice(self, k: int, lo: int, hi: int, nodes: list[int]) -> None:
        """Replace positions lo..hi-1 of route k by `nodes`; times are recomputed only where they change."""
        d, old, b_old, z_old = self.d, self.seq[k], self.begin[k], self.latest[k]
        tt, early, late, service = d.travel, d.early, d.late, d.service
        seq = old[:lo] + nodes + old[hi:]
        tail, shift, n = lo + len(nodes), len(nodes) - (hi - lo), len(seq)
        b = b_old[:lo]
        for i in range(lo, n):
            a, c = seq[i - 1], seq[i]
            t = max(early[c], b[-1] + service[a] + tt[a][c])
            if i >= tail and t == b_old[i - shift]:
                b.extend(b_old[i - shift :])
                break
            b.append(t)
        z = [0] * tail + z_old[hi:]
        for i in range(tail - 1, -1, -1):
            a, c = seq[i], seq[i + 1]
            t = min(late[a], z[i + 1] - service[a] - tt[a][c])
            if i < lo and t == z_old[i]:
                z[: i + 1] = z_old[: i + 1]
                break
            z[i] = t
        self.seq[k], self.begin[k], self.latest[k] = seq, b, z
        self.load[k] += sum(d.demand[c] for c in nodes) - sum(d.demand[c] for c in old[lo:hi])
        for c in old[lo:hi]:
            self.route_of[c] = -1
        for c in nodes:
            self.route_of[c] = k

    def ruin(self, rng: random.Random, near: list[list[int]]) -> list[int]:
        """Remove strings of consecutive jobs from routes near a random job; return the removed jobs."""
        d, cost = self.d, self.d.cost
        n, used = len(d.service) - 1, sum(1 for s in self.seq if len(s) > 2)
        string_max = min(MAX_STRING, n / max(1, used))
        strings = int(rng.uniform(1, 4 * AVG_REMOVED / (1 + string_max)))
        first = rng.randrange(1, n + 1)
        removed: list[int] = []
        ruined: set[int] = set()
        for c in (first, *near[first]):
            if len(ruined) >= strings:
                break
            k = self.route_of[c]
            if k < 0 or k in ruined:
                continue
            seq = self.seq[k]
            m, i = len(seq) - 2, seq.index(c)
            size = int(rng.uniform(1, min(m, string_max) + 1))
            lo = rng.randint(max(1, i - size + 1), min(i, m - size + 1))
            hi = lo + size
            self.cost += cost[seq[lo - 1]][seq[hi]] - sum(
                cost[a][b] for a, b in zip(seq[lo - 1 : hi], seq[lo : hi + 1], strict=True)
            )
            removed.extend(seq[lo:hi])
            self.splice(k, lo, hi, [])
            ruined.add(k)
        return removed

    def places(self, v: int, near: list[int]) -> list[tuple[int, int]]:
        """Places (route, position) next to v's nearest jobs, and the first place of each empty route."""
        found = []
        for w in near[:INSERT_NEIGHBOURS]:
            k = self.route_of[w]
            if k >= 0:
                i = self.seq[k].index(w)
                found += [(k, i), (k, i + 1)]
        return found + [(k, 1) for k, s in enumerate(self.seq) if len(s) == 2]

    def everywhere(self) -> list[tuple[int, int]]:
        """Every place (route, position) a job can go."""
        return [(k, q) for k, s in enumerate(self.seq) for q in range(1, len(s))]

    def recreate(self, rng: random.Random, removed: list[int], near: list[list[int]]) -> bool:
        """Insert the removed jobs one by one at their cheapest feasible place; False if one does not fit.

        Places next to the job's nearest neighbours come first; all places only when none of them fits.
        """
        d = self.d
        cost, tt, early, late, service, demand = d.cost, d.travel, d.early, d.late, d.service, d.demand
        order = rng.random() * 11
        if order < 4:
            rng.shuffle(removed)
        elif order < 8:
            removed.sort(key=lambda c: -demand[c])
        elif order < 10:
            removed.sort(key=lambda c: -cost[0][c])
        else:
            removed.sort(key=lambda c: cost[0][c])
        for v in removed:
            ev, lv, sv, dv = early[v], late[v], service[v], demand[v]
            best, where = 1 << 62, (-1, -1)
            for wide in (False, True):
                places = self.places(v, near[v]) if not wide else self.everywhere()
                for k, q in places:
                    seq = self.seq[k]
                    if self.load[k] + dv > d.capacity or q >= len(seq):
                        continue
                    a, c = seq[q - 1], seq[q]
                    delta = cost[a][v] + cost[v][c] - cost[a][c]
                    if delta >= best:
                        continue
                    t = max(ev, self.begin[k][q - 1] + service[a] + tt[a][v])
                    if t <= lv and max(early[c], t + sv + tt[v][c]) <= self.latest[k][q]:
                        best, where = delta, (k, q)
                if where[0] >= 0:
                    break
            k, q = where
            if k < 0:
                return False
            self.splice(k, q, q, [v])
            self.cost += best
        return True


def shorten(d: Plain, routes: list[list[int]], seed: int, deadline: float) -> list[list[int]]:
    """Feasible routes serving the same jobs with the same fleet, as short as found by the deadline."""
    rng = random.Random(seed)
    n = len(d.service)
    near = [sorted((w for w in range(1, n) if w != u), key=d.cost[u].__getitem__) for u in range(n)]
    cur = _State(d, routes)
    best, best_cost = [s[1:-1] for s in cur.seq], cur.cost
    start = time.monotonic()
    span = max(1e-9, deadline - start)
    hot, cold = T_START * cur.cost, T_END * cur.cost
    while (now := time.monotonic()) < deadline:
        temperature = hot * (cold / hot) ** ((now - start) / span) if hot > 0 else 0.0
        trial = cur.copy()
        if not trial.recreate(rng, trial.ruin(rng, near), near):
            continue
        if trial.cost < cur.cost - temperature * math.log(1.0 - rng.random()):
            cur = trial
            if cur.cost < best_cost:
                best, best_cost = [s[1:-1] for s in cur.seq], cur.cost
    return best
