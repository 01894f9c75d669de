"""What a page in a given language says and which way it runs, as Babel tells the server: both
test tiers expect it from here, never from a hard-coded language."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations, Translations

CATALOGUES = Path(__file__).resolve().parents[2] / "passport" / "i18n"


@cache
def translator(language: str) -> NullTranslations:
    """The catalogue the server uses, so a test expects what a person would read."""
    if language == "en":
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [language], "messages")


def error_prefix(language: str) -> str:
    """What a page's <title> starts with when its form has errors ("Error: " in English)."""
    return translator(language).gettext("Error:") + " "


def text_direction(language: str) -> str:
    """'ltr' or 'rtl': the direction a page in this language must give <html dir>."""
    return str(Locale.parse(language.replace("-", "_")).text_direction)
