"""German unless the user chose English (a cookie set by the language switch): the browser's own
language does not count, so every job centre sees the same pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

COOKIE = "vanplan_lang"


def language(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Activate the chosen language for the request (German by default)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(COOKIE, "")
        lang = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response

    return middleware
