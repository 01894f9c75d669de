"""A service's questions before a referral, and the page for someone they rule out.

The refer journey (passport/referrals/views.py) asks `ask_first` before the referral form
and `ruled_out` before the check page and sending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from passport.access import resident_required
from passport.acting import current_passport
from passport.directory import listing
from passport.directory import service as directory
from passport.eligibility import service as eligibility
from passport.eligibility.forms import field_name, questions_form

if TYPE_CHECKING:
    from passport.directory.models import Service

bp = Blueprint("eligibility", __name__, template_folder="templates")

# In the (sealed) session: the service whose questions this browser answered last, so the
# referral form follows them rather than asking again.
ANSWERED_FOR = "eligibility_answered_for"


def ask_first(service: Service) -> ResponseReturnValue | None:
    """Before a referral's form: the service's questions, unless answered for it in this
    browser; the page saying why not, if the answers rule the resident out. None: go on."""
    questions = eligibility.questions_for(service)
    if not questions:
        return None
    assessment = eligibility.check_answers(current_passport, service)
    if session.get(ANSWERED_FOR) != str(service.id) or assessment.unanswered:
        return redirect(url_for("eligibility.questions", slug=service.slug))
    return ruled_out(service)


def ruled_out(service: Service) -> ResponseReturnValue | None:
    """The page saying why not, if the kept answers rule the resident out; else None."""
    if eligibility.check_answers(current_passport, service).fits:
        return None
    return redirect(url_for("eligibility.not_eligible", slug=service.slug))


def _can_refer(service: Service) -> bool:
    return service.accepts_self_referral and listing.referral_refusal(service) is None


@bp.route("/directory/services/<slug>/refer/questions", methods=["GET", "POST"])
@resident_required
def questions(slug: str) -> ResponseReturnValue:
    service = directory.get_service_or_404(slug)
    asked = eligibility.questions_for(service)
    if not asked or not _can_refer(service):
        # Nothing to ask, or nothing to refer to: the referral page says which.
        return redirect(url_for("referrals.new", slug=slug))
    form = questions_form(asked, eligibility.get_answers(current_passport))
    if form.validate_on_submit():
        eligibility.save_answers(current_passport, form.answers())
        session[ANSWERED_FOR] = str(service.id)
        return ruled_out(service) or redirect(url_for("referrals.new", slug=slug))
    return render_template(
        "eligibility/questions.html",
        form=form,
        service=service,
        fields=[form[field_name(question)] for question in asked],
        topics=service.categories,
    )


@bp.get("/directory/services/<slug>/refer/not-eligible")
@resident_required
def not_eligible(slug: str) -> ResponseReturnValue:
    service = directory.get_service_or_404(slug)
    answers = eligibility.get_answers(current_passport)
    assessment = eligibility.assess(service, answers)
    if assessment.fits:
        return redirect(url_for("referrals.new", slug=slug))
    similar = eligibility.similar_services(service, answers)
    return render_template(
        "eligibility/not_eligible.html",
        service=service,
        reasons=assessment.ruled_out,
        similar=similar,
        topics=service.categories,
    )
