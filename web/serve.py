"""`vanplan serve` and `vanplan createuser`: the web app on this machine, its worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def setup(data: Path, osm_dir: Path | None = None) -> None:
    """Point Django at the data folder (made if missing) and bring its database up to date."""
    data.mkdir(parents=True, exist_ok=True)
    os.environ["VANPLAN_DATA"] = str(data.resolve())
    if osm_dir is not None:
        os.environ["VANPLAN_OSM_DIR"] = str(osm_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def serve(data: Path, host: str, port: int, osm_dir: Path | None = None, threads: int = 8) -> None:
    """Serve the app with waitress and run the worker in a second process until interrupted."""
    setup(data, osm_dir)
    import waitress
    from django.core.wsgi import get_wsgi_application

    worker = subprocess.Popen(
        [sys.executable, "-m", "web", "worker", "--parent", str(os.getpid())], env=os.environ.copy()
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the worker too (the finally below)
    try:
        waitress.serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="vanplan")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def create_user(data: Path, username: str, role: str, password: str, coach_id: str = "") -> str:
    """Create (or update) a user with a role; returns "" or what is wrong with the input."""
    setup(data)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from web.models import Profile, Role

    if role not in Role.values:
        return f"role must be one of {', '.join(Role.values)}"
    if role == Role.COACH and not coach_id:
        return "a coach needs --coach (the id in coaches.csv)"
    model = get_user_model()
    user = model.objects.filter(username=username).first() or model(username=username)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    user.set_password(password)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": role, "coach_id": coach_id})
    return ""
