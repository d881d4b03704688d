"""Fit every job into a fixed fleet: the route-minimisation search of Nagata & Bräysy (2009).

OR-Tools' local search minimises distance well but rarely reaches the smallest fleet of a tightly
windowed instance: it ends with a few jobs left out. This search takes those routes and the jobs
left out (the ejection pool) and takes one job from the pool at a time:
1. insert it at its cheapest feasible place, if there is one;
2. else *squeeze* it in: insert it where the penalty (capacity excess + alpha * time warp) is least,
   then repair with 2-opt*, relocate and exchange moves on the penalised objective; undo if the
   routes do not become feasible again;
3. else raise the job's weight and insert it while ejecting up to `MAX_EJECT` jobs of one route,
   the ejection with the least summed weight (then the fewest jobs) found by a pruned depth-first
   search; the ejected jobs join the pool and random feasible moves perturb the routes.
Time windows are evaluated in O(1) per move with the segment concatenation of Vidal et al. (2013):
every route keeps the (duration, time warp, earliest, latest start) of its prefixes and suffixes.
It applies to plain problems only (capacity, one window per job, identical vehicles, no breaks or
working-time limits: the VRPTW benchmarks); `plain_view` says whether a problem is one. Times are
the model's: a job's time is when the crew begins at the place, its window shifted by the setup.
Node 0 is the depot, node j + 1 is job j.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

from planner.problem import Problem
from planner.solver.model import vehicle_fits

MAX_EJECT = 3  # most jobs ejected from one route to make room for another
PERTURB_MOVES = 200  # random feasible move attempts after each ejection
NEIGHBOURS = 25  # nearest jobs a move may connect a job with
SQUEEZE_NEIGHBOURS = 12  # nearest jobs a repair move may connect a job with
SQUEEZE_ROUNDS = 60  # most repair moves of one squeeze
EJECT_NODES = 5000  # search nodes per route and ejection count before the search settles for the best so far

Seg = tuple[int, int, int, int]  # duration, time warp, earliest and latest start of the first node
Move = tuple[int, int, int, int, int]  # kind, route, position, other route, other position


@dataclass(frozen=True)
class Plain:
    """A problem reduced to what the route-minimisation search checks, indexed by node."""

    travel: list[list[int]]
    cost: list[list[int]]
    service: list[int]
    early: list[int]
    late: list[int]
    demand: list[int]
    capacity: int


def plain_view(p: Problem) -> Plain | None:
    """The plain form of a problem, or None when it has rules the search does not check."""
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


def cat(a: Seg, b: Seg, t: int) -> Seg:
    """The segment `a` followed by `b`, `t` the travel time between them (Vidal et al. 2013)."""
    d1, tw1, e1, l1 = a
    d2, tw2, e2, l2 = b
    delta = d1 - tw1 + t
    wait = max(e2 - delta - l1, 0)
    warp = max(e1 + delta - l2, 0)
    return (d1 + d2 + t + wait, tw1 + tw2 + warp, max(e2 - delta, e1) - wait, min(l2 - delta, l1) + warp)


class RouteMin:
    """The state of one route-minimisation search: routes, pool, job weights; resumable by `run`."""

    def __init__(self, d: Plain, routes: list[list[int]], pool: list[int], seed: int) -> None:
        n = len(d.service)
        self.d = d
        self.rng = random.Random(seed)
        self.pool = list(pool)
        self.weight = [1] * n
        self.alpha = d.capacity / max(1, d.late[0] - d.early[0])  # a full load ~ a horizon of warp
        self.unit = [(d.service[c], 0, d.early[c], d.late[c]) for c in range(n)]
        self.near = [
            sorted((w for w in range(1, n) if w != u), key=d.cost[u].__getitem__)[:NEIGHBOURS]
            for u in range(n)
        ]
        self.route_of = [-1] * n
        self.pos = [0] * n
        self.seq = [[0, *r, 0] for r in routes]
        self.fw: list[list[Seg]] = [[] for _ in routes]
        self.bw: list[list[Seg]] = [[] for _ in routes]
        self.cum: list[list[int]] = [[] for _ in routes]  # load of each prefix
        self.begin: list[list[int]] = [[] for _ in routes]  # earliest begin at each position
        for k in range(len(routes)):
            self.update(k)

    def update(self, k: int) -> None:
        """Recompute the prefix and suffix segments, loads and positions of route k."""
        seq, unit, tt = self.seq[k], self.unit, self.d.travel
        fw = [unit[0]]
        for a, c in itertools.pairwise(seq):
            fw.append(cat(fw[-1], unit[c], tt[a][c]))
        bw = [unit[0]] * len(seq)
        for i in range(len(seq) - 2, -1, -1):
            bw[i] = cat(unit[seq[i]], bw[i + 1], tt[seq[i]][seq[i + 1]])
        d = self.d
        cum, total, begin = [], 0, [d.early[0]]
        for i, c in enumerate(seq):
            total += d.demand[c]
            cum.append(total)
            if i:
                a = seq[i - 1]
                begin.append(max(d.early[c], begin[-1] + d.service[a] + tt[a][c]))
            self.route_of[c], self.pos[c] = k, i
        self.fw[k], self.bw[k], self.cum[k], self.begin[k] = fw, bw, cum, begin

    def penalty(self, seg: Seg, load: int) -> float:
        """Capacity excess plus alpha times time warp."""
        return max(0, load - self.d.capacity) + self.alpha * seg[1]

    def run(self, deadline: float, max_steps: int) -> list[list[int]] | None:
        """Work on the pool until it is empty (return the routes), `max_steps` or the deadline (None)."""
        steps = 0
        while self.pool:
            if steps >= max_steps or time.monotonic() >= deadline:
                return None
            steps += 1
            v = self.pool.pop()
            if self.insert(v) or self.squeeze(v, deadline):
                continue
            self.weight[v] += 1
            self.eject(v)
            self.perturb(PERTURB_MOVES)
        return [s[1:-1] for s in self.seq]

    def insert(self, v: int) -> bool:
        """Insert v at its cheapest feasible place, if there is one."""
        d, unit, tt, cost = self.d, self.unit, self.d.travel, self.d.cost
        best: tuple[int, int, int] | None = None
        for k, seq in enumerate(self.seq):
            if self.cum[k][-1] + d.demand[v] > d.capacity:
                continue
            fw, bw = self.fw[k], self.bw[k]
            for q in range(1, len(seq)):
                a, c = seq[q - 1], seq[q]
                extra = cost[a][v] + cost[v][c] - cost[a][c]
                if best is not None and extra >= best[0]:
                    continue
                if cat(cat(fw[q - 1], unit[v], tt[a][v]), bw[q], tt[v][c])[1] == 0:
                    best = (extra, k, q)
        if best is None:
            return False
        _, k, q = best
        self.seq[k].insert(q, v)
        self.update(k)
        return True

    def squeeze(self, v: int, deadline: float) -> bool:
        """Insert v at the least penalised place and repair the routes; undo unless all become feasible."""
        d, unit, tt = self.d, self.unit, self.d.travel
        best: tuple[float, int, int] | None = None
        for k, seq in enumerate(self.seq):
            fw, bw, load = self.fw[k], self.bw[k], self.cum[k][-1] + d.demand[v]
            for q in range(1, len(seq)):
                a, c = seq[q - 1], seq[q]
                f = self.penalty(cat(cat(fw[q - 1], unit[v], tt[a][v]), bw[q], tt[v][c]), load)
                if best is None or f < best[0]:
                    best = (f, k, q)
        if best is None:
            return False
        saved = [list(s) for s in self.seq]
        _, k, q = best
        self.seq[k].insert(q, v)
        self.update(k)
        for _ in range(SQUEEZE_ROUNDS):
            bad = [k for k in range(len(self.seq)) if self._route_penalty(k) > 0]
            if not bad or time.monotonic() >= deadline:
                break
            move = self._best_repair(self.rng.choice(bad))
            if move is None:
                break
            self._apply(move)
        warp = sum(self.bw[k][0][1] for k in range(len(self.seq)))
        excess = sum(max(0, self.cum[k][-1] - d.capacity) for k in range(len(self.seq)))
        if warp == 0 and excess == 0:
            return True
        self.alpha = self.alpha / 0.99 if excess < warp * self.alpha else self.alpha * 0.99
        self.seq = saved
        for k in range(len(saved)):
            self.update(k)
        self.route_of[v] = -1
        return False

    def _route_penalty(self, k: int) -> float:
        return self.penalty(self.bw[k][0], self.cum[k][-1])

    def _best_repair(self, r: int) -> Move | None:
        """The move touching route r that lowers the summed penalty most, or None."""
        best, found = 0.0, None
        seq, route_of, pos = self.seq[r], self.route_of, self.pos
        for i in range(1, len(seq) - 1):
            u = seq[i]
            for w in self.near[u][:SQUEEZE_NEIGHBOURS]:
                r2 = route_of[w]
                if r2 == r or r2 < 0:
                    continue
                j = pos[w]
                old = self._route_penalty(r) + self._route_penalty(r2)
                for kind in range(7):
                    s1, l1, s2, l2 = self._evaluate(kind, r, i, r2, j)
                    gain = old - self.penalty(s1, l1) - self.penalty(s2, l2)
                    if gain > best + 1e-9:
                        best, found = gain, (kind, r, i, r2, j)
        return found

    def _evaluate(self, kind: int, r: int, i: int, r2: int, j: int) -> tuple[Seg, int, Seg, int]:
        """New segments and loads of routes r and r2 after a move (see `_build` for the kinds)."""
        s, t = self.seq[r], self.seq[r2]
        f1, b1, c1, f2, b2, c2 = self.fw[r], self.bw[r], self.cum[r], self.fw[r2], self.bw[r2], self.cum[r2]
        tt, unit, dem = self.d.travel, self.unit, self.d.demand
        u, w = s[i], t[j]
        if kind == 0:  # 2-opt*: s[:i+1] + t[j:], t[:j] + s[i+1:]
            return (
                cat(f1[i], b2[j], tt[u][w]),
                c1[i] + c2[-1] - c2[j - 1],
                cat(f2[j - 1], b1[i + 1], tt[t[j - 1]][s[i + 1]]),
                c2[j - 1] + c1[-1] - c1[i],
            )
        if kind == 1:  # 2-opt*: s[:i] + t[j+1:], t[:j+1] + s[i:]
            return (
                cat(f1[i - 1], b2[j + 1], tt[s[i - 1]][t[j + 1]]),
                c1[i - 1] + c2[-1] - c2[j],
                cat(f2[j], b1[i], tt[w][u]),
                c2[j] + c1[-1] - c1[i - 1],
            )
        if kind == 2:  # u after w
            return (
                cat(f1[i - 1], b1[i + 1], tt[s[i - 1]][s[i + 1]]),
                c1[-1] - dem[u],
                cat(cat(f2[j], unit[u], tt[w][u]), b2[j + 1], tt[u][t[j + 1]]),
                c2[-1] + dem[u],
            )
        if kind == 3:  # u before w
            return (
                cat(f1[i - 1], b1[i + 1], tt[s[i - 1]][s[i + 1]]),
                c1[-1] - dem[u],
                cat(cat(f2[j - 1], unit[u], tt[t[j - 1]][u]), b2[j], tt[u][w]),
                c2[-1] + dem[u],
            )
        if kind == 4:  # w after u
            return (
                cat(cat(f1[i], unit[w], tt[u][w]), b1[i + 1], tt[w][s[i + 1]]),
                c1[-1] + dem[w],
                cat(f2[j - 1], b2[j + 1], tt[t[j - 1]][t[j + 1]]),
                c2[-1] - dem[w],
            )
        if kind == 5:  # w before u
            return (
                cat(cat(f1[i - 1], unit[w], tt[s[i - 1]][w]), b1[i], tt[w][u]),
                c1[-1] + dem[w],
                cat(f2[j - 1], b2[j + 1], tt[t[j - 1]][t[j + 1]]),
                c2[-1] - dem[w],
            )
        # exchange u and w
        return (
            cat(cat(f1[i - 1], unit[w], tt[s[i - 1]][w]), b1[i + 1], tt[w][s[i + 1]]),
            c1[-1] - dem[u] + dem[w],
            cat(cat(f2[j - 1], unit[u], tt[t[j - 1]][u]), b2[j + 1], tt[u][t[j + 1]]),
            c2[-1] - dem[w] + dem[u],
        )

    def _apply(self, move: Move) -> None:
        """Carry out a move evaluated by `_evaluate`."""
        kind, r, i, r2, j = move
        s, t = self.seq[r], self.seq[r2]
        u, w = s[i], t[j]
        if kind == 0:
            new1, new2 = s[: i + 1] + t[j:], t[:j] + s[i + 1 :]
        elif kind == 1:
            new1, new2 = s[:i] + t[j + 1 :], t[: j + 1] + s[i:]
        elif kind == 2:
            new1, new2 = s[:i] + s[i + 1 :], [*t[: j + 1], u, *t[j + 1 :]]
        elif kind == 3:
            new1, new2 = s[:i] + s[i + 1 :], [*t[:j], u, *t[j:]]
        elif kind == 4:
            new1, new2 = [*s[: i + 1], w, *s[i + 1 :]], t[:j] + t[j + 1 :]
        elif kind == 5:
            new1, new2 = [*s[:i], w, *s[i:]], t[:j] + t[j + 1 :]
        else:
            new1, new2 = [*s[:i], w, *s[i + 1 :]], [*t[:j], u, *t[j + 1 :]]
        self.seq[r], self.seq[r2] = new1, new2
        self.update(r)
        self.update(r2)

    def perturb(self, moves: int) -> None:
        """Random feasible moves between neighbouring jobs of different routes."""
        cap, rng, n = self.d.capacity, self.rng, len(self.d.service)
        for _ in range(moves):
            u = rng.randrange(1, n)
            w = rng.choice(self.near[u])
            r, r2 = self.route_of[u], self.route_of[w]
            if r == r2 or r < 0 or r2 < 0:
                continue
            move = (rng.randrange(7), r, self.pos[u], r2, self.pos[w])
            s1, l1, s2, l2 = self._evaluate(*move)
            if s1[1] == 0 and s2[1] == 0 and l1 <= cap and l2 <= cap:
                self._apply(move)

    def eject(self, v: int) -> None:
        """Insert v while ejecting at most MAX_EJECT jobs of one route: least summed weight, then count."""
        d, tt, bw, cum, begin = self.d, self.d.travel, self.bw, self.cum, self.begin
        early, late, service, weight, demand = d.early, d.late, d.service, self.weight, d.demand
        best: list[tuple[int, int]] = [(1 << 60, 0)]
        ties: set[tuple[int, int, tuple[int, ...]]] = set()
        budget, limit = [0], [0]

        def dfs(
            k: int, i: int, prev: int, t: int, cost: int, out: tuple[int, ...], room: int, q: int
        ) -> None:
            # at position i of route k, coming from prev begun at t; q = where v went in (0: not yet)
            budget[0] -= 1
            c = self.seq[k][i]
            if not q:
                at_v = max(early[v], t + service[prev] + tt[prev][v])
                if at_v <= late[v]:
                    dfs(k, i, v, at_v, cost, out, room, i)
            arrive = max(early[c], t + service[prev] + tt[prev][c])
            more = len(out) < limit[0] and cost < best[0][0] and budget[0] > 0
            if q:
                if arrive <= bw[k][i][3] and room >= 0:
                    if (cost, len(out)) < best[0]:
                        best[0] = (cost, len(out))
                        ties.clear()
                    ties.add((k, q, out))
                    return
                if not more:
                    return
            elif out and arrive == begin[k][i] and room_free:
                return  # the ejections so far gain no time and no room is needed: dominated
            if c == 0:
                return
            if arrive <= late[c]:
                dfs(k, i + 1, c, arrive, cost, out, room, q)
            if more and (cost + weight[c], len(out) + 1) <= best[0]:
                dfs(k, i + 1, prev, t, cost + weight[c], (*out, i), room + demand[c], q)

        for limit[0] in range(1, MAX_EJECT + 1):
            for k in range(len(self.seq)):
                budget[0] = EJECT_NODES
                room = d.capacity - cum[k][-1] - demand[v]
                room_free = room >= 0
                dfs(k, 1, 0, early[0], 0, (), room, 0)
        if not ties:
            self.pool.insert(0, v)
            return
        k, q, out = self.rng.choice(sorted(ties))
        seq = self.seq[k]
        self.pool.extend(seq[i] for i in out)
        new = [c for i, c in enumerate(seq) if i not in out]
        new.insert(q - sum(1 for i in out if i < q), v)
        self.seq[k] = new
        self.update(k)
        for c in (seq[i] for i in out):
            self.route_of[c] = -1
