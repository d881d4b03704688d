"""The coordinator's week through the web app's views and its real worker (`web.jobs.run_next`):
input problems listed by file, row and column before anything is planned; table edits checked at
once; planning, a move, a refused move, publishing; what the coach and the calendar feed get."""

from __future__ import annotations

import io
import re
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from test_simulate import TINY

from planner.input.load import load_scenario
from planner.network import load_network
from planner.plan.tours import Plan
from planner.plan.validate import validate
from tests.web_world import DEMO, data_dir, user  # noqa: F401 (fixture)
from web.jobs import run_next
from web.models import AuditEntry, Job, PlanVersion, Role, Week

TABLES = ("requests.csv", "vans.csv", "coaches.csv", "roster.csv", "scenario.toml")


def upload(name: str, text: bytes) -> io.BytesIO:
    f = io.BytesIO(text)
    f.name = name
    return f


def demo_files(**replace: bytes) -> list[io.BytesIO]:
    return [upload(n, replace.get(n.split(".")[0], (DEMO / n).read_bytes())) for n in TABLES]


def coordinator() -> Client:
    c = Client()
    c.force_login(user("coord", Role.COORDINATOR))
    return c


@pytest.mark.django_db
def test_input_problems_are_listed_by_file_row_and_column_and_block_planning() -> None:
    c = coordinator()
    broken = (
        (DEMO / "requests.csv").read_text().replace("R002,walk_and_talk", "R002,walk_and_tlak", 1).encode()
    )
    week_url = c.post("/weeks/", {"tables": demo_files(requests=broken)})["Location"]
    page = c.get(week_url).content.decode()
    assert "requests.csv" in page and ">3<" in page and ">kind<" in page and "walk_and_tlak" in page
    assert 'id="plan-week"' not in page
    c.post(week_url + "plan/")
    assert Job.objects.count() == 0  # nothing is planned while the tables are broken

    # fixed in the table editor: the row's kind cell
    week = Week.objects.get()
    form = c.get(f"{week_url}tables/requests/").context
    header, rows = form["header"], form["rows"]
    data = {"rows": str(form["count"])}
    for i, row in rows:
        for k, cell in enumerate(row):
            data[f"c-{i}-{k}"] = "walk_and_talk" if cell == "walk_and_tlak" else cell
    assert c.post(f"{week_url}tables/requests/", data).status_code == 302
    week.refresh_from_db()
    assert week.problems == [] and len(header) == 24
    assert 'id="plan-week"' in c.get(week_url).content.decode()


@pytest.mark.django_db
def test_uploads_other_than_the_tables_or_too_big_are_refused(settings: object) -> None:
    c = coordinator()
    week_url = c.post("/weeks/", {"tables": demo_files()})["Location"]
    settings.MAX_UPLOAD_BYTES = 1000  # type: ignore[attr-defined]
    files = [upload("../../etc/passwd", b"x"), upload("requests.csv", b"x" * 2000)]
    response = c.post(week_url + "upload/", {"tables": files}, follow=True)
    text = response.content.decode()
    assert "not a table of a week" in text and "larger than" in text
    assert not (Week.objects.get().folder / "passwd").exists()
    assert (Week.objects.get().folder / "requests.csv").read_bytes() == (DEMO / "requests.csv").read_bytes()


@pytest.mark.django_db
def test_plan_move_refuse_publish_and_what_coach_and_feed_get() -> None:
    c = coordinator()
    week_url = c.post("/weeks/", {"tables": demo_files()})["Location"]
    c.post(week_url + "plan/")
    job = run_next()
    assert job is not None and job.status == Job.Status.DONE, job.message
    v1 = PlanVersion.objects.get()
    plan = Plan.read(v1.folder / "plan.json")
    week = Week.objects.get()
    scenario = load_scenario(week.folder)
    assert (
        validate(
            scenario,
            plan,
            load_network(scenario.settings.network, week.folder, Path(settings.CACHE_DIR)).matrix,
        )
        == []
    )
    page = c.get(week_url).content.decode()
    first = plan.tours[0].stops[0]
    assert f'id="stop-{first.request_id}"' in page and first.client in page
    assert "Beratungsmobil 1" in page and "Selin Aksoy" in page  # vans and crews by name
    waiting = plan.unscheduled[0]
    assert waiting.request_id in page  # the waiting list with its reason
    assert "tours.csv" in page and c.get(f"/versions/{v1.pk}/files/tours.csv").status_code == 200
    assert AuditEntry.objects.filter(action="export", what__contains="tours.csv").exists()
    assert first.client in AuditEntry.objects.filter(action="view").first().clients

    # a move that cannot be made: onto a Sunday, when no van rides
    tour = plan.tours[0]
    c.post(f"/versions/{v1.pk}/change/", {"action": "move", "request": first.request_id, "van": tour.van,
                                           "start": "2026-12-06T10:00"})  # fmt: skip
    job = run_next()
    assert job is not None and job.status == Job.Status.DONE and job.result is None
    assert first.request_id in job.message and "nicht möglich" in job.message
    assert PlanVersion.objects.count() == 1
    assert "Verschieben nicht möglich" in c.get(week_url).content.decode()

    # cancel one appointment: the next version lists it as cancelled and whom to tell
    c.post(f"/versions/{v1.pk}/change/", {"action": "cancel", "request": first.request_id, "by": "client"})
    job = run_next()
    assert job is not None and job.status == Job.Status.DONE, job.message
    v2 = job.result
    assert v2 is not None and v2.parent == v1 and v2.number == 2
    assert [r["request_id"] for r in v2.changes if r["change"] == "cancelled"] == [first.request_id]
    new = Plan.read(v2.folder / "plan.json")
    assert first.request_id not in {s.request_id for _, s in new.stops()}

    # the coach of that tour sees the published version only, the feed too
    coach_id = tour.crew[0]
    coach = Client()
    coach.force_login(user("c", Role.COACH, coach_id))
    assert tour.stops[-1].request_id not in coach.get("/coach/").content.decode()
    assert c.post(f"/versions/{v2.pk}/publish/").status_code == 302
    page = coach.get("/coach/").content.decode()
    kept = next(s for t in new.tours if coach_id in t.crew for s in t.stops)
    assert kept.request_id in page and first.request_id not in page
    feed = c.post("/feeds/", {"coach": coach_id}).context["new_url"]
    assert feed not in c.get("/feeds/").content.decode()  # the secret is shown once, only its hash is kept
    cal = icalendar.Calendar.from_ical(Client().get(feed).content)
    mine = {s.request_id for t in new.tours if coach_id in t.crew for s in t.stops}
    uids = " ".join(str(e["uid"]) for e in cal.walk("VEVENT"))
    assert all(rid in uids for rid in mine)
    assert AuditEntry.objects.filter(action="feed").exists()
    token = c.get("/feeds/").context["tokens"][0]
    c.post(f"/feeds/{token.pk}/revoke/")
    assert Client().get(feed).status_code == 404


# the simulation tests' tiny spec, naming its extract by file name only (the server's map folder has
# it, VANPLAN_OSM_DIR), one week, a short search
SPEC = (
    re.sub(r'osm = ".*"', 'osm = "north-bayreuth.osm.gz"', TINY)
    .replace("weeks = 3", "weeks = 1")
    .replace("time_limit_s = 10", "time_limit_s = 3")
)


@pytest.mark.django_db
def test_management_runs_a_simulation_and_reads_its_report_without_client_data() -> None:
    boss = Client()
    boss.force_login(user("boss", Role.MANAGEMENT))
    spec = upload("bad.toml", SPEC.replace("weeks = 1", "weeks = 0").encode())
    bad = boss.post("/simulations/", {"spec": spec}, follow=True)
    assert "bad.toml" in bad.content.decode() and "weeks" in bad.content.decode()
    page = boss.post("/simulations/", {"spec": upload("tiny.toml", SPEC.encode())})["Location"]
    job = run_next()
    assert job is not None and job.status == Job.Status.DONE, job.message
    assert 'src="/simulations/' in boss.get(page).content.decode()
    report = boss.get(page + "report/")
    assert report.status_code == 200 and b"<svg" in report.content
    kpis = boss.get(page + "kpis.csv")
    assert b"variant" in b"".join(kpis.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_pin_urgent_request_and_absent_coach_from_the_week_page() -> None:
    c = coordinator()
    week_url = c.post("/weeks/", {"tables": demo_files()})["Location"]
    c.post(week_url + "plan/")
    assert run_next() is not None
    v1 = PlanVersion.objects.get()
    plan = Plan.read(v1.folder / "plan.json")
    week = Week.objects.get()
    tour = plan.tours[0]
    stop = tour.stops[0]

    c.post(f"/versions/{v1.pk}/change/", {"action": "pin", "request": stop.request_id})
    row = next(r for r in load_scenario(week.folder).requests if r.id == stop.request_id)
    assert (row.pin_van, row.pin_date, row.pin_start) == (
        tour.van,
        tour.day,
        stop.start.time().replace(second=0),
    )
    c.post(f"/versions/{v1.pk}/change/", {"action": "unpin", "request": stop.request_id})
    assert not next(r for r in load_scenario(week.folder).requests if r.id == stop.request_id).pinned

    urgent = {
        "action": "urgent", "id": "U1", "kind": "walk_and_talk", "client": "K-9001", "lat": "50.0168",
        "lon": "11.5013", "place": "Rathaus", "duration_min": "45", "staff": "1", "priority": "1",
    }  # fmt: skip
    wrong = c.post(f"/versions/{v1.pk}/change/", urgent | {"availability": "Mo 25:00-26:00"}, follow=True)
    assert "availability" in wrong.content.decode() and "requests.csv" in wrong.content.decode()
    assert "U1" not in {r.id for r in load_scenario(week.folder).requests}  # the rejected row is gone again
    assert Job.objects.filter(kind=Job.Kind.REPLAN).count() == 0

    c.post(f"/versions/{v1.pk}/change/", urgent)
    job = run_next()
    assert job is not None and job.status == Job.Status.DONE, job.message
    v2 = job.result
    assert v2 is not None
    new = Plan.read(v2.folder / "plan.json")
    placed = {s.request_id for _, s in new.stops()}
    assert "U1" in placed or "U1" in {u.request_id for u in new.unscheduled}  # nothing is lost
    if "U1" in placed:
        assert [r["change"] for r in v2.changes if r["request_id"] == "U1"] == ["added"]

    coach = tour.crew[0]
    c.post(f"/versions/{v2.pk}/change/", {"action": "absent", "coach": coach, "dates": tour.day.isoformat()})
    job = run_next()
    assert job is not None and job.status == Job.Status.DONE, job.message
    v3 = job.result
    assert v3 is not None and v3.parent == v2
    after = Plan.read(v3.folder / "plan.json")
    assert not [t for t in after.tours if t.day == tour.day and coach in t.crew]
    assert v3.violations == []


@pytest.mark.django_db
def test_a_new_week_carries_vans_coaches_roster_and_settings_over() -> None:
    c = coordinator()
    c.post("/weeks/", {"tables": demo_files()})
    second = c.post(
        "/weeks/",
        {"week": "2026-W50", "tables": [upload("requests.csv", (DEMO / "requests.csv").read_bytes())]},
    )
    week = Week.objects.order_by("-pk").first()
    assert week is not None and second["Location"] == f"/weeks/{week.pk}/"
    assert 'week = "2026-W50"' in (week.folder / "scenario.toml").read_text()
    first_roster = (DEMO / "roster.csv").read_text().splitlines()[1]
    assert first_roster.startswith("2026-11-30")
    assert (week.folder / "roster.csv").read_text().splitlines()[1].startswith("2026-12-07")
    assert (week.folder / "vans.csv").read_bytes() == (DEMO / "vans.csv").read_bytes()

    # scenario.toml in its form: a broken value is named by line and key
    text = (week.folder / "scenario.toml").read_text()
    c.post(f"/weeks/{week.pk}/settings/", {"text": text.replace("max_work_min = 600", "max_work_min = -5")})
    week.refresh_from_db()
    assert [p["column"] for p in week.problems if p["file"] == "scenario.toml"] == ["work.max_work_min"]
