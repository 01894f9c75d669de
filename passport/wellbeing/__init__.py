"""Wellbeing check-ins: the four ONS personal wellbeing questions, answered again over time,
sealed under the passport's key, and drawn as a chart beside a table of the same figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """The check-in pages; a link to them on the passport page, and the question "How are
    you feeling now?" on a resident's completed referral (parts of needs and referrals)."""
    from passport import parts
    from passport.wellbeing.views import bp

    app.register_blueprint(bp)
    parts.add(app, "referrals.detail", parts.Part("wellbeing/_invite.html", invite, "below_status"))
    parts.add(app, "needs.passport", parts.Part("wellbeing/_passport_link.html", link, "below"))


def invite(referral: Any) -> Mapping[str, Any] | None:
    from passport.referrals.lifecycle import Status

    return {} if referral.status is Status.COMPLETED else None


def link(*_about: object) -> Mapping[str, Any] | None:
    return {}
