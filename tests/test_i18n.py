"""One language at a time: the catalogue words every message, location and number in German or English."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputProblem
from planner.i18n import MESSAGES, message, number, problem_text

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "bayreuth-nord"
VALID_MIN = ROOT / "tests" / "data" / "valid_min"
EXTRACT = ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz"

# files whose messages reach the user, and the calls that carry a message (last argument)
SOURCES = [
    "planner/input/load.py", "planner/input/tomltable.py", "planner/problem/build.py",
    "planner/input/geocode.py", "planner/plan/tours.py", "planner/input/places.py",
    "planner/network/__init__.py", "planner/network/osm.py", "planner/network/graph.py",
    "planner/network/cache.py", "planner/simulate/spec.py", "planner/simulate/run.py",
    "planner/simulate/population.py", "planner/simulate/siting.py", "maps/sheets.py",
    "planner/replan/changes.py", "planner/replan/run.py", "planner/plan/validate.py",
    "planner/generate/config.py", "planner/generate/sites.py", "planner/generate/requests.py",
]  # fmt: skip
CARRIERS = {"problem", "InputProblem", "ValueError", "NetworkError", "NetworkSettingError", "DataError",
            "SitingError", "Violation", "UsageError"}  # fmt: skip
ENGLISH_WORDS = re.compile(r"\b(rows?|columns?|line|key|is|not|the|with|and|or|did you mean|missing)\b")
GERMAN_WORDS = re.compile(r"\b(Zeile|Spalte|Schlüssel|ist|nicht|meinten|fehlt|Problem|Probleme)\b")


def literal_messages() -> list[tuple[str, str]]:
    """Every message written as a string literal in SOURCES (as a call's message or assigned to
    `message`), with placeholders as "x", and where it is."""
    found = []
    for source in SOURCES:
        for node in ast.walk(ast.parse((ROOT / source).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in CARRIERS:
                    arg = node.args[-1] if name in ("problem", "InputProblem", "Violation") else node.args[0]
                    found += [(text, f"{source}:{node.lineno}") for text in texts_of(arg)]
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "message" for t in node.targets
            ):
                found += [(text, f"{source}:{node.lineno}") for text in texts_of(node.value)]
    return found


def texts_of(node: ast.expr) -> list[str]:
    """The message texts an expression can give: literals and f-strings, through `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)]
    if isinstance(node, ast.IfExp):
        return texts_of(node.body) + texts_of(node.orelse)
    return []


def test_every_message_users_can_meet_has_a_german_text() -> None:
    found = literal_messages()
    assert len(found) > 80
    missing = [(text, where) for text, where in found if message(text, "de") == text]
    assert not missing, missing


def test_templates_name_the_same_placeholders_in_both_languages() -> None:
    for en, de in MESSAGES:
        assert sorted(re.findall(r"\{(\w+)\}", en)) == sorted(re.findall(r"\{(\w+)\}", de)), en


def test_messages_keep_user_text_and_translate_only_their_own_words() -> None:
    assert (
        message('"V11" is not a van id (did you mean V1?)', "de")
        == '"V11" ist keine Van-ID (meinten Sie V1?)'
    )
    assert message("unknown column (did you mean coach?)", "de") == "unbekannte Spalte (meinten Sie coach?)"
    assert message('"row 5" is not a number', "de") == '"row 5" ist keine Zahl'
    assert message("something new", "de") == "something new"
    long = "has 2 cells but the header has 3 (no cell for x); a separator is missing or the row was cut off"
    assert message(long, "de") == (
        "hat 2 Zellen, die Kopfzeile aber 3 (keine Zelle für x); "
        "ein Trennzeichen fehlt oder die Zeile ist abgeschnitten"
    )
    assert message('"x" is not a number', "en") == '"x" is not a number'


def test_travel_source_of_plan_json_reads_in_english_with_english_numbers() -> None:
    assert message("Luftlinie × 1,3 bei 45 km/h (kein Straßennetz)", "en") == (
        "Straight line × 1.3 at 45 km/h (no road network)"
    )
    assert message("OpenStreetMap a.osm.gz (619 Knoten)", "en") == "OpenStreetMap a.osm.gz (619 junctions)"


def test_numbers_and_locations_follow_the_language() -> None:
    assert (number(7, 1, "de"), number(7, 1, "en"), number(12.345, 0, "de")) == ("7,0", "7.0", "12")
    csv = InputProblem("requests.csv", 23, "skills", "is empty but required")
    toml = InputProblem("scenario.toml", 4, "week", "is required")
    assert problem_text(csv, "de") == "requests.csv Zeile 23, Spalte skills: ist leer, wird aber benötigt"
    assert problem_text(csv, "en") == "requests.csv row 23, column skills: is empty but required"
    assert problem_text(toml, "de") == "scenario.toml Zeile 4, Schlüssel week: wird benötigt"


def broken_demo(tmp_path: Path) -> Path:
    """The demo scenario with five broken cells in requests.csv."""
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    path = folder / "requests.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for row, column, value in [(2, "kind", "hausbesuch"), (3, "duration_min", "viel"),
                               (3, "earliest_date", "31.02.2026"), (4, "pin_van", "V11"),
                               (5, "typo_column", "")]:  # fmt: skip
        if column not in header:
            header.append(column)
            lines = [",".join(header), *(line + "," for line in lines[1:])]
            continue
        cells = lines[row - 1].split(",")
        cells[header.index(column)] = value
        lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("lang", ["de", "en"])
def test_input_errors_of_the_demo_speak_one_language(lang: str, tmp_path: Path) -> None:
    folder = broken_demo(tmp_path)
    args = ["plan", str(folder), "--out", str(tmp_path / "out"), "--lang", lang]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 6, lines
    for line in lines:
        assert not (ENGLISH_WORDS if lang == "de" else GERMAN_WORDS).search(line), line
    text = result.stderr
    if lang == "de":
        assert "Probleme im Szenario:" in text
        assert 'requests.csv Zeile 2, Spalte kind: "hausbesuch" ist keine Art' in text
        assert 'Spalte pin_van: "V11" ist keine Van-ID (meinten Sie V1?)' in text
        assert "Spalte typo_column: unbekannte Spalte (Spalten für Notizen" in text
        assert "gehören zusammen; es fehlt: pin_date und pin_start" in text
    else:
        assert 'requests.csv row 2, column kind: "hausbesuch" is not a kind' in text
        assert 'column pin_van: "V11" is not a van id (did you mean V1?)' in text


@pytest.mark.skipif(not EXTRACT.exists(), reason="shared OSM extracts missing")
@pytest.mark.parametrize("lang", ["de", "en"])
def test_plan_console_speaks_one_language_with_its_numbers(lang: str, tmp_path: Path) -> None:
    folder = tmp_path / "sc"
    shutil.copytree(VALID_MIN, folder)
    toml = folder / "scenario.toml"
    toml.write_text(
        re.sub(r'osm = ".*"', f'osm = "{EXTRACT.as_posix()}"', toml.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    requests = folder / "requests.csv"
    requests.write_text(
        requests.read_text(encoding="utf-8").replace(",2,tr,,3,", ",2,xx,,3,"), encoding="utf-8"
    )
    args = ["plan", str(folder), "--out", str(tmp_path / "out"), "--time-limit", "1", "--no-maps"]
    result = CliRunner().invoke(app, [*args, "--lang", lang, "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    text = result.stdout
    if lang == "de":
        assert "requests.csv Zeile 3, Spalte skills (R2): Niemand in der Besatzung" in text
        assert re.search(r"\b\d+,\d\b", text) and not re.search(r"\b\d+\.\d\b", text)
        assert "Eingeplant:" in text and "Fahrzeiten: OpenStreetMap" in text and "Knoten" in text
        assert not re.search(r"\b(row|column|Placed|Hours|Travel times|junctions)\b", text)
    else:
        assert "requests.csv row 3, column skills (R2): No crew" in text
        assert re.search(r"\b\d+\.\d\b", text) and not re.search(r"\b\d+,\d\b", text)
        assert "Placed:" in text and "junctions" in text
        assert not re.search(r"\b(Zeile|Spalte|Eingeplant|Stunden|Fahrzeiten|Knoten|Niemand)\b", text)


def test_broken_rules_read_in_the_language_of_the_run() -> None:
    """`vanplan validate` and violations.txt used to print the validator's English in German runs."""
    from planner.i18n import violation_text
    from planner.plan.validate import Violation

    broken = [
        Violation("travel", "V1 2026-11-30", "7.5 min available for a 12.0 min drive"),
        Violation("two_vans", "C1", "rides 2 vans on 2026-11-30"),
        Violation("max_work", "V1 2026-11-30", "10:30:00 of work exceeds 600 min"),
        Violation("lost", "R7", "request is neither in a tour nor unscheduled"),
    ]
    for v in broken:
        german = violation_text(v, "de")
        assert german.startswith(f"[{v.code}] {v.where}: ")
        assert not ENGLISH_WORDS.search(german.split(": ", 1)[1]), german
        assert violation_text(v, "en") == str(v)
