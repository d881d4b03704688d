"""Tables for people cannot run formulas in a spreadsheet (OWASP CSV injection); plan.json stays exact."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from planner.outputs.spreadsheet import FORMULA_START, plain_text, write_csv
from planner.outputs.tables import write_tables
from planner.scenario import Kind
from tests import factory

HYPERLINK = '=HYPERLINK("http://example.org/x","klick")'


def rows(path: Path) -> list[dict[str, str]]:
    """A written table as a spreadsheet reads it: text cells."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_that_would_start_a_formula_gets_a_quote(start: str) -> None:
    assert plain_text(f"{start}1+2") == f"'{start}1+2"


def test_other_values_stay_as_they_are() -> None:
    for value in ("K-1001", "Hauptstraße 5, 95463 Bindlach", "", "1-2", " =1", -3.5, -2, 0.0, True, None):
        assert plain_text(value) == value


def test_negative_numbers_stay_numbers_and_text_is_quoted(tmp_path: Path) -> None:
    frame = pd.DataFrame({"lon": [-3.5, 11.5], "drive_min": [-2, 4], "client": ["-2+3", "K-1"]})
    write_csv(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines() == [
        "lon,drive_min,client",
        "-3.5,-2,'-2+3",
        "11.5,4,K-1",
    ]


def test_written_tables_hold_no_formula_and_plan_json_keeps_the_text(tmp_path: Path) -> None:
    requests = [
        factory.request("R1", client="=1+2", place="+49 921 000", address="@SUM(A1:A9)", note=HYPERLINK),
        factory.request("R2", Kind.HOME_VISIT, 40, client="-2+3", bring="\tTabulator"),
        factory.request("R3", client="=evil()", earliest=factory.day(7), latest=factory.day(8)),
    ]
    plan = factory.plan(factory.scenario(requests), time_limit_s=2.0)
    assert {s.request_id for _, s in plan.stops()} == {"R1", "R2"}
    assert [u.request_id for u in plan.unscheduled] == ["R3"]
    write_tables(plan, factory.scenario(requests), tmp_path)

    tours = {r["request_id"]: r for r in rows(tmp_path / "tours.csv")}
    assert (tours["R1"]["client"], tours["R1"]["place"], tours["R1"]["address"]) == (
        "'=1+2",
        "'+49 921 000",
        "'@SUM(A1:A9)",
    )
    assert tours["R2"]["client"] == "'-2+3"
    assert float(tours["R1"]["lat"]) == factory.LAT  # numbers are not touched
    assert [r["client"] for r in rows(tmp_path / "letters.csv")] == ["'-2+3"]
    assert [r["client"] for r in rows(tmp_path / "unscheduled.csv")] == ["'=evil()"]
    for name in ("tours.csv", "letters.csv", "unscheduled.csv"):
        for row in rows(tmp_path / name):
            assert not any(cell.startswith(FORMULA_START) for cell in row.values()), (name, row)

    stops = {
        s["request_id"]: s
        for t in json.loads((tmp_path / "plan.json").read_text())["tours"]
        for s in t["stops"]
    }
    assert (stops["R1"]["client"], stops["R1"]["note"], stops["R1"]["place"]) == (
        "=1+2",
        HYPERLINK,
        "+49 921 000",
    )
    assert stops["R2"]["bring"] == "\tTabulator"
