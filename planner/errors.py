"""Errors vanplan reports to its user: one base class, each subclass with its exit code.

The exit codes are read here and nowhere else (docs/output.md, "Exit codes"):
0 success, 1 internal error (a bug in vanplan), 2 input error, 3 the plan breaks a rule,
4 network or data error (an extract, a tool or a folder vanplan needs does not work).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_DATA = 0, 1, 2, 3
EXIT_RULES = EXIT_DATA  # a plan that breaks a rule is bad data too: the one code scripts check besides 2


class VanplanError(Exception):
    """Base of every error vanplan raises on purpose; `exit_code` is what the command line returns for it."""

    exit_code: int = EXIT_INTERNAL


class InternalError(VanplanError):
    """A broken invariant: a bug in vanplan, never the user's doing."""


class ProblemError(InternalError, ValueError):
    """A routing problem that violates its own invariants (a programming error upstream, not user input)."""


@dataclass(frozen=True)
class InputProblem:
    """One defect in a scenario folder, located by file, spreadsheet row (or TOML line) and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """`requests.csv row 14, column latest_date: ...`; TOML files say `line` and `key` instead."""
        return f"{self.located()}: {self.message}"

    def located(self, words: tuple[str, str, str, str] = ("row", "column", "line", "key")) -> str:
        """Where the defect is, in `words` for row, column, line and key (the last two for TOML files)."""
        row_label, column_label = words[2:] if self.file.endswith(".toml") else words[:2]
        where = self.file if self.row is None else f"{self.file} {row_label} {self.row}"
        return f"{where}, {column_label} {self.column}" if self.column else where


class InputError(VanplanError, ValueError):
    """The scenario folder breaks the input contract (docs/input.md); `problems` lists every defect found."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = list(problems)
        count = f"{len(self.problems)} problem{'' if len(self.problems) == 1 else 's'}"
        super().__init__("\n  ".join([f"{count} in the scenario:", *map(str, self.problems)]))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[InputProblem]]]:
        """Pickle with the problems (an error raised in a Dask worker reaches the command line whole)."""
        return type(self), (self.problems,)


class UsageError(VanplanError, ValueError):
    """A command-line option or a file named on the command line is not usable; the text is for the user."""

    exit_code = EXIT_INPUT


class RulesBroken(VanplanError):
    """A plan breaks rules of its scenario; `lines` describe each broken rule."""

    exit_code = EXIT_RULES

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))

    def __reduce__(self) -> tuple[type[RulesBroken], tuple[list[str]]]:
        """Pickle with the lines, like `InputError`."""
        return type(self), (self.lines,)


class DataError(VanplanError):
    """Data or a tool vanplan relies on does not work: a road extract, Chromium, the output folder."""

    exit_code = EXIT_DATA


class NetworkError(DataError, ValueError):
    """The road network cannot be built: the extract is unreadable or has no usable drivable roads."""


class NetworkSettingError(NetworkError):
    """The scenario names no usable extract (missing, wrong kind of file) or invalid network settings.

    An input error: `key` is the scenario.toml key to fix.
    """

    exit_code = EXIT_INPUT

    def __init__(self, message: str, key: str = "network.osm") -> None:
        self.key = key
        super().__init__(message)

    def __reduce__(self) -> tuple[type[NetworkSettingError], tuple[str, str]]:
        """Pickle with the key, like `InputError`."""
        return type(self), (str(self), self.key)


class SitingError(DataError, RuntimeError):
    """CP-SAT did not prove an optimal choice of van stop sites within its time limit."""
