"""Self-referral and the referral lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, render_template, url_for
from flask.typing import ResponseReturnValue

if TYPE_CHECKING:
    from flask_babel import LazyString

    from passport.referrals.service import (
        ReferralRefusedError,
        ServiceLeftDirectoryError,
        StatusChangedError,
    )


def init_app(app: Flask) -> None:
    """The resident's referral pages and shares, what they add to the passport and service
    pages, what they show when a referral moved on first, and the notices a resident gets
    as a referral moves."""
    from passport import parts
    from passport.referrals.service import (
        ReferralRefusedError,
        ServiceLeftDirectoryError,
        StatusChangedError,
    )
    from passport.referrals.views import bp, passport_page_shares, service_page_referral

    app.register_blueprint(bp)
    # What referrals show on the passport page and on a service page (passport/parts.py).
    parts.add(
        app, "needs.passport", parts.Part("referrals/passport_shares.html", passport_page_shares)
    )
    parts.add(
        app,
        "directory.service",
        parts.Part("referrals/service_referred.html", service_page_referral, "above"),
    )
    app.register_error_handler(StatusChangedError, status_changed)
    app.register_error_handler(ServiceLeftDirectoryError, service_left)
    app.register_error_handler(ReferralRefusedError, referral_refused)
    add_notices()


def add_notices() -> None:
    """What the notices page says of each thing that happens to a referral (all lead to it).
    The e-mails and texts say less: opening has its own, the organisation's answers and
    work share "There is an update", and a message says only that there is one."""
    from flask_babel import lazy_gettext as _l

    from passport.notices import words

    def kind(title: LazyString, message: str | None = "referral_update") -> words.Kind:
        return words.Kind(title, "referrals.detail", ("referral_id",), message)

    words.add("referral_opened", kind(_l("An organisation has opened a referral you made"), None))
    words.add("referral_accepted", kind(_l("An organisation has accepted a referral you made")))
    words.add("referral_declined", kind(_l("An organisation has declined a referral you made")))
    words.add(
        "referral_started", kind(_l("An organisation has started work on a referral you made"))
    )
    words.add("referral_on_hold", kind(_l("An organisation has put a referral you made on hold")))
    words.add(
        "referral_completed",
        kind(_l("An organisation has finished work on a referral you made")),
    )
    words.add(
        "referral_message", kind(_l("You have a new message about a referral you made"), None)
    )


def status_changed(error: StatusChangedError) -> ResponseReturnValue:
    # Someone moved the referral on first (a double click, another tab, the organisation):
    # keep nothing of this request. The same move made twice with nothing typed goes back to
    # the referral; otherwise a page says what happened and shows what was typed.
    # (On a share link, the organisations blueprint's own handler answers instead.)
    from passport import errors, unit_of_work
    from passport.referrals.views import answer_changed

    if errors.is_api_request():
        unit_of_work.roll_back()
        return errors.domain_error(error)
    back = url_for("referrals.detail", referral_id=error.args[0])
    return answer_changed(error, back=back, side="resident")


def service_left(error: ServiceLeftDirectoryError) -> ResponseReturnValue:
    # A draft, or a new link, for a service that has left the directory: nothing is sent.
    from passport import errors

    if errors.is_api_request():
        return errors.domain_error(error)
    return render_template("referrals/service_left.html", referral_id=error.args[0]), error.status


def referral_refused(error: ReferralRefusedError) -> ResponseReturnValue:
    # The service is not accepting referrals, not running, or its listing is too old to
    # trust: nothing of this request is kept, and the page says why in plain words.
    from passport import errors, unit_of_work

    unit_of_work.roll_back()
    if errors.is_api_request():
        return errors.domain_error(error)
    page = render_template("referrals/refused.html", service=error.service, reason=error.reason)
    return page, error.status
