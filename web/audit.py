"""The audit log: one entry per page or file that shows or exports client data."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from web.models import AuditEntry


def record(request: HttpRequest, action: str, what: str, clients: Iterable[str] = ()) -> None:
    """Note that the request's user viewed or exported `what`, showing `clients`."""
    user = request.user if request.user.is_authenticated else None
    name = user.get_username() if user is not None else ""
    refs = ", ".join(sorted({c for c in clients if c}))
    AuditEntry.objects.create(user=user, username=name, action=action, what=what[:300], clients=refs)
