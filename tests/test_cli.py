"""The `vanplan` command as a user runs it: the demo end to end, clear errors, exit codes."""

from __future__ import annotations

import csv
import json
import re
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
    assert (
        '1 Problem im Szenario:\n  requests.csv Zeile 2, Spalte kind: "hausbesuch" ist keine Art'
        in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout
    english = vanplan("plan", folder, "--out", tmp_path / "out", "--lang", "en", cache=cache)
    assert english.returncode == 2
    assert 'requests.csv row 2, column kind: "hausbesuch" is not a kind' in english.stderr


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
    assert "kein lesbarer Plan" in result.stderr and "Traceback" not in result.stderr


def edited_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """valid_min with one text replacement in one file (and its extract path made absolute)."""
    folder = tmp_path / "sc"
    shutil.copytree(VALID_MIN, folder)
    toml = folder / "scenario.toml"
    extract = (ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz").as_posix()
    toml.write_text(
        re.sub(r'osm = ".*"', f'osm = "{extract}"', toml.read_text(encoding="utf-8")), encoding="utf-8"
    )
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_missing_extract_is_an_input_error_at_network_osm(tmp_path: Path, cache: Path) -> None:
    folder = edited_copy(tmp_path, "scenario.toml", "north-bayreuth.osm.gz", "nope.osm.gz")
    result = vanplan("plan", folder, "--out", tmp_path / "out", "--time-limit", "1", cache=cache)
    assert result.returncode == 2
    assert "scenario.toml, Schlüssel network.osm: OSM-Auszug nicht gefunden" in result.stderr
    assert "nope.osm.gz" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_depot_off_the_road_network_is_an_input_error(tmp_path: Path, cache: Path) -> None:
    text = (VALID_MIN / "scenario.toml").read_text(encoding="utf-8")
    lat_line = next(line for line in text.splitlines() if line.startswith("lat"))
    folder = edited_copy(tmp_path, "scenario.toml", lat_line, "lat = 52.52")  # Berlin
    result = vanplan("plan", folder, "--out", tmp_path / "out", "--time-limit", "1", cache=cache)
    assert result.returncode == 2
    assert (
        "scenario.toml, Schlüssel depots[1]" in result.stderr and "vom Straßennetz entfernt" in result.stderr
    )


def test_map_for_one_coach_and_day_leaves_the_week_files_alone(
    demo: tuple[Path, subprocess.CompletedProcess[str]], cache: Path, tmp_path: Path
) -> None:
    out, _ = demo
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    tour = rows(out / "tours.csv")[0]
    coach, day = tour["coaches"].split(";")[0], tour["date"]
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    result = vanplan(
        "map", DEMO, copy / "plan.json", "--out", copy, "--coach", coach, "--date", day, cache=cache
    )
    assert result.returncode == 0, result.stderr
    changed = {p for p in copy.rglob("*") if p.is_file() and before.get(p) != p.read_bytes()}
    assert (copy / "maps" / "woche.html").read_bytes() == before[copy / "maps" / "woche.html"]
    assert all(p.parent.name == coach and day in p.name for p in changed), changed


def test_plan_that_breaks_a_rule_gets_no_maps_or_calendars(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import planner.pipeline
    from planner.cli import app
    from planner.plan.validate import Violation

    monkeypatch.setattr(planner.pipeline, "validate", lambda *a: [Violation("travel", "R1", "too fast")])
    args = ["plan", str(VALID_MIN), "--out", str(tmp_path), "--time-limit", "1", "--cache", str(cache)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert (tmp_path / "violations.txt").read_text(encoding="utf-8").startswith("[travel] R1")
    assert not (tmp_path / "maps").exists() and not (tmp_path / "calendars").exists()


def test_files_not_saved_as_utf8_are_read_and_named_in_the_users_language(
    tmp_path: Path, cache: Path
) -> None:
    folder = edited_copy(tmp_path, "coaches.csv", "Anna Berger", "Jürgen Größ")
    with (folder / "coaches.csv").open(encoding="utf-8") as f:
        cells = list(csv.reader(f))
    with (folder / "coaches.csv").open("w", encoding="cp1252", newline="") as f:
        csv.writer(f, delimiter=";").writerows(cells)  # as Excel saves "CSV (Trennzeichen-getrennt)"
    out = tmp_path / "out"
    result = vanplan("plan", folder, "--out", out, "--time-limit", "1", "--no-maps", cache=cache)
    assert result.returncode == 0, result.stderr
    assert "Hinweis: coaches.csv ist nicht in UTF-8 gespeichert; gelesen als Windows-1252" in result.stdout
    checked = vanplan("validate", folder, out / "plan.json", "--lang", "en", cache=cache)
    assert checked.returncode == 0, checked.stderr
    assert "Note: coaches.csv is not saved as UTF-8; read as Windows-1252" in checked.stdout
