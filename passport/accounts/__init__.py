"""Residents' accounts: passkeys, e-mail sign-in links, sessions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """The sign-up and sign-in pages, who is signed in, and the passport page's prompt to
    confirm an email address."""
    from passport import parts
    from passport.accounts import session_limits
    from passport.accounts.service import get_account
    from passport.accounts.views import bp
    from passport.extensions import login_manager

    app.register_blueprint(bp)
    session_limits.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(get_account)
    parts.add(app, "needs.passport", parts.Part("accounts/passport_prompt.html", _prompt, "above"))


def _prompt(passport: object) -> dict[str, object] | None:
    """Until the address is confirmed: we cannot email the resident, nor let them back in."""
    from passport.accounts.service import email_confirmed
    from passport.acting import current_actor

    return None if email_confirmed(current_actor.account) else {}
