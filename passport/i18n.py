"""Languages: the choice is remembered in a cookie, else taken from the browser."""

from __future__ import annotations

from babel import Locale
from flask import Flask, Response, request
from flask_babel import get_locale

LANGUAGES = {"en": "English", "cy": "Cymraeg"}
LOCALE_COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    # Best language first, matched on its primary tag: a browser that sends
    # "cy-GB,en;q=0.5" wants Welsh, though only "en" is an exact match.
    for tag, _quality in request.accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return "en"


def text_direction() -> str:
    locale = get_locale() or Locale("en")
    return str(locale.text_direction)


def init_app(app: Flask) -> None:
    app.after_request(_content_language)


def _content_language(response: Response) -> Response:
    """Say which language a page is in: the service worker keeps its offline page in the
    language the person chose by reading this (service_worker/sw.js)."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", str(get_locale() or "en"))
    return response
