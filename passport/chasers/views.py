"""The resident's page of services like one a referral was made to (after a chaser)."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from passport.access import resident_required
from passport.acting import current_passport
from passport.chasers import service as chasers

bp = Blueprint("chasers", __name__, template_folder="templates")


@bp.get("/referrals/<uuid:referral_id>/similar")
@resident_required
def similar(referral_id: uuid.UUID) -> ResponseReturnValue:
    return render_template(
        "chasers/similar.html", similar=chasers.similar(current_passport, referral_id)
    )
