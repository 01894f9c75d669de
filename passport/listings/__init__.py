"""Listings: an organisation's admins keep their services' listings current (capacity at
once, "still correct", new words that wait for a directory admin's approval; ADR 0028)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """The organisation's services pages and the review pages, and the list of changes
    waiting for approval on the directory admin's page (a part of staff.directory)."""
    from passport import parts
    from passport.listings.views import bp

    app.register_blueprint(bp)
    parts.add(app, "staff.directory", parts.Part("listings/_waiting.html", waiting, "above"))


def waiting() -> Mapping[str, Any] | None:
    from passport.listings import service as listings

    return {"changes": listings.pending_changes()}
