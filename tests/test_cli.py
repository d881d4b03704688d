"""The `vanplan` command as a user runs it: the demo end to end, clear errors, exit codes."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "bayreuth-nord"
VALID_MIN = ROOT / "tests" / "data" / "valid_min"
pytestmark = pytest.mark.skipif(
    not (ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz").exists(),
    reason="shared OSM extracts missing",
)


def vanplan(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command line in a fresh process, as a user would."""
    cmd = [sys.executable, "-m", "planner.cli", *map(str, args), "--cache", str(cache)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, cache: Path
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("out")
    return out, vanplan("plan", DEMO, "--out", out, "--time-limit", "5", "--seed", "3", cache=cache)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_demo_plans_every_request_or_explains_it(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, result = demo
    assert result.returncode == 0, result.stderr
    assert "Plan hält alle Regeln ein." in result.stdout
    requests = {r["id"] for r in rows(DEMO / "requests.csv")}
    placed = [r["request_id"] for r in rows(out / "tours.csv")]
    unscheduled = rows(out / "unscheduled.csv")
    assert len(placed) == len(set(placed)) and len(placed) > 20
    assert set(placed) | {u["request_id"] for u in unscheduled} == requests
    assert not set(placed) & {u["request_id"] for u in unscheduled}
    assert all(u["message"] and u["reason"] for u in unscheduled)
    assert any(u["message"].startswith("Ankündigungsfrist erst am") for u in unscheduled)


def test_demo_writes_letters_for_planned_home_visits(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = demo
    visits = {r["request_id"] for r in rows(out / "tours.csv") if r["kind"] == "home_visit"}
    letters = rows(out / "letters.csv")
    assert {r["request_id"] for r in letters} == visits
    for r in letters:
        assert r["notice_latest"] < r["reminder_date"] < r["visit_date"]


def test_demo_writes_maps_sheets_and_calendars(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = demo
    days = {r["date"] for r in rows(out / "tours.csv")}
    assert {p.name for p in (out / "maps").glob("tag-*.html")} == {f"tag-{d}.html" for d in days}
    assert (out / "maps" / "woche.html").exists()
    assert list((out / "calendars").glob("*.ics"))
    assert list((out / "sheets").glob("*.html"))


def test_validate_accepts_the_demo_plan_and_rejects_a_tampered_one(
    demo: tuple[Path, subprocess.CompletedProcess[str]], cache: Path, tmp_path: Path
) -> None:
    out, _ = demo
    ok = vanplan("validate", DEMO, out / "plan.json", cache=cache)
    assert ok.returncode == 0, ok.stderr
    raw = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    lost = raw["unscheduled"].pop()["request_id"]
    (tmp_path / "plan.json").write_text(json.dumps(raw), encoding="utf-8")
    bad = vanplan("validate", DEMO, tmp_path / "plan.json", cache=cache)
    assert bad.returncode == 3
    assert f"[lost] {lost}" in bad.stderr


def test_input_error_names_file_row_and_column_without_traceback(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "sc"
    shutil.copytree(VALID_MIN, folder)
    text = (folder / "requests.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("kind")] = "hausbesuch"
    text[1] = ",".join(cells)
    (folder / "requests.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = vanplan("plan", folder, "--out", tmp_path / "out", "--time-limit", "1", cache=cache)
    assert result.returncode == 2
    assert "requests.csv row 2, column kind" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_english_output_on_request(tmp_path: Path, cache: Path) -> None:
    result = vanplan(
        "plan", VALID_MIN, "--out", tmp_path, "--time-limit", "2", "--lang", "en", "--no-maps", cache=cache
    )
    assert result.returncode == 0, result.stderr
    assert "The plan keeps every rule." in result.stdout
    assert not (tmp_path / "maps").exists()


def test_unreadable_plan_file_is_an_input_error(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "plan.json").write_text("{not json", encoding="utf-8")
    result = vanplan("validate", VALID_MIN, tmp_path / "plan.json", cache=cache)
    assert result.returncode == 2
    assert "not a readable plan" in result.stderr and "Traceback" not in result.stderr
