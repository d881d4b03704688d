"""Typed look-ups in a TOML table that record located problems instead of failing at the first.

Shared by scenario.toml (planner.input.load) and simulation specs (planner.simulate.spec): each value is
checked, a problem names the file and the dotted key, and the default is used so that every
problem of a file can be reported at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from planner.errors import InputProblem

T = TypeVar("T")


def check_range(value: float, low: float | None, high: float | None) -> None:
    """Raise a ValueError naming the bounds when `value` lies outside those given (inclusive)."""
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"must be from {low:g} to {high:g}, got {_number(value)}")
    if low is not None and value < low:
        raise ValueError(f"must be at least {low:g}, got {_number(value)}")
    if high is not None and value > high:
        raise ValueError(f"must be at most {high:g}, got {_number(value)}")


def _number(value: float) -> str:
    """A value as `:g` shows it, or in words when it is a whole number too large for a float."""
    try:
        return f"{value:g}"
    except OverflowError:  # an int beyond 1.8e308 (TOML's hex and octal ints have no length limit)
        return "a number of more than 300 digits"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """A ` (did you mean x?)` hint for a misspelt name, or nothing when no name is close."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class TomlTable:
    """One table of a TOML file: typed values, each problem recorded under its dotted key."""

    def __init__(self, data: Any, path: str, file: str, problems: list[InputProblem]) -> None:
        """`path` is the table's dotted key ("" at the top); `file` names the file in messages."""
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self.path, self.file, self.problems = path, file, problems
        if not isinstance(data, dict):
            self.problem("", "must be a table")

    def key(self, name: str) -> str:
        """The dotted key of an entry, e.g. `network.osm`."""
        return ".".join(p for p in (self.path, name) if p)

    def problem(self, name: str, message: str) -> None:
        """Record a problem at this key."""
        self.problems.append(InputProblem(self.file, None, self.key(name) or None, message))

    def check_keys(self, allowed: tuple[str, ...]) -> TomlTable:
        """Report keys this table does not know: typos would otherwise be silently ignored."""
        for name in self.data:
            if name not in allowed:
                self.problem(name, f"unknown key{did_you_mean(name, allowed)}")
        return self

    def table(self, name: str, allowed: tuple[str, ...]) -> TomlTable:
        """A sub-table (empty when absent), its keys checked."""
        return TomlTable(self.data.get(name, {}), self.key(name), self.file, self.problems).check_keys(
            allowed
        )

    def tables(self, name: str) -> list[TomlTable]:
        """An array of tables `[[name]]`, empty when absent; numbered from 1 in messages."""
        value = self.data.get(name, [])
        if not isinstance(value, list):
            self.problem(name, "must be an array of tables")
            return []
        return [
            TomlTable(t, f"{self.key(name)}[{i}]", self.file, self.problems) for i, t in enumerate(value, 1)
        ]

    def text(self, name: str, default: str | None = None) -> str:
        """A string; required when there is no default."""
        value = self.data.get(name, default)
        if value is None:
            self.problem(name, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(name, f"must be a string in quotes, got {value!r}")
            return default or ""
        return value

    def flag(self, name: str, default: bool) -> bool:
        """A boolean value (`true` or `false`)."""
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.problem(name, f"must be true or false, got {value!r}")
            return default
        return value

    def number(self, name: str, default: float, low: float = 0.0, high: float | None = None) -> float:
        """A number within `low`..`high`."""
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(name, f"must be a number, got {value!r}")
            return default
        if not self._in_range(name, value, low, high):
            return default
        try:
            return float(value)
        except OverflowError:
            self.problem(name, f"is too large: {_number(value)}")
            return default

    def whole(self, name: str, default: int, low: int = 0, high: int | None = None) -> int:
        """A whole number within `low`..`high`."""
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"must be a whole number, got {value!r}")
            return default
        return value if self._in_range(name, value, low, high) else default

    def parsed(self, name: str, parse: Callable[[str], T], default: str) -> T:
        """A string run through a cell parser of planner.input.load (dates, weekdays, ...)."""
        try:
            return parse(self.text(name, default))
        except ValueError as exc:
            self.problem(name, str(exc))
            return parse(default)

    def shares(self, name: str, known: tuple[str, ...], default: dict[str, float]) -> dict[str, float]:
        """A table of non-negative numbers under known names."""
        if name not in self.data:
            return default
        table = self.table(name, known)
        return {k: table.number(k, 0.0) for k in table.data}

    def _in_range(self, name: str, value: float, low: float | None, high: float | None) -> bool:
        """Whether `value` lies within the bounds; records the problem when it does not."""
        try:
            check_range(value, low, high)
        except ValueError as exc:
            self.problem(name, str(exc))
            return False
        return True
