"""The organisation's side: a share link, its one-time code, the referral and its answer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The share-link pages (their error handlers are the blueprint's own)."""
    from passport.organisations.views import bp

    app.register_blueprint(bp)
