"""The generated pages in a real headless Chromium, opened from file:// with no network.

Needs Debian's `chromium` and `chromium-driver` (tests/browser_setup.sh) and the PyPI package
selenium. Without them the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_maps import DAY1, FakeNetwork, request_ids, sample_plan, sample_scenario

from maps.render import render_all
from maps.sheets import CHROMIUM_FLAGS, print_pdf

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:  # reported by the `browser` fixture
    webdriver = None  # type: ignore[assignment]

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = os.environ.get("VANPLAN_SCREENSHOTS", "")


def _missing(reason: str) -> None:
    """Skip on a developer machine, fail in CI, where the browser must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: run tests/browser_setup.sh and install selenium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All German outputs of the sample plan."""
    root = tmp_path_factory.mktemp("browser")
    render_all(sample_plan(), sample_scenario(), FakeNetwork(), root)
    return root


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium through Debian's chromedriver, recording the network log."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        _missing("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    if webdriver is None:
        _missing("selenium is not installed (pip install selenium)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('profile')}")
    options.add_argument("--window-size=1280,860")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def open_page(browser: Any, path: Path, ready_js: str) -> float:
    """Open a file and wait until `ready_js` is true; the seconds it took."""
    browser.get_log("performance")  # drop what earlier pages logged
    start = time.perf_counter()
    browser.get(path.as_uri())
    while not browser.execute_script(f"return {ready_js};"):
        if time.perf_counter() - start > 10:
            raise TimeoutError(f"{path.name}: {ready_js} never became true")
        time.sleep(0.02)
    return time.perf_counter() - start


def requested_urls(browser: Any) -> list[str]:
    """Every URL the page asked for since the last call, from the DevTools network events."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            params = message["params"]
            urls.append(params.get("request", {}).get("url") or params.get("url", ""))
    return urls


PAGE_LOCAL = ("file://", "data:")
BROWSER_INTERNAL = ("chrome://", "chrome-extension://", "chrome-untrusted://", "devtools://", "about:")


def outside(urls: list[str]) -> list[str]:
    """The requests that would leave the machine: all but the page's own files and inline data, and
    the browser's internal pages (a fresh profile's first launch loads `chrome://resources/...`)."""
    return [u for u in urls if not u.startswith(PAGE_LOCAL + BROWSER_INTERNAL)]


@pytest.mark.parametrize(
    ("url", "leaves"),
    [
        ("file:///tmp/out/maps/woche.html", False),
        ("data:image/png;base64,AAAA", False),
        ("chrome://resources/js/load_time_data.js", False),
        ("devtools://devtools/bundled/inspector.html", False),
        ("about:blank", False),
        ("https://tile.openstreetmap.org/1/0/0.png", True),
        ("http://127.0.0.1:8000/x.js", True),
        ("wss://example.org/socket", True),
        ("ftp://example.org/a", True),
        ("blob:https://example.org/1234", True),
        ("", True),
    ],
)
def test_outside_keeps_every_scheme_but_local_and_browser_internal(url: str, leaves: bool) -> None:
    assert outside([url]) == ([url] if leaves else [])


def count(browser: Any, selector: str) -> int:
    """How many elements match a CSS selector."""
    return int(browser.execute_script(f"return document.querySelectorAll({json.dumps(selector)}).length;"))


def screenshot(browser: Any, name: str) -> Path:
    """Save a screenshot where VANPLAN_SCREENSHOTS says (to look at it), else next to the profile."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else Path(browser.capabilities["chrome"]["userDataDir"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    assert browser.save_screenshot(str(path))
    return path


def test_day_map_shows_routes_markers_legend_and_fetches_nothing(browser: Any, out: Path) -> None:
    plan = sample_plan()
    tours = [t for t in plan.tours if t.day == DAY1]
    seconds = open_page(
        browser, out / "maps" / "tag-2026-12-01.html", "document.querySelector('.vp-stop') !== null"
    )
    assert seconds <= 2.0
    assert count(browser, "path.vp-route") == sum(len(t.stops) + 1 for t in tours)
    assert count(browser, ".leaflet-marker-icon.vp-stop") == sum(len(t.stops) for t in tours)
    assert count(browser, ".leaflet-marker-icon.vp-depot") == 2
    assert count(browser, "path.vp-road") >= 3
    assert count(browser, ".leaflet-control-layers-overlays label") == 4  # roads, places, 2 vans
    legend = browser.find_element(By.CSS_SELECTOR, ".vp-list")
    assert legend.is_displayed() and "Beratungsmobil Nord" in legend.text and "Cem Celik" in legend.text
    assert legend.rect["x"] >= browser.find_element(By.CSS_SELECTOR, ".folium-map").rect["width"] - 1
    credit = browser.find_element(By.CSS_SELECTOR, ".leaflet-control-attribution")
    assert credit.is_displayed() and "© OpenStreetMap contributors" in credit.text
    assert count(browser, "a[href^='http']") == 0
    zoom = browser.execute_script(
        "for (const k in window) { if (k.startsWith('map_') && window[k] && window[k].getZoom) "
        "return window[k].getZoom(); } return null;"
    )
    assert zoom is not None and 8 < zoom < 17
    urls = requested_urls(browser)
    assert urls and not outside(urls), urls
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    screenshot(browser, "day-map.png")


def test_week_map_has_day_layers_and_unscheduled(browser: Any, out: Path) -> None:
    open_page(browser, out / "maps" / "woche.html", "document.querySelector('.vp-stop') !== null")
    assert count(browser, ".leaflet-marker-icon.vp-stop") == 6
    assert count(browser, ".leaflet-marker-icon.vp-unscheduled") == 1
    labels = browser.find_element(By.CSS_SELECTOR, ".leaflet-control-layers-overlays").text
    assert "Di 01.12.2026" in labels and "Mi 02.12.2026" in labels and "Nicht eingeplant (2)" in labels
    browser.find_element(By.CSS_SELECTOR, ".leaflet-marker-icon.vp-unscheduled").click()
    popup = browser.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").get_attribute("textContent")
    assert "R-20" in popup and "Ankündigungsfrist" in popup
    urls = requested_urls(browser)
    assert not outside(urls), urls


def test_popup_opens_without_jquery(browser: Any, out: Path) -> None:
    open_page(browser, out / "maps" / "tag-2026-12-01.html", "document.querySelector('.vp-stop') !== null")
    browser.find_element(By.CSS_SELECTOR, ".leaflet-marker-icon.vp-stop").click()
    popup = browser.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").get_attribute("textContent")
    assert re.search(r"\d\. \d\d:\d\d–\d\d:\d\d", popup) and "Puffer" in popup


def test_coach_page_shows_only_that_coachs_stops(browser: Any, out: Path) -> None:
    plan = sample_plan()
    for page in sorted((out / "coaches").glob("*/*.html")):
        coach = page.parent.name
        seconds = open_page(browser, page, "document.querySelector('.leaflet-marker-icon') !== null")
        assert seconds <= 2.0
        text = browser.find_element(By.TAG_NAME, "body").text + browser.page_source
        leaked = {x for x in request_ids(plan, coach, riding=False) if x in text}
        assert not leaked, f"{page}: {leaked}"
        n_stops = sum(len(t.stops) for t in plan.tours if coach in t.crew and t.day.isoformat() in page.stem)
        if page.stem == "woche":
            n_stops = sum(len(t.stops) for t in plan.tours if coach in t.crew)
        assert count(browser, ".leaflet-marker-icon.vp-stop") == n_stops
        assert count(browser, ".vp-list a[href^='geo:']") == n_stops
        assert not outside(requested_urls(browser))


def test_coach_page_is_usable_on_a_phone(browser: Any, out: Path) -> None:
    page = out / "coaches" / "C1" / "tag-2026-12-01.html"
    browser.set_window_size(1280, 860)
    open_page(browser, page, "document.querySelector('.vp-stop') !== null")
    map_box = browser.find_element(By.CSS_SELECTOR, ".folium-map").rect
    list_box = browser.find_element(By.CSS_SELECTOR, ".vp-list").rect
    assert list_box["x"] >= map_box["x"] + map_box["width"] - 1  # beside the map on a wide screen
    screenshot(browser, "coach-page.png")
    browser.set_window_size(400, 860)
    open_page(browser, page, "document.querySelector('.vp-stop') !== null")
    map_box = browser.find_element(By.CSS_SELECTOR, ".folium-map").rect
    list_box = browser.find_element(By.CSS_SELECTOR, ".vp-list").rect
    assert list_box["y"] >= map_box["y"] + map_box["height"] - 1  # under the map on a phone
    assert map_box["height"] > 300
    screenshot(browser, "coach-page-phone.png")
    browser.set_window_size(1280, 860)


def pdf_pages(pdf: bytes) -> int:
    """Number of page objects in a PDF."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_day_sheet_prints_to_pdf(browser: Any, out: Path, tmp_path: Path) -> None:
    sheet = out / "sheets" / "tag-2026-12-01-V1.html"
    open_page(browser, sheet, "document.readyState === 'complete'")
    assert "Bei Verspätung anrufen" in browser.find_element(By.TAG_NAME, "body").text
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) >= 1
    assert not outside(requested_urls(browser))
    printed = print_pdf(sheet, tmp_path / "sheet.pdf").read_bytes()
    assert printed.startswith(b"%PDF") and pdf_pages(printed) >= 1


def test_render_all_prints_day_sheets_to_pdf(tmp_path: Path) -> None:
    if CHROMIUM is None:
        _missing("chromium is not installed (apt-get install chromium)")
    plan = sample_plan()
    one_tour = replace(plan, tours=plan.tours[:1])
    written = render_all(one_tour, sample_scenario(), FakeNetwork(), tmp_path, pdf=True)
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert [p.name for p in pdfs] == ["tag-2026-12-01-V1.pdf"]
    assert pdfs[0].read_bytes().startswith(b"%PDF")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The small real scenario planned on the north-bayreuth road network, with all pages rendered."""
    from planner.pipeline import plan_scenario

    root = Path(__file__).resolve().parents[1]
    if not (root.parent / "shared" / "osm" / "north-bayreuth.osm.gz").exists():
        pytest.skip("shared OSM extracts missing")
    run = plan_scenario(
        root / "tests" / "data" / "valid_min", time_limit_s=3, cache_dir=tmp_path_factory.mktemp("c")
    )
    out = tmp_path_factory.mktemp("real")
    render_all(run.plan, run.scenario, run.network, out)
    return out, run.plan


def test_real_day_map_follows_the_roads_offline(browser: Any, real: tuple[Path, Any]) -> None:
    out, plan = real
    day = plan.tours[0].day
    tours = [t for t in plan.tours if t.day == day]
    seconds = open_page(
        browser, out / "maps" / f"tag-{day}.html", "document.querySelector('.vp-stop') !== null"
    )
    assert seconds <= 2.0
    assert count(browser, "path.vp-route") == sum(len(t.stops) + 1 for t in tours)
    assert count(browser, ".leaflet-marker-icon.vp-stop") == sum(len(t.stops) for t in tours)
    road_pieces = browser.execute_script(
        "return Array.from(document.querySelectorAll('path.vp-road'))"
        ".reduce((n, p) => n + p.getAttribute('d').split('M').length - 1, 0);"
    )
    assert road_pieces > 100  # the extract's roads, drawn without tiles
    points = browser.execute_script(
        "return Array.from(document.querySelectorAll('path.vp-route'))"
        ".map(p => p.getAttribute('d').split(/[LM]/).length);"
    )
    assert max(points) > 3  # routes bend along roads instead of running straight
    urls = requested_urls(browser)
    assert urls and not outside(urls), urls
    screenshot(browser, "real-day-map.png")
