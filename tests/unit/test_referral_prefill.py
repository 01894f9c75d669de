"""The pre-fill rule of a new referral, as pure code: what is ticked before the person chooses."""

from __future__ import annotations

from passport.referrals.service import preselected_sections


def test_about_you_and_the_needs_the_service_helps_with_are_ticked():
    available = ["about", "housing", "money", "food"]
    assert preselected_sections(available, ["money", "food", "caring"]) == [
        "about",
        "money",
        "food",
    ]


def test_the_order_is_the_passports_not_the_services():
    assert preselected_sections(["about", "housing", "money"], ["money", "housing"]) == [
        "about",
        "housing",
        "money",
    ]


def test_a_service_for_none_of_their_needs_gets_about_you_only():
    assert preselected_sections(["about", "housing"], ["food"]) == ["about"]


def test_only_parts_the_passport_has_are_ticked():
    # A service may help with a need the person has not recorded: nothing to share there.
    assert preselected_sections(["about"], ["housing", "money"]) == ["about"]
