"""Share grants, share links, one-time codes, the access log, and the resident's "Shared
with" page with a consent receipt for every grant and change."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The "Shared with" page, its changes and the consent receipts; `passport audit`."""
    from passport.sharing import cli
    from passport.sharing.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(cli.audit_group)
