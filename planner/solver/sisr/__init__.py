"""Compiled ruin-and-recreate on the flat form of a problem: fit the jobs into the fleet, cheaply.

Slack induction by string removals (SISR, Christiaens & Vanden Berghe 2020), compiled with numba
so that a few hundred thousand steps fit into seconds (the pure-Python search managed a few
thousand). Each step (`loop`) removes a few strings of consecutive jobs from routes near a random
job (`ruin`), puts them and the jobs left out back one by one at the cheapest feasible place
(`recreate`), and keeps or undoes the result (`accept`: on uniform problems first fewer jobs left
out, then annealing on the route cost; else annealing on the whole objective). The annealing
temperature falls geometrically from T_START to T_END mean arc costs.
Routes are rows of arrays (`data.State`) with the vehicle's depots at both ends and its breaks as
stops in between; a place is checked in O(1) from every position's earliest and latest begin time
(`timing`), and against the whole route (`route.refresh`) only where a vehicle's working-time
limit or several breaks could bind.
Runs are repeatable: the same seed and the same sequence of `run` calls give the same routes.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from planner.problem.routing import Break, Job, Problem, Vehicle
from planner.solver.flat import Flat, flat_view
from planner.solver.sisr import loop, route
from planner.solver.sisr.data import BEST_OBJECTIVE, BEST_UNSERVED, COST_NOW, copy_state, data_of, new_state

T_START = 10.0  # annealing temperature at the start, in mean arc costs
T_END = 0.03  # ... and at the end
CHUNK_S = 0.05  # seconds between clock checks when a deadline is given


class Search:
    """One SISR search on a flat problem; `run` resumes it, `best` reads the best routes so far.

    `routes` (one list of job nodes per vehicle, in vehicle order; fewer lists leave the last
    vehicles empty) must keep every rule; breaks kept inside routes are put where they first fit.
    """

    def __init__(self, f: Flat, routes: list[list[int]], seed: int) -> None:
        if len(routes) > f.vehicles:
            raise ValueError(f"{len(routes)} routes for a fleet of {f.vehicles}")
        self.f = f
        self.data = data_of(f)
        jobs = np.arange(f.first_job, f.first_break)
        order = np.argsort(f.cost[np.ix_(jobs, jobs)], axis=1, kind="stable")
        self.near = np.ascontiguousarray(jobs[order])
        self.cur = new_state(f, f.vehicles)
        self.scratch = new_state(f, 1)
        for k in range(f.vehicles):
            self._place(k, routes[k] if k < len(routes) else [])
        self.trial = copy_state(self.cur)
        self.best_state = copy_state(self.cur)
        served = {c for r in routes for c in r}
        left = [c for c in range(f.first_job, f.first_break) if c not in served]
        self.unserved = np.zeros(f.nodes, dtype=np.int64)
        self.unserved[: len(left)] = left
        self.absences = np.zeros(f.nodes, dtype=np.int64)
        cost = int(self.cur.route_cost.sum())
        pen = int(f.penalty[left].sum())
        self.meta = np.array([len(left), cost, pen, len(left), cost, cost + pen, 1], dtype=np.int64)
        self.steps = 0
        # the temperature unit: mean arc of the routes once every job is served (uniform problems),
        # else the mean cost from a job to its fifth-nearest job
        self.scale = 0.0 if f.uniform else float(f.cost[jobs[:, None], self.near[:, : min(5, f.jobs)]].mean())
        loop.seed(seed)

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
        self.cur.route_of[jobs] = k

    def _set(self, k: int, stops: list[int]) -> bool:
        """Write stops into row k and refresh it; whether the route keeps every rule."""
        f, st = self.f, self.cur
        st.route[k, 0], st.route[k, len(stops) + 1] = f.start[k], f.end[k]
        st.route[k, 1 : len(stops) + 1] = stops
        st.size[k] = len(stops)
        return bool(route.refresh(st, k, k, self.data))

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
        loop.run(self.cur, self.trial, self.best_state, self.scratch, self.data, self.near, self.unserved,
             self.absences, self.meta, steps, t_from, t_to)  # fmt: skip
        self.steps += steps

    def best(self) -> tuple[list[list[int]], int]:
        """The best routes found (one list of job nodes per vehicle) and how many jobs they leave out."""
        route, size, fb = self.best_state.route, self.best_state.size, self.f.first_break
        routes = [[c for c in route[k, 1 : size[k] + 1].tolist() if c < fb] for k in range(len(size))]
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


# the compiled functions called from Python; numba checks each cached one against its own file only,
# not against the files of the functions it inlined
ENTRY_POINTS = (loop.run, loop.seed, route.refresh)


def _index(compiled: Any) -> str:
    """The path of the disk cache's index of a compiled function ("" without a disk cache)."""
    cache = getattr(compiled, "_cache", None)
    return str(getattr(getattr(cache, "_cache_file", None), "_index_path", ""))


def _newest_source() -> float:
    """Modification time of the newest module of the compiled search."""
    return max(p.stat().st_mtime for p in Path(__file__).parent.glob("*.py"))


def _forget_stale() -> None:
    """Drop the disk cache of each entry point older than a module of the search, so that a change to
    a function it inlined (`timing`, `ruin`, ...) compiles it anew instead of running the old code."""
    newest = _newest_source()
    for compiled in ENTRY_POINTS:
        index = _index(compiled)
        if index and os.path.exists(index) and os.path.getmtime(index) < newest:
            with contextlib.suppress(FileNotFoundError):  # another process dropped it first
                os.remove(index)


def cached() -> bool:
    """Whether numba's disk cache holds the compiled search (else the first call compiles it)."""
    index = _index(loop.run)
    return os.path.exists(index) and os.path.getmtime(index) >= _newest_source()


def warm_up() -> None:
    """Compile the search now (numba caches it on disk), so that no timed run pays for compiling."""
    square = np.full((2, 2), 600, dtype=np.int64)
    jobs = (Job("a", 1, 1800, ((0, 20_000),)), Job("b", 1, 1800, ((0, 9000), (12_000, 20_000)), demand=1))
    van = Vehicle("v", 0, 0, 0, 30_000, capacity=2, max_work=20_000, breaks=(Break(3600, 9 * 3600, 1800),),
                  break_free_span=6 * 3600, break_margin=900)  # fmt: skip
    improve(flat_view(Problem(jobs, (van, van), square, square)), [], seed=1, steps=20)  # type: ignore[arg-type]


_forget_stale()
