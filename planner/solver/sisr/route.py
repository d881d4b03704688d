"""One row of the state as a vehicle's route: its times, load and cost recomputed after a change."""

from __future__ import annotations

import numba as nb

from planner.solver.sisr.data import Data, State
from planner.solver.sisr.timing import breaks_outside_fit, forward, latest_before


@nb.njit(cache=True, inline="always")
def refresh(st: State, r: int, k: int, d: Data) -> bool:
    """Recompute times, places, jobs, load and cost of row r as vehicle k's route; return feasibility.

    Cost: arcs (and the extra cost of each job on this vehicle), span from the latest departure
    times the span cost, and the vehicle's fixed cost; an unused vehicle costs nothing.
    """
    route, at, latest, cost, demand, extra = st.route, st.at, st.latest, d.cost, d.demand, d.extra
    n, fb, shift_start = st.size[r], d.first_break, d.shift_start[k]
    _, first_ok = forward(st, r, k, d, shift_start, True)
    latest[r, n + 1] = d.shift_end[k]
    arcs = 0
    jobs = 0
    total = 0
    for i in range(n, -1, -1):
        nx = route[r, i + 1]
        if nx < fb:
            arcs += cost[at[r, i], nx]
            if i < n:
                jobs += 1
                total += demand[nx]
                arcs += extra[nx, k]
        latest[r, i] = latest_before(st, r, k, d, i)
    st.jobs[r] = jobs
    st.load[r] = total
    if jobs == 0:
        st.route_cost[r] = 0
        return True
    capacity, full, fixed, span_max = d.capacity[k], d.full[k], d.fixed_cost[k], d.span_max[k]
    outside = d.breaks[k] > 0 and not d.inside[k]
    depart = latest[r, 0]
    ok = depart >= shift_start and total <= capacity
    if not ok:
        depart = shift_start
    if not (d.span_cost or full):  # the span matters nowhere: times were checked above
        st.route_cost[r] = arcs + fixed
        return ok and first_ok
    end, fits = forward(st, r, k, d, depart, False)
    span = end - depart
    ok = ok and fits and span <= span_max
    if outside:
        ok = ok and breaks_outside_fit(d, k, depart, end)
    st.route_cost[r] = arcs + d.span_cost * span + fixed
    return ok


@nb.njit(cache=True, inline="always")
def copy_route(r: int, src: State, dst: State, r2: int) -> None:
    """Make row r2 of state dst equal to row r of src."""
    n = src.size[r] + 2
    dst.route[r2, :n] = src.route[r, :n]
    dst.begin[r2, :n] = src.begin[r, :n]
    dst.latest[r2, :n] = src.latest[r, :n]
    dst.at[r2, :n] = src.at[r, :n]
    dst.size[r2] = src.size[r]
    dst.jobs[r2] = src.jobs[r]
    dst.load[r2] = src.load[r]
    dst.route_cost[r2] = src.route_cost[r]


@nb.njit(cache=True, inline="always")
def insert(v: int, k: int, q: int, st: State, d: Data) -> None:
    """Put v at position q of route k."""
    route = st.route
    for i in range(st.size[k] + 1, q - 1, -1):
        route[k, i + 1] = route[k, i]
    route[k, q] = v
    st.size[k] += 1
    st.route_of[v] = k
    refresh(st, k, k, d)


@nb.njit(cache=True, inline="always")
def fits(st: State, k: int, q: int, v: int, d: Data, scratch: State) -> bool:
    """Whether route k with v at position q keeps every rule (checked on the whole route)."""
    n = st.size[k]
    row = scratch.route
    row[0, :q] = st.route[k, :q]
    row[0, q] = v
    row[0, q + 1 : n + 3] = st.route[k, q : n + 2]
    scratch.size[0] = n + 1
    return refresh(scratch, 0, k, d)
