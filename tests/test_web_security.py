"""Security and data protection of the web app: Argon2 hashes, login throttling, session expiry,
CSRF on every form, a Content-Security-Policy without any other origin, German pages by default
with every text translated."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings as conf
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from tests.web_world import PASSWORD, data_dir, user  # noqa: F401 (fixture)
from web.models import Role

PRODUCTION_HASHERS = [h for h in conf.PASSWORD_HASHERS if "MD5" not in h]


def test_passwords_are_hashed_with_argon2() -> None:
    assert PRODUCTION_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        assert make_password("correct horse battery staple").startswith("argon2$")


@pytest.mark.django_db
def test_login_is_locked_after_five_wrong_passwords() -> None:
    user("anna", Role.COORDINATOR)
    c = Client()
    assert c.post("/login/", {"username": "anna", "password": PASSWORD}).status_code == 302  # works
    c = Client()
    tries = [c.post("/login/", {"username": "anna", "password": "wrong"}).status_code for _ in range(5)]
    assert tries == [200, 200, 200, 200, 429]
    locked = c.post("/login/", {"username": "anna", "password": PASSWORD})
    assert locked.status_code == 429 and "gesperrt" in locked.content.decode()
    assert "_auth_user_id" not in c.session


@pytest.mark.django_db
def test_sessions_end_after_two_idle_hours_and_with_the_browser() -> None:
    assert conf.SESSION_COOKIE_AGE == 7200 and conf.SESSION_SAVE_EVERY_REQUEST
    assert conf.SESSION_EXPIRE_AT_BROWSER_CLOSE and conf.SESSION_COOKIE_HTTPONLY
    c = Client()
    c.force_login(user("anna", Role.COORDINATOR))
    assert c.get("/weeks/").status_code == 200
    session = c.session
    session.set_expiry(-1)  # as if two hours passed
    session.save()
    assert c.get("/weeks/").status_code == 302


@pytest.mark.django_db
def test_every_form_needs_its_csrf_token() -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user("anna", Role.COORDINATOR))
    for path in ("/weeks/", "/logout/", "/language/", "/feeds/"):
        assert c.post(path, {}).status_code == 403, path
    page = c.get("/weeks/").content.decode()
    assert page.count("csrfmiddlewaretoken") == page.count('<form method="post"')


@pytest.mark.django_db
def test_content_security_policy_allows_no_other_origin() -> None:
    c = Client()
    c.force_login(user("anna", Role.COORDINATOR))
    policy = c.get("/weeks/").headers["Content-Security-Policy"]
    assert (
        "default-src 'self'" in policy
        and "script-src 'self'" in policy
        and "frame-ancestors 'self'" in policy
    )
    assert not re.search(r"https?:|\*", policy), policy
    assert "unsafe-inline" not in policy


def test_page_texts_are_all_translated_to_german() -> None:
    po = polib.pofile(str(Path(conf.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    mo = Path(conf.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_mtime >= Path(po.fpath).stat().st_mtime - 1, "run make messages"


@pytest.mark.django_db
def test_pages_are_german_by_default_and_english_on_request() -> None:
    c = Client(headers={"accept-language": "en"})
    assert "Anmelden" in c.get("/login/").content.decode()  # the browser's language does not count
    c.post("/language/", {"lang": "en"})
    assert "Log in" in c.get("/login/").content.decode()
