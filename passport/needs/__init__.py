"""The passport itself: needs and details, sealed with the passport's own key."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The resident's passport pages, and the services that may suit them, shown on the
    passport page and above the directory's search."""
    from passport import parts
    from passport.needs.views import bp, services_that_may_suit

    app.register_blueprint(bp)
    suit = "needs/_suggestions.html"
    parts.add(app, "needs.passport", parts.Part(suit, services_that_may_suit, "below"))
    parts.add(app, "directory.search", parts.Part(suit, services_that_may_suit, "above"))
