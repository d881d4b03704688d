"""The columns of the scenario's tables: one list read by the loader, the writer and docs/input.md.

Each table's columns are in the order the writer writes them and docs/input.md lists them;
tests/test_columns.py checks that the documentation says exactly this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column: its name, when it is needed (as docs/input.md says), its default cell, its meaning."""

    name: str
    need: str = "no"  # "yes": the header must have it; anything else names when a cell is needed
    default: str = ""  # the cell an empty one stands for; "" when the default depends (see `doc`)
    doc: str = ""

    @property
    def required(self) -> bool:
        """Whether the table's header must have this column (the loader refuses the table otherwise)."""
        return self.need == "yes"


_WHERE = "where the appointment takes place"
_RANGE = "inclusive date range; default the planning week"
_PIN = "appointment already communicated: keep exactly this van, date and start"

REQUESTS = (
    Column("id", "yes", doc="unique request id"),
    Column("kind", "yes", doc="`home_visit`, `walk_and_talk`, `accompany` or `van_stop`"),
    Column(
        "client", "yes, except `van_stop`", doc="pseudonymous client reference (e.g. `K-1042`); never a name"
    ),
    Column("client_name", doc="real name; shown only when `show_names = true`"),
    Column("lat", "one of", doc=_WHERE),
    Column("lon", "one of", doc=_WHERE),
    Column("address", "one of", doc="address to geocode when `lat`/`lon` are empty"),
    Column("place", doc="name of the place (e.g. `Rathaus Bindlach`, `Parkplatz am Sportplatz`)"),
    Column("duration_min", "yes", doc="length of the appointment itself, minutes, > 0"),
    Column("earliest_date", doc=_RANGE),
    Column("latest_date", doc=_RANGE),
    Column(
        "availability",
        doc="weekly windows, e.g. `Mo 09:00-12:00; Mi 14:00-17:00`; default: any time in a shift",
    ),
    Column(
        "fixed_start",
        "`accompany`, `van_stop`",
        doc="the appointment starts exactly then (the third party's appointment; the van stop's block)",
    ),
    Column("staff", doc="staff needed at the same time; default 2 for `home_visit`, else 1"),
    Column("skills", doc="skills or languages the crew must have, e.g. `tr; sucht`"),
    Column("preferred_coach", doc="coach id of the client's own contact person (soft preference)"),
    Column("priority", default="3", doc="1 (most urgent) to 5 (least); default 3"),
    Column("notice_sent", doc="`home_visit`: date the written notice was sent"),
    Column("pin_van", "together", doc=_PIN),
    Column("pin_date", "together", doc=_PIN),
    Column("pin_start", "together", doc=_PIN),
    Column("bring", doc="what to bring, added to the kind's default list on day sheets"),
    Column("note", doc="free text for the crew"),
    Column(
        "visitors",
        doc="`van_stop` only: people the stop is expected to reach "
        "(default `[objective] van_stop_visitors`, 3)",
    ),
)

_SHIFT = "earliest departure from and latest return to the depot, `HH:MM`"

VANS = (
    Column("id", "yes", doc="unique van id"),
    Column("name", doc="display name"),
    Column("depot", "yes", doc="depot id from `scenario.toml`"),
    Column("days", default="Mo-Fr", doc="weekdays in service, e.g. `Mo-Fr` or `Mo;Mi;Fr`; default `Mo-Fr`"),
    Column("shift_start", "yes", doc=_SHIFT),
    Column("shift_end", "yes", doc=_SHIFT),
    Column("seats", "yes", doc="people the van carries; the crew on a day may not exceed it"),
    Column("unavailable", doc="dates the van is out of service (workshop, another team), `;`-separated"),
)

COACHES = (
    Column("id", "yes", doc="unique coach id"),
    Column("name", "yes", doc="display name (shown on the coach's own map and calendar)"),
    Column("skills", doc="skills and languages, e.g. `tr; ar; sucht`"),
    Column("weekly_hours", default="39", doc="upper bound on hours on tour in the week; default 39"),
    Column("phone", doc="shown on day sheets of the same van-day"),
)

ROSTER = (
    Column("date", "yes", doc="a date in the planning week"),
    Column("van", "yes", doc="van id"),
    Column("coach", "yes", doc="coach id"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "requests": REQUESTS,
    "vans": VANS,
    "coaches": COACHES,
    "roster": ROSTER,
}


def names(columns: Sequence[Column]) -> tuple[str, ...]:
    """The column names, in order."""
    return tuple(c.name for c in columns)
