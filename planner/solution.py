"""What a solver returns for a `Problem`: routes of job indices with times, and the dropped jobs.

Plain records with no OR-Tools types, so the plan assembly, the validator and the benchmarks can
read a solution without importing a solver.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Visit:
    """A job in a route. `begin` is when the crew starts at the location (setup begins)."""

    job: int
    arrival: int
    begin: int


@dataclass(frozen=True)
class Route:
    """One vehicle's route from leaving its start to reaching its end, with breaks (start, length)."""

    vehicle: int
    start: int
    end: int
    visits: tuple[Visit, ...]
    breaks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Solution:
    """Routes for the vehicles that do something, the dropped jobs, and how the search ended."""

    routes: tuple[Route, ...]
    dropped: tuple[int, ...]
    objective: int
    stop_reason: str
    elapsed_s: float
    solutions_found: int = 0
    start: str = ""  # where the search began: "compiled" (planner.solver.sisr) or "or-tools"
    cpu_share: float = 1.0  # least share of a core a worker got while it searched (< 1: a busy machine)
    unfinished_workers: int = (
        0  # workers that did not finish: cut off at the deadline (best so far kept) or died
    )
