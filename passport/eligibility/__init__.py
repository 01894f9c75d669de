"""Eligibility: the questions a service asks before someone refers themself, and what the
answers mean (passport/eligibility/service.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """The question pages, the note on the organisation's referral page, and the commands
    `passport directory questions` and `passport demo questions` (after the directory's)."""
    from passport import parts
    from passport.eligibility import cli
    from passport.eligibility.views import bp

    app.register_blueprint(bp)
    # The note on a referral sent on a borderline answer, on the organisation's page.
    parts.add(
        app,
        "organisations.open_link",
        parts.Part("eligibility/note_for_organisation.html", organisation_note, "above"),
    )
    # On the resident's check page: the same note, before it is sent.
    parts.add(
        app,
        "referrals.check",
        parts.Part("eligibility/note_before_sending.html", note_before_sending, "below_summary"),
    )
    app.cli.commands["directory"].add_command(cli.questions)  # type: ignore[attr-defined]
    app.cli.commands["demo"].add_command(cli.demo_questions)  # type: ignore[attr-defined]


def organisation_note(referral_id: Any) -> Mapping[str, Any] | None:
    from passport.eligibility import service as eligibility

    lines = eligibility.note_for(referral_id)
    return {"lines": lines} if lines else None


def note_before_sending(passport: Any, service: Any) -> Mapping[str, Any] | None:
    from passport.eligibility import service as eligibility

    lines = eligibility.note_lines(eligibility.check_answers(passport, service).notes)
    return {"lines": lines} if lines else None
