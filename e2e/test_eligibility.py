"""A service's questions before a referral, with JavaScript off: a bad answer keeps what was
typed, a clear "you cannot" page says why and offers services that fit (axe on every page)."""

from __future__ import annotations

import uuid

from e2e import journeys
from e2e.pages import EligibilityQuestionsPage, ServicePage

SLUG, SERVICE = "marsh-end-friendship-club", "Marsh End friendship club"  # 60 or over, Marsh End


def test_too_young_for_a_service_is_told_why_and_shown_others_without_javascript(people):
    resident = people(javascript=False)
    journeys.sign_up(resident, f"robin-{uuid.uuid4().hex[:8]}@example.net")
    journeys.add_need(resident, "Loneliness", "I hardly see anyone since I moved.")

    ServicePage.open_slug(resident, SLUG, SERVICE).press("Refer yourself")
    questions = EligibilityQuestionsPage(resident, service=SERVICE)
    questions.answer(age="300", postcode="EB4 1DR")
    questions.press("Continue")
    questions = EligibilityQuestionsPage(resident, service=SERVICE)
    assert questions.error_summary() == [("Enter an age between 0 and 120", "#age")]
    assert questions.main.get_by_label("How old are you?").input_value() == "300"
    assert questions.main.get_by_label("What is your postcode?").input_value() == "EB4 1DR"

    questions.answer(age="45", postcode="EB4 1DR")
    not_eligible = questions.continue_not_eligible(SERVICE)
    assert not_eligible.reasons() == [f"{SERVICE} is for people aged 60 or over."]
    similar = not_eligible.similar_services()
    assert similar and SERVICE not in similar
    assert "Young carers club" not in similar  # aged 8 to 17

    again = not_eligible.change_your_answers(SERVICE)
    assert again.main.get_by_label("How old are you?").input_value() == "45"
