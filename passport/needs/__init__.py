"""The passport itself: needs and details, sealed with the passport's own key."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The resident's passport pages."""
    from passport.needs.views import bp

    app.register_blueprint(bp)
