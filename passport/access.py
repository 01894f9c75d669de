"""Access decisions. Every view carries one; a test walks app.url_map to prove it.

Decorators read as sentences: @public, @resident_required, the organisation's
@share_link_holder (passport/organisations/access.py: its check needs sharing), and staff's
@staff_required, @organisation_member(...) and @directory_admin_required
(passport/staff/access.py). A decorator
that lets someone in also says who is acting and on whose passport (passport/acting.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, render_template
from flask_login import current_user, login_required

from passport import acting

View = TypeVar("View", bound=Callable[..., Any])

PUBLIC = "public"
RESIDENT = "resident"
SHARE_LINK = "share-link"
# Staff (passport/staff/access.py): any member of staff; a member of the organisation in the
# address, in one of the roles; a directory admin.
STAFF = "staff"
ORGANISATION_MEMBER = "organisation-member"
DIRECTORY_ADMIN = "directory-admin"


def mark(view: View, decision: str, *, personal: bool) -> View:
    """Mark a view with its access decision (the decorators here, and share_link_holder)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if personal:
            g.personal_page = True
        return view(*args, **kwargs)

    wrapper.access = decision  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def public(view: View) -> View:
    """Anyone may use this view."""
    return mark(view, PUBLIC, personal=False)


def resident_required(view: View) -> View:
    """Only a signed-in resident, acting on their own passport; their own data, so never
    stored by any cache."""

    @wraps(view)
    def as_resident(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_staff:
            # Signed in for work: a staff session never reaches a passport (ADR 0026).
            return render_template("signed_in_for_work.html"), 403
        acting.act_as_resident()
        return view(*args, **kwargs)

    return mark(login_required(as_resident), RESIDENT, personal=True)
