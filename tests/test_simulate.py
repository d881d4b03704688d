"""The simulation in process: spec checks, determinism, carry-over, KPIs and the report."""

from __future__ import annotations

import csv
import html
import re
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from maps.coverage import coverage_map
from maps.offline import external_urls
from planner.errors import InputError
from planner.simulate import week
from planner.simulate.main import run_spec
from planner.simulate.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
NORTH = ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz"
TINY = f"""
name = "Tiny"
osm = "{NORTH}"
start_week = "2027-W02"
weeks = 3
seed = 3
time_limit_s = 10
round_branches = 20
[[depots]]
id = "JC-NEU"
name = "Rathaus Neudrossenfeld"
lat = 50.016742
lon = 11.501273
[population]
clients = 60
[requests]
per_week = 6
max_wait_weeks = 2
[siting]
minutes = 10
max_sites = 2
[[variants]]
name = "A"
vans = 1
coaches = 2
[[variants]]
name = "B"
vans = 1
coaches = 3
van_stops = 1
"""
pytestmark = pytest.mark.skipif(not NORTH.exists(), reason="the shared OSM extracts are not here")


def tiny_spec(tmp_path: Path, text: str = TINY) -> Path:
    """Write a spec file and return its path."""
    path = tmp_path / "tiny.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_name_file_and_key(tmp_path: Path) -> None:
    """Unknown keys, bad values and missing variants are all reported, each with its key."""
    text = TINY.replace("weeks = 3", "weeks = 0\nwekes = 3").replace("vans = 1\ncoaches = 3", "vans = -1")
    with pytest.raises(InputError) as caught:
        load_spec(tiny_spec(tmp_path, text))
    message = str(caught.value)
    assert "tiny.toml, key weeks" in message
    assert "tiny.toml, key wekes: unknown key" in message
    assert "variants[2].vans" in message


def test_same_seed_same_results_and_carry_over(tmp_path: Path) -> None:
    """Two in-process runs agree; unplaced requests reappear the next week or expire; report is offline."""
    spec = load_spec(tiny_spec(tmp_path))
    first, written = run_spec(spec, tmp_path / "out", coverage_map, workers=0)
    second, _ = run_spec(spec, tmp_path / "again", coverage_map, workers=0)
    strip = [replace(r, search_s=0.0) for r in first.rows]
    assert strip == [replace(r, search_s=0.0) for r in second.rows]
    assert all(r.stop_reason in ("converged", "budget") for r in first.rows)
    assert [r.violations for r in first.rows] == [0] * 6
    assert [s.violations for s in first.summaries] == [0, 0]
    assert [r.week for r in first.rows] == [1, 2, 3, 1, 2, 3]
    for prev, row in pairwise(first.rows):
        if row.variant == prev.variant:
            assert row.requests_due + row.waiting_notice >= prev.carried
    assert all(0 <= r.share_placed <= 1 and r.requests_due >= r.placed for r in first.rows)
    assert first.sites["A"] == () and len(first.sites["B"]) == 1
    csv_text = (tmp_path / "out" / "kpis.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].startswith("variant,replication,week,iso_week,requests_new")
    assert len(csv_text.splitlines()) == 7
    assert ",unplaced_reasons,violations,stop_reason," in csv_text.splitlines()[0]
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert external_urls(page) == []
    assert "<svg" in page and "OpenStreetMap" in page
    assert [p.name for p in written] == ["kpis.csv", "report.html"]


def test_every_week_is_validated_and_a_broken_one_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A week whose plan loses every request counts one violation per request ("lost")."""
    spec = load_spec(tiny_spec(tmp_path))
    real = week.assemble
    monkeypatch.setattr(week, "assemble", lambda *args: replace(real(*args), tours=(), unscheduled=()))
    kpi = week.simulate_week(spec, 0, 0, 0, (), ()).kpi
    assert kpi.requests_due > 0
    assert kpi.violations == kpi.requests_due


def test_unknown_site_ref_is_an_input_error(tmp_path: Path) -> None:
    """A van stop written as an OSM ref must be one of the candidate sites."""
    text = TINY.replace("van_stops = 1", 'van_stops = ["n1"]')
    with pytest.raises(InputError, match=r"variants\[2\].van_stops"):
        run_spec(load_spec(tiny_spec(tmp_path, text)), tmp_path / "out", coverage_map, workers=0)


def test_report_and_kpis_show_names_as_text(tmp_path: Path) -> None:
    """Markup in the spec's names is escaped in report.html; a formula in kpis.csv gets a quote."""
    name = '=HYPERLINK("http://example.org","<script>alert(1)</script>")'
    text = TINY.replace('name = "Tiny"', "name = '<img src=x onerror=alert(1)>'").replace(
        "weeks = 3", "weeks = 1"
    )
    text = text.replace('name = "A"', f"name = '{name}'").replace(
        'name = "Rathaus Neudrossenfeld"', "name = '<b>R</b>'"
    )
    run_spec(load_spec(tiny_spec(tmp_path, text)), tmp_path / "out", coverage_map, workers=0)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>R</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert (
        "=HYPERLINK(&quot;http://example.org&quot;,&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;)" in page
    )
    srcdoc = re.search(r'srcdoc="([^"]*)"', page)
    assert srcdoc  # the coverage map is a page inside the page: its popups are escaped too
    inner = re.sub(r"\\u([0-9a-fA-F]{4})", lambda hit: chr(int(hit[1], 16)), html.unescape(srcdoc[1]))
    assert "<b>R</b>" not in inner and "&lt;b&gt;R&lt;/b&gt;" in inner
    with (tmp_path / "out" / "kpis.csv").open(encoding="utf-8", newline="") as f:
        variants = {row["variant"] for row in csv.DictReader(f)}
    assert variants == {"'" + name, "B"}
