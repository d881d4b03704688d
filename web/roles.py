"""Who may open a view: one decorator per role set, so the permission matrix test reads like the
issue. A user without the role gets 403; a coach asking for another coach's data gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from web.models import Role

View = Callable[..., HttpResponse]


def role_of(user: Any) -> str:
    """The user's role ("" for none); a superuser is an administrator."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else ""


def allowed(*roles: str) -> Callable[[View], View]:
    """The view is for logged-in users of `roles` only."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


coordinator = allowed(Role.COORDINATOR)
coach = allowed(Role.COACH)
management = allowed(Role.MANAGEMENT, Role.COORDINATOR)


def context(request: HttpRequest) -> dict[str, str]:
    """The role for the templates' navigation."""
    return {"role": role_of(request.user)}
