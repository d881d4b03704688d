"""The numbers kept per simulated week, and their summary per variant."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from planner.plan.tours import Plan
from planner.scenario import Kind


@dataclass(frozen=True)
class WeekKpi:
    """One row of kpis.csv: a variant's week in one replication."""

    variant: str
    replication: int
    week: int
    iso_week: str
    requests_new: int
    requests_due: int
    waiting_notice: int
    placed: int
    carried: int
    expired: int
    share_placed: float
    wait_median_days: float | None
    wait_p90_days: float | None
    km: float
    drive_h: float
    van_days_out: int
    coach_h: float
    coach_h_per_visit: float | None
    van_stop_blocks: int
    van_stop_blocks_held: int
    within_15_min: float
    within_30_min: float
    unplaced_reasons: str
    violations: int
    stop_reason: str
    search_s: float

    @classmethod
    def columns(cls) -> list[str]:
        """The CSV header."""
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class Tally:
    """What happened to the week's client requests."""

    new: int
    due: int
    waiting_notice: int
    carried: int
    expired: int
    waits: tuple[int, ...]  # days from request to visit of each placed request
    unplaced: tuple[str, ...]  # reason of each unplaced due request
    nearest_min: tuple[float, ...]  # drive minutes from each new request's client home to a stop or depot


def week_kpi(variant: str, replication: int, week: int, plan: Plan, tally: Tally, violations: int) -> WeekKpi:
    """The KPI row of a planned week; `violations` is what planner.plan.validate found in its plan."""
    tours = [t for t in plan.tours if t.stops]
    stops = [s for t in tours for s in t.stops]
    visits = sum(1 for s in stops if s.kind != Kind.VAN_STOP)
    blocks = sum(1 for s in stops if s.kind == Kind.VAN_STOP)
    blocks_planned = blocks + sum(1 for u in plan.unscheduled if u.kind == Kind.VAN_STOP)
    coach_h = sum(t.work_min * len(t.crew) for t in tours) / 60
    waits = np.array(tally.waits, dtype=float)
    near = np.array(tally.nearest_min, dtype=float)
    reasons = Counter(tally.unplaced)
    return WeekKpi(
        variant=variant,
        replication=replication,
        week=week,
        iso_week=plan.week,
        requests_new=tally.new,
        requests_due=tally.due,
        waiting_notice=tally.waiting_notice,
        placed=visits,
        carried=tally.carried,
        expired=tally.expired,
        share_placed=round(visits / tally.due, 4) if tally.due else 1.0,
        wait_median_days=float(np.median(waits)) if len(waits) else None,
        wait_p90_days=round(float(np.percentile(waits, 90)), 1) if len(waits) else None,
        km=round(sum(t.km for t in tours), 1),
        drive_h=round(sum(t.drive_min for t in tours) / 60, 2),
        van_days_out=len(tours),
        coach_h=round(coach_h, 2),
        coach_h_per_visit=round(coach_h / visits, 2) if visits else None,
        van_stop_blocks=blocks_planned,
        van_stop_blocks_held=blocks,
        within_15_min=round(float((near <= 15).mean()), 4) if len(near) else 0.0,
        within_30_min=round(float((near <= 30).mean()), 4) if len(near) else 0.0,
        unplaced_reasons="; ".join(f"{r}:{n}" for r, n in sorted(reasons.items())),
        violations=violations,
        stop_reason=plan.stop_reason,
        search_s=plan.search_s,
    )


@dataclass(frozen=True)
class Summary:
    """A variant over all its weeks and replications."""

    variant: str
    weeks: int
    placed_per_week: float
    share_placed: float
    wait_median_days: float | None
    wait_p90_days: float | None
    km_per_week: float
    drive_h_per_week: float
    coach_h_per_visit: float | None
    within_15_min: float
    within_30_min: float
    expired: int
    open_at_end: float
    violations: int


def summarise(variant: str, rows: Sequence[WeekKpi], waits: Sequence[int], open_at_end: float) -> Summary:
    """Means per week, pooled waits, shares over all due requests; `open_at_end` per replication."""
    n = len(rows)
    placed = sum(r.placed for r in rows)
    due = sum(r.requests_due for r in rows)
    coach_h = sum(r.coach_h for r in rows)
    arr = np.array(waits, dtype=float)
    new = sum(r.requests_new for r in rows) or 1
    return Summary(
        variant=variant,
        weeks=n,
        placed_per_week=round(placed / n, 1),
        share_placed=round(placed / due, 3) if due else 1.0,
        wait_median_days=float(np.median(arr)) if len(arr) else None,
        wait_p90_days=round(float(np.percentile(arr, 90)), 1) if len(arr) else None,
        km_per_week=round(sum(r.km for r in rows) / n, 1),
        drive_h_per_week=round(sum(r.drive_h for r in rows) / n, 1),
        coach_h_per_visit=round(coach_h / placed, 2) if placed else None,
        within_15_min=round(sum(r.within_15_min * r.requests_new for r in rows) / new, 3),
        within_30_min=round(sum(r.within_30_min * r.requests_new for r in rows) / new, 3),
        expired=sum(r.expired for r in rows),
        open_at_end=open_at_end,
        violations=sum(r.violations for r in rows),
    )
