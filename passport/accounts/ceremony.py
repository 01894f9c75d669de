"""The browser's side of passkeys, for residents' pages and staff pages alike: the passkey
request in progress (its challenge's id in this browser's session), the browser's answer,
signing in with a passkey, and adding and removing one on the sign-in details page. Each
kind of account keeps its request under its own name in the session (`Ceremonies`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import flash, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from passport.accounts import passkeys
from passport.accounts import service as accounts

if TYPE_CHECKING:
    from passport.accounts.models import Account


def posted_credential() -> dict[str, Any] | None:
    """The browser's answer to a passkey request, as app.js posts it."""
    credential = request.get_json(silent=True)
    return credential if isinstance(credential, dict) else None


class Ceremonies:
    """Passkey requests for one kind of account; `challenge` names the session's key."""

    def __init__(self, challenge: str) -> None:
        self.challenge = challenge

    def options(self, ceremony: passkeys.Ceremony) -> ResponseReturnValue:
        """WebAuthn options, already JSON, for app.js to hand to the browser; this browser's
        session names the challenge they carry."""
        session[self.challenge] = str(ceremony.challenge_id)
        return ceremony.options, 200, {"Content-Type": "application/json"}

    def in_progress(self) -> uuid.UUID | None:
        """The challenge this browser was given (taken: it is answered once)."""
        try:
            return uuid.UUID(str(session.pop(self.challenge, "")))
        except ValueError:
            return None

    def registered(self) -> passkeys.NewPasskey | None:
        """The passkey the browser made in answer to registration options; None if its
        answer is missing or does not verify (the challenge is spent either way)."""
        credential = posted_credential()
        if credential is None:
            return None
        try:
            return passkeys.verify_registration(credential, self.in_progress())
        except passkeys.PasskeyError:
            return None

    # Signing in -------------------------------------------------------------------------------

    def sign_in_options(self) -> ResponseReturnValue:
        return self.options(passkeys.authentication_options())

    def sign_in(self, admit: Callable[[Account], ResponseReturnValue]) -> ResponseReturnValue:
        """Check the browser's answer; `admit` signs in the account it names (or refuses an
        account of the other kind)."""
        credential = posted_credential()
        if credential is None:
            return jsonify(ok=False), 400
        try:
            account = passkeys.verify_authentication(credential, self.in_progress())
        except passkeys.PasskeyError:
            return jsonify(ok=False), 400
        return admit(account)

    # The sign-in details page -----------------------------------------------------------------

    def add_options(self, account: Account) -> ResponseReturnValue:
        return self.options(accounts.new_passkey_options(account))

    def add(self, account: Account, details_url: str) -> ResponseReturnValue:
        new_passkey = self.registered()
        if new_passkey is None:
            return jsonify(ok=False), 400
        passkeys.add_passkey(account, new_passkey)
        flash(_("Passkey added. You can now use it to sign in."), "success")
        return jsonify(ok=True, redirect=details_url)


def remove_passkey(
    account: Account, passkey_id: uuid.UUID, *, details_url: str, template: str
) -> ResponseReturnValue:
    """Ask, then remove one of the account's passkeys, unless it is the last way in (the
    last passkey of an account whose address no e-mail link can reach yet)."""
    passkey = accounts.get_passkey_or_404(account, passkey_id)
    form = FlaskForm()
    if form.validate_on_submit():
        if accounts.remove_passkey(account, passkey_id):
            flash(_("Passkey removed. You can no longer use it to sign in."), "success")
            return redirect(details_url)
        return render_template("accounts/cannot_remove_passkey.html", form=form), 409
    if not accounts.can_remove_passkey(account):
        return render_template("accounts/cannot_remove_passkey.html", form=form)
    return render_template(
        template,
        form=form,
        passkey=passkey,
        last=accounts.count_passkeys(account) == 1,
        back=details_url,
    )
