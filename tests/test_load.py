"""Tests for planner.input.load: the cell parsers, a valid scenario as CSV and as Excel, every broken case."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planner.errors import InputError, InputProblem, VanplanError
from planner.input.load import (
    load_scenario,
    parse_availability,
    parse_date,
    parse_datetime,
    parse_float,
    parse_int,
    parse_list,
    parse_time,
    parse_week,
    parse_weekdays,
)
from planner.scenario import Buffers, Kind, Point, Scenario, WeeklyWindow

DATA = Path(__file__).parent / "data"
VALID = DATA / "valid_min"
BROKEN = DATA / "broken"
TODAY = date(2026, 11, 9)
TABLES = ("requests", "vans", "coaches", "roster")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the valid minimal scenario."""
    return Path(shutil.copytree(VALID, tmp_path / "scenario"))


@pytest.fixture
def expected() -> Scenario:
    """valid_min as loaded from its committed CSV files: the reference the other formats must match."""
    return load_scenario(VALID, today=TODAY)


def _frame(folder: Path, stem: str) -> pd.DataFrame:
    """A table of the scenario folder as strings."""
    return pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False)


def _same_records(loaded: Scenario, expected: Scenario) -> None:
    """Assert that two loads of the same scenario produced the same records."""
    assert loaded.requests == expected.requests
    assert loaded.vans == expected.vans
    assert loaded.coaches == expected.coaches
    assert loaded.roster == expected.roster


# --- parsers ---


def test_parse_date_accepts_iso_and_german() -> None:
    assert parse_date("2026-12-02") == date(2026, 12, 2)
    assert parse_date("2.12.2026") == parse_date("02.12.2026") == date(2026, 12, 2)
    with pytest.raises(ValueError, match="not a date in the calendar"):
        parse_date("2026-02-30")
    with pytest.raises(ValueError, match="not a date"):
        parse_date("12/02/2026")


def test_parse_time_and_datetime() -> None:
    assert parse_time("9:05") == parse_time("09:05:00") == time(9, 5)
    assert parse_datetime("2026-12-02 10:30") == datetime(2026, 12, 2, 10, 30)
    assert parse_datetime("02.12.2026 10:30") == datetime(2026, 12, 2, 10, 30)
    for bad in ("24:00", "12:60", "12:00:30", "noon"):
        with pytest.raises(ValueError, match="not a clock time"):
            parse_time(bad)
    with pytest.raises(ValueError, match="not a date-time"):
        parse_datetime("2026-12-02")


def test_parse_numbers() -> None:
    assert parse_int(" 007 ") == 7
    assert parse_float("50,0167") == 50.0167
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int("2.5")
    with pytest.raises(ValueError, match="must be from 1 to 5, got 6"):
        parse_int("6", 1, 5)
    with pytest.raises(ValueError, match="not a number"):
        parse_float("1,2,3")


def test_parse_list_and_week() -> None:
    assert parse_list(" tr; sucht ,, ar ") == ("tr", "sucht", "ar")
    assert parse_week("2026-w9") == "2026-W09"
    assert parse_week("2026-W53") == "2026-W53"
    with pytest.raises(ValueError, match="not an ISO week"):
        parse_week("2027-W53")  # 2027 has 52 ISO weeks


def test_parse_weekdays() -> None:
    assert parse_weekdays("Mo-Fr") == frozenset(range(5))
    assert parse_weekdays("mon; WED, Freitag") == frozenset({0, 2, 4})
    assert parse_weekdays("Sa - So") == frozenset({5, 6})
    with pytest.raises(ValueError, match="runs backwards"):
        parse_weekdays("Fr-Mo")
    with pytest.raises(ValueError, match='"Mx" is not a weekday'):
        parse_weekdays("Mo;Mx")


def test_parse_availability_grammar() -> None:
    nine, twelve = time(9), time(12)
    assert parse_availability("Mo 09:00-12:00; Mi 14:00-17:00") == (
        WeeklyWindow(0, nine, twelve),
        WeeklyWindow(2, time(14), time(17)),
    )
    assert parse_availability("Mo,Mi 09:00-12:00") == (
        WeeklyWindow(0, nine, twelve),
        WeeklyWindow(2, nine, twelve),
    )
    assert len(parse_availability("Mo-Fr 08:00-16:00")) == 5
    assert parse_availability("wed 9:00 - 12:00, mon 9:00-12:00") == parse_availability("Mo,Mi 09:00-12:00")
    with pytest.raises(ValueError, match="cannot cross midnight"):
        parse_availability("Fr 22:00-02:00")
    with pytest.raises(ValueError, match="not a window"):
        parse_availability("Mo morning")


def test_problem_and_error_text() -> None:
    problem = InputProblem("requests.csv", 14, "latest_date", "2026-11-30 is before earliest_date 2026-12-02")
    assert str(problem) == (
        "requests.csv row 14, column latest_date: 2026-11-30 is before earliest_date 2026-12-02"
    )
    assert str(InputProblem("scenario.toml", None, "network.osmm", "unknown key")) == (
        "scenario.toml, key network.osmm: unknown key"
    )
    error = InputError([problem])
    assert isinstance(error, VanplanError) and isinstance(error, ValueError)
    assert error.exit_code == 2
    assert str(error) == f"1 problem in the scenario:\n  {problem}"


# --- a valid scenario ---


def test_valid_min_loads(expected: Scenario) -> None:
    settings = expected.settings
    assert (settings.week, settings.monday, settings.planning_date) == ("2026-W49", date(2026, 11, 30), TODAY)
    assert expected.depot("JC-BIN").point == Point(50.0167, 11.5011)
    assert settings.network.osm == VALID.resolve() / "../../../../shared/osm/north-bayreuth.osm.gz"
    assert settings.network.osm.is_absolute() and settings.network.osm.resolve().is_file()
    assert settings.geocoding.cache == VALID.resolve() / "geocode-cache.json"
    assert settings.buffers[Kind.HOME_VISIT] == Buffers(10, 15, 15, 10)
    assert settings.buffers[Kind.VAN_STOP] == Buffers()
    assert settings.time_limit_s == 5.0
    assert [r.id for r in expected.requests] == ["R1", "R2", "R3", "R4", "R5", "R6", "007"]
    r1, _, r3, r4, r5, r6, r7 = expected.requests
    assert (r1.kind, r1.staff, r1.priority, r1.preferred_coach) == (Kind.HOME_VISIT, 2, 2, "C1")
    assert r1.notice_sent == date(2026, 11, 5) and r1.row == 2
    assert r1.availability == (WeeklyWindow(0, time(9), time(12)), WeeklyWindow(2, time(14), time(17)))
    assert (r3.staff, r3.priority, r3.place) == (1, 1, "Sportplatz Altenplos")
    assert r4.fixed_start == datetime(2026, 12, 2, 10, 30)
    assert (r5.kind, r5.client, r5.staff) == (Kind.VAN_STOP, "", 2)
    assert r6.point is None and r6.address == "Hauptstraße 1, 95463 Bindlach"
    assert r6.pinned and (r6.pin_van, r6.pin_date, r6.pin_start) == ("V1", date(2026, 12, 1), time(13))
    assert (r7.priority, r7.note, r7.earliest, r7.latest) == (5, "Hund im Haus", None, None)
    v1, v2 = expected.vans
    assert (v1.weekdays, v1.shift_end, v1.seats) == (frozenset(range(5)), time(16, 30), 3)
    assert (v2.weekdays, v2.unavailable) == (frozenset({0, 2, 4}), frozenset({date(2026, 12, 4)}))
    assert expected.coach("C1").skills == frozenset({"tr", "sucht"})
    assert expected.coach("C3").weekly_hours == 19.5
    assert expected.crew("V2", date(2026, 12, 2)) == ("C2", "C3")
    assert len(expected.roster) == 10


def test_defaults(tmp_path: Path) -> None:
    (tmp_path / "scenario.toml").write_text(
        'week = "2026-W49"\n[[depots]]\nid = "D"\nlat = 50.0\nlon = 11.5\n'
    )
    (tmp_path / "requests.csv").write_text(
        "id,kind,client,lat,lon,duration_min,fixed_start\n"
        "a,home_visit,K1,50.01,11.51,60,\n"
        "b,accompany,K2,50.02,11.52,30,2026-12-01 09:00\n"
    )
    (tmp_path / "vans.csv").write_text("id,depot,shift_start,shift_end,seats\nV,D,08:00,16:00,2\n")
    (tmp_path / "coaches.csv").write_text("id,name\nC,Anna\n")
    (tmp_path / "roster.csv").write_text("date,van,coach\n")
    scenario = load_scenario(tmp_path, today=date(2026, 11, 1))
    settings = scenario.settings
    assert (settings.name, settings.timezone, settings.language) == (tmp_path.name, "Europe/Berlin", "de")
    assert settings.planning_date == date(2026, 11, 1)
    assert settings.buffers == dict.fromkeys(Kind, Buffers())
    assert (
        settings.network.osm is None and settings.geocoding.cache == tmp_path.resolve() / "geocode-cache.json"
    )
    assert (settings.notice_days, settings.reminder_days, settings.max_work_min) == (21, 10, 600)
    assert [(r.staff, r.priority, r.availability) for r in scenario.requests] == [(2, 3, ()), (1, 3, ())]
    assert scenario.vans[0].weekdays == frozenset(range(5)) and scenario.vans[0].name == ""
    assert scenario.coaches[0].weekly_hours == 39.0
    assert scenario.roster == ()


def test_planning_date_defaults_to_the_real_today(folder: Path) -> None:
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace('planning_date = "2026-11-09"\n', ""))
    settings = load_scenario(folder).settings
    assert settings.planning_date == date.today()


def test_semicolon_csv_with_bom_german_dates_and_decimal_commas(folder: Path, expected: Scenario) -> None:
    for stem in TABLES:
        frame = _frame(folder, stem)
        frame = frame.map(lambda cell: re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3.\2.\1", cell))
        for column in ("lat", "lon"):
            if column in frame:
                frame[column] = frame[column].str.replace(".", ",")
        frame.to_csv(folder / f"{stem}.csv", sep=";", index=False, encoding="utf-8-sig")
    assert (folder / "requests.csv").read_bytes().startswith(b"\xef\xbb\xbfid;kind;")
    _same_records(load_scenario(folder, today=TODAY), expected)


def test_xlsx_with_excel_cell_types(folder: Path, expected: Scenario) -> None:
    frames = {stem: _frame(folder, stem).astype(object) for stem in TABLES}
    frames["roster"]["date"] = [datetime.fromisoformat(d) for d in frames["roster"]["date"]]
    frames["coaches"]["weekly_hours"] = [float(h) for h in frames["coaches"]["weekly_hours"]]
    frames["requests"]["lat"] = [float(x) if x else None for x in frames["requests"]["lat"]]
    frames["requests"]["fixed_start"] = [
        datetime.fromisoformat(x) if x else "" for x in frames["requests"]["fixed_start"]
    ]
    for stem, frame in frames.items():
        (folder / f"{stem}.csv").unlink()
        frame.to_excel(folder / f"{stem}.xlsx", index=False, engine="openpyxl")
    workbook = openpyxl.load_workbook(folder / "vans.xlsx")  # pandas writes times as text; Excel does not
    for (cell,) in workbook.active.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.value = time.fromisoformat(cell.value)
    workbook.save(folder / "vans.xlsx")
    _same_records(load_scenario(folder, today=TODAY), expected)


def test_note_columns_and_blank_rows_are_ignored(folder: Path, expected: Scenario) -> None:
    lines = (folder / "coaches.csv").read_text().splitlines()
    notes = [
        lines[0] + ",_comment,x_source",
        lines[1] + ",lead,HR",
        ",,,,,,",
        *(line + ",," for line in lines[2:]),
    ]
    (folder / "coaches.csv").write_text("\n".join(notes) + "\n")
    assert load_scenario(folder, today=TODAY).coaches == expected.coaches


def test_header_only_requests_give_an_empty_plan(folder: Path) -> None:
    requests = folder / "requests.csv"
    requests.write_text(requests.read_text().splitlines()[0] + "\n")
    assert load_scenario(folder, today=TODAY).requests == ()


def test_all_problems_of_a_file_are_reported_at_once(folder: Path) -> None:
    (folder / "requests.csv").write_text(
        "id,kind,client,lat,lon,duration_min,priority,fixed_start\n"
        "a,home_visit,K1,50.0,11.5,sixty,3,\n"
        "a,visit,K2,50.0,11.5,30,9,\n"
        "c,accompany,K3,,11.5,30,,\n"
    )
    with pytest.raises(InputError) as info:
        load_scenario(folder, today=TODAY)
    assert [str(p) for p in info.value.problems] == [
        'requests.csv row 2, column duration_min: "sixty" is not a whole number',
        'requests.csv row 3, column id: duplicate id "a" (first in row 2)',
        'requests.csv row 3, column kind: "visit" is not a kind'
        " (home_visit, walk_and_talk, accompany, van_stop)",
        "requests.csv row 3, column priority: must be from 1 to 5, got 9",
        "requests.csv row 4, column fixed_start: is empty but required for accompany",
        "requests.csv row 4, column lat: is empty but lon is given; lat and lon go together",
    ]


# --- files as spreadsheets save them: encodings, separators, row lengths ---

UMLAUTS = {"C1": "Jürgen Größ", "C2": "Änne Öztürk-Weiß", "C3": "Selin Yilmaz"}


def _with_umlauts(folder: Path) -> str:
    """coaches.csv of valid_min with umlaut names, as text with `;` and CRLF as Excel writes it."""
    frame = _frame(folder, "coaches")
    frame["name"] = frame["id"].map(UMLAUTS)
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n")


def test_excel_german_csv_is_read_as_windows_1252_and_says_so(folder: Path, expected: Scenario) -> None:
    raw = _with_umlauts(folder).encode("cp1252")
    assert b"J\xfcrgen Gr\xf6\xdf;" in raw  # real single bytes, not UTF-8
    (folder / "coaches.csv").write_bytes(raw)
    scenario = load_scenario(folder, today=TODAY)
    assert {c.id: c.name for c in scenario.coaches} == UMLAUTS
    assert scenario.coaches[0].skills == expected.coaches[0].skills
    (notice,) = scenario.notices
    assert (notice.file, notice.encoding) == ("coaches.csv", "cp1252")
    assert notice.sentence("de") == (
        "coaches.csv ist nicht in UTF-8 gespeichert; gelesen als Windows-1252 "
        "(Excel „CSV (Trennzeichen-getrennt)“). Bitte Umlaute prüfen, oder als „CSV UTF-8“ speichern."
    )
    assert notice.sentence("en").startswith("coaches.csv is not saved as UTF-8; read as Windows-1252")


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1(folder: Path) -> None:
    raw = _with_umlauts(folder).encode("cp1252").replace(b"Selin", b"Sel\x81in")
    (folder / "coaches.csv").write_bytes(raw)
    scenario = load_scenario(folder, today=TODAY)
    assert scenario.coach("C1").name == "Jürgen Größ" and scenario.coach("C3").name == "Sel\x81in Yilmaz"
    assert [n.encoding for n in scenario.notices] == ["latin-1"]


def test_excel_for_mac_csv_is_read_as_mac_roman(folder: Path) -> None:
    (folder / "coaches.csv").write_bytes(_with_umlauts(folder).encode("mac_roman"))
    scenario = load_scenario(folder, today=TODAY)
    assert {c.id: c.name for c in scenario.coaches} == UMLAUTS
    assert [n.encoding for n in scenario.notices] == ["mac_roman"]


def test_windows_text_with_paragraph_and_euro_signs_but_no_umlauts_stays_windows_1252(folder: Path) -> None:
    requests = _frame(folder, "requests")
    requests["note"] = "§ 16 SGB II, Fahrkarte 20 € …"  # as Mac OS Roman these bytes would read ß Ä Ö
    (folder / "requests.csv").write_bytes(requests.to_csv(index=False).encode("cp1252"))
    scenario = load_scenario(folder, today=TODAY)
    assert {r.note for r in scenario.requests} == {"§ 16 SGB II, Fahrkarte 20 € …"}
    assert [n.encoding for n in scenario.notices] == ["cp1252"]


def test_excel_unicode_text_is_utf16_with_tabs(folder: Path, expected: Scenario) -> None:
    for stem in TABLES:
        text = _frame(folder, stem).to_csv(sep="\t", index=False, lineterminator="\r\n")
        (folder / f"{stem}.csv").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert (folder / "requests.csv").read_bytes().startswith(b"\xff\xfei\x00d\x00\t\x00k\x00")
    scenario = load_scenario(folder, today=TODAY)
    _same_records(scenario, expected)
    assert [(n.file, n.encoding) for n in scenario.notices] == [(f"{t}.csv", "utf-16") for t in TABLES]
    assert scenario.notices[0].sentence("de") == (
        "requests.csv ist nicht in UTF-8 gespeichert; gelesen als UTF-16 (Excel „Unicode-Text“)."
    )


def test_utf16_without_bom_is_recognised(folder: Path, expected: Scenario) -> None:
    text = (folder / "roster.csv").read_text(encoding="utf-8")
    (folder / "roster.csv").write_bytes(text.encode("utf-16-be"))
    scenario = load_scenario(folder, today=TODAY)
    assert scenario.roster == expected.roster and [n.encoding for n in scenario.notices] == ["utf-16"]


def test_utf8_with_bom_needs_no_notice(folder: Path) -> None:
    text = _with_umlauts(folder)
    (folder / "coaches.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    scenario = load_scenario(folder, today=TODAY)
    assert {c.id: c.name for c in scenario.coaches} == UMLAUTS and scenario.notices == ()


def test_scenario_toml_saved_by_an_old_editor_is_read_too(folder: Path) -> None:
    toml = folder / "scenario.toml"
    toml.write_bytes(toml.read_text(encoding="utf-8").encode("cp1252"))
    scenario = load_scenario(folder, today=TODAY)
    assert scenario.depot("JC-BIN").name == "Jobcenter-Außenstelle Bindlach"
    (notice,) = scenario.notices
    assert notice.file == "scenario.toml" and "Excel" not in notice.sentence("de")
    toml.write_bytes(b"\xff\xfe" + toml.read_bytes().decode("cp1252").encode("utf-16-le"))
    assert [n.encoding for n in load_scenario(folder, today=TODAY).notices] == ["utf-16"]


def test_broken_utf16_is_an_input_error(folder: Path) -> None:
    (folder / "roster.csv").write_bytes(b"\xff\xfed\x00a\x00\x00\xd8")  # a lone surrogate
    with pytest.raises(InputError, match=r"roster\.csv: cannot be read as UTF-16 text"):
        load_scenario(folder, today=TODAY)


def test_trailing_empty_cells_may_be_left_out_or_added(folder: Path, expected: Scenario) -> None:
    (folder / "coaches.csv").write_text(
        "id,name,skills,weekly_hours,phone,,_comment\n"  # a header with an unnamed and a note column
        "C1,Anna Berger,tr; sucht,39,0921 111111,,\n"
        "C2,Jonas Keller,,30,\n"  # the empty cells under the unnamed and the note column left out
        "C3,Selin Yilmaz,tr; ar,19.5,,,,,,\n"  # empty cells past the header's end
    )
    assert load_scenario(folder, today=TODAY).coaches == expected.coaches


def test_every_short_row_is_reported_once_with_file_and_row(folder: Path) -> None:
    (folder / "coaches.csv").write_text(
        "id,name,skills,weekly_hours,phone\n"
        "C1,Anna Berger,tr; sucht,39\n"  # phone left out: not known to be empty
        "C2,Jonas Keller,30,\n"  # the skills cell left out, so 30 would land in skills
        "C3,Selin Yilmaz,tr; ar,19.5,\n"
    )
    with pytest.raises(InputError) as info:
        load_scenario(folder, today=TODAY)
    assert [str(p) for p in info.value.problems] == [
        "coaches.csv row 2: has 4 cells but the header has 5 (no cell for phone); "
        "a separator is missing or the row was cut off",
        "coaches.csv row 3: has 4 cells but the header has 5 (no cell for phone); "
        "a separator is missing or the row was cut off",
    ]


def test_short_and_long_rows_keep_their_ids_for_references(folder: Path) -> None:
    vans = (folder / "vans.csv").read_text(encoding="utf-8").splitlines()
    vans[1] = "V1,Beratungsmobil 1,JC-BIN,Mo-Fr"
    vans[2] += ",extra"
    (folder / "vans.csv").write_text("\n".join(vans) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(folder, today=TODAY)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        ("vans.csv", 2, None),
        ("vans.csv", 3, None),
    ]


def test_an_empty_table_is_the_root_cause_listed_first(folder: Path) -> None:
    (folder / "vans.csv").write_text("id,name,depot,days,shift_start,shift_end,seats\n")
    requests = (folder / "requests.csv").read_text(encoding="utf-8")
    (folder / "requests.csv").write_text(requests.replace("K-1002,50.0319", "K-1002,95"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(folder, today=TODAY)
    assert [str(p) for p in info.value.problems] == [
        "vans.csv: lists no vans; at least one row is needed",
        "requests.csv row 3, column lat: must be from -90 to 90, got 95",
    ]


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a folder"):
        load_scenario(tmp_path / "nowhere")


# --- broken cases: tests/data/broken/<case>/ holds the files that differ from valid_min ---


def _broken_folder(case: Path, tmp_path: Path) -> Path:
    """valid_min with the case's files laid over it and the files named in its remove.txt deleted."""
    folder = Path(shutil.copytree(VALID, tmp_path / case.name))
    for file in case.iterdir():
        if file.name not in ("expected.txt", "remove.txt"):
            shutil.copy(file, folder / file.name)
    removed = case / "remove.txt"
    for name in removed.read_text().split() if removed.exists() else []:
        (folder / name).unlink()
    return folder


@pytest.mark.parametrize("case", sorted(p for p in BROKEN.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_broken_case(case: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_scenario(_broken_folder(case, tmp_path), today=TODAY)
    messages = [str(problem) for problem in info.value.problems]
    expected = (case / "expected.txt").read_text().splitlines()
    assert len(messages) == len(expected), messages
    for text in expected:
        assert any(text in message for message in messages), (text, messages)
