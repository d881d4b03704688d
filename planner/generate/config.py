"""The generator's options: as a `Config`, from the command line's text, and back as a command line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from planner.errors import UsageError
from planner.generate.rules import KIND_SHARES
from planner.input.load import parse_week
from planner.scenario import Point


@dataclass(frozen=True)
class Config:
    """What to generate: the extract, the folder, the week, the seed and the sizes."""

    osm: Path
    out: Path
    week: str = "2026-W49"
    seed: int = 7
    requests: int = 150
    vans: int = 2
    coaches: int = 5
    depot_name: str = "Rathaus"
    depot: Point | None = None
    planning_date: date | None = None
    name: str = ""
    mix: tuple[int, ...] = tuple(KIND_SHARES.values())


DEFAULT_MIX = ",".join(str(share) for share in KIND_SHARES.values())


def config_of_options(
    osm: Path,
    out: Path,
    *,
    week: str,
    seed: int,
    sizes: tuple[int, int, int],
    depot_name: str,
    depot_lat: float | None,
    depot_lon: float | None,
    planning_date: str | None,
    name: str,
    mix: str,
) -> Config:
    """The command line's options as a `Config`; `sizes` are requests, vans and coaches. A `UsageError`
    names the first option that is not usable."""
    if (depot_lat is None) != (depot_lon is None):
        raise UsageError("give both --depot-lat and --depot-lon, or neither")
    if min(sizes) < 1:
        raise UsageError("--requests, --vans and --coaches must be at least 1")
    shares = tuple(int(v) for v in mix.split(",")) if mix.replace(",", "").isdigit() else ()
    if len(shares) != len(KIND_SHARES) or sum(shares) == 0:
        raise UsageError("--mix takes four whole numbers, e.g. 35,30,20,15")
    try:
        week = parse_week(week)
    except ValueError:
        raise UsageError(f"--week must be an ISO week like 2026-W49, not {week!r}") from None
    try:
        planning = date.fromisoformat(planning_date) if planning_date else None
    except ValueError:
        raise UsageError(f"--planning-date must be YYYY-MM-DD, not {planning_date!r}") from None
    depot = Point(depot_lat, depot_lon) if depot_lat is not None and depot_lon is not None else None
    requests, vans, coaches = sizes
    return Config(osm, out, week, seed, requests, vans, coaches, depot_name, depot, planning, name, shares)


def command_line(cfg: Config) -> str:
    """The `vanplan generate` line that makes this folder (extract and folder by name only)."""
    words = [
        *("vanplan generate --osm", cfg.osm.name, "--out", cfg.out.name, "--week", cfg.week),
        *("--seed", str(cfg.seed), "--requests", str(cfg.requests), "--vans", str(cfg.vans)),
        *("--coaches", str(cfg.coaches), "--depot-name", json.dumps(cfg.depot_name, ensure_ascii=False)),
    ]
    if cfg.depot is not None:
        words += ["--depot-lat", str(cfg.depot.lat), "--depot-lon", str(cfg.depot.lon)]
    if cfg.planning_date is not None:
        words += ["--planning-date", cfg.planning_date.isoformat()]
    if cfg.name:
        words += ["--name", json.dumps(cfg.name, ensure_ascii=False)]
    return " ".join([*words, "--mix", ",".join(map(str, cfg.mix))])
