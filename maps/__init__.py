"""Maps, coach pages, day sheets and calendars rendered from a plan; offline, no solver inside."""

from maps.render import render_all

__all__ = ["render_all"]
