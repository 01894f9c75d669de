"""The resident's answer to "Did this help?", and the organisation's feedback page."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _

from passport.access import resident_required
from passport.acting import current_passport
from passport.feedback import service as feedback
from passport.feedback.forms import SCORE_NAMES, FeedbackForm
from passport.referrals import service as referrals
from passport.staff.access import current_organisation, organisation_member
from passport.staff.roles import Can, StaffRole, may

bp = Blueprint("feedback", __name__, template_folder="templates")

works_referrals = organisation_member(*(r for r in StaffRole if may(r, Can.WORK_REFERRALS)))


@bp.route("/referrals/<uuid:referral_id>/feedback", methods=["GET", "POST"])
@resident_required
def answer(referral_id: uuid.UUID) -> ResponseReturnValue:
    referral = referrals.get_referral_or_404(current_passport, referral_id)
    back = url_for("referrals.detail", referral_id=referral.id, _anchor="feedback")
    if not feedback.can_answer(referral):
        return redirect(back)  # not completed, or answered already: the page says which
    form = FeedbackForm()
    if form.validate_on_submit():
        if feedback.answer(referral, int(form.score.data or 0), (form.words.data or "").strip()):
            flash(_("Thank you for your feedback."), "success")
        return redirect(back)
    return render_template("feedback/answer.html", form=form, referral=referrals.view(referral)), (
        400 if form.errors else 200
    )


@bp.get("/staff/<org_slug>/feedback")
@works_referrals
def index(org_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    return render_template(
        "feedback/index.html",
        organisation=organisation,
        summary=feedback.summary(organisation.id),
        fewest=feedback.FEWEST_SHOWN,
        score_names=dict(SCORE_NAMES),
        month_name=lambda month: format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM yyyy"),
    )
