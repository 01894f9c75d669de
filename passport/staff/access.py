"""Who may use a staff page: a member of staff; a member of the organisation in the address,
in one of the roles; a directory admin. Anyone else gets the same 404 whether or not the
organisation exists (never confirm what is there); a resident's session is told plainly
that these pages are for work, and nobody signed in is sent to the staff sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import g, redirect, render_template, request, url_for
from flask_login import current_user

from passport import access, acting
from passport.errors import NotFoundError
from passport.staff import service as staff
from passport.staff.roles import StaffRole

if TYPE_CHECKING:
    from passport.staff.models import StaffAccount

View = TypeVar("View", bound=Callable[..., Any])


def _refused() -> Any:
    """Not a member of staff: to the staff sign-in, or told this is for work."""
    if not current_user.is_authenticated:
        return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
    return render_template("staff/for_work_only.html"), 403


def _as_staff(view: View, check: Callable[[], None]) -> View:
    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_staff:
            return _refused()
        check()
        return view(*args, **kwargs)

    return cast(View, checked)


def staff_required(view: View) -> View:
    """Any signed-in member of staff, acting for their work."""
    return access.mark(_as_staff(view, acting.act_as_staff), access.STAFF, personal=True)


def current_staff() -> StaffAccount:
    """The signed-in member of staff (under one of the decorators here)."""
    return cast("StaffAccount", acting.current_actor.account)


def current_organisation() -> staff.OrganisationView:
    """The organisation in the address, as @organisation_member found it."""
    return cast(staff.OrganisationView, g.organisation)


def current_role() -> StaffRole:
    return cast(StaffRole, g.staff_role)


def organisation_member(*roles: StaffRole) -> Callable[[View], View]:
    """A member of the organisation named by `org_slug` in the address, in one of `roles`."""

    def decorate(view: View) -> View:
        def check() -> None:
            slug = str((request.view_args or {}).get("org_slug", ""))
            found = staff.organisation_for(current_user._get_current_object(), slug, roles)
            if found is None:
                raise NotFoundError("organisations")
            g.organisation, g.staff_role = found
            acting.act_as_staff(found[0].id)

        return access.mark(_as_staff(view, check), access.ORGANISATION_MEMBER, personal=True)

    return decorate


def directory_admin_required(view: View) -> View:
    """A member of staff who holds the site-wide directory admin role."""

    def check() -> None:
        if not staff.holds_site_wide(current_user._get_current_object(), StaffRole.DIRECTORY_ADMIN):
            raise NotFoundError("organisations")
        acting.act_as_staff()

    return access.mark(_as_staff(view, check), access.DIRECTORY_ADMIN, personal=True)
