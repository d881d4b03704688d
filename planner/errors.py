"""Errors vanplan reports to its user: one base class, each also the matching builtin, each an exit code."""

from __future__ import annotations

from dataclasses import dataclass


class VanplanError(Exception):
    """Base of every error meant for the user; `exit_code` is what the command line returns for it."""

    exit_code: int = 1


@dataclass(frozen=True)
class InputProblem:
    """One defect in a scenario folder, located by file, spreadsheet row (or TOML line) and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """`requests.csv row 14, column latest_date: ...`; TOML files say `line` and `key` instead."""
        row_label, column_label = ("line", "key") if self.file.endswith(".toml") else ("row", "column")
        where = self.file if self.row is None else f"{self.file} {row_label} {self.row}"
        if self.column:
            where += f", {column_label} {self.column}"
        return f"{where}: {self.message}"


class InputError(VanplanError, ValueError):
    """The scenario folder breaks the input contract (docs/input.md); `problems` lists every defect found."""

    exit_code = 2

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = list(problems)
        count = f"{len(self.problems)} problem{'' if len(self.problems) == 1 else 's'}"
        super().__init__("\n  ".join([f"{count} in the scenario:", *map(str, self.problems)]))
