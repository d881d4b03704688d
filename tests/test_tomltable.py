"""planner.input.tomltable: every bad value of a TOML file is reported with the file and its dotted key,
the default stands in, and reading goes on so that one run lists all of a file's problems."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from planner.errors import InputProblem
from planner.input.tomltable import TomlTable, check_range, did_you_mean

SPEC = """
name = 7
weeks = 2.5
verbose = "yes"
limit = 11
[network]
osm = "x.osm"
max_snap = 300
[[variants]]
name = "A"
vans = 1
[[variants]]
name = "B"
vans = -1
"""


def table(text: str = SPEC) -> tuple[TomlTable, list[InputProblem]]:
    """The top table of `text` read as spec.toml, and the list its problems go to."""
    problems: list[InputProblem] = []
    return TomlTable(tomllib.loads(text), "", "spec.toml", problems), problems


def messages(problems: list[InputProblem]) -> list[str]:
    """Each problem as the user reads it."""
    return [str(p) for p in problems]


def test_each_bad_value_names_file_and_key_and_the_default_stands_in() -> None:
    top, problems = table()
    assert top.text("name", "Spec") == "Spec"
    assert top.whole("weeks", 4, low=1) == 4
    assert top.flag("verbose", False) is False
    assert top.number("limit", 5.0, low=0, high=10) == 5.0
    assert messages(problems) == [
        "spec.toml, key name: must be a string in quotes, got 7",
        "spec.toml, key weeks: must be a whole number, got 2.5",
        "spec.toml, key verbose: must be true or false, got 'yes'",
        "spec.toml, key limit: must be from 0 to 10, got 11",
    ]


def test_nested_tables_and_arrays_of_tables_give_dotted_numbered_keys() -> None:
    top, problems = table()
    network = top.table("network", ("osm", "max_snap_m"))
    assert network.text("osm") == "x.osm"
    variants = top.tables("variants")
    assert [v.text("name") for v in variants] == ["A", "B"]
    assert [v.whole("vans", 1, low=0) for v in variants] == [1, 1]
    assert messages(problems) == [
        "spec.toml, key network.max_snap: unknown key (did you mean max_snap_m?)",
        "spec.toml, key variants[2].vans: must be at least 0, got -1",
    ]


def test_missing_required_values_and_wrong_shapes_are_problems_too() -> None:
    top, problems = table('network = "x"\nvariants = 3\n')
    assert top.text("name") == ""  # required: no default
    assert top.table("network", ("osm",)).data == {}
    assert top.tables("variants") == []
    assert messages(problems) == [
        "spec.toml, key name: is required",
        "spec.toml, key network: must be a table",
        "spec.toml, key variants: must be an array of tables",
    ]


def test_numbers_are_not_booleans_and_too_large_ones_are_reported_in_words() -> None:
    top, problems = table(f"on = true\nhuge = {'9' * 400}\nbig = 1e300\n")
    assert top.number("on", 1.0) == 1.0 and top.whole("on", 2) == 2
    assert top.number("huge", 1.0, high=None) == 1.0
    assert top.number("big", 1.0) == 1e300
    assert messages(problems) == [
        "spec.toml, key on: must be a number, got True",
        "spec.toml, key on: must be a whole number, got True",
        "spec.toml, key huge: is too large: a number of more than 300 digits",
    ]


def test_parsed_values_report_the_parsers_message_and_fall_back_to_the_default() -> None:
    top, problems = table('start = "2027-02-30"\n')
    assert top.parsed("start", date.fromisoformat, "2027-01-04") == date(2027, 1, 4)
    (problem,) = problems
    assert (problem.file, problem.column) == ("spec.toml", "start")
    assert "day is out of range" in problem.message


def test_shares_are_non_negative_numbers_under_known_names() -> None:
    top, problems = table("[mix]\nhome = 0.5\nwalk = 0.25\nvan = -1\nhme = 2\n")
    assert top.shares("absent", ("home",), {"home": 1.0}) == {"home": 1.0}
    shares = top.shares("mix", ("home", "walk", "van"), {})
    assert (shares["home"], shares["walk"], shares["van"]) == (0.5, 0.25, 0.0)  # -1 is out: the default
    assert messages(problems) == [
        "spec.toml, key mix.hme: unknown key (did you mean home?)",
        "spec.toml, key mix.van: must be at least 0, got -1",
    ]


def test_range_and_spelling_helpers() -> None:
    check_range(5, 0, 10)
    with pytest.raises(ValueError, match="must be at most 10, got 11"):
        check_range(11, None, 10)
    assert did_you_mean("wekes", ("weeks", "seed")) == " (did you mean weeks?)"
    assert did_you_mean("zzz", ("weeks", "seed")) == ""
