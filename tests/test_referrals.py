"""Self-referral: the pre-filled form, check your answers, sending, following and withdrawing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from passport.database import db
from passport.directory.models import Service
from tests.support import journeys, pages
from tests.support.journeys import post_form

RESIDENT = "sam@example.net"
SERVICE = "housing-rights-advice"  # helps with housing and money
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
HOUSING_STORY = "My landlord has given me notice to leave by the end of the month."
MONEY_STORY = "I owe £1,200 in council tax and the bailiffs have written."
FOOD_STORY = "I skip meals so that my children can eat."
ABOUT = {
    "name": "Sam Taylor",
    "phone": "07700 900123",
    "email": "sam.contact@example.net",
    "contact_preference": "Text me first",
    "access_needs": "",
}
MESSAGE = "Mornings are best. Please do not call my landlord."


@pytest.fixture
def resident(client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_about(client, **ABOUT)
    journeys.add_need(client, "housing", HOUSING_STORY)
    journeys.add_need(client, "money", MONEY_STORY)
    journeys.add_need(client, "food", FOOD_STORY)
    mailbox.clear()
    return client


def refer_url(slug: str = SERVICE) -> str:
    return f"/directory/services/{slug}/refer"


def offered(response) -> list[str]:
    return [
        str(tag["value"])
        for tag in pages.soup(response).find_all("input", attrs={"name": "sections"})
    ]


# The form -------------------------------------------------------------------------------------


def test_the_form_is_pre_filled_from_the_passport(resident):
    form = resident.get(refer_url())
    assert form.status_code == 200
    assert pages.heading(form) == "Refer yourself to Housing rights advice"
    assert offered(form) == ["about", "housing", "money", "food"]
    # 'About you' and the needs this service helps with are ticked; food is not.
    assert pages.checked_values(form, "sections") == ["about", "housing", "money"]
    assert pages.checked_values(form, "share_days") == ["90"]
    assert pages.field_value(form, "message") == ""
    # The resident sees what each part holds, so nobody types their story twice.
    text = pages.text(form)
    assert HOUSING_STORY in text
    assert FOOD_STORY in text


def test_the_form_ticks_only_about_you_when_no_need_matches(resident):
    form = resident.get(refer_url("telephone-befriending"))  # loneliness
    assert pages.checked_values(form, "sections") == ["about"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"message": MESSAGE, "share_days": "30"},
            ("Select at least one part of your passport to share", "#sections"),
        ),
        (
            {"sections": ["secret-notes"], "message": MESSAGE, "share_days": "30"},
            ("Select at least one part of your passport to share", "#sections"),
        ),
        (
            {"sections": ["about", "money"], "message": "m" * 2001, "share_days": "30"},
            ("Your message must be 2,000 characters or fewer", "#message"),
        ),
        (
            {"sections": ["about", "money"], "message": MESSAGE, "share_days": "45"},
            ("Select how long they can see your passport", "#share_days"),
        ),
        (
            {"sections": ["about", "money"], "message": MESSAGE, "share_days": "forever"},
            ("Select how long they can see your passport", "#share_days"),
        ),
    ],
)
def test_referral_errors_keep_what_was_typed(app, resident, mailbox, data, error):
    response = post_form(resident, refer_url(), data)

    assert response.status_code == 200
    assert pages.title(response).startswith("Error: ")
    assert pages.error_summary_links(response) == [error]
    assert pages.field_value(response, "message") == data["message"]
    kept = [s for s in data.get("sections", []) if s in ("about", "housing", "money", "food")]
    assert pages.checked_values(response, "sections") == kept
    if data["share_days"] in ("30", "90", "180"):
        assert pages.checked_values(response, "share_days") == [data["share_days"]]
    assert "You have not referred yourself" in pages.text(resident.get("/referrals"))
    assert mailbox.messages == []


def test_a_message_of_2000_characters_is_accepted(resident):
    path = journeys.draft_referral(resident, SERVICE, ["about"], "m" * 2000, "30")
    check = resident.get(f"{path}/check")
    assert "m" * 2000 in pages.text(check)


# Check your answers ---------------------------------------------------------------------------


def test_check_your_answers_shows_the_choices_with_change_links(resident, mailbox):
    path = journeys.draft_referral(resident, SERVICE, ["about", "money"], MESSAGE, "30")
    check = resident.get(f"{path}/check")
    assert check.status_code == 200
    assert pages.heading(check) == "Check your referral before sending it"
    text = pages.text(check)
    assert "Housing rights advice" in text
    assert "Eastbridge Advice Centre" in text
    assert "About you" in text
    assert "Money and debt" in text
    assert "Housing" not in text.replace("Housing rights advice", "")
    assert MESSAGE in text
    assert "1 month" in text
    assert mailbox.messages == [], "the referral went before it was checked"

    changes = {text: href for text, href in pages.links(check) if text.startswith("Change")}
    assert changes == {
        "Change what they can see": f"{path}/change#sections",
        "Change your message": f"{path}/change#message",
        "Change how long they can see it": f"{path}/change#share_days",
    }

    change = resident.get(f"{path}/change")
    assert change.status_code == 200
    assert pages.checked_values(change, "sections") == ["about", "money"]
    assert pages.field_value(change, "message") == MESSAGE
    assert pages.checked_values(change, "share_days") == ["30"]
    for anchor in ("sections", "message", "share_days"):
        assert pages.soup(change).find(id=anchor) is not None, anchor


def test_changing_an_answer_updates_the_same_draft(resident):
    path = journeys.draft_referral(resident, SERVICE, ["about", "money"], MESSAGE, "30")
    changed = post_form(
        resident,
        f"{path}/change",
        {"sections": ["about", "housing"], "message": "Afternoons now.", "share_days": "180"},
    )
    assert changed.status_code == 302
    assert changed.headers["Location"] == f"{path}/check"

    text = pages.text(resident.get(f"{path}/check"))
    assert "Afternoons now." in text
    assert MESSAGE not in text
    assert "6 months" in text
    assert "Money and debt" not in text


# Sending --------------------------------------------------------------------------------------


def test_sending_a_referral(resident, mailbox):
    assert "You have not referred yourself" in pages.text(resident.get("/referrals"))
    path = journeys.draft_referral(resident, SERVICE, ["about", "money"], MESSAGE, "30")
    sent = post_form(resident, f"{path}/check", {})
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"{path}/sent"

    confirmation = resident.get(f"{path}/sent")
    assert pages.heading(confirmation) == "Referral sent"
    assert "to Housing rights advice" in pages.text(confirmation)

    detail = resident.get(path)
    assert pages.status(detail) == "Sent"
    assert pages.heading(detail) == "Your referral to Housing rights advice"
    assert MESSAGE in pages.text(detail)

    listing = resident.get("/referrals")
    rows = pages.soup(listing).select("tbody tr")
    assert len(rows) == 1
    assert "Housing rights advice" in rows[0].get_text()
    assert "Sent" in rows[0].get_text()
    assert (("Housing rights advice", path)) in pages.links(listing)

    passport = pages.text(resident.get("/passport"))
    assert (
        "Eastbridge Advice Centre For your referral to Housing rights advice "
        "About you, Money and debt"
    ) in passport


def test_the_organisation_email_has_a_link_and_no_personal_details(resident, mailbox):
    journeys.refer(resident, SERVICE, ["about", "housing", "money"], MESSAGE, "30")

    emails = mailbox.to(ORG_EMAIL)
    assert len(emails) == 1
    email = emails[0]
    assert email.subject == "A new referral"
    assert re.search(r"http://localhost/share/[A-Za-z0-9_-]{40,}", email.body)
    assert "after 1 month" in email.body
    for private in (
        HOUSING_STORY,
        MONEY_STORY,
        FOOD_STORY,
        MESSAGE,
        RESIDENT,
        *[value for value in ABOUT.values() if value],
        "About you",
        "Money and debt",
        "council tax",
        "landlord",
    ):
        assert private not in email.body, private
        assert private not in email.subject, private
    assert [m.to for m in mailbox.messages] == [ORG_EMAIL], "someone else was e-mailed"


def test_sending_twice_sends_one_referral(resident, mailbox):
    path = journeys.draft_referral(resident, SERVICE, ["about"], "", "90")
    page = resident.get(f"{path}/check")
    token = pages.csrf_token(page)
    first = resident.post(f"{path}/check", data={"csrf_token": token})
    second = resident.post(f"{path}/check", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == path
    assert len(mailbox.to(ORG_EMAIL)) == 1
    assert len(pages.soup(resident.get("/referrals")).select("tbody tr")) == 1
    # A sent referral cannot be changed any more.
    assert resident.get(f"{path}/change").headers["Location"] == path


def test_a_line_break_in_a_service_name_from_before_the_check_does_not_break_sending(
    app, resident, mailbox
):
    # The loader and `passport org create` refuse such names now; older rows may have one.
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == SERVICE))
        assert service is not None
        service.name = "Housing rights\r\nBcc: someone@example.net"
        db.session.commit()
    path = journeys.draft_referral(resident, SERVICE, ["about"], "", "30")
    sent = post_form(resident, f"{path}/check", {})
    assert sent.status_code == 302
    assert pages.status(resident.get(path)) == "Sent"
    # No header names a service: in the body a line break is only a line break.
    assert [(m.to, m.subject) for m in mailbox.messages] == [(ORG_EMAIL, "A new referral")]


def test_a_referral_to_a_service_that_does_not_exist_is_not_found(resident):
    assert resident.get(refer_url("no-such-service")).status_code == 404
    posted = post_form(
        resident, refer_url("no-such-service"), {"sections": ["about"], "share_days": "90"}
    )
    assert posted.status_code == 404
    assert pages.heading(posted) == "Page not found"


# Following and withdrawing --------------------------------------------------------------------


def test_the_referral_page_shows_a_timeline(resident, frozen_clock):
    path = journeys.refer(resident, SERVICE, ["about"], "", "90")
    detail = resident.get(path)
    timeline = pages.soup(detail).select(".np-timeline li")
    assert [" ".join(item.get_text().split()) for item in timeline] == [
        "Sent by you 3 March 2026 at 10:14"
    ]
    assert ("Find a service", "/directory") in pages.links(resident.get("/referrals"))


def test_withdrawing_a_referral_stops_the_sharing(resident, org_client, mailbox):
    path = journeys.refer(resident, SERVICE, ["about", "money"], MESSAGE, "90")
    link = journeys.share_link(mailbox, ORG_EMAIL)
    assert org_client.get(link).status_code == 200

    detail = resident.get(path)
    assert ("Withdraw this referral", f"{path}/withdraw") in pages.links(detail)
    confirm = resident.get(f"{path}/withdraw")
    assert pages.heading(confirm) == "Are you sure you want to withdraw this referral?"
    assert pages.status(resident.get(path)) == "Sent", "showing the question withdrew it"

    withdrawn = post_form(resident, f"{path}/withdraw", {})
    assert withdrawn.status_code == 302
    detail = resident.get(path)
    assert pages.status(detail) == "Withdrawn"
    assert pages.flash_messages(detail) == [
        "Your referral has been withdrawn and the organisation can no longer see your passport."
    ]
    assert "Withdraw this referral" not in pages.text(detail)
    assert "No organisation can see your passport." in pages.text(resident.get("/passport"))

    gone = org_client.get(link)
    assert gone.status_code == 410
    assert pages.heading(gone) == "This link has been withdrawn"
    assert MONEY_STORY not in pages.text(gone)


def test_another_residents_referral_is_not_found(resident, mailbox, app):
    path = journeys.refer(resident, SERVICE, ["about", "money"], MESSAGE, "90")
    draft = journeys.draft_referral(resident, "debt-advice-drop-in", ["about"], "", "90")

    other = app.test_client()
    journeys.sign_up(other, mailbox, "alex@example.net")
    journeys.add_need(other, "money", "Other person's need.")
    for url in (
        path,
        f"{path}/sent",
        f"{path}/withdraw",
        f"{draft}/check",
        f"{draft}/change",
    ):
        response = other.get(url)
        assert response.status_code == 404, url
        assert pages.heading(response) == "Page not found"
        assert "Housing rights advice" not in pages.text(response)
    assert post_form(other, f"{path}/withdraw", {}).status_code == 404
    assert post_form(other, f"{draft}/check", {}).status_code == 404
    assert pages.status(resident.get(path)) == "Sent"
    assert "You have not referred yourself" in pages.text(other.get("/referrals"))


# Exit this page on sensitive topics -----------------------------------------------------------


def test_referring_to_a_domestic_abuse_service_shows_exit_this_page(resident):
    slug = "domestic-abuse-helpline"
    assert pages.has_exit_this_page(resident.get(refer_url(slug)))
    path = journeys.draft_referral(resident, slug, ["about"], "", "90")
    for url in (f"{path}/check", f"{path}/change"):
        assert pages.has_exit_this_page(resident.get(url)), url
    post_form(resident, f"{path}/check", {})
    for url in (f"{path}/sent", path, f"{path}/withdraw"):
        assert pages.has_exit_this_page(resident.get(url)), url


def test_a_domestic_abuse_need_shows_exit_this_page_on_any_referral_form(resident):
    journeys.add_need(resident, "domestic_abuse", "He takes my bank card.")
    assert pages.has_exit_this_page(resident.get(refer_url()))


def test_other_referral_pages_do_not_show_exit_this_page(resident):
    assert not pages.has_exit_this_page(resident.get(refer_url()))
    path = journeys.draft_referral(resident, SERVICE, ["about", "money"], "", "90")
    assert not pages.has_exit_this_page(resident.get(f"{path}/check"))
    post_form(resident, f"{path}/check", {})
    for url in (f"{path}/sent", path, f"{path}/withdraw"):
        assert not pages.has_exit_this_page(resident.get(url)), url
