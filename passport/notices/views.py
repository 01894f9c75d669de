"""The resident's notices, and "How we contact you"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from passport import acting, notify
from passport.access import resident_required
from passport.acting import current_passport
from passport.notices import service as notices
from passport.notices.forms import ContactForm

bp = Blueprint("notices", __name__, template_folder="templates")


@bp.get("/notices")
@resident_required
def index() -> ResponseReturnValue:
    return render_template("notices/index.html", notices=notices.read_notices(current_passport))


@bp.route("/account/contact", methods=["GET", "POST"])
@resident_required
def contact() -> ResponseReturnValue:
    if not notify.can_text():
        return render_template("notices/contact.html", form=None)
    choice = notices.contact_choice(current_passport)
    form = ContactForm(data={"channel": choice.channel, "phone": choice.phone or ""})
    if form.validate_on_submit():
        notices.choose_contact(current_passport, form.channel.data, form.phone.data)
        flash(_("We will tell you about updates the way you chose."), "success")
        return redirect(url_for("accounts.sign_in_details"))
    return render_template("notices/contact.html", form=form)


def unread_notices() -> int | None:
    """For the header, on every page: the signed-in resident's unread notices (None for
    anyone else)."""
    passport = acting.passport_if_any()
    return notices.unread_count(passport.id) if passport is not None else None


def contact_summary(*_about: object) -> dict[str, object] | None:
    """On "Your sign-in details" (passport/parts.py): how we tell them about updates."""
    passport = acting.passport_if_any()
    if passport is None:
        return None
    return {"choice": notices.contact_choice(passport), "can_text": notify.can_text()}
