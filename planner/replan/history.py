"""What of an old plan lies before `now`: stops the crew has reached, tours back at the depot, tours
on the road. A replan keeps all of it exactly as it was (docs/output.md, "Replanning")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.plan.tours import Plan, Stop, Tour


@dataclass(frozen=True)
class History:
    """The old plan split at `now` (an aware local time)."""

    now: datetime
    stops: dict[str, tuple[Tour, Stop]]  # request id -> stops the crew had begun by now
    closed: dict[tuple[str, date], Tour]  # (van, day) -> tours back at the depot by now
    running: dict[tuple[str, date], Tour]  # (van, day) -> tours on the road at now

    def done(self, request_id: str) -> Stop | None:
        """The request's stop if it is history (the crew began there before now)."""
        found = self.stops.get(request_id)
        return found[1] if found else None


def split(plan: Plan, now: datetime) -> History:
    """Split `plan` at `now`: a stop is history once the crew has begun there (setup, then the
    appointment: a van that arrives early and waits has not), a tour is closed once it is back at
    the depot, and running when it left before now and is not back yet."""
    stops = {s.request_id: (t, s) for t in plan.tours for s in t.stops if begun(s) <= now}
    closed = {(t.van, t.day): t for t in plan.tours if t.back <= now}
    running = {(t.van, t.day): t for t in plan.tours if t.depart <= now < t.back}
    return History(now, stops, closed, running)


def begun(stop: Stop) -> datetime:
    """When the crew begins at the place: the setup before the appointment starts."""
    return stop.start - timedelta(minutes=stop.setup_min)
