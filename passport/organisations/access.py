"""Who may use a share route: the holder of a working link, and for the referral, its code.

The decorators are the check itself: they load the link into the request (`share_link()`)
or raise, and the blueprint's error handlers render the answer. So every share route is
refused alike, and the URL-map walk in tests/test_access_control.py proves it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request, session
from flask_login import current_user

from passport import access, clock
from passport.referrals import service as referrals
from passport.sharing import service as sharing
from passport.sharing.models import ShareLink
from passport.staff import service as staff
from passport.staff.roles import Can, StaffRole, may

View = TypeVar("View", bound=Callable[..., Any])

DECLINED_HERE = "share_declined"
# Per link: until when this browser may open it (a right code) and the look it is logged as.
VISITS = "share_access"


class LinkUnavailableError(Exception):
    """The link is unknown (404), or expired, withdrawn or locked (410)."""

    def __init__(self, state: sharing.LinkState) -> None:
        super().__init__(state)
        self.state = state


class LinkDeclinedError(LinkUnavailableError):
    """The organisation declined or completed the referral: whoever holds the link learns
    nothing more."""


class CodeNeededError(Exception):
    """The link works, but this browser has not entered its code (or that visit is over)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def share_link() -> ShareLink:
    """The link this request came by, as the access decorator found it."""
    return cast(ShareLink, g.share_link)


def share_link_holder(view: View) -> View:
    """Someone holding a working share link, with or without its code."""
    return _checked(view, code=False, declined_here=False)


def share_link_holder_with_code(view: View) -> View:
    """Someone holding a working share link who has entered its code in this browser."""
    return _checked(view, code=True, declined_here=False)


def share_link_holder_who_declined(view: View) -> View:
    """As share_link_holder, and also the browser that has just declined (or completed) the
    referral, although its link no longer works."""
    return _checked(view, code=False, declined_here=True)


def remember_declined(link: ShareLink, told: bool, move: str = "decline") -> None:
    """This browser has just ended the referral (declined or completed it) through the link."""
    session[DECLINED_HERE] = {"link": str(link.id), "told": told, "move": move}


def _checked(view: View, *, code: bool, declined_here: bool) -> View:
    @wraps(view)
    def holding(*args: Any, **kwargs: Any) -> Any:
        g.share_link = _link(code=code, declined_here=declined_here)
        return view(*args, **kwargs)

    return access.mark(cast(View, holding), access.SHARE_LINK, personal=True)


def _link(*, code: bool, declined_here: bool) -> ShareLink:
    token = str((request.view_args or {}).get("token"))
    state, link = sharing.find_link(token)
    if declined_here and link is not None and _declined_here(link):
        return link
    if link is None or state is not sharing.LinkState.OK:
        if (
            state is sharing.LinkState.REVOKED
            and link
            and referrals.is_ended_by_organisation(link.grant_id)
        ):
            raise LinkDeclinedError(state)
        raise LinkUnavailableError(state)
    if code and not has_access(link):
        raise CodeNeededError(token)
    return link


def _declined_here(link: ShareLink) -> bool:
    return session.get(DECLINED_HERE, {}).get("link") == str(link.id)


def told_on_declining(link: ShareLink) -> tuple[bool, str] | None:
    """Once, in the browser that declined or completed through this link: whether the person
    was told, and which it was ("decline" or "complete")."""
    just = session.pop(DECLINED_HERE, None)
    if not just or just.get("link") != str(link.id):
        return None
    return bool(just.get("told")), str(just.get("move", "decline"))


# This browser's visit to a link: held in the (sealed) session cookie, so the sharing service
# knows nothing of browsers. -------------------------------------------------------------------


def remember_visit(link: ShareLink) -> None:
    """The right code: this browser may open the link for a while. That is one visit, logged
    as one look however often it comes back."""
    visits = dict(session.get(VISITS, {}))
    until = clock.now() + sharing.ACCESS_LIFETIME
    visits[str(link.id)] = {"until": until.isoformat(), "look": str(uuid.uuid4())}
    session[VISITS] = visits


def forget_visit(link: ShareLink) -> None:
    visits = dict(session.get(VISITS, {}))
    visits.pop(str(link.id), None)
    session[VISITS] = visits


def has_access(link: ShareLink) -> bool:
    """This browser has entered the link's code during a visit still running, or is signed
    in for work as staff of the organisation the link is shared with (ADR 0010)."""
    # Staff who opened the link without a code have a visit that names only its look.
    until = (_visit(link) or {}).get("until")
    if until is not None and datetime.fromisoformat(until) > clock.now():
        return True
    return _staff_of_its_organisation(link)


def _staff_of_its_organisation(link: ShareLink) -> bool:
    if not current_user.is_authenticated or not current_user.is_staff:
        return False
    organisation = sharing.link_organisation(link)
    roles = tuple(role for role in StaffRole if may(role, Can.WORK_REFERRALS))
    return staff.member_of(current_user._get_current_object(), organisation.id, roles)


def look_of_this_visit(link: ShareLink) -> uuid.UUID:
    """The look this browser's visit is logged as."""
    visit = _visit(link) or {}
    # A visit begun before looks were named up front named its look once logged ("event").
    look = visit.get("look") or visit.get("event")
    if look is None:
        look = str(uuid.uuid4())
        session[VISITS] = {**session.get(VISITS, {}), str(link.id): {**visit, "look": look}}
    return uuid.UUID(look)


def _visit(link: ShareLink) -> dict[str, str] | None:
    entry = session.get(VISITS, {}).get(str(link.id))
    return entry if isinstance(entry, dict) else None
