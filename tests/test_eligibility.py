"""Eligibility questions before a referral (passport/eligibility): derived from a listing's
HSDS ages and area, a service's own yes/no questions, answers kept in the passport and
offered again, a plain "you cannot" page with services that fit, and a note to the
organisation on a borderline answer."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from passport.database import db
from passport.directory import postcodes, search
from passport.directory.models import Service
from passport.eligibility import service as eligibility
from tests.support import journeys, pages, scenarios
from tests.support.mailbox import Mailbox

FRIENDSHIP = "marsh-end-friendship-club"  # aged 60 or over, in Marsh End (ward E05990004)
CARERS = "advice-and-support-for-carers"  # its own question: a "No" rules someone out
DELIVERY = "food-parcel-home-delivery"  # its own question: a "No" is borderline
MARSH_END = "EB4 1DR"
TOWN_CENTRE = "EB1 2AB"
FOOD_BANK = "referrals@eastbridge-foodbank.example.org"


@pytest.fixture
def directory(app: Flask, demo_directory: None) -> Flask:
    """The demo directory with its postcodes and its services' own questions."""
    with app.app_context():
        postcodes.import_csv(postcodes.DEMO_FILE)
    result = app.test_cli_runner().invoke(args=["demo", "questions"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def resident(client: FlaskClient, mailbox: Mailbox, directory: Flask) -> FlaskClient:
    journeys.sign_up(client, mailbox, f"resident-{scenarios.marker()}@example.net")
    assert journeys.add_need(client, "loneliness", "I hardly see anyone.").status_code == 302
    return client


def service(app: Flask, slug: str) -> Service:
    return db.session.scalars(select(Service).where(Service.slug == slug)).one()


def asked(app: Flask, slug: str) -> list[tuple[str, str]]:
    with app.test_request_context():
        return [(q.kind, q.text) for q in eligibility.questions_for(service(app, slug))]


def questions_path(slug: str) -> str:
    return f"/directory/services/{slug}/refer/questions"


def a_postcode_in(ward: str) -> str:
    with postcodes.DEMO_FILE.open() as rows:
        return next(line.split(",")[1] for line in rows if f",{ward}," in line)


# The questions ---------------------------------------------------------------------------------


def test_a_listings_ages_and_an_area_it_names_by_ons_code_ask_age_and_postcode(directory):
    assert a_postcode_in("E05990004") == MARSH_END
    assert asked(directory, FRIENDSHIP) == [
        ("age", "How old are you?"),
        ("postcode", "What is your postcode?"),
    ]
    # 18 or over, in an area described only in words: the directory cannot place it.
    assert asked(directory, scenarios.SERVICE) == [("age", "How old are you?")]
    # No ages, no area it can place, no questions of its own: nothing is asked.
    assert asked(directory, scenarios.OTHER_SERVICE) == []


def test_without_postcodes_loaded_no_postcode_is_asked(app: Flask, demo_directory: None):
    assert asked(app, FRIENDSHIP) == [("age", "How old are you?")]


def test_a_services_own_questions_are_set_listed_and_removed_by_the_cli(directory):
    runner = directory.test_cli_runner()
    added = runner.invoke(
        args=[
            "directory", "questions", scenarios.OTHER_SERVICE,
            "--add", "Do you rent your home?",
            "--meaning", "It is for tenants and lodgers.",
        ]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "1. Do you rent your home? (a 'No' is not-eligible; who it is for: It is for " in (
        added.output
    )
    borderline = runner.invoke(
        args=["directory", "questions", scenarios.OTHER_SERVICE, "--add", "Is it urgent?",
              "--if-no", "borderline"]
    )  # fmt: skip
    assert borderline.exit_code == 0, borderline.output
    assert asked(directory, scenarios.OTHER_SERVICE) == [
        ("circumstance", "Do you rent your home?"),
        ("circumstance", "Is it urgent?"),
    ]
    # A "No" that rules someone out must say who the service is for.
    refused = runner.invoke(
        args=["directory", "questions", scenarios.OTHER_SERVICE, "--add", "Are you a tenant?"]
    )
    assert refused.exit_code == 1 and "Nothing was added. Say who the service is for" in (
        refused.output
    )
    removed = runner.invoke(
        args=["directory", "questions", scenarios.OTHER_SERVICE, "--remove", "1"]
    )
    assert removed.exit_code == 0, removed.output
    assert asked(directory, scenarios.OTHER_SERVICE) == [("circumstance", "Is it urgent?")]
    listed = runner.invoke(args=["directory", "questions", FRIENDSHIP])
    assert listed.exit_code == 0, (listed.output, listed.exception)
    assert listed.output.splitlines() == [
        "- How old are you? (from its listing)",
        "- What is your postcode? (from its listing)",
    ]


def test_loading_the_demo_questions_again_keeps_each_questions_answers(directory, resident):
    journeys.answer_questions(resident, CARERS, answer="no")
    with directory.app_context():
        before = {q.key for q in eligibility.questions_for(service(directory, CARERS))}
    again = directory.test_cli_runner().invoke(args=["demo", "questions"])
    assert again.exit_code == 0, again.output
    with directory.app_context():
        assert {q.key for q in eligibility.questions_for(service(directory, CARERS))} == before
    page = pages.soup(resident.get(questions_path(CARERS)))
    assert page.select_one("input[type=radio][value=no]").has_attr("checked")


# The journey -----------------------------------------------------------------------------------


def test_the_questions_come_before_the_referral_form(resident):
    start = resident.get(f"/directory/services/{FRIENDSHIP}/refer")
    assert start.status_code == 302
    assert start.headers["Location"].endswith(questions_path(FRIENDSHIP))
    page = resident.get(questions_path(FRIENDSHIP))
    assert pages.heading(page) == "Check you can use Marsh End friendship club"
    assert pages.field_value(page, "age") == "" and pages.field_value(page, "postcode") == ""
    answered = journeys.answer_questions(resident, FRIENDSHIP, age="67", postcode="eb4 1dr")
    assert answered.headers["Location"].endswith(f"/directory/services/{FRIENDSHIP}/refer")
    form = resident.get(f"/directory/services/{FRIENDSHIP}/refer")
    assert pages.heading(form) == "Refer yourself to Marsh End friendship club"


def test_answers_are_kept_in_the_passport_and_offered_next_time(resident):
    journeys.answer_questions(resident, FRIENDSHIP, age="67", postcode=MARSH_END)
    # Another service asks the age again: it starts from the answer given before.
    page = resident.get(questions_path(scenarios.SERVICE))
    assert pages.field_value(page, "age") == "67"
    # Coming back to the same service, both are there, and can be changed.
    page = resident.get(questions_path(FRIENDSHIP))
    assert (pages.field_value(page, "age"), pages.field_value(page, "postcode")) == (
        "67",
        MARSH_END,
    )
    changed = journeys.answer_questions(resident, FRIENDSHIP, age="68", postcode=MARSH_END)
    assert changed.status_code == 302
    assert pages.field_value(resident.get(questions_path(FRIENDSHIP)), "age") == "68"


def test_too_young_is_told_why_before_sending_with_services_that_fit(directory, resident):
    # The directory lists this one first in the category; the resident's answer rules it out.
    lunch = "community-lunch-club"
    added = directory.test_cli_runner().invoke(
        args=["directory", "questions", lunch, "--add", "Are you 50 or over?",
              "--meaning", "It is for people aged 50 or over."]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    journeys.answer_questions(resident, lunch, answer="no")
    answered = journeys.answer_questions(resident, FRIENDSHIP, age="45", postcode=MARSH_END)
    assert answered.headers["Location"].endswith(
        f"/directory/services/{FRIENDSHIP}/refer/not-eligible"
    )
    page = resident.get(answered.headers["Location"])
    assert pages.heading(page) == "You cannot refer yourself to Marsh End friendship club"
    why = pages.soup(page).select_one("#why-not").get_text(" ", strip=True)
    assert why == "Marsh End friendship club is for people aged 60 or over."
    shown = [
        str(li["id"]).removeprefix("similar-")
        for li in pages.soup(page).select("#similar-services li")
    ]
    assert shown, "No similar service shown"
    with directory.app_context():
        for slug in shown:
            other = service(directory, slug)
            assert "loneliness" in other.categories, slug
            assert other.accepts_self_referral, slug
            assert other.minimum_age is None or other.minimum_age <= 45, slug
            assert other.maximum_age is None or other.maximum_age >= 45, slug
    # Those in the same category that a 45-year-old cannot use are not offered.
    with directory.test_request_context():
        listed = [
            hit.service.slug
            for hit in search.find(search.Query(categories=("loneliness",), per_page=50)).hits
        ]
    assert listed[0] == lunch and lunch not in shown
    assert not {"young-carers-club", "young-peoples-wellbeing-drop-in"} & set(shown)
    assert ("Change your answers", questions_path(FRIENDSHIP)) in pages.links(page)
    # Nothing can be sent: the form itself sends them back to this page.
    refer = resident.get(f"/directory/services/{FRIENDSHIP}/refer")
    assert refer.headers["Location"].endswith(
        f"/directory/services/{FRIENDSHIP}/refer/not-eligible"
    )


def test_outside_the_area_is_told_which_area(resident):
    answered = journeys.answer_questions(resident, FRIENDSHIP, age="70", postcode=TOWN_CENTRE)
    page = resident.get(answered.headers["Location"])
    why = pages.soup(page).select_one("#why-not").get_text(" ", strip=True)
    assert why == (
        "Marsh End friendship club is only for people who live in the area it covers: Marsh End."
    )


def test_a_no_that_rules_out_says_who_the_service_is_for(resident):
    answered = journeys.answer_questions(resident, CARERS, answer="no")
    page = resident.get(answered.headers["Location"])
    why = pages.soup(page).select_one("#why-not").get_text(" ", strip=True)
    assert why.startswith("It is only for unpaid carers")
    # Changing the answer lets them through.
    again = journeys.answer_questions(resident, CARERS, answer="yes")
    assert again.headers["Location"].endswith(f"/directory/services/{CARERS}/refer")


def test_answers_changed_after_a_draft_stop_it_being_sent(resident):
    journeys.answer_questions(resident, FRIENDSHIP, age="67", postcode=MARSH_END)
    path = journeys.draft_referral(resident, FRIENDSHIP, ["about"])
    journeys.answer_questions(resident, scenarios.SERVICE, age="17")  # the same age question
    check = resident.get(f"{path}/check")
    assert check.headers["Location"].endswith(
        f"/directory/services/{FRIENDSHIP}/refer/not-eligible"
    )


def test_a_borderline_answer_goes_through_with_a_note_to_the_organisation(
    resident, org_client, mailbox
):
    journeys.answer_questions(resident, DELIVERY, answer="not-sure")
    path = journeys.draft_referral(resident, DELIVERY, ["about"])
    # The resident sees what the organisation will be told before sending.
    told = pages.soup(resident.get(f"{path}/check")).select_one("#eligibility-note")
    assert told is not None
    assert " ".join(told.get_text().split()) == (
        "From your answers to the service's questions, we will also tell them: Said not sure "
        "about: Is it hard for you to get to the food bank because of your health, a "
        "disability or caring?"
    )
    assert journeys.post_form(resident, f"{path}/check", {}).status_code == 302
    link = journeys.open_share_as_org(org_client, mailbox, FOOD_BANK)
    note = pages.soup(org_client.get(link)).select_one("#eligibility-note")
    assert note is not None
    assert " ".join(note.get_text().split()).endswith(
        "Said not sure about: Is it hard for you to get to the food bank because of your "
        "health, a disability or caring?"
    )


def test_answers_that_fit_leave_no_note(resident, org_client, mailbox):
    journeys.answer_questions(resident, DELIVERY, answer="yes")
    path = journeys.draft_referral(resident, DELIVERY, ["about"])
    assert pages.soup(resident.get(f"{path}/check")).select_one("#eligibility-note") is None
    assert journeys.post_form(resident, f"{path}/check", {}).status_code == 302
    link = journeys.open_share_as_org(org_client, mailbox, FOOD_BANK)
    assert pages.soup(org_client.get(link)).select_one("#eligibility-note") is None


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "postcode", "errors"),
    [
        ("sixty", MARSH_END, {"age": "Enter your age as a number, like 34"}),
        ("300", MARSH_END, {"age": "Enter an age between 0 and 120"}),
        ("-4", MARSH_END, {"age": "Enter your age as a number, like 34"}),
        ("", "", {"age": "Enter your age", "postcode": "Enter your postcode"}),
        ("67", "not a postcode", {"postcode": "Enter a full UK postcode, like EB1 2AB"}),
    ],
)
def test_bad_answers_are_said_plainly_and_what_was_typed_is_kept(resident, age, postcode, errors):
    page = journeys.post_form(
        resident, questions_path(FRIENDSHIP), {"age": age, "postcode": postcode}
    )
    assert page.status_code == 200
    shown = {name: pages.field_error(page, name) for name in ("age", "postcode")}
    assert {name: message for name, message in shown.items() if message} == errors
    assert pages.error_summary(page) == list(errors.values())
    assert pages.title(page).startswith("Error: ")
    assert (pages.field_value(page, "age"), pages.field_value(page, "postcode")) == (age, postcode)
    with resident.application.app_context():
        assert db.session.scalar(select(eligibility.EligibilityAnswers)) is None


def test_a_question_of_its_own_needs_an_answer(resident):
    page = journeys.post_form(resident, questions_path(CARERS), {})
    assert pages.error_summary(page) == ["Select yes, no or not sure"]


def test_someone_elses_answers_are_not_offered(resident, mailbox, app):
    journeys.answer_questions(resident, FRIENDSHIP, age="67", postcode=MARSH_END)
    other = app.test_client()
    journeys.sign_up(other, mailbox, f"other-{uuid.uuid4().hex}@example.net")
    page = other.get(questions_path(FRIENDSHIP))
    assert (pages.field_value(page, "age"), pages.field_value(page, "postcode")) == ("", "")


def test_a_postcode_nobody_can_place_and_a_borderline_no_go_through_with_a_note(directory):
    with directory.test_request_context():
        friendship = service(directory, FRIENDSHIP)
        unknown = eligibility.assess(friendship, eligibility.Answers(age=70, postcode="EB9 9ZZ"))
        assert unknown.fits
        assert eligibility.note_lines(unknown.notes) == [
            "Gave a postcode the directory does not know, so we could not check that they live "
            "in the area the service covers."
        ]
        grants = service(directory, "carers-break-grants")
        carer, hours = eligibility.questions_for(grants)
        said_no = eligibility.assess(
            grants, eligibility.Answers(circumstances={carer.key: "yes", hours.key: "no"})
        )
        assert said_no.fits
        assert eligibility.note_lines(said_no.notes) == [
            "Said no to: Do you care for them for at least 20 hours a week?"
        ]
        not_a_carer = eligibility.assess(
            grants, eligibility.Answers(circumstances={carer.key: "no", hours.key: "yes"})
        )
        assert not not_a_carer.fits and not_a_carer.notes == []
