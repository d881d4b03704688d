"""End to end in a real headless Chromium against `vanplan serve` (server and worker processes, the
database of DATABASE_URL or SQLite): the coordinator uploads the demo tables, plans, moves a stop and
publishes; the coach of that tour sees the moved stop on a phone-sized window; another coach gets
404 for it; no request leaves the app. Writes the week view screenshot the README shows."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_browser import BROWSER_INTERNAL, browser, requested_urls  # noqa: F401 (fixture)

from planner.plan.tours import Plan

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "bayreuth-nord"
SCREENSHOT = ROOT / "docs" / "img" / "week-view.png"
PASSWORD = "e2e-password-long-enough"
TABLES = ("requests.csv", "vans.csv", "coaches.csv", "roster.csv", "scenario.toml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> tuple[str, str]:
    """The server's own database: a fresh PostgreSQL database when the tests run on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return "", ""
    import psycopg

    name = f"vanplan_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, query = url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else ""), name


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """`vanplan serve` on a free port with users for the coordinator and every demo coach."""
    data = tmp_path_factory.mktemp("web-data")
    url, dbname = database_url()
    env = {
        **os.environ,
        "VANPLAN_NOW": "2026-11-30 06:00",
        "VANPLAN_TIME_LIMIT": "5",
        "VANPLAN_DATA": str(data),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if url:
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
    vanplan = str(Path(sys.executable).with_name("vanplan"))
    users = {"coord": "coordinator"} | {f"coach{i}": f"C{i}" for i in range(1, 5)}
    for name, what in users.items():
        role = ["--role", "coordinator"] if what == "coordinator" else ["--role", "coach", "--coach", what]
        command = [vanplan, "createuser", name, *role, "--data", str(data)]
        subprocess.run(command, env={**env, "VANPLAN_PASSWORD": PASSWORD}, check=True, capture_output=True)
    port = free_port()
    osm = ROOT.parent / "shared" / "osm"
    proc = subprocess.Popen(
        [vanplan, "serve", "--data", str(data), "--port", str(port), "--osm-dir", str(osm)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield base, data, users
    proc.terminate()
    proc.wait(timeout=30)
    if dbname:
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def login(b: Any, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    b.delete_all_cookies()
    b.get(f"{base}/login/")
    b.find_element(By.NAME, "username").send_keys(name)
    b.find_element(By.NAME, "password").send_keys(PASSWORD)
    b.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()


def wait_for(b: Any, css: str, seconds: float = 240) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(b, seconds).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def candidates(plan: Plan) -> list[tuple[str, str, datetime]]:
    """Moves likely to fit: a stop 10 minutes later where the next stop waits long enough anyway."""
    out = []
    for tour in plan.tours:
        for a, b in zip(tour.stops, tour.stops[1:], strict=False):
            slack = (b.start - b.arrival).total_seconds() / 60
            if slack >= 20:
                out.append((slack, a.request_id, tour.van, a.start + timedelta(minutes=10)))
    return [(rid, van, start) for _, rid, van, start in sorted(out, reverse=True)][:4]


def test_coordinator_plans_moves_publishes_and_the_coach_sees_it(browser: Any, server: Any) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, data, _users = server
    b = browser
    b.set_window_size(1280, 900)
    b.get_log("performance")
    login(b, base, "coord")
    wait_for(b, "#new-week")
    b.find_element(By.CSS_SELECTOR, "#new-week input[type=file]").send_keys(
        "\n".join(str(DEMO / t) for t in TABLES)
    )
    b.find_element(By.CSS_SELECTOR, "#new-week button[type=submit]").click()
    wait_for(b, "#plan-week").click()
    wait_for(b, "#version", 300)
    week_url = b.current_url.split("?")[0]
    plan = Plan.read(next((data / "versions").glob("*/plan.json")))

    moved = None
    for rid, van, start in candidates(plan):
        b.get(week_url)
        row = wait_for(b, f"#stop-{rid}")
        row.find_element(By.CSS_SELECTOR, "details summary").click()
        form = row.find_element(By.CSS_SELECTOR, "form.move")
        field = form.find_element(By.NAME, "start")
        b.execute_script("arguments[0].value = arguments[1];", field, f"{start:%Y-%m-%dT%H:%M}")
        form.find_element(By.CSS_SELECTOR, "button").click()
        WebDriverWait(b, 30).until(ec.staleness_of(form))  # the page of the running job ...
        wait_for(b, "#plan-week", 300)  # ... reloads when the replan is over
        if not b.find_elements(By.CSS_SELECTOR, ".refused"):
            moved = (rid, van, start)
            break
    assert moved is not None, "no candidate move was accepted"
    rid, van, start = moved
    assert rid in b.find_element(By.CSS_SELECTOR, "table.changes").text
    assert f"{start:%H:%M}" in b.find_element(By.ID, f"stop-{rid}").text
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    b.set_window_size(1280, 1700)  # versions, what changed and the first day's map
    b.execute_script("document.querySelector('section.day iframe').scrollIntoView(false)")
    time.sleep(1)  # the map frame draws its tiles of roads
    b.save_screenshot(str(SCREENSHOT))
    b.set_window_size(1280, 900)
    b.find_element(By.ID, "publish").click()
    wait_for(b, ".badge")

    tour = next(t for t in plan.tours if any(s.request_id == rid for s in t.stops))
    coach = f"coach{tour.crew[0][1:]}"
    other = next(f"coach{i}" for i in range(1, 5) if f"C{i}" not in tour.crew)
    b.set_window_size(390, 844)  # a phone
    login(b, base, coach)
    wait_for(b, "ol.stops")
    link = b.find_element(By.CSS_SELECTOR, f"a[href*='/stops/{rid}/']")
    assert f"{start:%H:%M}" in link.text
    stop_url = link.get_attribute("href")
    link.click()
    assert f"{start:%H:%M}" in wait_for(b, "h1").text
    assert b.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")

    login(b, base, other)
    wait_for(b, "main h1")
    assert rid not in b.find_element(By.TAG_NAME, "main").text
    status = b.execute_async_script(
        "fetch(arguments[0]).then(r => arguments[1](r.status))", stop_url
    )  # with this coach's session
    assert status == 404
    b.get(stop_url)
    assert "Nicht gefunden" in b.find_element(By.TAG_NAME, "h1").text

    leaving = [u for u in requested_urls(b) if not u.startswith((base, "data:", *BROWSER_INTERNAL))]
    assert leaving == [], leaving
