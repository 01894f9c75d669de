"""Feedback: after a referral is completed the resident is asked whether it helped; the
organisation's staff see their own answers, and nothing until 5 people have answered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """The answer and the organisation's feedback page, and the question on the resident's
    completed referral (a part of referrals.detail)."""
    from passport import parts
    from passport.feedback.views import bp

    app.register_blueprint(bp)
    parts.add(app, "referrals.detail", parts.Part("feedback/ask.html", ask, "below_status"))


def ask(referral: Any) -> Mapping[str, Any] | None:
    from passport.feedback import service as feedback
    from passport.feedback.forms import FeedbackForm

    if not feedback.can_answer(referral) and feedback.answer_of(referral) is None:
        return None
    return {
        "referral_id": referral.id,
        "answer": feedback.answer_of(referral),
        "form": FeedbackForm(formdata=None),
    }
