"""The resident's wellbeing pages: check in, see the history, remove a check-in."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from passport import once
from passport.access import resident_required
from passport.acting import current_passport
from passport.forms import flash_once
from passport.wellbeing import chart
from passport.wellbeing import service as wellbeing
from passport.wellbeing.forms import CheckInForm
from passport.wellbeing.questions import QUESTIONS

bp = Blueprint("wellbeing", __name__, template_folder="templates")


def _short(at: datetime) -> str:
    """As the chart's dates and the table's rows show it: "3 Mar 2026"."""
    return format_date(at, "d MMM y")


def _long(at: datetime) -> str:
    return format_date(at, "d MMMM y")


@bp.get("/passport/wellbeing")
@resident_required
def index() -> ResponseReturnValue:
    history = wellbeing.history(current_passport)
    drawn = (
        chart.build([checkin.scores for checkin in history], [_short(c.at) for c in history])
        if history
        else None
    )
    return render_template(
        "wellbeing/index.html",
        history=history,
        chart=drawn,
        questions=QUESTIONS,
        long_date=_long,
        short_date=_short,
    )


@bp.route("/passport/wellbeing/check-in", methods=["GET", "POST"])
@resident_required
def check_in() -> ResponseReturnValue:
    form = CheckInForm()
    if form.validate_on_submit():
        # Before it is recorded: of two submits at once, the second waits here.
        if once.claim(url_for("wellbeing.index")) is None:
            wellbeing.record(current_passport, form.scores())
        flash_once(_("Your check-in has been saved."), "success")
        return redirect(url_for("wellbeing.index"))
    return render_template("wellbeing/check_in.html", form=form), (400 if form.errors else 200)


@bp.route("/passport/wellbeing/<uuid:checkin_id>/remove", methods=["GET", "POST"])
@resident_required
def remove(checkin_id: uuid.UUID) -> ResponseReturnValue:
    form = FlaskForm()
    removed = _("The check-in has been removed.")
    if form.validate_on_submit() and (earlier := once.earlier()):
        flash_once(removed, "success")  # sent again: the first submit removed it
        return redirect(earlier.url)
    checkin = wellbeing.get_or_404(current_passport, checkin_id)
    if form.validate_on_submit():
        wellbeing.remove(current_passport, checkin_id)
        once.claim(url_for("wellbeing.index"))
        flash_once(removed, "success")
        return redirect(url_for("wellbeing.index"))
    return render_template("wellbeing/remove.html", checkin=checkin, when=_long(checkin.at))
