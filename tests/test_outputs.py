"""planner.outputs.tables: the tables beside plan.json hold what docs/output.md promises, in local time.

The plan is the hand-made week of tests.test_assemble (r2 at 9:00, r1 at 10:40 on Monday, `tue` on
Tuesday; four requests unscheduled), so every cell can be checked on paper.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from planner.outputs.tables import tours_table, unscheduled_table, write_tables
from planner.plan.tours import Plan
from planner.reasons import REASONS, Reason, sentence
from tests.test_assemble import planned

DOCS = Path(__file__).resolve().parents[1] / "docs" / "output.md"


def documented_columns(table: str) -> list[str]:
    """The columns docs/output.md lists under `## <table>`."""
    section = DOCS.read_text(encoding="utf-8").split(f"## {table}\n", 1)[1]
    listing = section.split("`", 2)[1]
    return [c.strip() for c in listing.split(",")]


def documented_reasons() -> set[str]:
    """The reason codes of the table in docs/output.md."""
    section = DOCS.read_text(encoding="utf-8").split("## unscheduled.csv\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))


def csv_rows(path: Path) -> list[dict[str, str]]:
    """A written table as rows of text."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_tours_have_the_documented_columns_a_row_per_stop_in_tour_order() -> None:
    _, _, plan = planned()
    table = tours_table(plan)
    assert list(table.columns) == documented_columns("tours.csv")
    assert table[["date", "sequence", "request_id"]].values.tolist() == [
        ["2026-11-30", 1, "r2"],
        ["2026-11-30", 2, "r1"],
        ["2026-12-01", 1, "tue"],
    ]
    assert table["coaches"].tolist() == ["A;B", "A;B", "A;C"]
    assert table["km"].tolist() == [20.0, 10.0, 10.0] and table["drive_min"].tolist() == [20.0, 10.0, 10.0]


def test_tour_times_are_local_wall_clock_times() -> None:
    _, _, plan = planned()
    table = tours_table(plan)
    r2 = table[table.request_id == "r2"].iloc[0]
    # 9:00 in Berlin is 8:00 UTC: the table shows the time the crew reads on its watch
    assert (r2.arrival, r2.start, r2.end, r2.departure) == ("08:20", "09:00", "10:00", "10:20")
    again = tours_table(Plan.from_json(plan.to_json()))
    assert again.equals(table)


def test_unscheduled_say_why_in_german_by_default_and_in_english_on_request() -> None:
    _, _, plan = planned()
    german = unscheduled_table(plan)
    assert list(german.columns) == documented_columns("unscheduled.csv")
    assert german[["request_id", "reason", "row"]].values.tolist() == [
        ["dropme", "capacity", 7],
        ["gone", "geocode_failed", 5],
        ["late", "outside_week", 6],
        ["pinned", "pin_conflict", 8],
    ]
    messages = dict(zip(german.request_id, german.message, strict=True))
    assert messages["gone"] == "Adresse nicht gefunden: Nirgendwo 1"
    assert messages["late"] == "Zeitraum 04.01.2027 bis … liegt außerhalb der Planungswoche"
    assert messages["dropme"].startswith("Keine freie Kapazität in dieser Woche (Priorität 4)")
    english = unscheduled_table(plan, "en")
    assert english.message.tolist()[1] == "Address not found: Nirgendwo 1"
    assert english.drop(columns="message").equals(german.drop(columns="message"))


def test_write_tables_writes_the_four_files_and_plan_json_reads_back(tmp_path: Path) -> None:
    sc, _, plan = planned()
    written = write_tables(plan, sc, tmp_path / "out")
    assert [p.name for p in written] == ["plan.json", "tours.csv", "unscheduled.csv", "letters.csv"]
    assert Plan.read(written[0]) == plan
    assert [r["start"] for r in csv_rows(written[1])] == ["09:00", "10:40", "08:20"]
    reasons = [r["reason"] for r in csv_rows(written[2])]
    assert reasons == ["capacity", "geocode_failed", "outside_week", "pin_conflict"]
    with written[3].open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == documented_columns("letters.csv")
    assert csv_rows(written[3]) == []  # no home visit in the week


def test_every_reason_code_has_both_sentences_and_is_documented() -> None:
    assert set(REASONS) == set(Reason)
    assert documented_reasons() == {r.value for r in Reason}
    for code in Reason:
        assert sentence(code, {}, "de") and sentence(code, {}, "en")
