"""Access decisions. Every view carries one; a test walks app.url_map to prove it.

Decorators read as sentences: @public, @resident_required, @share_link_holder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g
from flask_login import login_required

View = TypeVar("View", bound=Callable[..., Any])

PUBLIC = "public"
RESIDENT = "resident"
SHARE_LINK = "share-link"


def _mark(view: View, decision: str, *, personal: bool) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if personal:
            g.personal_page = True
        return view(*args, **kwargs)

    wrapper.access = decision  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def public(view: View) -> View:
    """Anyone may use this view."""
    return _mark(view, PUBLIC, personal=False)


def resident_required(view: View) -> View:
    """Only a signed-in resident; their own data, so never stored by any cache."""
    return _mark(login_required(view), RESIDENT, personal=True)


def share_link_holder(view: View) -> View:
    """Reached by a share link; the view itself checks the token and the one-time code."""
    return _mark(view, SHARE_LINK, personal=True)
