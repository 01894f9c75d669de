"""An organisation's admin keeps its listings current; a directory admin approves or rejects
the words they propose (ADR 0028)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from passport import unit_of_work
from passport.listings import service as listings
from passport.listings.forms import ApproveForm, CapacityForm, ListingForm, RejectForm
from passport.staff.access import (
    current_organisation,
    current_staff,
    directory_admin_required,
    organisation_member,
)
from passport.staff.roles import Can, StaffRole, may

if TYPE_CHECKING:
    from passport.directory.models import Service

bp = Blueprint("listings", __name__, url_prefix="/staff", template_folder="templates")

# Admins: whoever's role may manage the organisation's listings. Anyone else: a 404.
manages_listings = organisation_member(*(r for r in StaffRole if may(r, Can.MANAGE_LISTINGS)))


def _back(organisation_slug: str, service: Service | None = None) -> str:
    anchor = f"service-{service.slug}" if service is not None else None
    return url_for("listings.services", org_slug=organisation_slug, _anchor=anchor)


# The organisation's admin ---------------------------------------------------------------------


@bp.get("/<org_slug>/services")
@manages_listings
def services(org_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    return render_template(
        "listings/services.html",
        organisation=organisation,
        listings=listings.listings_of(organisation),
        form=FlaskForm(),
    )


@bp.route("/<org_slug>/services/<service_slug>/edit", methods=["GET", "POST"])
@manages_listings
def edit(org_slug: str, service_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    service = listings.service_of(organisation, service_slug)
    pending = listings.pending_change(service)
    shown = pending.new if pending is not None else listings.values_of(service)
    form = ListingForm(data=shown if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {field: str(form[field].data or "") for field in listings.FIELDS}
        change = listings.propose(service, values, current_staff().id)
        if change is None:
            form.description.errors = [
                _("You have not changed anything. Change a detail, or go back to your services.")
            ]
        else:
            flash(_("Your changes have been sent for approval."), "success")
            return redirect(
                url_for("listings.proposed", org_slug=org_slug, service_slug=service.slug)
            )
    return render_template(
        "listings/edit.html",
        organisation=organisation,
        service=service,
        form=form,
        pending=pending,
        weekly_times=listings.has_weekly_times(service),
    ), (400 if form.errors else 200)


@bp.get("/<org_slug>/services/<service_slug>/proposed")
@manages_listings
def proposed(org_slug: str, service_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    service = listings.service_of(organisation, service_slug)
    pending = listings.pending_change(service)
    if pending is None:
        return redirect(_back(org_slug, service))
    return render_template(
        "listings/proposed.html",
        organisation=organisation,
        service=service,
        change=pending,
        fields=listings.proposed_fields(pending),
        form=FlaskForm(),
    )


@bp.post("/<org_slug>/services/<service_slug>/withdraw")
@manages_listings
def withdraw(org_slug: str, service_slug: str) -> ResponseReturnValue:
    service = listings.service_of(current_organisation(), service_slug)
    if FlaskForm().validate_on_submit() and listings.withdraw(service, current_staff().id):
        flash(_("You have withdrawn your changes to %(name)s.", name=service.name), "success")
    return redirect(_back(org_slug, service))


@bp.route("/<org_slug>/services/<service_slug>/capacity", methods=["GET", "POST"])
@manages_listings
def capacity(org_slug: str, service_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    service = listings.service_of(organisation, service_slug)
    data = {"capacity": service.capacity, "wait_weeks": service.wait_weeks or ""}
    form = CapacityForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        listings.set_capacity(
            service, listings.Capacity(form.capacity.data), form.weeks, current_staff().id
        )
        flash(_("Capacity updated for %(name)s.", name=service.name), "success")
        return redirect(_back(org_slug, service))
    return render_template(
        "listings/capacity.html", organisation=organisation, service=service, form=form
    ), (400 if form.errors else 200)


@bp.post("/<org_slug>/services/<service_slug>/checked")
@manages_listings
def checked(org_slug: str, service_slug: str) -> ResponseReturnValue:
    service = listings.service_of(current_organisation(), service_slug)
    if FlaskForm().validate_on_submit():
        day = listings.mark_checked(service, current_staff().id)
        flash(
            _(
                "Thank you. %(name)s is marked as checked on %(date)s.",
                name=service.name,
                date=format_date(day, "d MMMM y"),
            ),
            "success",
        )
    return redirect(_back(org_slug, service))


# The directory admin --------------------------------------------------------------------------


def _review_page(
    change_id: uuid.UUID,
    reject_form: RejectForm | None = None,
    status: int = 200,
    changed_meanwhile: bool = False,
) -> ResponseReturnValue:
    found = listings.review(change_id)
    return render_template(
        "listings/review.html",
        review=found,
        approve_form=ApproveForm(formdata=None, data={"seen": found.state}),
        reject_form=reject_form or RejectForm(formdata=None),
        changed_meanwhile=changed_meanwhile,
    ), status


@bp.get("/directory/changes/<uuid:change_id>")
@directory_admin_required
def review(change_id: uuid.UUID) -> ResponseReturnValue:
    return _review_page(change_id)


@bp.post("/directory/changes/<uuid:change_id>/approve")
@directory_admin_required
def approve(change_id: uuid.UUID) -> ResponseReturnValue:
    form = ApproveForm()
    if not form.validate_on_submit():
        return _review_page(change_id, status=400)
    try:
        service = listings.approve(change_id, form.seen.data or "", current_staff().id)
    except listings.ChangeDecidedError:
        flash(_("That change has already been decided."), "info")
        return redirect(url_for("staff.directory"))
    except listings.ListingChangedError:
        unit_of_work.roll_back()  # nothing of the approval is kept
        return _review_page(change_id, status=409, changed_meanwhile=True)
    flash(
        _("Change approved: the listing for %(name)s now shows it.", name=service.name), "success"
    )
    return redirect(url_for("staff.directory"))


@bp.post("/directory/changes/<uuid:change_id>/reject")
@directory_admin_required
def reject(change_id: uuid.UUID) -> ResponseReturnValue:
    form = RejectForm()
    if not form.validate_on_submit():
        return _review_page(change_id, reject_form=form, status=400)
    try:
        listings.reject(change_id, form.reason.data or "", current_staff().id)
    except listings.ChangeDecidedError:
        flash(_("That change has already been decided."), "info")
        return redirect(url_for("staff.directory"))
    flash(_("Change not approved. The organisation can see your reason."), "success")
    return redirect(url_for("staff.directory"))
