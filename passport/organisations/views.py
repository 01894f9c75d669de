"""The organisation's side of a share link: the code, the referral, its answer."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm

from passport import crypto, notify, once, parts, taxonomy, unit_of_work
from passport.extensions import limiter
from passport.organisations import service as organisations
from passport.organisations.access import (
    CodeNeededError,
    LinkDeclinedError,
    LinkUnavailableError,
    forget_visit,
    has_access,
    look_of_this_visit,
    remember_declined,
    remember_visit,
    share_link,
    share_link_holder,
    share_link_holder_who_declined,
    share_link_holder_with_code,
    told_on_declining,
)
from passport.organisations.forms import CodeForm, DeclineForm
from passport.referrals import service as referrals
from passport.referrals.forms import CompleteForm, HoldForm, MessageForm, typed_words
from passport.referrals.lifecycle import Actor, Move, Outcome
from passport.referrals.views import answer_changed
from passport.sharing import service as sharing

bp = Blueprint("organisations", __name__, template_folder="templates")

STATUS = {
    sharing.LinkState.UNKNOWN: 404,
    sharing.LinkState.EXPIRED: 410,
    sharing.LinkState.REVOKED: 410,
    sharing.LinkState.LOCKED: 410,
}


@bp.errorhandler(LinkUnavailableError)
def link_unavailable(error: LinkUnavailableError) -> ResponseReturnValue:
    status = STATUS[error.state]
    # A form sent as the link ended (the person withdrew a moment ago): what was typed is
    # shown back, never kept.
    page = render_template(
        "organisations/unavailable.html", state=error.state.value, typed=typed_words()
    )
    return page, status


@bp.errorhandler(LinkDeclinedError)
def link_declined(error: LinkDeclinedError) -> ResponseReturnValue:
    return render_template("errors/410.html", typed=typed_words()), 410


@bp.errorhandler(CodeNeededError)
def code_needed(error: CodeNeededError) -> ResponseReturnValue:
    return redirect(url_for("organisations.open_link", token=error.token))


@bp.errorhandler(referrals.StatusChangedError)
def status_changed(error: referrals.StatusChangedError) -> ResponseReturnValue:
    # Someone moved the referral on first (a double click, a colleague, the resident
    # withdrawing): back to the link's page, or what happened and what was typed.
    token = str((request.view_args or {}).get("token"))
    back = url_for("organisations.open_link", token=token)
    return answer_changed(error, back=back, side="organisation")


@bp.get("/share/<token>")
@share_link_holder
def open_link(token: str) -> ResponseReturnValue:
    link = share_link()
    organisation = sharing.link_organisation(link)
    if not has_access(link):
        return render_template(
            "organisations/request_code.html",
            token=token,
            organisation=organisation,
            email=sharing.masked_email(organisation.referral_email),
            form=FlaskForm(),
            code_sent=sharing.latest_code(link) is not None,
        )
    granted = sharing.granted_view(link, look_of_this_visit(link))
    referral = referrals.referral_for_grant(link.grant_id)
    referrals.mark_opened(referral)
    return render_template(
        "referrals/organisation_case.html",
        token=token,
        organisation=organisation,
        granted=granted,
        section_names={
            s: _("About the person") if s == taxonomy.ABOUT_SECTION else taxonomy.section_name(s)
            for s in granted.sections
        },
        referral=referrals.view(referral),
        form=FlaskForm(),
        message_form=MessageForm(formdata=None),
        urls=_work_urls(token),
        # What other capabilities add: eligibility's note on a borderline answer.
        parts=parts.for_page("organisations.open_link", referral.id),
    )


def _work_urls(token: str) -> dict[str, str]:
    """Where the referral page's actions go: by the share link here; the staff inbox will
    give its own to the same templates (referrals/_case.html)."""
    return {
        move: url_for(f"organisations.{move}", token=token)
        for move in ("accept", "decline", "start", "hold", "complete", "message")
    }


# The limits count every try, a dead link's too, so they come before the access check.
@bp.post("/share/<token>/code/send")
@limiter.limit(
    "3 per 15 minutes",
    key_func=lambda: "share-code:" + crypto.token_hash(str((request.view_args or {}).get("token"))),
)
@limiter.limit("20 per hour")
@share_link_holder
def send_code(token: str) -> ResponseReturnValue:
    link = share_link()
    if once.claim() is not None:
        # Sent twice: one code. A second would replace the first before it arrived.
        return redirect(url_for("organisations.enter_code", token=token))
    resent = sharing.latest_code(link) is not None
    code = sharing.issue_code(link)
    organisation = sharing.link_organisation(link)
    notify.email(
        "access_code", organisation.referral_email, language=organisation.language, code=code
    )
    if resent:
        # In the address, not the session: a message left unshown must not surface later,
        # say on the page that tells a colleague the link is gone.
        return redirect(url_for("organisations.enter_code", token=token, sent="again"))
    return redirect(url_for("organisations.enter_code", token=token))


@bp.route("/share/<token>/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@share_link_holder
def enter_code(token: str) -> ResponseReturnValue:
    link = share_link()
    if request.method == "POST" and has_access(link):
        # The code sent twice: the first submit already opened the link for this browser.
        return redirect(url_for("organisations.open_link", token=token))
    form = CodeForm()
    problem = ""
    if form.validate_on_submit():
        result, left = sharing.check_code(link, form.code.data or "")
        if result is sharing.CodeResult.OK:
            once.claim()
        elif result is not sharing.CodeResult.LINK_LOCKED and once.earlier(
            within=sharing.CODE_LIFETIME
        ):
            # This very form, sent twice at once: its twin spent the code and opened the
            # link, but this browser's cookie left before that came back.
            result = sharing.CodeResult.OK
        if result is sharing.CodeResult.OK:
            remember_visit(link)
        unit_of_work.commit_now()  # every try counts, whatever happens next in this request
        if result in (sharing.CodeResult.OK, sharing.CodeResult.LINK_LOCKED):
            return redirect(url_for("organisations.open_link", token=token))
        problem = result.value
        form.code.errors = [_code_message(result, left)]
    organisation = sharing.link_organisation(link)
    if request.method == "GET" and request.args.get("sent") == "again":
        # The page looks as it did before the new code: say that something happened.
        flash(
            _(
                "We have sent a new code to %(email)s.",
                email=sharing.masked_email(organisation.referral_email),
            ),
            "success",
        )
    return render_template(
        "organisations/enter_code.html",
        form=form,
        token=token,
        problem=problem,
        email=sharing.masked_email(organisation.referral_email),
        resend=FlaskForm(),
    )


def _code_message(result: sharing.CodeResult, left: int) -> str:
    if result is sharing.CodeResult.WRONG:
        return ngettext(
            "The code is not right. You have %(num)s more try before you need a new code.",
            "The code is not right. You have %(num)s more tries before you need a new code.",
            left,
        )
    if result is sharing.CodeResult.EXPIRED:
        return _("The code has expired. Ask for a new code.")
    if result is sharing.CodeResult.USED:
        return _("That code has already been used. Ask for a new code.")
    if result is sharing.CodeResult.LOCKED:
        return _("You have entered the wrong code too many times. Ask for a new code.")
    return _("There is no code for this link yet. Ask for a code.")


@bp.post("/share/<token>/accept")
@share_link_holder_with_code
def accept(token: str) -> ResponseReturnValue:
    referral = organisations.referral_to_answer(share_link())
    told = referrals.accept(referral)
    if told:
        flash(_("You have accepted the referral. We have told the person."), "success")
    else:
        flash(
            _("You have accepted the referral. The person will see this when they next sign in."),
            "success",
        )
    return redirect(url_for("organisations.open_link", token=token))


def _form_page(
    template: str, form: FlaskForm, token: str, service: object, **context: object
) -> str:
    """One of the forms the inbox's pages use too (referrals/), back to the link's page."""
    return render_template(
        template,
        form=form,
        service=service,
        back=url_for("organisations.open_link", token=token),
        **context,
    )


@bp.route("/share/<token>/decline", methods=["GET", "POST"])
@share_link_holder_with_code
def decline(token: str) -> ResponseReturnValue:
    link = share_link()
    referral = organisations.referral_to_answer(link)
    form = DeclineForm()
    if form.validate_on_submit():
        passport = sharing.passport_behind(link)
        told = referrals.decline(passport, referral, (form.reason.data or "").strip())
        forget_visit(link)
        remember_declined(link, told)
        return redirect(url_for("organisations.declined", token=token))
    service = referrals.view(referral).service
    return _form_page("referrals/reason.html", form, token, service, move="decline")


@bp.get("/share/<token>/declined")
@share_link_holder_who_declined
def declined(token: str) -> ResponseReturnValue:
    """Shown once, to the browser that declined or completed; the link itself is gone by now."""
    ended = told_on_declining(share_link())
    if ended is None:
        return redirect(url_for("organisations.open_link", token=token))
    told, move = ended
    if move == Move.COMPLETE:
        return render_template("organisations/completed.html", told=told)
    return render_template("organisations/declined.html", told=told)


# Working the referral once accepted: start, hold, complete; and messages both ways. ----------


def _told(told: bool, told_message: str, untold_message: str) -> None:
    flash(told_message if told else untold_message, "success")


@bp.post("/share/<token>/start")
@share_link_holder_with_code
def start(token: str) -> ResponseReturnValue:
    referral = organisations.referral_to_move(share_link(), Move.START)
    if FlaskForm().validate_on_submit():
        _told(
            referrals.start(referral),
            _("You have marked the referral as in progress. We have told the person."),
            _(
                "You have marked the referral as in progress. The person will see this when "
                "they next sign in."
            ),
        )
    return redirect(url_for("organisations.open_link", token=token))


@bp.route("/share/<token>/hold", methods=["GET", "POST"])
@share_link_holder_with_code
def hold(token: str) -> ResponseReturnValue:
    referral = organisations.referral_to_move(share_link(), Move.HOLD)
    form = HoldForm()
    if form.validate_on_submit():
        told = referrals.hold(referral, (form.reason.data or "").strip())
        _told(
            told,
            _("You have put the referral on hold. We have told the person."),
            _(
                "You have put the referral on hold. The person will see this when they next "
                "sign in."
            ),
        )
        return redirect(url_for("organisations.open_link", token=token))
    service = referrals.view(referral).service
    return _form_page("referrals/reason.html", form, token, service, move="hold")


@bp.route("/share/<token>/complete", methods=["GET", "POST"])
@share_link_holder_with_code
def complete(token: str) -> ResponseReturnValue:
    link = share_link()
    referral = organisations.referral_to_move(link, Move.COMPLETE)
    form = CompleteForm()
    if form.validate_on_submit():
        passport = sharing.passport_behind(link)
        outcome = Outcome(form.outcome.data)
        told = referrals.complete(passport, referral, outcome, (form.details.data or "").strip())
        forget_visit(link)
        remember_declined(link, told, Move.COMPLETE.value)
        return redirect(url_for("organisations.declined", token=token))
    service = referrals.view(referral).service
    return _form_page("referrals/complete.html", form, token, service, by_link=True)


@bp.route("/share/<token>/message", methods=["GET", "POST"])
@share_link_holder_with_code
def message(token: str) -> ResponseReturnValue:
    referral = referrals.referral_for_grant(share_link().grant_id)
    if not referrals.can_message(referral.status):
        raise referrals.StatusChangedError(referral.id)
    form = MessageForm()
    if form.validate_on_submit():
        referrals.add_message(referral, Actor.ORGANISATION, (form.body.data or "").strip())
        flash(_("Your message has been sent."), "success")
        return redirect(url_for("organisations.open_link", token=token, _anchor="messages"))
    service = referrals.view(referral).service
    return _form_page("referrals/message.html", form, token, service, side="organisation")
