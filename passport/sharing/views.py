"""The resident's 'stop sharing'."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from passport.access import resident_required
from passport.needs import service as needs
from passport.referrals import service as referrals
from passport.sharing import service as sharing

bp = Blueprint("sharing", __name__, template_folder="templates")


@bp.route("/passport/shares/<uuid:grant_id>/stop", methods=["GET", "POST"])
@resident_required
def stop(grant_id: uuid.UUID) -> ResponseReturnValue:
    passport = needs.passport_for(current_user.id)
    grant = next((g for g in sharing.active_grants(passport) if g.id == grant_id), None)
    if grant is None:
        return render_template("errors/404.html"), 404
    form = FlaskForm()
    if form.validate_on_submit():
        sharing.revoke_grant(passport, grant_id)
        flash(
            _(
                "%(organisation)s can no longer see your passport.",
                organisation=grant.organisation,
            ),
            "success",
        )
        return redirect(url_for("needs.passport"))
    referral = referrals.by_grant(passport).get(grant_id)
    return render_template("sharing/stop.html", form=form, grant=grant, referral=referral)
