"""When a route's stops can begin: the one time rule of the compiled search, forward and backward.

Going forward a stop begins at the earliest time no sooner than the crew can be there that lies
in one of its windows (the crew waits for a window to open); going backward it begins at the latest
time no later than the next stop allows that lies in one of its windows. A break is a stop with one
window, taken where the crew is; one right after the route's start or right before its end keeps
the vehicle's break margin of work from it, and no more than `break_gap` may lie between two
breaks. A row's earliest (`begin`) and latest (`latest`) begin times let a place between two
stops be checked in O(1): the inserted stop must begin in a window after the stop before it, and
the stop after it must still be reached by its latest begin.
"""

from __future__ import annotations

import numba as nb

from planner.solver.sisr.data import EARLY, LATE, Data, State


@nb.njit(cache=True, inline="always")
def window_begin(t: int, open_: int, close: int) -> int:
    """Earliest begin no sooner than t in the window [open_, close], or LATE."""
    if t > close:
        return LATE
    return t if t > open_ else open_


@nb.njit(cache=True)
def earliest_begin(d: Data, c: int, t: int) -> int:
    """Earliest begin at node c no sooner than t inside one of its windows, or LATE."""
    ws, we = d.win_start, d.win_end
    for m in range(d.windows[c]):
        b = window_begin(t, ws[c, m], we[c, m])
        if b < LATE:
            return b
    return LATE


@nb.njit(cache=True)
def latest_begin(d: Data, c: int, t: int) -> int:
    """Latest begin at node c no later than t inside one of its windows, or EARLY."""
    ws, we = d.win_start, d.win_end
    for m in range(d.windows[c] - 1, -1, -1):
        if ws[c, m] <= t:
            return t if t <= we[c, m] else we[c, m]
    return EARLY


@nb.njit(cache=True, inline="always")
def forward(st: State, r: int, k: int, d: Data, depart: int, store: bool) -> tuple[int, bool]:
    """Earliest begin times of row r (vehicle k) leaving at `depart`: (arrival at the end depot,
    whether every stop begins in a window, breaks keep their gap and the shift's end is kept).

    With `store` the begin times and places go into the state (past a stop that cannot begin in
    time, the rest are computed from the time the crew gets there).
    """
    route, begin, at, n = st.route, st.begin, st.at, st.size[r]
    travel, service, fb = d.travel, d.service, d.first_break
    mg, gap, shift_end = d.margin[k], d.break_gap[k], d.shift_end[k]
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
            b = earliest_begin(d, c, t)
            if b >= LATE:
                ok, b = False, t
            if break_end > EARLY and b - break_end > gap:
                ok = False
            break_end = b + service[c]
        else:
            t += travel[loc, c]
            if a >= fb and i == n + 1:
                t += mg
            loc = c
            if i <= n:
                b = earliest_begin(d, c, t)
                if b >= LATE:
                    ok, b = False, t
            else:
                b = t
                if b > shift_end:
                    ok = False
        if store:
            begin[r, i] = b
            at[r, i] = loc
        t_prev = b
    return t_prev, ok


@nb.njit(cache=True)
def latest_before(st: State, r: int, k: int, d: Data, i: int) -> int:
    """Latest begin at position i of row r (vehicle k) that reaches position i + 1 by its latest
    begin: within the shift for the start depot, else in a window of the stop (EARLY if none)."""
    route, at, latest, travel, service = st.route, st.at, st.latest, d.travel, d.service
    n, fb, mg, shift_end = st.size[r], d.first_break, d.margin[k], d.shift_end[k]
    c, nx = route[r, i], route[r, i + 1]
    t = latest[r, i + 1] - service[c]
    if nx >= fb:  # a break is taken where the crew is: no driving
        t -= mg if i == 0 else 0
    else:
        t -= travel[at[r, i], nx] + (mg if c >= fb and i == n else 0)  # at: c itself if a job
    if i == 0:
        return t if t < shift_end else shift_end
    return latest_begin(d, c, t)


@nb.njit(cache=True, inline="always")
def breaks_outside_fit(d: Data, k: int, depart: int, end: int) -> bool:
    """Whether vehicle k's breaks fit before a route from `depart` to `end`, or after it."""
    service, gap, first = d.service, d.break_gap[k], d.breaks_from[k]
    prev_end = EARLY
    for b in range(first, first + d.breaks[k]):
        t = earliest_begin(d, b, prev_end)
        if t >= LATE or t + service[b] > depart:
            t = earliest_begin(d, b, prev_end if prev_end > end else end)
            if t >= LATE:
                return False
        if prev_end > EARLY and t - prev_end > gap:
            return False
        prev_end = t + service[b]
    return True


@nb.njit(cache=True)
def on_time_between(st: State, k: int, d: Data, v: int, q: int, p: int) -> bool:
    """Whether node v fits on time into row k (vehicle k) right before position q, with the breaks at
    q .. p - 1 taken after v and p the next job or end depot: v begins in a window after the stop
    before it, and p is still reached by its latest begin."""
    route, travel, service = st.route, d.travel, d.service
    n, mg = st.size[k], d.margin[k]
    a, la, c = route[k, q - 1], st.at[k, q - 1], route[k, p]
    t = earliest_begin(d, v, st.begin[k, q - 1] + service[a] + travel[la, v])
    if t >= LATE:
        return False
    t += service[v]
    for pos in range(q, p):  # breaks between v and the next job now follow v
        b = route[k, pos]
        t = earliest_begin(d, b, t)
        if t >= LATE:
            return False
        t += service[b]
    t += travel[v, c] + (mg if q < p and p == n + 1 else 0)
    return t <= st.latest[k, p]
