"""A variant's vans, coaches and roster for one week, made by the scenario generator's rules.

Vans given as a number alternate the generator's long and short shifts, and the last one has a
workshop day each week; coaches given as a number come from the generator's staff list. The roster is
drawn every week from the coaches' weekly hours, two to a van where possible and at most `crew`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from planner.generate.fleet import CoachRow, VanRow, make_coaches, make_roster, make_vans
from planner.scenario import Coach, RosterEntry, Van
from planner.simulate.spec import Spec, Variant


@dataclass(frozen=True)
class Fleet:
    """A week's vans (generator rows and planner records), coaches and roster."""

    rows: tuple[VanRow, ...]
    vans: tuple[Van, ...]
    coach_rows: tuple[CoachRow, ...]
    coaches: tuple[Coach, ...]
    roster: tuple[RosterEntry, ...]

    @property
    def depots(self) -> tuple[str, ...]:
        """Depot ids the vans start from, in van order, without repeats."""
        return tuple(dict.fromkeys(v.depot for v in self.vans))


def make_fleet(
    spec: Spec, variant: Variant, depot_ids: Sequence[str], rng: random.Random, days: Sequence[date]
) -> Fleet:
    """The variant's fleet in the week of `days` (Monday to Friday), drawn from `rng`."""
    homes = variant.depots or (depot_ids[0],)
    if isinstance(variant.vans, int):
        rows = make_vans(variant.vans, rng, days)
        weekdays = [frozenset(range(5))] * len(rows)
        depots = [homes[i % len(homes)] for i in range(len(rows))]
    else:
        rows = [VanRow(v.id, v.id, v.shift_start, v.shift_end, v.seats, None) for v in variant.vans]
        weekdays = [v.days for v in variant.vans]
        depots = [v.depot or homes[0] for v in variant.vans]
    rows = [replace(r, seats=min(r.seats, variant.crew)) for r in rows]
    if isinstance(variant.coaches, int):
        coach_rows = make_coaches(variant.coaches)
    else:
        coach_rows = [
            CoachRow(c.id, c.name, tuple(sorted(c.skills)), c.weekly_hours, "") for c in variant.coaches
        ]
    roster = make_roster(rows, coach_rows, days, rng)
    vans = tuple(r.van(depot, wd) for r, depot, wd in zip(rows, depots, weekdays, strict=True))
    coaches = tuple(c.coach() for c in coach_rows)
    entries = tuple(RosterEntry(d, v, c, 0) for d, v, c in roster)
    return Fleet(tuple(rows), vans, tuple(coach_rows), coaches, entries)
