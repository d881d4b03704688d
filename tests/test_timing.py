"""planner.solver.sisr.timing: the compiled search's time rule, on routes small enough to check by hand.

The places: the depot at 0, and 1, 2, 3 on a line 100, 250 and 350 s from it (100 s from 0 to 1,
150 s from 1 to 2, 100 s from 2 to 3). Node 0 is the depot, job j is node 1 + j, breaks follow.
The shift runs from 0 to 1000 s unless a test says otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.problem.routing import Break, Job, Problem, Vehicle
from planner.solver.flat import flat_view
from planner.solver.sisr.data import EARLY, LATE, Data, State, data_of, new_state
from planner.solver.sisr.timing import (
    breaks_outside_fit,
    earliest_begin,
    forward,
    latest_before,
    latest_begin,
    on_time_between,
)

PLACE = np.array([0, 100, 250, 350])
DUR = np.abs(PLACE[:, None] - PLACE[None, :]).astype(np.int64)


def setup(jobs: tuple[Job, ...], shift_end: int = 1000, **van: object) -> tuple[Data, State]:
    """The search's data for the jobs and one van from the depot, and an empty one-row state."""
    veh = Vehicle("v", 0, 0, 0, shift_end, **van)  # type: ignore[arg-type]
    f = flat_view(Problem(jobs, (veh,), DUR, DUR))
    assert f is not None
    return data_of(f), new_state(f, 1)


def row(d: Data, st: State, *stops: int) -> None:
    """Make row 0 the depot, `stops` and the depot, with its earliest and latest begin times."""
    st.route[0, : len(stops) + 2] = [0, *stops, 0]
    st.size[0] = len(stops)
    forward(st, 0, 0, d, d.shift_start[0], True)
    st.latest[0, len(stops) + 1] = d.shift_end[0]
    for i in range(len(stops), -1, -1):
        st.latest[0, i] = latest_before(st, 0, 0, d, i)


def times(st: State, field: np.ndarray) -> list[int]:
    """The row's times of one kind, depot to depot."""
    return field[0, : st.size[0] + 2].tolist()


def test_a_stop_begins_in_the_first_window_it_can_reach_and_waits_for_it_to_open() -> None:
    d, _ = setup((Job("a", 1, 60, ((100, 200), (500, 600))),))
    assert [earliest_begin(d, 1, t) for t in (50, 150, 200, 250, 600, 601)] == [100, 150, 200, 500, 600, LATE]


def test_going_backward_a_stop_begins_in_the_last_window_before_the_time_given() -> None:
    d, _ = setup((Job("a", 1, 60, ((100, 200), (500, 600))),))
    assert [latest_begin(d, 1, t) for t in (700, 550, 499, 200, 100, 99)] == [600, 550, 200, 200, 100, EARLY]


def test_earliest_and_latest_begin_along_a_route() -> None:
    """a (60 s, 300-400 s) then b (60 s, any time): the van waits 200 s at a; backward, b must begin
    by 1000 - 250 - 60 = 690 to be home by the shift's end, a by min(690 - 150 - 60, 400) = 400,
    so the van leaves by 300."""
    d, st = setup((Job("a", 1, 60, ((300, 400),)), Job("b", 2, 60, ((0, 5000),))))
    row(d, st, 1, 2)
    assert times(st, st.begin) == [0, 300, 510, 820]
    assert times(st, st.latest) == [300, 400, 690, 1000]
    assert forward(st, 0, 0, d, 300, False) == (920, True)


def test_a_route_that_misses_a_window_or_the_shift_end_is_late() -> None:
    d, st = setup((Job("a", 1, 60, ((300, 400),)), Job("b", 2, 60, ((0, 5000),))), shift_end=600)
    row(d, st, 1, 2)
    assert forward(st, 0, 0, d, 0, False) == (820, False)  # home at 820, after the shift's 600
    assert forward(st, 0, 0, d, 350, True) == (970, False)  # a reached at 450, after its window
    assert times(st, st.begin) == [350, 450, 660, 970]  # later stops from the time the crew gets there
    assert st.latest[0, 0] < d.shift_start[0]  # no departure makes it: the backward pass sees it too


def test_a_break_is_taken_where_the_crew_is_and_keeps_its_window() -> None:
    """a (60 s, 300-400 s), a break of 100 s in 400-500 s taken at a's place, then b."""
    d, st = setup((Job("a", 1, 60, ((300, 400),)), Job("b", 2, 60, ((0, 5000),))),
                  breaks=(Break(400, 500, 100),))  # fmt: skip
    row(d, st, 1, 3, 2)
    assert times(st, st.begin) == [0, 300, 400, 650, 960]
    assert times(st, st.at) == [0, 1, 1, 2, 0]
    assert times(st, st.latest) == [280, 380, 440, 690, 1000]


def test_a_break_next_to_the_routes_start_or_end_keeps_the_margin_of_work_from_it() -> None:
    d, st = setup((Job("a", 1, 60, ((0, 5000),)),), breaks=(Break(0, 900, 100),), break_margin=50)
    row(d, st, 2, 1)  # break first: it begins after 50 s of work
    assert times(st, st.begin) == [0, 50, 250, 410]
    assert times(st, st.latest) == [590, 640, 840, 1000]
    row(d, st, 1, 2)  # break last: home 50 s after it
    assert times(st, st.begin) == [0, 100, 160, 410]
    assert times(st, st.latest) == [590, 690, 750, 1000]


def test_no_more_than_the_break_gap_lies_between_two_breaks() -> None:
    jobs = (Job("a", 1, 60, ((0, 5000),)), Job("b", 3, 60, ((0, 5000),)))
    breaks = (Break(0, 900, 10), Break(0, 900, 10))
    d, st = setup(jobs, breaks=breaks, break_free_span=400)
    row(d, st, 3, 1, 2, 4)  # the first break ends at 10, the second begins at 480: 470 s apart
    assert times(st, st.begin) == [0, 0, 110, 420, 480, 840]
    assert forward(st, 0, 0, d, 0, False)[1] is False
    d, st = setup(jobs, breaks=breaks, break_free_span=600)
    row(d, st, 3, 1, 2, 4)
    assert forward(st, 0, 0, d, 0, False) == (840, True)


@pytest.mark.parametrize(
    ("window", "depart", "end", "fits"),
    [
        ((0, 1000), 300, 700, True),  # before the route
        ((0, 1000), 50, 900, True),  # not before: after it, at 900
        ((0, 800), 50, 900, False),  # neither
        ((200, 1000), 250, 700, True),  # not before: after it, at 700
    ],
)
def test_breaks_outside_a_route_fit_before_it_or_after_it(
    window: tuple[int, int], depart: int, end: int, fits: bool
) -> None:
    d, _ = setup((Job("a", 1, 60, ((0, 5000),)),), breaks=(Break(*window, 100),), break_free_span=2000)
    assert not d.inside[0]
    assert breaks_outside_fit(d, 0, depart, end) is fits


def test_a_place_is_on_time_when_the_stop_after_it_is_still_reached_by_its_latest_begin() -> None:
    """b (60 s, any time) before a (300-400 s) would reach a at 460; after a it is home at 820."""
    d, st = setup((Job("a", 1, 60, ((300, 400),)), Job("b", 2, 60, ((0, 5000),))))
    row(d, st, 1)
    assert on_time_between(st, 0, d, 2, 1, 1) is False
    assert on_time_between(st, 0, d, 2, 2, 2) is True


def test_a_job_put_before_a_break_takes_the_break_after_it() -> None:
    """Row: a, break (100 s, 400-450 s) at a's place, home. b between a and the break begins at 510,
    leaving the break no time in its window; between the depot and a it makes a miss its window."""
    d, st = setup((Job("a", 1, 60, ((300, 400),)), Job("b", 2, 60, ((0, 5000),))),
                  breaks=(Break(400, 450, 100),))  # fmt: skip
    row(d, st, 1, 3)
    assert on_time_between(st, 0, d, 2, 1, 1) is False
    assert on_time_between(st, 0, d, 2, 2, 3) is False
    assert on_time_between(st, 0, d, 2, 3, 3) is True  # after the break
    wide = d._replace(win_end=d.win_end.copy())
    wide.win_end[3, 0] = 900
    row(wide, st, 1, 3)
    assert on_time_between(st, 0, wide, 2, 2, 3) is True


def test_a_job_put_before_the_last_break_keeps_the_margin_before_home() -> None:
    """Row: a (60 s), a break of 100 s with margin 50 s, home by 750. b between them is served
    310-370, the break 370-470 at b's place, home at 720 + 50; after the break b is home at 720."""
    jobs = (Job("a", 1, 60, ((0, 5000),)), Job("b", 2, 60, ((0, 5000),)))
    d, st = setup(jobs, shift_end=750, breaks=(Break(0, 900, 100),), break_margin=50)
    row(d, st, 1, 3)
    assert on_time_between(st, 0, d, 2, 2, 3) is False
    assert on_time_between(st, 0, d, 2, 3, 3) is True


def inserted(st: State, v: int, q: int) -> State:
    """A copy of the one-row state with v at position q."""
    new = State(*(a.copy() for a in st))
    n = st.size[0]
    new.route[0, q + 1 : n + 3] = st.route[0, q : n + 2]
    new.route[0, q] = v
    new.size[0] = n + 1
    return new


def test_the_check_of_a_place_agrees_with_the_times_of_the_route_with_the_job_in_it() -> None:
    """On random routes of up to five jobs with one or two windows each and at most one break: every
    place of a sixth job is on time by `on_time_between` exactly when its route's forward pass is."""
    rng = np.random.default_rng(12)
    outcomes = [0, 0]  # places late, on time
    for _ in range(400):
        windows = []
        for _j in range(6):
            a = int(rng.integers(0, 1500))
            wins = [(a, a + int(rng.integers(0, 600)))]
            if rng.random() < 0.4:
                b = wins[0][1] + int(rng.integers(1, 500))
                wins.append((b, b + int(rng.integers(0, 400))))
            windows.append(tuple(wins))
        jobs = tuple(
            Job(f"j{j}", int(rng.integers(1, 4)), int(rng.integers(60, 200)), windows[j]) for j in range(6)
        )
        breaks = (Break(int(rng.integers(0, 1000)), 1200, 150),) if rng.random() < 0.5 else ()
        end = int(rng.integers(1000, 2500))
        d, st = setup(jobs, shift_end=end, breaks=breaks, break_margin=int(rng.integers(0, 60)))
        stops = [int(c) for c in rng.permutation(np.arange(1, 6))[: int(rng.integers(0, 6))]]
        if breaks:
            stops.insert(int(rng.integers(0, len(stops) + 1)), 7)
        row(d, st, *stops)
        if not forward(st, 0, 0, d, 0, False)[1]:
            continue
        for q in range(1, len(stops) + 2):
            p = q
            while st.route[0, p] >= d.first_break:
                p += 1
            with_v = inserted(st, 6, q)
            on_time = on_time_between(st, 0, d, 6, q, p)
            assert on_time == forward(with_v, 0, 0, d, 0, False)[1], (stops, q)
            outcomes[on_time] += 1
    assert min(outcomes) > 100
