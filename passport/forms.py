"""Form pieces shared by every capability."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, flash, session
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from passport import once


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_token"] = once.new_token


def flash_once(message: str, category: str) -> None:
    """Flash, unless the same message already waits to be shown (a form sent twice)."""
    if (category, message) not in session.get("_flashes", []):
        flash(message, category)


def email_field(label: str | None = None) -> StringField:
    return StringField(
        label or _l("Email address"),
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
            Email(
                message=_l("Enter an email address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]


def one_newline(value: object) -> object:
    """Browsers send a line break as CR LF: count it as one character, as people do."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def ascii_digits(value: object) -> object:
    """'１２３' or '١٢٣' typed on another keyboard are the same code as '123'."""
    if not isinstance(value, str):
        return value
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value if not ch.isspace()
    )
