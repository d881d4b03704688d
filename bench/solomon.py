"""Read VRPTW instances in LKH-3's CVRPTW format and turn them into the planner's `Problem`.

Scaling: coordinates stay floats; every time and distance is multiplied by `SCALE` (1000) and made
integral. Travel time is rounded UP (`ceil(1000 * d)`), so a schedule that fits the scaled windows
also fits the true ones (windows and service times are whole numbers, hence exact after scaling).
The arc cost is `round(1000 * d)`; the reported distance is always recomputed in float.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from planner.problem.routing import Job, Problem, Vehicle

T = TypeVar("T")

SCALE = 1000
DROP_PENALTY = 10**9  # above any route's scaled length: the search leaves a customer out only if it must
SECTIONS = ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION", "DEPOT_SECTION")


class InstanceError(ValueError):
    """An instance file that does not follow the format."""


@dataclass(frozen=True)
class Instance:
    """A VRPTW instance as read: node 0 is the depot; lists are indexed by node."""

    name: str
    vehicles: int
    capacity: int
    coords: tuple[tuple[float, float], ...]
    demand: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]
    service: tuple[int, ...]

    def distance(self, a: int, b: int) -> float:
        """Unrounded Euclidean distance between two nodes (EXACT_2D); travel time equals it."""
        (xa, ya), (xb, yb) = self.coords[a], self.coords[b]
        return math.hypot(xa - xb, ya - yb)


def read_instance(path: Path) -> Instance:
    """Parse one `.vrptw` file; raises InstanceError when a section or header is missing or bad."""
    header: dict[str, str] = {}
    rows: dict[str, list[list[str]]] = {s: [] for s in SECTIONS}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line in SECTIONS:
            section = line
        elif ":" in line and not section:
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
        elif section:
            rows[section].append(line.split())
        else:
            raise InstanceError(f"{path.name}: unexpected line {line!r}")
    try:
        n = int(header["DIMENSION"])
        if header.get("EDGE_WEIGHT_TYPE", "EXACT_2D") != "EXACT_2D":
            raise InstanceError(f"{path.name}: only EXACT_2D is supported")
        coords = _by_node(rows["NODE_COORD_SECTION"], n, path, lambda r: (float(r[1]), float(r[2])))
        demand = _by_node(rows["DEMAND_SECTION"], n, path, lambda r: int(r[1]))
        windows = _by_node(rows["TIME_WINDOW_SECTION"], n, path, lambda r: (int(r[1]), int(r[2])))
        depots = [int(r[0]) for r in rows["DEPOT_SECTION"] if r[0] != "-1"]
        service = int(header["SERVICE_TIME"])
        inst = Instance(
            name=header["NAME"],
            vehicles=int(header["VEHICLES"]),
            capacity=int(header["CAPACITY"]),
            coords=coords,
            demand=demand,
            windows=windows,
            service=(0, *([service] * (n - 1))),
        )
    except (KeyError, ValueError, IndexError) as e:
        if isinstance(e, InstanceError):
            raise
        raise InstanceError(f"{path.name}: {e!r}") from e
    if depots != [1]:
        raise InstanceError(f"{path.name}: the depot must be node 1, got {depots}")
    return inst


def _by_node(rows: list[list[str]], n: int, path: Path, parse: Callable[[list[str]], T]) -> tuple[T, ...]:
    """Values of a section in node order (1-based in the file); every node exactly once."""
    if len(rows) != n or sorted(int(r[0]) for r in rows) != list(range(1, n + 1)):
        raise InstanceError(f"{path.name}: a section does not list nodes 1..{n} once each")
    ordered = sorted(rows, key=lambda r: int(r[0]))
    return tuple(parse(r) for r in ordered)


def to_problem(inst: Instance) -> Problem:
    """The planner's problem: one vehicle per allowed route, depot start/end, windows on service start."""
    xy = np.array(inst.coords)
    exact = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) * SCALE
    durations = np.ceil(exact - 1e-9).astype(np.int64)
    distances = np.rint(exact).astype(np.int64)
    e0, l0 = inst.windows[0]
    vehicles = tuple(
        Vehicle(id=f"v{k}", start_location=0, end_location=0, shift_start=e0 * SCALE, shift_end=l0 * SCALE,
                capacity=inst.capacity)
        for k in range(inst.vehicles)
    )  # fmt: skip
    jobs = tuple(
        Job(
            id=str(c),
            location=c,
            duration=inst.service[c] * SCALE,
            windows=((inst.windows[c][0] * SCALE, inst.windows[c][1] * SCALE),),
            demand=inst.demand[c],
            penalty=DROP_PENALTY,
        )
        for c in range(1, len(inst.coords))
    )
    return Problem(
        jobs=jobs,
        vehicles=vehicles,
        durations=durations,
        distances=distances,
        objective="distance",
        meta={"instance": inst.name},
    )


def read_bks(path: Path) -> dict[str, tuple[int, float]]:
    """Best-known (vehicles, distance) per instance name from a `bks.csv`."""
    with path.open(newline="") as f:
        return {r["instance"]: (int(r["vehicles"]), float(r["bks_distance"])) for r in csv.DictReader(f)}


def exact_distance(inst: Instance, routes: list[list[int]]) -> float:
    """Unrounded length of routes (customer nodes, each from and back to the depot): what the gap is on.

    The rules are checked on the scaled problem by `planner.solver.evaluate`; travel rounded up makes a
    schedule that keeps the scaled windows keep the true ones.
    """
    return sum(inst.distance(a, b) for r in routes for a, b in itertools.pairwise([0, *r, 0]))
