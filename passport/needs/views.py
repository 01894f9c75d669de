from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from passport import once, taxonomy
from passport.access import resident_required
from passport.accounts import service as accounts
from passport.acting import current_actor, current_passport
from passport.forms import flash_once, safe_next
from passport.needs import service as needs
from passport.needs.forms import AboutForm, NeedForm
from passport.referrals import service as referrals
from passport.sharing import service as sharing

bp = Blueprint("needs", __name__, template_folder="templates")

ACCESS_LOG_ON_PASSPORT = 10


@bp.get("/passport")
@resident_required
def passport() -> ResponseReturnValue:
    listed = needs.list_needs(current_passport)
    return render_template(
        "needs/passport.html",
        needs=listed,
        about=needs.get_about(current_passport),
        grants=sharing.active_grants(current_passport),
        # One more than is shown, to know whether to link to the full history.
        access_log=sharing.access_log(current_passport, limit=ACCESS_LOG_ON_PASSPORT + 1),
        access_log_shown=ACCESS_LOG_ON_PASSPORT,
        referrals=referrals.by_grant(current_passport),
        email_confirmed=accounts.email_confirmed(current_actor.account),
    )


def _need_form(form: NeedForm, need: needs.NeedView | None = None) -> ResponseReturnValue:
    # Every category is offered; the one chosen (perhaps not saved yet) is what the page is about.
    return render_template(
        "needs/need_form.html",
        form=form,
        need=need,
        topics=[form.category.data or ""],
        offers=list(taxonomy.BY_CODE),
    )


@bp.get("/passport/looked-at")
@resident_required
def access_history() -> ResponseReturnValue:
    return render_template(
        "needs/access_history.html",
        access_log=sharing.access_log(current_passport),
        referrals=referrals.by_grant(current_passport),
    )


@bp.route("/passport/shares/<uuid:grant_id>/stop", methods=["GET", "POST"])
@resident_required
def stop_sharing(grant_id: uuid.UUID) -> ResponseReturnValue:
    """Here, beside the list of shares it comes from: sharing itself knows no referrals."""
    grants = sharing.active_grants(current_passport)
    grant = next((g for g in grants if g.id == grant_id), None)
    if grant is None:
        return render_template("errors/404.html"), 404
    form = FlaskForm()
    if form.validate_on_submit():
        sharing.revoke_grant(current_passport, grant_id)
        flash(
            _(
                "%(organisation)s can no longer see your passport.",
                organisation=grant.organisation,
            ),
            "success",
        )
        return redirect(url_for("needs.passport"))
    referral = referrals.by_grant(current_passport).get(grant_id)
    return render_template("needs/stop_sharing.html", form=form, grant=grant, referral=referral)


@bp.route("/passport/needs/new", methods=["GET", "POST"])
@resident_required
def add_need() -> ResponseReturnValue:
    form = NeedForm()
    if form.validate_on_submit():
        # Before the need is made: of two submits at once, the second waits here.
        if once.claim(url_for("needs.passport")) is None:
            needs.add_need(current_passport, form.category.data or "", form.story.data or "")
        flash_once(_("Your need has been added to your passport."), "success")
        return redirect(url_for("needs.passport"))
    return _need_form(form)


@bp.route("/passport/needs/<uuid:need_id>/edit", methods=["GET", "POST"])
@resident_required
def edit_need(need_id: uuid.UUID) -> ResponseReturnValue:
    need = needs.get_need_or_404(current_passport, need_id)
    form = NeedForm(data={"category": need.category, "story": need.story})
    if form.validate_on_submit():
        needs.update_need(
            current_passport, need_id, form.category.data or "", form.story.data or ""
        )
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("needs.passport"))
    return _need_form(form, need)


@bp.route("/passport/needs/<uuid:need_id>/delete", methods=["GET", "POST"])
@resident_required
def delete_need(need_id: uuid.UUID) -> ResponseReturnValue:
    need = needs.get_need_or_404(current_passport, need_id)
    form = FlaskForm()
    if form.validate_on_submit():
        needs.delete_need(current_passport, need_id)
        flash(_("The need has been removed from your passport."), "success")
        return redirect(url_for("needs.passport"))
    return render_template("needs/delete_need.html", form=form, need=need)


@bp.route("/passport/about", methods=["GET", "POST"])
@resident_required
def about() -> ResponseReturnValue:
    current = needs.get_about(current_passport)
    form = AboutForm(data=current.__dict__)
    # From a referral ("Add your contact details"): back to that draft once saved.
    back = safe_next(request.args.get("next"), url_for("needs.passport"))
    if form.validate_on_submit():
        needs.set_about(
            current_passport,
            needs.About(
                name=form.name.data or "",
                phone=form.phone.data or "",
                email=form.email.data or "",
                contact_preference=form.contact_preference.data or "",
                access_needs=form.access_needs.data or "",
            ),
        )
        flash(_("Your details have been saved."), "success")
        return redirect(back)
    return render_template("needs/about.html", form=form, back=back)
