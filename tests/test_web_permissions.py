"""Every URL of the web app x every role (and anonymous) gives the expected status: a coach never
reaches another coach's stops (404, not just hidden), nobody but the coordinator sees client tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from planner.pipeline import Run
from tests.web_world import World, data_dir, plan_demo, world  # noqa: F401 (fixture)
from web.models import FeedToken, PlanVersion
from web.urls import urlpatterns

ROLES = ("anonymous", "coordinator", "coach_own", "coach_other", "management", "admin")
LOGIN = 302  # login_required sends the anonymous user to the login page


def expect(
    coord: int, coach: int = 403, mgmt: int = 403, admin: int = 403, other: int | None = None
) -> dict[str, int]:
    return {"anonymous": LOGIN, "coordinator": coord, "coach_own": coach,
            "coach_other": coach if other is None else other, "management": mgmt, "admin": admin}  # fmt: skip


def matrix(w: World) -> list[tuple[str, str, str, dict[str, object], dict[str, int]]]:
    """(url name, method, path, form data, role -> status)."""
    v, wk, d = w.version.pk, w.week.pk, w.own_day
    everyone = dict.fromkeys(ROLES, 200)
    return [
        ("login", "get", "/login/", {}, everyone),
        ("logout", "post", "/logout/", {}, dict.fromkeys(ROLES, 302)),
        ("home", "get", "/", {}, dict.fromkeys(ROLES, 302)),
        ("language", "post", "/language/", {"lang": "en"}, dict.fromkeys(ROLES, 302)),
        ("weeks", "get", "/weeks/", {}, expect(200)),
        ("week", "get", f"/weeks/{wk}/", {}, expect(200)),
        ("upload", "post", f"/weeks/{wk}/upload/", {}, expect(302)),
        ("table", "get", f"/weeks/{wk}/tables/requests/", {}, expect(200)),
        ("settings", "get", f"/weeks/{wk}/settings/", {}, expect(200)),
        ("plan", "post", f"/weeks/{wk}/plan/", {}, expect(302)),
        ("job", "get", f"/jobs/{w.job.pk}/", {}, expect(200)),
        ("change", "post", f"/versions/{v}/change/", {"action": "pin", "request": w.own_stop}, expect(302)),
        ("publish", "post", f"/versions/{v}/publish/", {}, expect(302)),
        ("day_map", "get", f"/versions/{v}/day/{d}/", {}, expect(200)),
        ("download", "get", f"/versions/{v}/files/tours.csv", {}, expect(200)),
        ("sheet_pdf", "get", f"/versions/{v}/sheets/{w.van}/{d}.pdf", {}, expect(200)),
        ("audit", "get", "/audit/", {}, expect(200)),
        ("feeds", "get", "/feeds/", {}, expect(200)),
        ("revoke", "post", f"/feeds/{w.token_pk}/revoke/", {}, expect(302)),
        ("kpi", "get", "/kpi/", {}, expect(200, mgmt=200)),
        ("simulations", "get", "/simulations/", {}, expect(200, mgmt=200)),
        ("simulation", "get", f"/simulations/{w.simulation.pk}/", {}, expect(200, mgmt=200)),
        ("report", "get", f"/simulations/{w.simulation.pk}/report/", {}, expect(200, mgmt=200)),
        ("kpis", "get", f"/simulations/{w.simulation.pk}/kpis.csv", {}, expect(200, mgmt=200)),
        ("sim_job", "get", f"/simulations/jobs/{w.sim_job.pk}/", {}, expect(200, mgmt=200)),
        ("coach", "get", "/coach/", {}, expect(403, coach=200)),
        ("coach_stop", "get", f"/coach/{v}/stops/{w.own_stop}/", {}, expect(403, coach=200, other=404)),
        ("coach_map", "get", f"/coach/{v}/day/{d}/", {}, expect(403, coach=200, other=404)),
        ("feed", "get", f"/calendar/{w.token}.ics", {}, everyone),
        ("admin:index", "get", "/admin/", {}, {**expect(302, 302, 302, 200), "anonymous": 302}),
    ]


def names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    out = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                out.add("admin:index")
        elif p.name:
            out.add(p.name)
    return out


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    out = tmp_path_factory.mktemp("demo")
    return out, plan_demo(out)


@pytest.mark.django_db
def test_every_url_answers_every_role_as_the_issue_says(demo: tuple[Path, Run]) -> None:
    w = world(demo)
    rows = matrix(w)
    assert {r[0] for r in rows} == names(urlpatterns), "a URL of web/urls.py is missing from the matrix"
    wrong = []
    for role in ROLES:
        for _name, method, path, data, want in rows:
            # coaches see published versions only; the revoke row must not close the feed for the next
            PlanVersion.objects.filter(pk=w.version.pk).update(published_at=timezone.now())
            FeedToken.objects.update(revoked_at=None)
            client = Client()
            if w.users[role] is not None:
                client.force_login(w.users[role])
            got = getattr(client, method)(path, data).status_code
            if got != want[role]:
                wrong.append(f"{role} {method.upper()} {path}: {got}, expected {want[role]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_coach_reaches_nothing_of_another_coachs_clients(demo: tuple[Path, Run]) -> None:
    w = world(demo)
    w.version.published_at = timezone.now()
    w.version.save()
    other = Client()
    other.force_login(w.users["coach_other"])
    page = other.get("/coach/").content.decode()
    assert w.own_stop not in page
    assert other.get(f"/coach/{w.version.pk}/stops/{w.own_stop}/").status_code == 404
    own = Client()
    own.force_login(w.users["coach_own"])
    assert w.own_stop in own.get("/coach/").content.decode()
    # an unpublished version is invisible even to its own coach
    w.version.published_at = None
    w.version.save()
    assert own.get(f"/coach/{w.version.pk}/stops/{w.own_stop}/").status_code == 404
    assert w.own_stop not in own.get("/coach/").content.decode()


@pytest.mark.django_db
def test_management_figures_show_no_client_reference(demo: tuple[Path, Run]) -> None:
    w = world(demo)
    boss = Client()
    boss.force_login(w.users["management"])
    page = boss.get("/kpi/").content.decode()
    plan = demo[1].plan
    assert str(len(plan.stops())) in page and w.week.title in page
    clients = {s.client for _, s in plan.stops()} | {u.client for u in plan.unscheduled}
    assert not [c for c in clients if c and c in page]
