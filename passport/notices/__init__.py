"""How a resident is told: notices in the service (a count in the header) and updates by
e-mail or text message, as they choose ("How we contact you")."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from passport import parts
    from passport.notices.views import bp, contact_summary, unread_notices

    app.register_blueprint(bp)
    app.jinja_env.globals["unread_notices"] = unread_notices
    parts.add(
        app,
        "accounts.sign_in_details",
        parts.Part("notices/contact_summary.html", contact_summary),
    )
