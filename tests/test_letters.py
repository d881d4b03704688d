"""letters.csv never sends a letter into the past, and a notice period that ends too late says when."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from planner.outputs.tables import letters_table
from planner.plan.tours import Plan
from planner.reasons import sentence
from planner.scenario import Kind, Scenario
from tests.factory import day, plan, request, scenario

FRIDAY_BEFORE = day(0) - timedelta(days=3)


def home_visit_week(planning_days_before: int, notice_days_before: int | None) -> tuple[Scenario, Plan]:
    """One home visit, planned on Monday; notice sent `notice_days_before` Monday (None: not sent)."""
    sent = None if notice_days_before is None else day(0) - timedelta(days=notice_days_before)
    sc = scenario(
        [request("h1", Kind.HOME_VISIT, notice_sent=sent)],
        planning_date=day(0) - timedelta(days=planning_days_before),
    )
    p = plan(sc)
    assert [s.start.date() for _, s in p.stops()] == [day(0)]
    return sc, p


def letter(sc: Scenario, p: Plan, lang: str = "de") -> dict[str, str]:
    (row,) = letters_table(p, sc, lang).to_dict("records")
    return row


def test_reminder_due_after_the_planning_date_is_sent_on_its_date() -> None:
    sc, p = home_visit_week(planning_days_before=28, notice_days_before=30)
    row = letter(sc, p)
    assert row["reminder_date"] == (day(0) - timedelta(days=10)).isoformat()
    assert row["overdue"] == ""
    assert row["action"] == "Ankündigung versandt; Erinnerung am 20.11.2026 senden"
    assert letter(sc, p, "en")["action"] == "Notice sent; send the reminder on 2026-11-20"


def test_reminder_date_before_the_planning_date_is_overdue_and_a_phone_call() -> None:
    """Planned on the Friday before the week: the reminder (ten days before Monday) has passed."""
    sc, p = home_visit_week(planning_days_before=3, notice_days_before=30)
    row = letter(sc, p)
    assert row["reminder_date"] < FRIDAY_BEFORE.isoformat()
    assert row["overdue"] == "reminder"
    assert row["action"] == "Erinnerung überfällig (war am 20.11.2026 fällig): bitte telefonisch erinnern"
    english = letter(sc, p, "en")
    assert english["overdue"] == "reminder"
    assert english["action"] == "Reminder overdue (was due on 2026-11-20): remind the client by phone"


def test_notice_due_on_the_planning_date_is_not_overdue_but_a_day_later_it_is() -> None:
    sc, p = home_visit_week(planning_days_before=21, notice_days_before=None)
    row = letter(sc, p)
    assert (row["notice_latest"], row["overdue"]) == (sc.settings.planning_date.isoformat(), "")
    assert row["action"] == "Ankündigung spätestens am 09.11.2026 versenden"
    later = replace(
        sc, settings=replace(sc.settings, planning_date=sc.settings.planning_date + timedelta(days=1))
    )
    row = letter(later, p)
    assert row["overdue"] == "notice"
    assert "überfällig" in row["action"] and "telefonisch" in row["action"]
    assert letter(later, p, "en")["action"] == (
        "Notice overdue (was due by 2026-11-09): agree the visit by phone or move it"
    )


def test_notice_not_sent_in_time_says_from_when_it_counts_and_to_send_it() -> None:
    """Planned on the Friday before: a notice sent today ends the period three weeks later."""
    sc = scenario([request("h1", Kind.HOME_VISIT)], planning_date=FRIDAY_BEFORE)
    (u,) = plan(sc).unscheduled
    assert u.reason == "notice_period"
    assert u.detail["date"] == (FRIDAY_BEFORE + timedelta(days=21)).isoformat()
    assert sentence(u.reason, u.detail) == (
        "Ankündigungsfrist erst am 18.12.2026 erfüllt (21 Tage nach dem Planungstag 27.11.2026): "
        "Ankündigung noch nicht versandt, jetzt versenden"
    )
    assert sentence(u.reason, u.detail, "en") == (
        "Notice period only satisfied on 2026-12-18 (21 days after the planning date 2026-11-27): "
        "the notice has not been sent, send it now"
    )


def test_notice_sent_too_late_says_when_it_was_sent() -> None:
    sent = day(0) - timedelta(days=10)
    sc = scenario([request("h1", Kind.HOME_VISIT, notice_sent=sent)], planning_date=FRIDAY_BEFORE)
    (u,) = plan(sc).unscheduled
    assert sentence(u.reason, u.detail) == (
        "Ankündigungsfrist erst am 11.12.2026 erfüllt (21 Tage nach der Ankündigung vom 20.11.2026)"
    )


def test_older_plans_without_the_notice_detail_still_read_well() -> None:
    assert sentence("notice_period", {"date": "2026-12-14"}) == "Ankündigungsfrist erst am 14.12.2026 erfüllt"
