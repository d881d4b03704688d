"""Settings of the web tests: a throw-away data folder, a fixed clock before the demo week, and
fast password hashing (Argon2 is tested on its own in tests/test_web_security.py)."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("VANPLAN_DATA", tempfile.mkdtemp(prefix="vanplan-web-test-"))
os.environ.setdefault("VANPLAN_NOW", "2026-11-30 06:00")
os.environ.setdefault("VANPLAN_TIME_LIMIT", "5")
os.environ.setdefault("VANPLAN_OSM_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "osm"))

from web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
