"""`python -m scenarios.generate ...`, the older spelling of `vanplan generate ...` (planner.generate)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from planner.cli import app


def main(argv: Sequence[str] | None = None) -> None:
    """Run `vanplan generate` with these arguments (default: the command line's)."""
    args = sys.argv[1:] if argv is None else argv
    app(["generate", *args], prog_name="python -m scenarios.generate")


if __name__ == "__main__":
    main()
