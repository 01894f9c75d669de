"""Chasers (ADR 0027): a referral nobody opens is chased on working days, by a job that
`passport jobs run` runs; the resident chased for is offered similar services."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from passport import jobs
    from passport.chasers import service
    from passport.chasers.views import bp
    from passport.notices import words

    app.register_blueprint(bp)
    words.add(
        "referral_not_opened",
        words.Kind(
            _l("A referral you made has not been opened yet"),
            "chasers.similar",
            ("referral_id",),
        ),
    )
    jobs.add(app, "chasers", service.run)
