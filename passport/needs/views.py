from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from passport import acting, once, parts, taxonomy
from passport.access import resident_required
from passport.acting import current_passport
from passport.forms import flash_once, safe_next
from passport.needs import service as needs
from passport.needs import suggestions
from passport.needs.forms import AboutForm, NeedForm

bp = Blueprint("needs", __name__, template_folder="templates")


@bp.get("/passport")
@resident_required
def passport() -> ResponseReturnValue:
    return render_template(
        "needs/passport.html",
        needs=needs.list_needs(current_passport),
        about=needs.get_about(current_passport),
        # What other capabilities show here (passport/parts.py): a prompt above, shares below.
        parts=parts.for_page("needs.passport", current_passport),
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
    form = FlaskForm()
    removed = _("The need has been removed from your passport.")
    if form.validate_on_submit() and (earlier := once.earlier()):
        # This form, sent again: the first submit removed the need; land where it went.
        flash_once(removed, "success")
        return redirect(earlier.url)
    need = needs.get_need_or_404(current_passport, need_id)
    if form.validate_on_submit():
        needs.delete_need(current_passport, need_id)
        once.claim(url_for("needs.passport"))
        flash_once(removed, "success")
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


def services_that_may_suit(*_about: object) -> dict[str, object] | None:
    """On the passport and directory pages (passport/parts.py), for a signed-in resident
    with needs: services that may suit them. Made from the opened needs for this page only."""
    passport = acting.passport_if_any()
    if passport is None:
        return None
    found = suggestions.suggest(passport)
    return {"suggestions": found} if found else None
