"""The app's "now": the clock, or VANPLAN_NOW for a training week (and the tests)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from planner.input.load import parse_datetime


def now_local(tz: ZoneInfo) -> datetime:
    """Now as naive local time of the week's time zone, to the minute (what `--now` takes)."""
    if settings.NOW:
        return parse_datetime(settings.NOW)
    return datetime.now(tz).replace(tzinfo=None, second=0, microsecond=0)
