"""Chasers (ADR 0027): a referral nobody opens is chased on working days, by a job that
`passport jobs run` runs; the resident chased for is offered similar services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from passport import jobs, parts
    from passport.chasers import service
    from passport.chasers.views import bp
    from passport.notices import words

    app.register_blueprint(bp)
    # On the resident's referral: similar services, once it is declined, withdrawn or chased.
    parts.add(
        app,
        "referrals.detail",
        parts.Part("chasers/similar_link.html", similar_link, "below_status"),
    )
    words.add(
        "referral_not_opened",
        words.Kind(
            _l("A referral you made has not been opened yet"),
            "chasers.similar",
            ("referral_id",),
        ),
    )
    jobs.add(app, "chasers", service.run)


def similar_link(referral: Any) -> Mapping[str, Any] | None:
    from passport.chasers import service

    return {"referral_id": referral.id} if service.offers_similar(referral) else None
