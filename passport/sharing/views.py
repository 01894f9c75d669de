"""The resident's "Shared with" page: every share, in force and ended; changing what one
shows or for how long; and the consent receipt of each making and change."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from passport import once
from passport.access import resident_required
from passport.acting import current_passport
from passport.forms import flash_once
from passport.links import external_url
from passport.needs import service as needs
from passport.sharing import service as sharing
from passport.sharing.forms import CHANGED, PeriodForm, SectionsForm, section_options

bp = Blueprint("sharing", __name__, template_folder="templates")


@bp.get("/passport/shares")
@resident_required
def shared_with() -> ResponseReturnValue:
    shares = sharing.shares(current_passport)
    return render_template(
        "sharing/shared_with.html",
        in_force=[share for share in shares if share.in_force],
        ended=[share for share in shares if not share.in_force],
    )


def _ended(share: sharing.ShareView) -> ResponseReturnValue:
    """A share that ended while its page was open: nothing to change any more."""
    flash_once(
        _(
            "Sharing with %(organisation)s has ended, so it cannot be changed.",
            organisation=share.organisation,
        ),
        "info",
    )
    return redirect(url_for("sharing.shared_with"))


@bp.route("/passport/shares/<uuid:grant_id>/sections", methods=["GET", "POST"])
@resident_required
def sections(grant_id: uuid.UUID) -> ResponseReturnValue:
    passport = current_passport
    share = sharing.share(passport, grant_id)
    form = SectionsForm(data={"sections": share.sections, "version": str(share.version)})
    form.sections.choices = section_options(needs.available_sections(passport))
    status = 200
    if form.validate_on_submit():
        earlier = once.earlier()
        if earlier is not None:
            return redirect(earlier.url)  # the same form sent twice: the first did it
        if not share.in_force:
            return _ended(share)
        try:
            sharing.change_sections(
                passport, grant_id, form.shown_version(), form.sections.data or []
            )
        except sharing.GrantChangedError:
            form.sections.errors = [*form.sections.errors, CHANGED]
            form.version.data = str(share.version)
            status = 409
        else:
            done = url_for("sharing.shared_with")
            once.claim(done)
            flash(
                _(
                    "%(organisation)s can now see only the parts you chose.",
                    organisation=share.organisation,
                ),
                "success",
            )
            return redirect(done)
    elif not share.in_force:
        return _ended(share)
    return render_template("sharing/sections.html", form=form, share=share), status


@bp.route("/passport/shares/<uuid:grant_id>/period", methods=["GET", "POST"])
@resident_required
def period(grant_id: uuid.UUID) -> ResponseReturnValue:
    passport = current_passport
    share = sharing.share(passport, grant_id)
    form = PeriodForm(data={"version": str(share.version)})
    status = 200
    if form.validate_on_submit():
        earlier = once.earlier()
        if earlier is not None:
            return redirect(earlier.url)
        if not share.in_force:
            return _ended(share)
        try:
            changed = sharing.change_period(
                passport, grant_id, form.shown_version(), int(form.share_days.data or 0)
            )
        except sharing.GrantChangedError:
            form.share_days.errors = [*form.share_days.errors, CHANGED]
            form.version.data = str(share.version)
            status = 409
        else:
            done = url_for("sharing.shared_with")
            once.claim(done)
            flash(
                _(
                    "%(organisation)s can now see your passport until %(date)s.",
                    organisation=share.organisation,
                    date=_date(changed.expires_at),
                ),
                "success",
            )
            return redirect(done)
    elif not share.in_force:
        return _ended(share)
    return render_template("sharing/period.html", form=form, share=share), status


def _date(value: datetime) -> str:
    return format_date(value, "d MMMM y")


@bp.get("/passport/shares/receipts/<uuid:receipt_id>")
@resident_required
def receipt(receipt_id: uuid.UUID) -> ResponseReturnValue:
    found = sharing.receipt(current_passport, receipt_id)
    return render_template("sharing/receipt.html", receipt=found)


@bp.get("/passport/shares/receipts/<uuid:receipt_id>/record.json")
@resident_required
def receipt_record(receipt_id: uuid.UUID) -> ResponseReturnValue:
    """The receipt as a consent record to keep: a download, never stored by a cache."""
    found = sharing.receipt(current_passport, receipt_id)
    record = sharing.consent_record(
        found,
        language=str(get_locale() or "en"),
        withdraw_url=external_url("sharing.shared_with"),
        receipt_url=external_url("sharing.receipt", receipt_id=found.id),
    )
    response = Response(
        json.dumps(record, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="consent-receipt-{found.id}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
