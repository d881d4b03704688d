"""`vanplan plan --out DIR` replaces DIR only with a complete run; a failed run leaves DIR as it was."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import maps.sheets
import planner.cli
from planner.cli import app

ROOT = Path(__file__).resolve().parents[1]
VALID_MIN = ROOT / "tests" / "data" / "valid_min"
EXTRACT = ROOT.parent / "shared" / "osm" / "north-bayreuth.osm.gz"
pytestmark = pytest.mark.skipif(not EXTRACT.exists(), reason="shared OSM extracts missing")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """valid_min with its extract path made absolute, so the copy plans from anywhere."""
    folder = tmp_path_factory.mktemp("sc") / "valid_min"
    shutil.copytree(VALID_MIN, folder)
    toml = folder / "scenario.toml"
    toml.write_text(
        re.sub(r'osm = ".*"', f'osm = "{EXTRACT.as_posix()}"', toml.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def plan(scenario: Path, out: Path, cache: Path, *extra: str) -> Result:
    """`vanplan plan` in this process, with a short search."""
    args = ["plan", str(scenario), "--out", str(out), "--time-limit", "1", "--cache", str(cache), *extra]
    return CliRunner().invoke(app, args)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def half_written(out_dir: Path) -> None:
    """A map stage that writes one page and then fails."""
    (out_dir / "maps").mkdir()
    (out_dir / "maps" / "tag-2026-11-30.html").write_text("half", encoding="utf-8")
    raise RuntimeError("map stage failed")


def failing_render(*args: object, **_kwargs: object) -> list[Path]:
    half_written(args[3])  # type: ignore[arg-type]
    return []


@pytest.mark.parametrize(
    ("inject", "code"),
    [
        (lambda mp: mp.setattr(planner.cli, "render_all", failing_render), 1),
        (lambda mp: mp.setattr(maps.sheets.shutil, "which", lambda _name: None), 3),  # --pdf, no Chromium
    ],
    ids=["internal", "no-chromium"],
)
def test_failed_map_stage_leaves_the_previous_out_untouched(
    inject: Callable[[pytest.MonkeyPatch], None],
    code: int,
    scenario: Path,
    cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    first = plan(scenario, out, cache)
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    assert "plan.json" in before and "maps/woche.html" in before
    inject(monkeypatch)
    failed = plan(scenario, out, cache, "--pdf", "--seed", "9")
    assert failed.exit_code == code, failed.output
    assert "Traceback" not in failed.output + failed.stderr
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left behind


def test_successful_run_replaces_out_completely(scenario: Path, cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert plan(scenario, out, cache).exit_code == 0
    (out / "coaches" / "OLD").mkdir()
    (out / "coaches" / "OLD" / "woche.html").write_text("stale", encoding="utf-8")
    (out / "notes.txt").write_text("stale", encoding="utf-8")
    again = plan(scenario, out, cache, "--no-maps")
    assert again.exit_code == 0, again.output
    assert sorted(snapshot(out)) == ["letters.csv", "plan.json", "tours.csv", "unscheduled.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_folder_that_is_not_a_vanplan_output_is_never_replaced(
    scenario: Path, cache: Path, tmp_path: Path
) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.odt").write_text("mine", encoding="utf-8")
    result = plan(scenario, documents, cache)
    assert result.exit_code == 2
    assert "kein Ausgabeordner von vanplan" in result.stderr
    assert snapshot(documents) == {"letter.odt": b"mine"}
    inside = plan(scenario, scenario.parent, cache, "--lang", "en")
    assert inside.exit_code == 2 and "not a vanplan output folder" in inside.stderr
