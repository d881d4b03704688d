"""One error hierarchy: every command turns each kind of error into one message and its exit code.

Faults are injected by replacing a function each command calls; no traceback may reach the user.
"""

from __future__ import annotations

import errno
import pickle
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

import planner.cli
import planner.simulate.main
from planner import errors
from planner.errors import (
    DataError,
    InputError,
    InputProblem,
    NetworkError,
    NetworkSettingError,
    ProblemError,
    RulesBroken,
    SitingError,
    UsageError,
    VanplanError,
)

ROOT = Path(__file__).resolve().parents[1]
VALID_MIN = ROOT / "tests" / "data" / "valid_min"

# the function each command calls first that a fault can be injected into
TARGETS: dict[str, tuple[object, str]] = {
    "plan": (planner.cli, "plan_scenario"),
    "map": (planner.cli, "load_scenario"),
    "validate": (planner.cli, "load_scenario"),
    "simulate": (planner.simulate.main, "load_spec"),
}

FAULTS: list[tuple[Exception, int, str]] = [
    (InputError([InputProblem("requests.csv", 3, "kind", "is empty but required")]), 2,
     "requests.csv Zeile 3, Spalte kind: ist leer, wird aber benötigt"),
    (UsageError("--date muss JJJJ-MM-TT sein, nicht 'x'"), 2, "--date muss JJJJ-MM-TT sein"),
    (RulesBroken(["[travel] R1: too fast"]), 3, "[travel] R1: too fast"),
    (NetworkError("OSM extract x.osm has no drivable roads"), 3, "OSM-Auszug x.osm hat keine befahrbaren"),
    (DataError("no chromium to print PDFs with: install the Debian package chromium"), 3, "kein Chromium"),
    (SitingError("no proved optimum for k = 3 within 120 s"), 3, "kein bewiesenes Optimum für k = 3"),
    (OSError(errno.EACCES, "Permission denied", "out/tours.csv"), 3, "Kein Zugriff auf out/tours.csv"),
    (ProblemError("job R1: no time window"), 1, "Interner Fehler in vanplan"),
    (RuntimeError("boom"), 1, "Interner Fehler in vanplan"),
]  # fmt: skip


def args_for(command: str, tmp_path: Path) -> list[str]:
    """Arguments that parse for `command`; what they point at never gets read."""
    cache = ["--cache", str(tmp_path / "cache")]
    return {
        "plan": ["plan", str(VALID_MIN), "--out", str(tmp_path / "out"), *cache],
        "map": ["map", str(VALID_MIN), str(tmp_path / "plan.json"), "--out", str(tmp_path / "out"), *cache],
        "validate": ["validate", str(VALID_MIN), str(tmp_path / "plan.json"), *cache],
        "simulate": ["simulate", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "sim")],
    }[command]


def raising(exc: Exception) -> Callable[..., None]:
    """A stand-in that raises `exc` whatever it is called with."""

    def fail(*_args: object, **_kwargs: object) -> None:
        raise exc

    return fail


def invoke(args: list[str]) -> Result:
    """Run the command line in this process, as `vanplan ARGS` would."""
    return CliRunner().invoke(planner.cli.app, args)


@pytest.mark.parametrize("command", sorted(TARGETS))
@pytest.mark.parametrize(("fault", "code", "text"), FAULTS, ids=[type(f[0]).__name__ for f in FAULTS])
def test_every_command_turns_every_error_into_a_message_and_its_exit_code(
    command: str, fault: Exception, code: int, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name = TARGETS[command]
    monkeypatch.setattr(module, name, raising(fault))
    result = invoke(args_for(command, tmp_path))
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert text in result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == (2 if isinstance(fault, InputError) else 1), lines


def test_internal_error_says_it_is_a_bug_and_where_the_traceback_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner.cli, "plan_scenario", raising(KeyError("depot")))
    result = invoke([*args_for("plan", tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("Internal error in vanplan (a bug, please report it): KeyError: 'depot'")
    assert "--debug" in line
    log = Path(re.search(r"Details: (\S+)", line)[1])  # type: ignore[index]
    assert log.parent == tmp_path / "cache"
    assert "Traceback" in log.read_text(encoding="utf-8") and "KeyError: 'depot'" in log.read_text()


def test_debug_shows_the_traceback_of_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner.cli, "plan_scenario", raising(RuntimeError("boom")))
    result = invoke(["--debug", *args_for("plan", tmp_path)])
    assert isinstance(result.exception, RuntimeError)


def test_the_installed_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    """The real process: an internal error in `main()` ends with exit code 1 and one line."""
    script = (
        "import sys, planner.cli as cli\n"
        "def boom(*a, **k): raise RuntimeError('boom')\n"
        "cli.plan_scenario = boom\n"
        "sys.argv = ['vanplan', *sys.argv[1:]]\n"
        "cli.main()\n"
    )
    cmd = [sys.executable, "-c", script, *args_for("plan", tmp_path)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().startswith("Interner Fehler in vanplan") and "boom" in result.stderr


def test_every_user_error_is_a_vanplan_error_with_a_documented_exit_code() -> None:
    section = (ROOT / "docs" / "output.md").read_text(encoding="utf-8").split("## Exit codes")[1]
    documented = {int(code) for code in re.findall(r"^\| `(\d)` \|", section, re.M)}
    codes = {errors.EXIT_OK, errors.EXIT_INTERNAL, errors.EXIT_INPUT, errors.EXIT_RULES, errors.EXIT_DATA}
    assert documented == codes == {0, 1, 2, 3}  # input 2, network/data 3 (a broken rule too), internal 1
    classes = [InputError, UsageError, RulesBroken, DataError, NetworkError, SitingError, ProblemError]
    assert all(issubclass(c, VanplanError) and c.exit_code in codes for c in classes)
    assert (NetworkError.exit_code, SitingError.exit_code, ProblemError.exit_code) == (3, 3, 1)
    assert RulesBroken.exit_code == 3
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in readme for code in codes)


def test_old_import_places_still_give_the_hierarchys_classes() -> None:
    from planner.network import NetworkError as FromNetwork
    from planner.problem.routing import ProblemError as FromProblem
    from planner.simulate.siting import SitingError as FromSiting

    assert (FromNetwork, FromProblem, FromSiting) == (NetworkError, ProblemError, SitingError)


def test_errors_cross_process_boundaries_whole() -> None:
    """Errors raised in a Dask worker are pickled; they must arrive with their problems and keys."""
    problem = InputProblem("lauf.toml", 3, "weeks", "must be at least 1, got 0")
    for error in (
        InputError([problem]),
        RulesBroken(["[lost] R1"]),
        NetworkSettingError("x", "network.max_snap_m"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
    assert pickle.loads(pickle.dumps(InputError([problem]))).problems == [problem]
    assert (
        pickle.loads(pickle.dumps(NetworkSettingError("x", "network.max_snap_m"))).key == "network.max_snap_m"
    )
