"""Tables written for people open in Excel or LibreOffice, which run a cell that looks like a formula.

A client reference `=1+2` or a note `=HYPERLINK("http://…","klick")` copied from the input into
tours.csv would run when the coordinator opens the file (OWASP "CSV injection"). Every table written
for people goes through `write_csv`, which puts a `'` before text that a spreadsheet would read as a
formula; numbers stay numbers (a negative number is not text and is not touched), and plan.json,
which programs read, keeps the text exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pandas as pd

T = TypeVar("T")

# What makes Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP), and the full-width
# forms that Excel in East Asian locales reads the same way.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def plain_text(value: T) -> T | str:
    """The value as a spreadsheet shows it as text: `'` before text that would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table for people as UTF-8 CSV with every text cell made safe to open in a spreadsheet."""
    frame.map(plain_text).to_csv(path, index=False, encoding="utf-8")
