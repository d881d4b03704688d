"""`python -m web <command>`: Django's management commands with the app's settings (migrate, worker)."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    execute_from_command_line(["vanplan-web", *sys.argv[1:]])
