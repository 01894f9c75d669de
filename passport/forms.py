"""Form pieces shared by every capability."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from wtforms import Field, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from passport import kept, once, unit_of_work
from passport.extensions import login_manager

# Posted with a form, but not what the person typed.
NOT_TYPED = frozenset({"csrf_token", once.FIELD, "lang", "next"})
# A choice made, not text typed: a category's code, a number of days.
CHOICE = re.compile(r"[a-z_]+|[0-9]{1,3}")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_token"] = once.new_token
    login_manager.unauthorized_handler(sign_in_again)


class Form(FlaskForm):
    """A form whose typed text survives a change of language or a lost session: shown again
    (not sent) at its own address, once, filled in with what was kept (passport/kept.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if request.method == "GET" and not args and "formdata" not in kwargs:
            restored = _restored()
            if restored is not None:
                kwargs["formdata"] = restored
        super().__init__(*args, **kwargs)


def _restored() -> MultiDict[str, str] | None:
    if "kept_form" not in g:
        found = kept.take(request.path, _account())
        g.kept_form = MultiDict(found.fields) if found else None
        if found and found.check:
            flash(_("Check your answers and save again."), "info")
    return g.kept_form


def _account() -> str | None:
    return str(current_user.id) if current_user.is_authenticated else None


def _typed() -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, values in request.form.lists()
        if name not in NOT_TYPED
        for value in values
    ]


def _form_page(path: str) -> bool:
    """Whether `path` shows a form (GET) that is sent back to it (POST)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, _args = adapter.match(path, method="GET", return_rule=True)
    except HTTPException:
        return False
    return "POST" in (rule.methods or ())


def keep_for_language(target: str) -> None:
    """A form sent to change language (its 'keep what you typed' buttons): keep what was
    typed for the page it returns to."""
    path = urlsplit(target).path
    typed = _typed()
    if typed and _form_page(path) and kept.keep(path, typed, account=_account(), check=False):
        unit_of_work.commit_now()  # what was typed is kept, whatever this request does next


def sign_in_again() -> ResponseReturnValue:
    """Someone who is not signed in asked for a resident's page. A form sent after the
    session ended elsewhere (signed out everywhere, on another device) keeps what was typed,
    for the same person to find on the form again once they have signed in."""
    # Flask-Login keeps the old id in the session when it no longer finds the account.
    previous = str(session.get("_user_id") or "").partition(".")[0] or None
    if (
        request.method == "POST"
        and previous
        and _form_page(request.path)
        and (typed := _typed())
        and kept.keep(request.path, typed, account=previous, check=True)
    ):
        unit_of_work.commit_now()  # what was typed is kept, whatever this request does next
        flash(
            _(
                "You have been signed out. Sign in again on this device within 1 hour to get "
                "back what you typed."
            ),
            "info",
        )
        return redirect(url_for("accounts.sign_in", next=request.path))
    flash(str(login_manager.login_message), "info")
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))


def typed_to_copy() -> list[str]:
    """What was typed into a form that could not be accepted because the browser's session
    had gone (signed out in another tab, or too old), to show for copying. Only for our own
    pages' forms, which the browser says by Sec-Fetch-Site."""
    if request.method != "POST" or request.headers.get("Sec-Fetch-Site") != "same-origin":
        return []
    return [value for _name, value in _typed() if value.strip() and not CHOICE.fullmatch(value)]


def flash_once(message: str, category: str) -> None:
    """Flash, unless the same message already waits to be shown (a form sent twice)."""
    if (category, message) not in session.get("_flashes", []):
        flash(message, category)


class MaxLength(Length):
    """At most `max` characters: the one place a field's limit is written. Its message names
    the number as the reader's language writes it (%(max)s: "5,000"), and macros/forms.html
    reads the limit from the field (`field.flags.maxlength`, which Length sets)."""

    def __init__(self, max: int, message: str) -> None:
        super().__init__(max=max, message=message)

    def __call__(self, form: Any, field: Field) -> None:
        if len(field.data or "") > self.max:
            raise ValidationError(str(self.message) % {"max": format_number(self.max)})


def email_field(label: str | None = None) -> StringField:
    return StringField(
        label or _l("Email address"),
        validators=[
            DataRequired(message=_l("Enter your email address")),
            MaxLength(320, _l("Email address must be %(max)s characters or fewer")),
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


@dataclass
class Option(SelectChoice):
    """A choice with a hint under it, which macros/forms.html shows. `own_words`: the hint
    is what the person wrote, so it keeps its own direction (macros/text.html)."""

    hint: object = None
    own_words: bool = False


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
