"""'Exit this page': the one rule for which pages show it.

A view says what its page is about (`topics`: need categories, a service's categories, a
directory filter) and which categories it offers to choose (`offers`); base.html asks
`exit_this_page(topics, offers)`. Views never decide on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from flask import Flask, g

from passport import acting, taxonomy
from passport.needs import service as needs

SENSITIVE: frozenset[str] = frozenset(c.code for c in taxonomy.CATEGORIES if c.sensitive)


class Exit(Enum):
    HIDDEN = "hidden"
    SHOWN = "shown"
    # With JavaScript, once a sensitive category is picked; without it, from the start.
    WHEN_CHOSEN = "when-chosen"


def is_sensitive(codes: Iterable[str]) -> bool:
    return not SENSITIVE.isdisjoint(codes)


def exit_this_page(topics: Iterable[str] = (), offers: Iterable[str] = ()) -> Exit:
    """Shown on a page about a sensitive topic, and on every page a resident who has a
    sensitive need sees; a page that offers a sensitive category shows it when it is chosen."""
    if is_sensitive(topics) or _resident_has_a_sensitive_need():
        return Exit.SHOWN
    if is_sensitive(offers):
        return Exit.WHEN_CHOSEN
    return Exit.HIDDEN


def _resident_has_a_sensitive_need() -> bool:
    if "sensitive_need" not in g:
        passport = acting.passport_if_any()
        g.sensitive_need = passport is not None and is_sensitive(needs.categories(passport))
    return bool(g.sensitive_need)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        exit_this_page=exit_this_page, Exit=Exit, sensitive_categories=SENSITIVE
    )
