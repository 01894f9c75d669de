"""The organisation's inbox, for its staff: the list of its referrals (filtered, sorted,
paged, with a count of new ones), and each referral's page, worked with the same service
functions and the same templates as the share link's (referrals/_case.html)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from passport import clock, parts, taxonomy, unit_of_work
from passport.inbox import service as inbox
from passport.organisations.forms import DeclineForm
from passport.referrals import service as referrals
from passport.referrals.forms import CompleteForm, HoldForm, MessageForm, typed_words
from passport.referrals.lifecycle import Actor, Move, Outcome, Status
from passport.referrals.views import answer_changed
from passport.sharing import service as sharing
from passport.staff.access import current_organisation, organisation_member
from passport.staff.roles import Can, StaffRole, may

if TYPE_CHECKING:
    from passport.referrals.models import Referral

bp = Blueprint(
    "inbox", __name__, url_prefix="/staff/<org_slug>/referrals", template_folder="templates"
)

# Admins and staff (not volunteers): whoever's role may work referrals.
works_referrals = organisation_member(*(r for r in StaffRole if may(r, Can.WORK_REFERRALS)))

# Per share: the look this staff session's views of it are logged as, and until when.
LOOKS = "staff_looks"


@bp.errorhandler(inbox.ShareEndedError)
def share_ended(error: inbox.ShareEndedError) -> ResponseReturnValue:
    # The person stopped sharing (or it ran out) while the page was open: nothing of this
    # request is kept; what was typed is shown back, never stored.
    unit_of_work.roll_back()
    page = render_template(
        "inbox/ended.html", back=url_for("inbox.index", org_slug=_slug()), typed=typed_words()
    )
    return page, 410


@bp.errorhandler(referrals.StatusChangedError)
def status_changed(error: referrals.StatusChangedError) -> ResponseReturnValue:
    # A colleague (or the person) moved the referral on first: as on the share link.
    back = url_for("inbox.referral", org_slug=_slug(), entry_id=_entry_id())
    return answer_changed(error, back=back, side="organisation")


def _slug() -> str:
    return str((request.view_args or {}).get("org_slug", ""))


def _entry_id() -> uuid.UUID:
    return uuid.UUID(str((request.view_args or {}).get("entry_id")))


def _choice(value: str | None, allowed: dict[str, object]) -> object | None:
    return allowed.get(value or "")


@bp.get("")
@works_referrals
def index(org_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    services = inbox.services(organisation)
    status = _choice(request.args.get("status"), {s.value: s for s in inbox.STATUSES})
    service = _choice(request.args.get("service"), {str(s.id): s for s in services})
    sort = inbox.Sort.OLDEST if request.args.get("sort") == "oldest" else inbox.Sort.NEWEST
    page_number = request.args.get("page", "1")
    found = inbox.inbox(
        organisation,
        status=status if isinstance(status, Status) else None,
        service_id=service.id if isinstance(service, inbox.ServiceChoice) else None,
        sort=sort,
        page=int(page_number) if page_number.isdigit() and len(page_number) < 7 else 1,
    )
    chosen = {
        "status": status.value if isinstance(status, Status) else "",
        "service": str(service.id) if isinstance(service, inbox.ServiceChoice) else "",
        "sort": sort.value,
    }
    return render_template(
        "inbox/index.html",
        organisation=organisation,
        inbox=found,
        services=services,
        statuses=[(s.value, referrals.STATUS_NAMES[s]) for s in inbox.STATUSES],
        chosen=chosen,
        filtered=bool(chosen["status"] or chosen["service"]),
        page_url=lambda number: url_for(
            "inbox.index",
            org_slug=org_slug,
            page=number,
            **{k: v for k, v in chosen.items() if v},  # type: ignore[arg-type]
        ),
    )


def _look(referral: Referral) -> uuid.UUID:
    """The look this staff session's views of the share are logged as: one per visit of
    up to sharing.ACCESS_LIFETIME, like a share link's visit."""
    looks = dict(session.get(LOOKS, {}))
    key = str(referral.grant_id)
    found = looks.get(key)
    if not isinstance(found, dict) or datetime.fromisoformat(found["until"]) <= clock.now():
        found = {
            "look": str(uuid.uuid4()),
            "until": (clock.now() + sharing.ACCESS_LIFETIME).isoformat(),
        }
        looks[key] = found
        session[LOOKS] = looks
    return uuid.UUID(found["look"])


def _urls(org_slug: str, entry_id: uuid.UUID) -> dict[str, str]:
    return {
        move: url_for(f"inbox.{move}", org_slug=org_slug, entry_id=entry_id)
        for move in ("accept", "decline", "start", "hold", "complete", "message")
    }


@bp.get("/<uuid:entry_id>")
@works_referrals
def referral(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    organisation = current_organisation()
    found = inbox.referral(organisation, entry_id)
    granted = inbox.granted(found, _look(found)) if inbox.shared(found) else None
    return render_template(
        "referrals/organisation_case.html",
        organisation=organisation,
        granted=granted,
        section_names={
            s: _("About the person") if s == taxonomy.ABOUT_SECTION else taxonomy.section_name(s)
            for s in (granted.sections if granted else [])
        },
        referral=referrals.view(found),
        message_form=MessageForm(formdata=None),
        urls=_urls(org_slug, entry_id),
        back=url_for("inbox.index", org_slug=org_slug),
        parts=parts.for_page("organisations.open_link", found.id) if granted else None,
    )


def _back(org_slug: str, entry_id: uuid.UUID, anchor: str | None = None) -> ResponseReturnValue:
    return redirect(url_for("inbox.referral", org_slug=org_slug, entry_id=entry_id, _anchor=anchor))


def _form_page(
    template: str,
    form: FlaskForm,
    referral: Referral,
    org_slug: str,
    entry_id: uuid.UUID,
    **context: str,
) -> str:
    """One of the forms the share link's pages use too (referrals/), back to the inbox's page."""
    return render_template(
        template,
        form=form,
        service=referrals.view(referral).service,
        back=url_for("inbox.referral", org_slug=org_slug, entry_id=entry_id),
        **context,
    )


# What staff are told once they have answered: the person was told (by e-mail or text), or
# will see it when they next sign in.
TOLD = {
    Move.ACCEPT: (
        _l("You have accepted the referral. We have told the person."),
        _l("You have accepted the referral. The person will see this when they next sign in."),
    ),
    Move.DECLINE: (
        _l("You have declined the referral. We have told the person."),
        _l("You have declined the referral. The person will see this when they next sign in."),
    ),
    Move.START: (
        _l("You have marked the referral as in progress. We have told the person."),
        _l(
            "You have marked the referral as in progress. The person will see this when "
            "they next sign in."
        ),
    ),
    Move.HOLD: (
        _l("You have put the referral on hold. We have told the person."),
        _l("You have put the referral on hold. The person will see this when they next sign in."),
    ),
    Move.COMPLETE: (
        _l("You have marked the referral as completed. We have told the person."),
        _l(
            "You have marked the referral as completed. The person will see this when "
            "they next sign in."
        ),
    ),
}


def _answer(
    org_slug: str,
    entry_id: uuid.UUID,
    answer: Move,
    make_form: Callable[[], FlaskForm],
    act: Callable[[Referral, Any], bool],
    template: str | None = None,
    **context: str,
) -> ResponseReturnValue:
    """The organisation answers: `act` makes the move with the form's words and says whether
    the person was told. A move with words shows `template` (the share link's form too)
    until they are right; a button alone goes back to the referral."""
    found = inbox.to_move(inbox.referral(current_organisation(), entry_id), answer)
    form = make_form()
    if form.validate_on_submit():
        told, untold = TOLD[answer]
        flash(str(told if act(found, form) else untold), "success")
        return _back(org_slug, entry_id)
    if template is None:
        return _back(org_slug, entry_id)
    return _form_page(template, form, found, org_slug, entry_id, **context)


def _reason(form: Any) -> str:
    return (form.reason.data or "").strip()


def _complete(found: Referral, form: Any) -> bool:
    outcome = Outcome(form.outcome.data)
    return referrals.complete(found.passport, found, outcome, (form.details.data or "").strip())


@bp.post("/<uuid:entry_id>/accept")
@works_referrals
def accept(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        org_slug, entry_id, Move.ACCEPT, FlaskForm, lambda found, _form: referrals.accept(found)
    )


@bp.route("/<uuid:entry_id>/decline", methods=["GET", "POST"])
@works_referrals
def decline(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        org_slug,
        entry_id,
        Move.DECLINE,
        DeclineForm,
        lambda found, form: referrals.decline(found.passport, found, _reason(form)),
        "referrals/reason.html",
        move="decline",
    )


@bp.post("/<uuid:entry_id>/start")
@works_referrals
def start(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        org_slug, entry_id, Move.START, FlaskForm, lambda found, _form: referrals.start(found)
    )


@bp.route("/<uuid:entry_id>/hold", methods=["GET", "POST"])
@works_referrals
def hold(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        org_slug,
        entry_id,
        Move.HOLD,
        HoldForm,
        lambda found, form: referrals.hold(found, _reason(form)),
        "referrals/reason.html",
        move="hold",
    )


@bp.route("/<uuid:entry_id>/complete", methods=["GET", "POST"])
@works_referrals
def complete(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    return _answer(
        org_slug, entry_id, Move.COMPLETE, CompleteForm, _complete, "referrals/complete.html"
    )


@bp.route("/<uuid:entry_id>/message", methods=["GET", "POST"])
@works_referrals
def message(org_slug: str, entry_id: uuid.UUID) -> ResponseReturnValue:
    found = inbox.to_message(inbox.referral(current_organisation(), entry_id))
    form = MessageForm()
    if form.validate_on_submit():
        referrals.add_message(found, Actor.ORGANISATION, (form.body.data or "").strip())
        flash(_("Your message has been sent."), "success")
        return _back(org_slug, entry_id, "messages")
    return _form_page(
        "referrals/message.html", form, found, org_slug, entry_id, side="organisation"
    )
