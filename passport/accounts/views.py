"""Sign up and sign in: passkeys first, an e-mail link for everyone else. Signed in, a
resident manages how they sign in: their e-mail address and their passkeys."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    abort,
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

from passport import acting, kept, notify, once, parts, unit_of_work
from passport.access import public, resident_required
from passport.accounts import ceremony, passkeys, recovery, session_limits
from passport.accounts import service as accounts
from passport.accounts.ceremony import Ceremonies
from passport.accounts.forms import EmailForm, RecoveryCodeForm
from passport.acting import current_actor
from passport.extensions import limiter
from passport.forms import flash_once, safe_next

if TYPE_CHECKING:
    from passport.accounts.models import Account

bp = Blueprint("accounts", __name__, template_folder="templates")

SIGN_IN_LIMIT = "10 per minute"
# Wrong recovery codes, from one address: on top of SIGN_IN_LIMIT, as for the codes
# organisations type (referrals), so guessing stays hopeless (ADR 0030).
RECOVERY_CODE_LIMIT = "30 per hour"
EMAILS_PER_ADDRESS = parse("5 per hour")


def _may_email(email: str) -> bool:
    """Whether another sign-in e-mail may go to this address now (counted by its keyed hash).

    Past the limit the e-mail is simply not sent and the page answers as if it were: a
    refusal would let anyone, from anywhere, lock the person out of their e-mail links.
    """
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(EMAILS_PER_ADDRESS, "emails-to", accounts.email_index(email))


def _account_key() -> str:
    # The limiter asks before the view's login check runs, so there may be nobody signed in.
    return "account:" + str(getattr(current_user, "id", "anonymous"))


def _send_link(account: Account, *, purpose: str) -> None:
    token = accounts.issue_sign_in_link(account, purpose)
    url = accounts.base_url() + url_for("accounts.link", token=token)
    email = accounts.account_email(account) or ""
    notify.email("confirm_email" if purpose == "confirm" else "sign_in_link", email, url=url)


def _send_confirmation(account: Account) -> None:
    """Ask the owner of a passkey account's address to confirm it.

    If the address already has a passport, its holder gets exactly the sign-in link that
    /sign-in would send them, and the new account stays unconfirmed (confirming refuses a
    taken address): neither they nor whoever typed their address learns that someone did.
    """
    holder = accounts.address_holder(account)
    if holder is None:
        _send_link(account, purpose="confirm")
    else:
        _send_link(holder, purpose="sign-in")


def _send_no_account(email: str) -> None:
    url = accounts.base_url() + url_for("accounts.sign_up")
    notify.email("no_account", email, url=url)


# New recovery codes, between making them and showing them once.
NEW_CODES = "new_recovery_codes"

# The passkey request in progress is kept under this name in the browser's session.
ceremonies = Ceremonies("webauthn_challenge")


def _finish_sign_in(account: Account) -> str:
    next_url = safe_next(session.pop("next", None), url_for("needs.passport"))
    typed = kept.through_sign_in(str(account.id))  # what they typed before their session ended
    session.clear()
    kept.put_back(typed)
    accounts.record_sign_in(account)
    login_user(account)
    return next_url


def _link_sent() -> ResponseReturnValue:
    return redirect(url_for("accounts.check_email"))


def _sending_to(email: str) -> None:
    """Remember, for 'Check your email' only, the address as typed. The session cookie is
    sealed; and every address, with a passport or not, gets the same page."""
    session["link_sent_to"] = accounts.normalise_email(email)


@bp.route("/sign-up", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def sign_up() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("needs.passport"))
    form = EmailForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        if request.form.get("method") == "passkey":
            # Known address or not, the next step is the same: this page must not tell
            # anyone whether an address has a passport (see sign_up_passkey_verify).
            session["pending_email"] = accounts.normalise_email(email)
            return redirect(url_for("accounts.sign_up_passkey"))
        _sending_to(email)
        if (earlier := once.claim(url_for("accounts.check_email"))) is not None:
            return redirect(earlier.url)  # sent twice: one account, one e-mail
        existing = accounts.find_by_email(email)
        if existing is not None:
            if _may_email(email):
                _send_link(existing, purpose="sign-in")
            return _link_sent()
        account = accounts.create_account(email, verified_owner_only=False)
        account.locale = str(get_locale())
        if _may_email(email):
            _send_link(account, purpose="sign-in")
        return _link_sent()
    return render_template("accounts/sign_up.html", form=form)


@bp.get("/sign-up/passkey")
@public
def sign_up_passkey() -> ResponseReturnValue:
    if "pending_email" not in session:
        return redirect(url_for("accounts.sign_up"))
    return render_template("accounts/sign_up_passkey.html", email=session["pending_email"])


@bp.post("/sign-up/passkey/options")
@public
@limiter.limit(SIGN_IN_LIMIT)
def sign_up_passkey_options() -> ResponseReturnValue:
    email = session.get("pending_email")
    if not email:
        abort(400)
    if "pending_user_id" not in session:
        session["pending_user_id"] = os.urandom(32).hex()
    user_id = bytes.fromhex(session["pending_user_id"])
    return ceremonies.options(passkeys.registration_options(user_id, email, existing=[]))


@bp.post("/sign-up/passkey/verify")
@public
@limiter.limit(SIGN_IN_LIMIT)
def sign_up_passkey_verify() -> ResponseReturnValue:
    email = session.get("pending_email")
    if not email or "pending_user_id" not in session:
        return jsonify(ok=False), 400
    new_passkey = ceremonies.registered()
    if new_passkey is None:
        return jsonify(ok=False), 400
    # Whether or not the address has a passport, the same: a new passport, signed in, its
    # address unconfirmed and not findable, and one e-mail (see _send_confirmation).
    account = accounts.create_account(email, verified_owner_only=True)
    account.webauthn_user_id = bytes.fromhex(session["pending_user_id"])
    account.locale = str(get_locale())
    passkeys.add_passkey(account, new_passkey)
    if _may_email(email):
        _send_confirmation(account)
    next_url = _finish_sign_in(account)
    return jsonify(ok=True, redirect=next_url)


@bp.get("/check-your-email")
@public
def check_email() -> ResponseReturnValue:
    # Shown once: the address does not stay in the cookie of a shared computer.
    return render_template("accounts/check_email.html", email=session.pop("link_sent_to", None))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("needs.passport"))
    if request.method == "GET" and request.args.get("next"):
        session["next"] = safe_next(request.args["next"], "")
    form = EmailForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        _sending_to(email)
        if (earlier := once.claim(url_for("accounts.check_email"))) is not None:
            return redirect(earlier.url)  # sent twice: one e-mail
        account = accounts.find_by_email(email)
        if _may_email(email):
            if account is None:
                _send_no_account(email)
            else:
                _send_link(account, purpose="sign-in")
        return _link_sent()
    return render_template("accounts/sign_in.html", form=form)


@bp.get("/sign-in/lost-phone")
@public
def lost_phone() -> ResponseReturnValue:
    """How to get back in without the phone or computer a passkey is on."""
    return render_template("accounts/lost_phone.html")


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
    if account.is_staff:
        # A passkey made for work signs in only at the staff sign-in (ADR 0026).
        return jsonify(ok=False, redirect=url_for("accounts.work_passkey"))
    next_url = _finish_sign_in(account)
    return jsonify(ok=True, redirect=next_url)


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@limiter.limit(RECOVERY_CODE_LIMIT, methods=["POST"])
def sign_in_recovery_code() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("needs.passport"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        account = recovery.redeem(form.code.data or "")
        if account is not None:
            asked_for = "next" in session
            next_url = _finish_sign_in(account)
            flash(
                _(
                    "You have signed in with a recovery code. You cannot use that code again. "
                    "Add a passkey, so you can sign in without a code next time."
                ),
                "info",
            )
            return redirect(next_url if asked_for else url_for("accounts.sign_in_details"))
        form.code.errors = [
            _("That recovery code is not right, or it has been used. Check it and try again.")
        ]
    return render_template("accounts/sign_in_recovery_code.html", form=form)


@bp.get("/sign-in/work-passkey")
@public
def work_passkey() -> ResponseReturnValue:
    """Said when a passkey made for work is used to sign in to a passport."""
    return render_template("accounts/work_passkey.html")


@bp.route("/sign-in/link/<token>", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def link(token: str) -> ResponseReturnValue:
    # Opening the link shows a button; only the POST uses it. Mail scanners that fetch
    # every link in a message would otherwise spend a single-use link before the person.
    result, found = accounts.check_sign_in_link(token)
    if found is not None and found.purpose == accounts.CONFIRM:
        return _confirm(token, result, found.account_id)
    if request.method == "GET":
        status = 200 if result is accounts.LinkResult.OK else 410
        return render_template("accounts/link.html", result=result.value), status
    result, account = accounts.redeem_sign_in_link(token)
    if result is not accounts.LinkResult.OK or account is None:
        # Kept, though the answer is an error: a link that was spent stays spent.
        unit_of_work.commit_now()
        return render_template("accounts/link.html", result=result.value), 410
    return redirect(_finish_sign_in(account))


def _confirm(token: str, result: accounts.LinkResult, account_id: uuid.UUID) -> ResponseReturnValue:
    """A confirmation link works only for the browser signed in to its account."""
    actor = acting.actor_if_any()
    owner = actor.account if actor is not None and actor.account.id == account_id else None
    if owner is None:
        if result is accounts.LinkResult.OK:
            result = accounts.LinkResult.CONFIRM_ELSEWHERE
        return _confirm_failed(result, None)
    if result is not accounts.LinkResult.OK:
        return _confirm_failed(result, owner)
    if request.method == "GET":
        return render_template("accounts/link.html", result=accounts.LinkResult.CONFIRM.value)
    result = accounts.confirm_email_link(token, owner)
    if result is not accounts.LinkResult.OK:
        # Kept, though the answer is an error: a link that was spent stays spent.
        unit_of_work.commit_now()
        return _confirm_failed(result, owner)
    flash(_("Your email address is confirmed."), "success")
    return redirect(url_for("accounts.sign_in_details"))


def _confirm_failed(result: accounts.LinkResult, owner: Account | None) -> ResponseReturnValue:
    """A used or expired confirmation link: not a sign-in link, so never 'get a new sign-in
    link'. Its owner, signed in, learns where their address stands and can ask again."""
    if result in (accounts.LinkResult.USED, accounts.LinkResult.EXPIRED):
        return render_template(
            "accounts/link.html",
            result="confirm-" + result.value,
            owner=owner is not None,
            confirmed=owner is not None and accounts.email_confirmed(owner),
        ), 410
    return render_template("accounts/link.html", result=result.value), 410


@bp.post("/sign-out")
@resident_required
def sign_out() -> ResponseReturnValue:
    accounts.end_sessions(current_actor.account)
    logout_user()
    session.clear()
    response = redirect(url_for("core.signed_out"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# Session limits (passport/accounts/session_limits.py) ------------------------------------------


@bp.get("/you-have-been-signed-out")
@public
def timed_out() -> ResponseReturnValue:
    """Where a session that ran out goes next: why it ended, and what was kept."""
    found = session_limits.take_timed_out() or {}
    staff = bool(found.get("staff"))
    return render_template(
        "accounts/timed_out.html",
        reason=found.get("reason"),
        kept_typing=bool(found.get("kept")),
        sign_in_url=url_for("staff.sign_in") if staff else url_for("accounts.sign_in"),
        idle_minutes=int(session_limits.IDLE.total_seconds() // 60),
        absolute_hours=int(session_limits.ABSOLUTE.total_seconds() // 3600),
    )


@bp.post("/stay-signed-in")
@public
def stay_signed_in() -> ResponseReturnValue:
    """The warning's 'Stay signed in': asking is enough, the session limits' check has
    already counted this request. app.js asks for JSON; a form goes back where it was."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ends_in=session_limits.ends_in())
    return redirect(safe_next(request.form.get("next"), url_for("core.start")))


# Your sign-in details ---------------------------------------------------------------------------


@bp.get("/account")
@resident_required
def sign_in_details() -> ResponseReturnValue:
    return render_template(
        "accounts/sign_in_details.html",
        details=accounts.sign_in_details(current_actor.account),
        recovery_codes_left=recovery.count_left(current_actor.account),
        few_recovery_codes=recovery.FEW_LEFT,
        # What other capabilities show here (passport/parts.py): how we contact you.
        parts=parts.for_page("accounts.sign_in_details"),
    )


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@resident_required
def recovery_codes() -> ResponseReturnValue:
    """Make ten recovery codes, replacing any there were. They are shown once, on the next
    page, from the sealed session cookie, which lets go of them as it shows them."""
    me = current_actor.account
    if FlaskForm().validate_on_submit():
        session[NEW_CODES] = recovery.regenerate(me)
        return redirect(url_for("accounts.new_recovery_codes"))
    return render_template("accounts/recovery_codes.html", left=recovery.count_left(me))


@bp.get("/account/recovery-codes/new")
@resident_required
def new_recovery_codes() -> ResponseReturnValue:
    codes = session.pop(NEW_CODES, None)
    if not codes:
        return redirect(url_for("accounts.recovery_codes"))
    return render_template("accounts/new_recovery_codes.html", codes=codes)


@bp.post("/account/passkeys/options")
@resident_required
@limiter.limit(SIGN_IN_LIMIT)
def add_passkey_options() -> ResponseReturnValue:
    return ceremonies.add_options(current_actor.account)


@bp.post("/account/passkeys/verify")
@resident_required
@limiter.limit(SIGN_IN_LIMIT)
def add_passkey_verify() -> ResponseReturnValue:
    return ceremonies.add(current_actor.account, url_for("accounts.sign_in_details"))


@bp.route("/account/passkeys/<uuid:passkey_id>/remove", methods=["GET", "POST"])
@resident_required
def remove_passkey(passkey_id: uuid.UUID) -> ResponseReturnValue:
    return ceremony.remove_passkey(
        current_actor.account,
        passkey_id,
        details_url=url_for("accounts.sign_in_details"),
        template="accounts/remove_passkey.html",
    )


@bp.post("/account/email/confirm")
@resident_required
@limiter.limit(SIGN_IN_LIMIT)
@limiter.limit("5 per hour", key_func=_account_key)
def send_confirmation_link() -> ResponseReturnValue:
    me = current_actor.account
    if not accounts.email_confirmed(me):
        if once.claim() is None:  # sent twice: one e-mail
            _send_confirmation(me)
        # Not the address itself: no personal data in the cookie, even sealed.
        flash_once(
            _("We have emailed you a link. Open it to confirm your email address."), "success"
        )
    # Back to the page that asked (the passport, a referral), never off the site.
    return redirect(safe_next(request.form.get("next"), url_for("accounts.sign_in_details")))
