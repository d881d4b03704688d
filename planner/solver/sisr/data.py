"""What the compiled search reads and writes, by name: the problem's arrays and the routes' state.

Both are NamedTuples of numpy arrays (and a few numbers): numba compiles attribute access on them
to the same code as the positions of a plain tuple, so the names cost nothing at run time, given
two habits of the compiled functions (each cost the search a factor of 5 to 100 where broken):
- they read the fields they need into locals at their top, not inside conditional expressions;
- a function called once per stop that takes a NamedTuple is compiled on its own (LLVM inlines
  it), not with numba's `inline="always"`: numba's inlining copies the tuple handed on, counting a
  reference to each of its arrays at every call.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from planner.solver.flat import Bools, Flat, Ints

LATE = 1 << 60  # "no feasible time" going forward
EARLY = -LATE  # ... and going backward

# positions in the meta array shared by the compiled steps and `Search` across calls
# (FRESH: no step kept yet, so the jobs left out have not been tried in every route)
UNSERVED, COST_NOW, PENALTY_NOW, BEST_UNSERVED, BEST_COST, BEST_OBJECTIVE, FRESH = range(7)


class Data(NamedTuple):
    """The flat problem as the compiled search reads it (fields as in `Flat`, which explains them)."""

    travel: Ints
    cost: Ints
    service: Ints
    win_start: Ints
    win_end: Ints
    windows: Ints
    demand: Ints
    penalty: Ints
    weight: Ints
    extra: Ints
    shift_start: Ints
    shift_end: Ints
    capacity: Ints
    span_max: Ints
    fixed_cost: Ints
    breaks_from: Ints
    breaks: Ints
    inside: Bools
    margin: Ints
    break_gap: Ints
    full: Bools  # per vehicle: a place must be checked on the whole route (work limit or breaks bind)
    first_job: int
    first_break: int
    span_cost: int
    uniform: bool


class State(NamedTuple):
    """Routes as rows: the vehicle's depots at both ends, its jobs and inside breaks between."""

    route: Ints  # per row and position: the node there
    size: Ints  # per row: stops between the depots
    jobs: Ints  # per row: jobs among them
    begin: Ints  # per row and position: earliest begin
    latest: Ints  # ... latest begin that keeps the rest of the row on time
    at: Ints  # ... the place the crew is at (a break: where it is taken)
    load: Ints  # per row: demand served
    route_cost: Ints  # per row: cost in the objective (0 when unused)
    route_of: Ints  # per node: the row serving it, -1 when left out


def data_of(f: Flat) -> Data:
    """The arrays of a flat problem for the compiled search."""
    shift = f.shift_end - f.shift_start
    full = (f.span_max < shift) | (f.breaks > 1) | ((f.breaks > 0) & ~f.inside)
    return Data(
        travel=f.travel, cost=f.cost, service=f.service, win_start=f.win_start, win_end=f.win_end,
        windows=f.windows, demand=f.demand, penalty=f.penalty, weight=f.weight, extra=f.extra,
        shift_start=f.shift_start, shift_end=f.shift_end, capacity=f.capacity, span_max=f.span_max,
        fixed_cost=f.fixed_cost, breaks_from=f.breaks_from, breaks=f.breaks, inside=f.inside,
        margin=f.margin, break_gap=f.break_gap, full=full, first_job=int(f.first_job),
        first_break=int(f.first_break), span_cost=int(f.span_cost), uniform=bool(f.uniform),
    )  # fmt: skip


def new_state(f: Flat, rows: int) -> State:
    """Empty rows for routes of the flat problem, every node left out."""
    width = f.jobs + int(f.breaks.max(initial=0)) + 3
    route = np.zeros((rows, width), dtype=np.int64)
    return State(
        route=route, size=np.zeros(rows, np.int64), jobs=np.zeros(rows, np.int64),
        begin=np.zeros_like(route), latest=np.zeros_like(route), at=np.zeros_like(route),
        load=np.zeros(rows, np.int64), route_cost=np.zeros(rows, np.int64),
        route_of=np.full(f.nodes, -1, dtype=np.int64),
    )  # fmt: skip


def copy_state(st: State) -> State:
    """An independent copy of a state."""
    return State(*(a.copy() for a in st))
