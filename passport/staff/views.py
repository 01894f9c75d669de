"""Staff pages: sign in for work (a passkey or an e-mail link), accept an invitation, see
your organisations, and (admins) manage the team. A staff session is one account of its own
kind: it never reaches a passport page, and a resident's session never reaches these."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from limits import parse

from passport import notify, once, parts, unit_of_work
from passport.access import public
from passport.accounts import ceremony
from passport.accounts import service as accounts
from passport.accounts.ceremony import Ceremonies
from passport.acting import current_actor
from passport.extensions import limiter
from passport.forms import choices, safe_next
from passport.staff import service as staff
from passport.staff.access import (
    current_organisation,
    current_staff,
    directory_admin_required,
    organisation_member,
    staff_required,
)
from passport.staff.forms import AdminInviteForm, EmailForm, InviteForm, RoleForm
from passport.staff.roles import StaffRole

if TYPE_CHECKING:
    from passport.accounts.models import Account
    from passport.staff.models import StaffAccount


bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")

SIGN_IN_LIMIT = "10 per minute"
EMAILS_PER_ADDRESS = parse("5 per hour")
PENDING_USER_ID = "staff_pending_user_id"
NEXT = "staff_next"


def _may_email(email: str) -> bool:
    """As for residents: past the limit the e-mail is not sent, and the page says the same."""
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(EMAILS_PER_ADDRESS, "staff-emails-to", staff.email_index(email))


def _signed_in_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def _finish_sign_in(account: StaffAccount) -> str:
    """One browser session is one account: whoever was signed in here is signed out."""
    next_url = safe_next(session.pop(NEXT, None), url_for("staff.home"))
    session.clear()
    accounts.record_sign_in(account)
    login_user(account)
    return next_url


# Passkey requests, kept under a name of their own in the browser's session.
ceremonies = Ceremonies("staff_webauthn_challenge")


# Signing in for work ----------------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    if _signed_in_staff():
        return redirect(url_for("staff.home"))
    if request.method == "GET" and request.args.get("next"):
        session[NEXT] = safe_next(request.args["next"], "")
    form = EmailForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        if (earlier := once.claim(url_for("staff.check_email"))) is not None:
            return redirect(earlier.url)  # sent twice: one e-mail
        account = staff.find_by_email(email)
        if _may_email(email):
            if account is None:
                notify.email("staff_no_account", accounts.normalise_email(email))
            else:
                token = staff.issue_sign_in_link(account)
                notify.email("staff_sign_in_link", staff.email_of(account), token=token)
        return redirect(url_for("staff.check_email"))
    return render_template("staff/sign_in.html", form=form)


@bp.get("/check-your-email")
@public
def check_email() -> ResponseReturnValue:
    return render_template("staff/check_email.html")


@bp.post("/sign-in/passkey/options")
@public
@limiter.limit(SIGN_IN_LIMIT)
def sign_in_passkey_options() -> ResponseReturnValue:
    return ceremonies.sign_in_options()


@bp.post("/sign-in/passkey/verify")
@public
@limiter.limit(SIGN_IN_LIMIT)
def sign_in_passkey_verify() -> ResponseReturnValue:
    return ceremonies.sign_in(_admit)


def _admit(account: Account) -> ResponseReturnValue:
    member = staff.as_staff(account)
    if member is None:
        # A resident's passkey opens their passport, never a work account.
        return jsonify(ok=False, redirect=url_for("staff.passport_passkey"))
    return jsonify(ok=True, redirect=_finish_sign_in(member))


@bp.get("/sign-in/passport-passkey")
@public
def passport_passkey() -> ResponseReturnValue:
    """Said when a resident's passkey is used to sign in for work."""
    return render_template("staff/passport_passkey.html")


@bp.route("/sign-in/link/<token>", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def link(token: str) -> ResponseReturnValue:
    # Opening shows a button; only the POST spends the link (ADR 0004).
    if request.method == "GET":
        result = staff.check_sign_in_link(token)
        status = 200 if result is accounts.LinkResult.OK else 410
        return render_template("staff/link.html", result=result.value), status
    result, account = staff.redeem_sign_in_link(token)
    if result is not accounts.LinkResult.OK or account is None:
        unit_of_work.commit_now()  # a link that was spent stays spent
        return render_template("staff/link.html", result=result.value), 410
    return redirect(_finish_sign_in(account))


@bp.post("/sign-out")
@staff_required
def sign_out() -> ResponseReturnValue:
    accounts.end_sessions(current_actor.account)
    logout_user()
    session.clear()
    response = redirect(url_for("core.signed_out"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# Invitations ----------------------------------------------------------------------------------


def _invitation_gone(state: staff.InvitationState) -> ResponseReturnValue:
    status = 404 if state is staff.InvitationState.UNKNOWN else 410
    return render_template("staff/invitation_gone.html", state=state.value), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def invitation(token: str) -> ResponseReturnValue:
    state, found = staff.check_invitation(token)
    if found is None:
        return _invitation_gone(state)
    form = FlaskForm()
    if form.validate_on_submit():
        state, account = staff.accept(token, locale=str(get_locale()))
        if account is None:
            unit_of_work.commit_now()  # nothing was changed; the answer says why
            return _invitation_gone(state)
        next_url = _finish_sign_in(account)
        flash(_("You have accepted the invitation."), "success")
        return redirect(next_url)
    return render_template(
        "staff/invitation.html",
        form=form,
        invitation=found,
        has_account=staff.find_by_email(found.email) is not None,
    )


@bp.post("/invitations/<token>/passkey/options")
@public
@limiter.limit(SIGN_IN_LIMIT)
def invitation_passkey_options(token: str) -> ResponseReturnValue:
    if PENDING_USER_ID not in session:
        session[PENDING_USER_ID] = os.urandom(32).hex()
    options = staff.invitation_passkey_options(token, bytes.fromhex(session[PENDING_USER_ID]))
    return ceremonies.options(options)


@bp.post("/invitations/<token>/passkey/verify")
@public
@limiter.limit(SIGN_IN_LIMIT)
def invitation_passkey_verify(token: str) -> ResponseReturnValue:
    if PENDING_USER_ID not in session:
        return jsonify(ok=False), 400
    new_passkey = ceremonies.registered()
    if new_passkey is None:
        return jsonify(ok=False), 400
    _state, account = staff.accept_with_passkey(
        token, new_passkey, bytes.fromhex(session[PENDING_USER_ID]), locale=str(get_locale())
    )
    if account is None:
        return jsonify(ok=False, redirect=url_for("staff.invitation", token=token)), 410
    next_url = _finish_sign_in(account)
    flash(_("You have accepted the invitation. You can now sign in with your passkey."), "success")
    return jsonify(ok=True, redirect=next_url)


# Your organisations -----------------------------------------------------------------------------


@bp.get("")
@staff_required
def home() -> ResponseReturnValue:
    return render_template("staff/home.html", memberships=staff.memberships(current_staff()))


# Your sign-in details: the residents' page's passkeys, on the work account ------------------


@bp.get("/account")
@staff_required
def sign_in_details() -> ResponseReturnValue:
    return render_template(
        "staff/sign_in_details.html", details=accounts.sign_in_details(current_staff())
    )


@bp.post("/account/passkeys/options")
@staff_required
@limiter.limit(SIGN_IN_LIMIT)
def add_passkey_options() -> ResponseReturnValue:
    return ceremonies.add_options(current_staff())


@bp.post("/account/passkeys/verify")
@staff_required
@limiter.limit(SIGN_IN_LIMIT)
def add_passkey_verify() -> ResponseReturnValue:
    return ceremonies.add(current_staff(), url_for("staff.sign_in_details"))


@bp.route("/account/passkeys/<uuid:passkey_id>/remove", methods=["GET", "POST"])
@staff_required
def remove_passkey(passkey_id: uuid.UUID) -> ResponseReturnValue:
    # A work account's address is proved by its invitation and always takes a sign-in link,
    # so any of its passkeys may go, the last one too.
    return ceremony.remove_passkey(
        current_staff(),
        passkey_id,
        details_url=url_for("staff.sign_in_details"),
        template="staff/remove_passkey.html",
    )


# The directory admin: every organisation, and an invitation for its admin ---------------------


@bp.route("/directory", methods=["GET", "POST"])
@directory_admin_required
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def directory() -> ResponseReturnValue:
    teams = staff.organisations_and_admins()
    by_id = {str(team.organisation.id): team.organisation for team in teams}
    form = AdminInviteForm()
    form.organisation.choices = choices(
        [("", _("Choose an organisation"))]
        + [(key, organisation.name) for key, organisation in by_id.items()]
    )
    if form.validate_on_submit():
        organisation = by_id[form.organisation.data or ""]
        if once.claim() is None:  # sent twice: one invitation
            staff.invite(
                form.email.data or "", StaffRole.ADMIN, organisation, invited_by=current_staff()
            )
        flash(
            _(
                "Invitation sent to %(email)s, as admin of %(name)s.",
                email=form.email.data,
                name=organisation.name,
            ),
            "success",
        )
        return redirect(url_for("staff.directory"))
    return render_template(
        "staff/directory.html",
        form=form,
        teams=teams,
        parts=parts.for_page("staff.directory"),  # listings: changes waiting for approval
    )


# The team (admins) ------------------------------------------------------------------------------


@bp.route("/<org_slug>/team", methods=["GET", "POST"])
@organisation_member(StaffRole.ADMIN)
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def team(org_slug: str) -> ResponseReturnValue:
    organisation = current_organisation()
    form = InviteForm()
    if form.validate_on_submit():
        if once.claim() is None:  # sent twice: one invitation
            staff.invite(
                form.email.data or "",
                form.role.data or "",
                organisation,
                invited_by=current_staff(),
            )
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for("staff.team", org_slug=organisation.slug))
    return render_template(
        "staff/team.html",
        form=form,
        organisation=organisation,
        members=staff.team(organisation),
        invitations=staff.pending_invitations(organisation),
        me=current_actor.account.id,
    )


@bp.route("/<org_slug>/team/<uuid:membership_id>", methods=["GET", "POST"])
@organisation_member(StaffRole.ADMIN)
def member(org_slug: str, membership_id: uuid.UUID) -> ResponseReturnValue:
    organisation = current_organisation()
    found = staff.member(organisation, membership_id)
    form = RoleForm(data={"role": found.role.value} if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = staff.change_role(organisation, membership_id, form.role.data or "")
        if changed is staff.TeamChange.LAST_ADMIN:
            return _last_admin(organisation, found, removing=False)
        flash(_("Role changed."), "success")
        return redirect(url_for("staff.team", org_slug=organisation.slug))
    return render_template("staff/member.html", form=form, organisation=organisation, member=found)


@bp.route("/<org_slug>/team/<uuid:membership_id>/remove", methods=["GET", "POST"])
@organisation_member(StaffRole.ADMIN)
def remove(org_slug: str, membership_id: uuid.UUID) -> ResponseReturnValue:
    organisation = current_organisation()
    found = staff.member(organisation, membership_id)
    form = FlaskForm()
    if form.validate_on_submit():
        if staff.remove_member(organisation, membership_id) is staff.TeamChange.LAST_ADMIN:
            return _last_admin(organisation, found, removing=True)
        flash(_("%(email)s has been removed from the team.", email=found.email), "success")
        if found.account_id == current_actor.account.id:
            return redirect(url_for("staff.home"))
        return redirect(url_for("staff.team", org_slug=organisation.slug))
    return render_template("staff/remove.html", form=form, organisation=organisation, member=found)


def _last_admin(
    organisation: staff.OrganisationView, found: staff.MemberView, *, removing: bool
) -> ResponseReturnValue:
    return render_template(
        "staff/last_admin.html", organisation=organisation, member=found, removing=removing
    ), 409
