"""Languages: the choice is remembered in a cookie, else taken from the browser."""

from __future__ import annotations

from babel import Locale
from flask import request
from flask_babel import get_locale

LANGUAGES = {"en": "English", "cy": "Cymraeg"}
LOCALE_COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def text_direction() -> str:
    locale = get_locale() or Locale("en")
    return str(locale.text_direction)
