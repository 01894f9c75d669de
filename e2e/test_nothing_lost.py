"""Changing language with the header's switch, halfway through a form, keeps what was typed
(with JavaScript; tests/test_nothing_lost.py covers the form's own switch without it)."""

from __future__ import annotations

import uuid

from e2e import journeys
from e2e.pages import NeedFormPage

STORY = "Mae'r biliau wedi mynd yn ormod.\nI am behind on council tax since March."


def test_changing_language_in_the_header_keeps_what_was_typed(people):
    resident = people()
    passport = journeys.sign_up(resident, f"sam-{uuid.uuid4().hex[:8]}@example.net")
    form = passport.add_something_you_need_help_with()
    form.choose("Money and debt")
    form.story().fill(STORY)

    resident.switch_language("cy")
    form = NeedFormPage(resident)
    assert form.story().input_value() == STORY
    assert form.main.get_by_label(resident.t("Money and debt"), exact=True).is_checked()

    passport = form.save()
    assert passport.needs() == {resident.t("Money and debt"): STORY}
