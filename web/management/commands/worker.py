"""`python -m web worker`: run planning jobs in the background (started by `vanplan serve`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from web.jobs import work


class Command(BaseCommand):
    help = "Run queued planning and replanning jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds between looks at the queue.")
        parser.add_argument("--stop-file", type=Path, default=None, help="Stop when this file exists.")
        parser.add_argument("--parent", type=int, default=None, help="Stop when this process is gone.")

    def handle(self, *args: Any, **options: Any) -> None:
        work(options["poll"], options["stop_file"], options["parent"])
