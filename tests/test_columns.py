"""planner.input.columns is what docs/input.md documents and what the loader checks and fills in."""

from __future__ import annotations

import csv
import re
import shutil
from itertools import groupby
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.input.columns import TABLES, Column
from planner.input.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
VALID_MIN = ROOT / "tests" / "data" / "valid_min"


def documented(table: str) -> list[tuple[tuple[str, ...], str, str]]:
    """The rows of docs/input.md's table for `table` ("requests"): column names, required, meaning."""
    doc = (ROOT / "docs" / "input.md").read_text(encoding="utf-8")
    section = doc.split(f"\n## {table}.csv\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names, need, meaning = (cell.strip() for cell in line.strip("|").split(" | "))
            found.append((tuple(re.findall(r"`([a-z_]+)`", names)), need, meaning))
    return found


def as_rows(columns: tuple[Column, ...]) -> list[tuple[tuple[str, ...], str, str]]:
    """The columns as docs/input.md writes them: neighbours with the same need and meaning share a row."""
    return [
        (tuple(c.name for c in group), need, doc)
        for (need, doc), group in ((key, list(g)) for key, g in groupby(columns, lambda c: (c.need, c.doc)))
    ]


@pytest.mark.parametrize("table", TABLES)
def test_docs_list_exactly_the_columns_their_need_and_meaning(table: str) -> None:
    """Each table of docs/input.md is planner.input.columns, row for row, in order."""
    assert documented(table) == as_rows(TABLES[table])


@pytest.mark.parametrize("table", TABLES)
def test_every_default_is_the_one_the_docs_name(table: str) -> None:
    """A column with a default cell says so in its meaning, in the same spelling."""
    for c in TABLES[table]:
        if c.default:
            assert re.search(rf"default `?{re.escape(c.default)}`?$", c.doc), c.name


@pytest.mark.parametrize(("table", "column"), [(t, c.name) for t in TABLES for c in TABLES[t] if c.required])
def test_a_table_without_a_required_column_is_refused(tmp_path: Path, table: str, column: str) -> None:
    """Dropping a column the table marks required is reported at the header, whatever else the rows hold."""
    folder = Path(shutil.copytree(VALID_MIN, tmp_path / "s"))
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert column in header
    path.write_text(
        lines[0].replace(column, "x_dropped") + "\n" + "\n".join(lines[1:]) + "\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    assert any(
        (p.file, p.row, p.column, p.message) == (path.name, 1, column, "required column is missing")
        for p in caught.value.problems
    )


def test_empty_cells_take_the_tables_defaults(tmp_path: Path) -> None:
    """An empty priority, days or weekly_hours cell reads as the default cell the table gives."""
    folder = Path(shutil.copytree(VALID_MIN, tmp_path / "s"))
    for table, column in (("requests", "priority"), ("vans", "days"), ("coaches", "weekly_hours")):
        path = folder / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        for r in rows:
            r[header.index(column)] = ""
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows])
    loaded = load_scenario(folder)
    assert {r.priority for r in loaded.requests} == {3}
    assert {v.weekdays for v in loaded.vans} == {frozenset(range(5))}
    assert {c.weekly_hours for c in loaded.coaches} == {39.0}
