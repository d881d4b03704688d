"""What a new plan version changes against the old one, and whom to tell (changes.csv of the output).

One row per appointment moved, cancelled, dropped, added or given another crew: old and new van,
date and time, and who must hear of it: the client (by letter when there are `LETTER_DAYS` days
before the earlier of the two dates, else by phone; a van stop by public notice; nobody when the
client cancelled) and every coach of the old and the new crew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from planner.i18n import texts
from planner.plan.tours import Plan
from planner.reasons import Reason, sentence
from planner.scenario import Kind, Scenario

LETTER_DAYS = 3  # a letter needs this many days to arrive; closer changes are phoned through

CHANGES = ("moved", "cancelled", "removed", "added", "crew")
COLUMNS = [
    "change", "request_id", "kind", "client", "old_van", "old_date", "old_start", "new_van", "new_date",
    "new_start", "old_coaches", "new_coaches", "tell_client", "tell_coaches", "cause", "message",
]  # fmt: skip


@dataclass(frozen=True)
class Slot:
    """Where an appointment is in one plan version: van-day, start, crew."""

    van: str
    day: date
    start: datetime
    crew: tuple[str, ...]


@dataclass(frozen=True)
class PlanChange:
    """One appointment that is not where it was (or is new, or gone), and whom to tell."""

    change: str  # one of CHANGES
    request_id: str
    kind: str
    client: str
    old: Slot | None
    new: Slot | None
    tell_client: str  # "letter", "phone", "public" or "" (nobody)
    tell_coaches: tuple[str, ...]
    cause: str  # what made the change (a key of Texts.change_causes), "" when unknown
    reason: str = ""  # cancelled or dropped: the unscheduled reason code of the new plan
    detail: Mapping[str, str] = field(default_factory=dict)

    def message(self, lang: str = "de", reason: bool = True) -> str:
        """The change as a sentence for the coordinator: what, why and, if dropped (and `reason`),
        the reason it found no other place."""
        tx = texts(lang)
        text = tx.change_kinds[self.change]
        if self.cause in tx.change_causes:
            text += f": {tx.change_causes[self.cause]}"
        if reason and self.change == "removed" and self.reason:
            text += f". {sentence(self.reason, self.detail, lang)}"
        return text


def diff(
    old: Plan,
    new: Plan,
    week: Scenario,
    causes: Mapping[str, str],
    cancelled_by: Mapping[str, str],
    replan_day: date,
) -> list[PlanChange]:
    """Every appointment whose van, date, start or crew differs between `old` and `new`, in the
    order of the earlier of its two starts."""
    before = {s.request_id: Slot(t.van, t.day, s.start, t.crew) for t, s in old.stops()}
    after = {s.request_id: Slot(t.van, t.day, s.start, t.crew) for t, s in new.stops()}
    unscheduled = {u.request_id: u for u in new.unscheduled}
    requests = {r.id: r for r in week.requests}
    rows = []
    for rid in sorted(set(before) | set(after)):
        a, b = before.get(rid), after.get(rid)
        if a is not None and b is not None:
            if (a.van, a.day, a.start) != (b.van, b.day, b.start):
                change = "moved"
            elif set(a.crew) != set(b.crew):
                change = "crew"
            else:
                continue
        elif a is not None:
            change = "cancelled" if unscheduled[rid].reason == Reason.CANCELLED else "removed"
        else:
            change = "added"
        req = requests[rid]
        u = unscheduled.get(rid)
        rows.append(
            PlanChange(
                change=change,
                request_id=rid,
                kind=req.kind.value,
                client=req.client,
                old=a,
                new=b,
                tell_client=_tell_client(
                    change, req.kind, [s for s in (a, b) if s], cancelled_by.get(rid), replan_day
                ),
                tell_coaches=tuple(sorted({*(a.crew if a else ()), *(b.crew if b else ())})),
                cause=causes.get(rid, "absent" if change == "crew" else ""),  # only absences change crews
                reason=u.reason if u and b is None else "",
                detail=dict(u.detail) if u and b is None else {},
            )
        )
    return sorted(rows, key=lambda r: (min(s.start for s in (r.old, r.new) if s), r.request_id))


def _tell_client(change: str, kind: Kind, slots: Sequence[Slot], by: str | None, replan_day: date) -> str:
    """How the client hears of the change: nobody for a new crew or their own cancellation, a van
    stop by public notice, else a letter when it can arrive in time, or a phone call."""
    if change == "crew" or (change == "cancelled" and by == "client"):
        return ""
    if kind is Kind.VAN_STOP:
        return "public"
    first = min(s.day for s in slots)
    return "letter" if (first - replan_day).days >= LETTER_DAYS else "phone"


def changes_table(rows: Sequence[PlanChange], tz_name: str, lang: str = "de") -> pd.DataFrame:
    """The rows as changes.csv: stable English column names and codes, the message in the language."""

    tz = ZoneInfo(tz_name)

    def slot(s: Slot | None) -> dict[str, str]:
        if s is None:
            return {"van": "", "date": "", "start": "", "coaches": ""}
        return {"van": s.van, "date": s.day.isoformat(), "start": f"{s.start.astimezone(tz):%H:%M}",
                "coaches": ";".join(s.crew)}  # fmt: skip

    table = []
    for r in rows:
        a, b = slot(r.old), slot(r.new)
        table.append(
            {
                "change": r.change,
                "request_id": r.request_id,
                "kind": r.kind,
                "client": r.client,
                **{f"old_{key}": value for key, value in a.items() if key != "coaches"},
                **{f"new_{key}": value for key, value in b.items() if key != "coaches"},
                "old_coaches": a["coaches"],
                "new_coaches": b["coaches"],
                "tell_client": r.tell_client,
                "tell_coaches": ";".join(r.tell_coaches),
                "cause": r.cause,
                "message": r.message(lang),
            }
        )
    return pd.DataFrame(table, columns=COLUMNS)
