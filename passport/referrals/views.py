"""The resident's side of a referral: choose what to share, check, send, follow."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from passport import acting, once, parts, taxonomy, unit_of_work
from passport.access import resident_required
from passport.acting import current_passport
from passport.directory import service as directory
from passport.eligibility import service as eligibility
from passport.eligibility import views as eligibility_pages
from passport.extensions import limiter
from passport.forms import flash_once
from passport.needs import service as needs
from passport.referrals import service as referrals
from passport.referrals.forms import (
    MessageForm,
    ReferralForm,
    WithdrawForm,
    section_options,
    typed_words,
)
from passport.referrals.lifecycle import Actor, Move, Status, can
from passport.sharing import service as sharing

if TYPE_CHECKING:
    from passport.directory.models import Service
    from passport.needs.models import Passport
    from passport.referrals.models import Referral

bp = Blueprint("referrals", __name__, template_folder="templates")


def answer_changed(
    error: referrals.StatusChangedError, *, back: str, side: str
) -> ResponseReturnValue:
    """Someone moved the referral on first (a double click, another tab, a colleague, the
    other side): keep nothing of this request. The same move made twice with nothing typed
    goes `back` to the referral; otherwise a page says what happened and shows what was
    typed, for copying. The resident's pages, the share link's and the inbox's answer so."""
    unit_of_work.roll_back()
    typed = typed_words()
    if not typed and (error.move is None or referrals.made_already(error.referral_id, error.move)):
        return redirect(back)
    referral = referrals.view(referrals.referral_by_id(error.referral_id))
    page = render_template(
        "referrals/changed.html", referral=referral, side=side, typed=typed, back=back
    )
    return page, 409


def _form(passport: Passport, service: Service, draft: Referral | None) -> ReferralForm:
    sections = needs.available_sections(passport)
    data: dict[str, object]
    if draft is not None:
        details = referrals.view(draft)
        data = {
            "sections": details.sections,
            "message": details.message,
            "share_days": str(details.share_days),
        }
    else:
        data = {"sections": referrals.preselected_sections(sections, service.categories)}
    form = ReferralForm(data=data)
    form.sections.choices = section_options(
        sections, needs.get_about(passport), needs.list_needs(passport)
    )
    return form


def _topics(service: Service | referrals.ReferredService, sections: list[str]) -> list[str]:
    """What a referral page is about, for 'Exit this page': the service and the shared needs."""
    return [*service.categories, *sections]


def _edit(service: Service, draft: Referral | None) -> ResponseReturnValue:
    passport = current_passport
    form = _form(passport, service, draft)
    if form.validate_on_submit():
        referral = referrals.save_draft(
            passport,
            service,
            form.sections.data or [],
            (form.message.data or "").strip(),
            int(form.share_days.data or referrals.DEFAULT_SHARE_DAYS),
            referral=draft,
        )
        checking = url_for("referrals.check", referral_id=referral.id)
        # A new draft is made once; changing a draft is the same change made twice.
        earlier = once.claim(checking) if draft is None else None
        if earlier is not None:
            return redirect(earlier.url)
        if request.form.get("then") == "about":
            # "Add your contact details": to 'About you', then back to this draft, all kept.
            change = url_for("referrals.change", referral_id=referral.id)
            return redirect(url_for("needs.about", next=change))
        return redirect(checking)
    return render_template(
        "referrals/new.html",
        form=form,
        service=service,
        has_contact=needs.get_about(passport).has_contact_details(),
        topics=service.categories,
    )


@bp.route("/directory/services/<slug>/refer", methods=["GET", "POST"])
@resident_required
def new(slug: str) -> ResponseReturnValue:
    service = directory.get_service_or_404(slug)
    if not service.accepts_self_referral:
        return render_template("referrals/not_accepted.html", service=service), 409
    referrals.check_can_refer(service)  # not accepting now, not running, or not reviewed
    # The service's questions first (pre-filled from the passport), or why it cannot be used.
    return eligibility_pages.ask_first(service) or _edit(service, None)


@bp.route("/referrals/<uuid:referral_id>/change", methods=["GET", "POST"])
@resident_required
def change(referral_id: uuid.UUID) -> ResponseReturnValue:
    draft = referrals.get_referral_or_404(current_passport, referral_id)
    if not can(Move.CHANGE, draft.status):
        return redirect(url_for("referrals.detail", referral_id=draft.id))
    service = referrals.listed_service(draft)
    referrals.check_can_refer(service)
    return _edit(service, draft)


@bp.route("/referrals/<uuid:referral_id>/check", methods=["GET", "POST"])
@resident_required
def check(referral_id: uuid.UUID) -> ResponseReturnValue:
    passport = current_passport
    referral = referrals.get_referral_or_404(passport, referral_id)
    if not can(Move.SEND, referral.status):
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    # A draft to a service that has left, or that cannot take referrals now, cannot be sent.
    service = referrals.listed_service(referral)
    referrals.check_can_refer(service)
    # Answers changed since the draft may rule the resident out: say why before sending.
    not_eligible = eligibility_pages.ruled_out(service)
    if not_eligible is not None:
        return not_eligible
    form = FlaskForm()
    if form.validate_on_submit():
        eligibility.record_note(passport, referral.id, service)  # a borderline answer's note
        referrals.send(passport, referral)
        return redirect(url_for("referrals.sent", referral_id=referral.id))
    details = referrals.view(referral)
    return render_template(
        "referrals/check.html",
        form=form,
        referral=details,
        section_names=[taxonomy.section_name(s) for s in details.sections],
        topics=_topics(details.service, details.sections),
        can_notify=referrals.can_notify_resident(referral),
        about_shared=taxonomy.ABOUT_SECTION in details.sections,
        has_contact=needs.get_about(passport).has_contact_details(),
        # What other capabilities add: eligibility's note, if the organisation gets one.
        parts=parts.for_page("referrals.check", passport, service),
    )


@bp.get("/referrals/<uuid:referral_id>/sent")
@resident_required
def sent(referral_id: uuid.UUID) -> ResponseReturnValue:
    passport = current_passport
    referral = referrals.get_referral_or_404(passport, referral_id)
    details = referrals.view(referral)
    return render_template(
        "referrals/sent.html",
        referral=details,
        can_notify=referrals.can_notify_resident(referral),
        by_text=referrals.tells_resident_by_text(referral),
        topics=_topics(details.service, details.sections),
    )


@bp.get("/referrals")
@resident_required
def index() -> ResponseReturnValue:
    listed = referrals.list_referrals(current_passport)
    return render_template(
        "referrals/index.html",
        referrals=listed,
        topics=[code for referral in listed for code in referral.service.categories],
    )


@bp.get("/referrals/<uuid:referral_id>")
@resident_required
def detail(referral_id: uuid.UUID) -> ResponseReturnValue:
    passport = current_passport
    referral = referrals.get_referral_or_404(passport, referral_id)
    if can(Move.SEND, referral.status):
        return redirect(url_for("referrals.check", referral_id=referral.id))
    details = referrals.view(referral)
    return render_template(
        "referrals/detail.html",
        referral=details,
        section_names=[taxonomy.section_name(s) for s in details.sections],
        status_names=referrals.STATUS_NAMES,
        form=FlaskForm(),
        message_form=MessageForm(formdata=None),
        needs_new_link=referrals.needs_new_link(referral),
        topics=_topics(details.service, details.sections),
        contact_shared=taxonomy.ABOUT_SECTION in details.sections
        and needs.get_about(passport).has_contact_details(),
        # What other capabilities add: feedback's "Did this help?" once it is completed.
        parts=parts.for_page("referrals.detail", referral),
    )


@bp.post("/referrals/<uuid:referral_id>/new-link")
@resident_required
@limiter.limit(
    "3 per day",
    key_func=lambda: "new-link:" + str((request.view_args or {}).get("referral_id")),
)
def new_link(referral_id: uuid.UUID) -> ResponseReturnValue:
    """Send the organisation a fresh link after wrong codes locked the last one."""
    passport = current_passport
    referral = referrals.get_referral_or_404(passport, referral_id)
    if FlaskForm().validate_on_submit() and referrals.send_new_link(passport, referral):
        flash(_("We have sent the organisation a new link."), "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.route("/referrals/<uuid:referral_id>/withdraw", methods=["GET", "POST"])
@resident_required
def withdraw(referral_id: uuid.UUID) -> ResponseReturnValue:
    passport = current_passport
    referral = referrals.get_referral_or_404(passport, referral_id)
    if not can(Move.WITHDRAW, referral.status):
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        referrals.withdraw(passport, referral, (form.reason.data or "").strip())
        flash(
            _(
                "Your referral has been withdrawn and the organisation can no longer see "
                "your passport."
            ),
            "success",
        )
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    details = referrals.view(referral)
    return render_template(
        "referrals/withdraw.html",
        form=form,
        referral=details,
        topics=_topics(details.service, details.sections),
    )


@bp.route("/referrals/<uuid:referral_id>/message", methods=["GET", "POST"])
@resident_required
def message(referral_id: uuid.UUID) -> ResponseReturnValue:
    """Add information or ask a question after sending: a message to the organisation."""
    referral = referrals.get_referral_or_404(current_passport, referral_id)
    if not referrals.can_message(referral.status):
        raise referrals.StatusChangedError(referral.id)
    form = MessageForm()
    if form.validate_on_submit():
        referrals.add_message(referral, Actor.RESIDENT, (form.body.data or "").strip())
        flash(_("Your message has been sent."), "success")
        return redirect(url_for("referrals.detail", referral_id=referral.id, _anchor="messages"))
    details = referrals.view(referral)
    return render_template(
        "referrals/message.html",
        form=form,
        referral=details,
        topics=_topics(details.service, details.sections),
    )


@bp.get("/referrals/<uuid:referral_id>/fhir")
@resident_required
def fhir(referral_id: uuid.UUID) -> ResponseReturnValue:
    """The referral as a FHIR R4 Task (ADR 0022), to keep or to give to another system."""
    referral = referrals.get_referral_or_404(current_passport, referral_id)
    response = jsonify(referrals.fhir_task(referral))
    response.mimetype = "application/fhir+json"
    response.headers["Content-Disposition"] = f'attachment; filename="referral-{referral.id}.json"'
    return response


# The resident's shares: each was made for a referral, so the pages that name a share's
# referral live here (sharing knows no referrals, and needs knows neither).

ACCESS_LOG_ON_PASSPORT = 10


def passport_page_shares(passport: Passport) -> dict[str, object]:
    """On the passport page (passport/parts.py): who can see it, and who has looked."""
    return {
        "grants": sharing.active_grants(passport),
        # One more than is shown, to know whether to link to the full history.
        "access_log": sharing.access_log(passport, limit=ACCESS_LOG_ON_PASSPORT + 1),
        "access_log_shown": ACCESS_LOG_ON_PASSPORT,
        "referrals": referrals.by_grant(passport),
    }


def service_page_referral(service: Service) -> dict[str, object] | None:
    """On a service page: the signed-in resident's latest sent referral to it, if any."""
    passport = acting.passport_if_any()
    if passport is None:
        return None
    # Which service a referral is for is sealed: it can only be matched once opened.
    for referral in referrals.list_referrals(passport):
        if referral.service.id == service.id:
            sent = [event.at for event in referral.events if event.status == Status.SENT]
            return {"referral": referral, "referred_on": sent[0] if sent else referral.created_at}
    return None


ACCESS_LOG_PAGE = 20


@bp.get("/passport/looked-at")
@resident_required
def access_history() -> ResponseReturnValue:
    """Every look, the latest first, paged; filtered by organisation with a plain GET form."""
    page = request.args.get("page", "1")
    history = sharing.access_history(
        current_passport,
        organisation=request.args.get("organisation") or None,
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
        per_page=ACCESS_LOG_PAGE,
    )

    def page_url(number: int) -> str:
        return url_for("referrals.access_history", organisation=history.organisation, page=number)

    return render_template(
        "referrals/access_history.html",
        history=history,
        access_log=history.looks,
        previous_page=page_url(history.page - 1) if history.page > 1 else None,
        next_page=page_url(history.page + 1) if history.page < history.pages else None,
        referrals=referrals.by_grant(current_passport),
    )


@bp.route("/passport/shares/<uuid:grant_id>/stop", methods=["GET", "POST"])
@resident_required
def stop_sharing(grant_id: uuid.UUID) -> ResponseReturnValue:
    grant = next((g for g in sharing.active_grants(current_passport) if g.id == grant_id), None)
    form = FlaskForm()
    if grant is None and form.validate_on_submit() and once.earlier():
        # This form, sent again: the first submit ended the share; land where it went.
        grant = sharing.ended_grant(current_passport, grant_id)
    if grant is None:
        return render_template("errors/404.html"), 404
    if form.validate_on_submit():
        sharing.revoke_grant(current_passport, grant_id)  # nothing more once ended
        once.claim(url_for("needs.passport"))
        flash_once(
            _("%(organisation)s can no longer see your passport.", organisation=grant.organisation),
            "success",
        )
        return redirect(url_for("needs.passport"))
    referral = referrals.by_grant(current_passport).get(grant_id)
    return render_template("referrals/stop_sharing.html", form=form, grant=grant, referral=referral)
