"""The organisation's side: a share link, a one-time code, only the granted sections, a reply."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from passport.extensions import limiter
from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.journeys import post_form

RESIDENT = "sam@example.net"
SERVICE = "debt-advice-drop-in"
ORGANISATION = "Eastbridge Advice Centre"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
MASKED = "r********@eastbridge-advice.example.org"
HOUSING_STORY = "My landlord has given me notice to leave by the end of the month."
MONEY_STORY = "I owe £1,200 in council tax and the bailiffs have written."
MESSAGE = "Mornings are best."
STOP_SHARING = f"Stop sharing with {ORGANISATION} for your referral to Debt advice drop-in"
REASON = "We only see people living in Eastbridge. Try the Northfield advice line instead."


def wrong_code(left: int) -> str:
    tries = "try" if left == 1 else "tries"
    return f"The code is not right. You have {left} more {tries} before you need a new code."


LOCKED = "You have entered the wrong code too many times. Ask for a new code."


@dataclass
class Referral:
    path: str  # the resident's page for it
    link: str  # the organisation's share link


@pytest.fixture(autouse=True)
def clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def resident(client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_about(client, name="Sam Taylor", phone="07700 900123")
    journeys.add_need(client, "housing", HOUSING_STORY)
    journeys.add_need(client, "money", MONEY_STORY)
    return client


@pytest.fixture
def referral(resident, mailbox) -> Referral:
    path = journeys.refer(resident, SERVICE, ["about", "money"], MESSAGE, "30")
    return Referral(path=path, link=journeys.share_link(mailbox, ORG_EMAIL))


@pytest.fixture
def opened(referral, org_client, mailbox) -> Referral:
    """The organisation has entered its code."""
    code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, referral.link, code).status_code == 302
    return referral


def section_headings(response) -> list[str]:
    return [
        " ".join(h2.get_text().split())
        for h2 in pages.soup(response).select("main h2[id^=section-]")
    ]


# Opening the link asks for a code -------------------------------------------------------------


def test_opening_the_link_asks_for_a_code(referral, org_client):
    page = org_client.get(referral.link)
    assert page.status_code == 200
    assert pages.heading(page) == "We need to check it is you"
    text = pages.text(page)
    assert ORGANISATION in text
    assert MASKED in text
    assert ORG_EMAIL not in text
    for private in (HOUSING_STORY, MONEY_STORY, MESSAGE, "Sam Taylor", RESIDENT):
        assert private not in text
    assert "I already have a code" not in text
    assert page.headers["Cache-Control"] == "no-store"


def test_the_code_is_sent_to_the_referral_email(referral, org_client, mailbox):
    mailbox.clear()
    page = org_client.get(referral.link)
    sent = org_client.post(
        f"{referral.link}/code/send", data={"csrf_token": pages.csrf_token(page)}
    )
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"{referral.link}/code"

    [email] = mailbox.messages
    assert email.to == ORG_EMAIL
    assert email.subject == "Your code"
    assert re.search(r"\b\d{6}\b", email.body)
    assert "/share/" not in email.body

    enter = org_client.get(sent.headers["Location"])
    assert pages.heading(enter) == "Enter the code we emailed you"
    assert MASKED in pages.text(enter)
    again = org_client.get(referral.link)
    assert ("I already have a code", f"{referral.link}/code") in pages.links(again)


def test_a_wrong_code_says_how_many_tries_are_left(referral, org_client, mailbox):
    code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)

    response = journeys.enter_code(org_client, referral.link, journeys.other_code(code))
    assert response.status_code == 200
    assert pages.title(response).startswith("Error: ")
    message = wrong_code(4)
    assert pages.error_summary_links(response) == [(message, "#code")]
    assert pages.field_error(response, "code") == message
    assert pages.field_value(response, "code") == journeys.other_code(code)
    assert pages.heading(org_client.get(referral.link)) == "We need to check it is you"

    assert journeys.enter_code(org_client, referral.link, code).status_code == 302


@pytest.mark.parametrize(
    ("typed", "message"), [("", "Enter the code we sent"), ("12ab56", "The code must be 6 numbers")]
)
def test_a_code_in_the_wrong_shape_is_not_counted_as_a_try(
    referral, org_client, mailbox, typed, message
):
    code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    for _ in range(5):
        response = journeys.enter_code(org_client, referral.link, typed)
        assert pages.error_summary_links(response) == [(message, "#code")]
    assert (
        journeys.enter_code(org_client, referral.link, f" {code[:3]} {code[3:]} ").status_code
        == 302
    )


def test_five_wrong_codes_lock_it_until_a_new_code_is_sent(referral, org_client, mailbox, clock):
    code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    wrong = journeys.other_code(code)
    for left in (4, 3, 2, 1):
        response = journeys.enter_code(org_client, referral.link, wrong)
        assert pages.error_summary_links(response) == [(wrong_code(left), "#code")]
    locked = journeys.enter_code(org_client, referral.link, wrong)
    assert pages.error_summary_links(locked) == [(LOCKED, "#code")]

    # Even the right code no longer works.
    still = journeys.enter_code(org_client, referral.link, code)
    assert still.status_code == 200
    assert pages.error_summary_links(still) == [(LOCKED, "#code")]
    assert pages.heading(org_client.get(referral.link)) == "We need to check it is you"

    # At the same frozen instant, so nothing can rely on the new code being newer.
    new_code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    if new_code == code:  # one chance in a million: the old code must not be what works
        new_code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    old = journeys.enter_code(org_client, referral.link, code)
    assert pages.error_summary_links(old) == [(wrong_code(4), "#code")]
    assert journeys.enter_code(org_client, referral.link, new_code).status_code == 302


def test_an_expired_code_says_so(referral, org_client, mailbox, clock):
    code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    clock.advance(minutes=16)
    response = journeys.enter_code(org_client, referral.link, code)
    assert response.status_code == 200
    assert pages.error_summary_links(response) == [
        ("The code has expired. Ask for a new code.", "#code")
    ]
    assert pages.heading(org_client.get(referral.link)) == "We need to check it is you"


def test_a_code_works_only_once(opened, mailbox, app):
    code = mailbox.code_to(ORG_EMAIL)
    someone_else = app.test_client()
    response = journeys.enter_code(someone_else, opened.link, code)
    assert response.status_code == 200
    assert pages.error_summary_links(response) == [
        ("That code has already been used. Ask for a new code.", "#code")
    ]
    assert pages.heading(someone_else.get(opened.link)) == "We need to check it is you"


def test_a_code_from_one_link_does_not_open_another(resident, org_client, mailbox):
    first = journeys.refer(resident, SERVICE, ["about", "money"], MESSAGE, "30")
    first_link = journeys.share_link(mailbox, ORG_EMAIL)
    journeys.refer(resident, "housing-rights-advice", ["housing"], "", "30")
    second_link = journeys.share_link(mailbox, ORG_EMAIL)
    assert first and first_link != second_link

    first_code = journeys.request_code(org_client, first_link, mailbox, ORG_EMAIL)
    second_code = journeys.request_code(org_client, second_link, mailbox, ORG_EMAIL)
    if second_code == first_code:  # one chance in a million
        second_code = journeys.request_code(org_client, second_link, mailbox, ORG_EMAIL)

    crossed = journeys.enter_code(org_client, second_link, first_code)
    assert pages.error_summary_links(crossed) == [(wrong_code(4), "#code")]
    assert pages.heading(org_client.get(second_link)) == "We need to check it is you"

    assert journeys.enter_code(org_client, first_link, first_code).status_code == 302
    assert pages.heading(org_client.get(first_link)) == "Referral for Debt advice drop-in"
    # Access to one link is not access to another.
    assert pages.heading(org_client.get(second_link)) == "We need to check it is you"
    assert HOUSING_STORY not in pages.text(org_client.get(second_link))


# Seeing only what was granted -----------------------------------------------------------------


def test_the_organisation_sees_only_the_granted_sections(opened, org_client):
    page = org_client.get(opened.link)
    assert page.status_code == 200
    assert pages.heading(page) == "Referral for Debt advice drop-in"
    assert section_headings(page) == ["About the person", "Money and debt"]
    text = pages.text(page)
    assert MONEY_STORY in text
    assert "Sam Taylor" in text
    assert "07700 900123" in text
    assert MESSAGE in text
    assert HOUSING_STORY not in text
    assert "Housing" not in text
    assert RESIDENT not in text
    assert page.headers["Cache-Control"] == "no-store"


def test_a_view_is_logged_for_the_resident(opened, org_client, resident):
    before = resident.get("/passport")
    assert "Nobody has looked at your passport yet." in pages.text(before)

    org_client.get(opened.link)
    log = pages.soup(resident.get("/passport")).select("#access-log li")
    assert [" ".join(item.get_text().split()) for item in log] == [
        f"{ORGANISATION} looked at About you, Money and debt for your referral to Debt advice "
        "drop-in on 3 March 2026 at 10:14"
    ]


def test_every_view_stays_visible_to_the_resident(
    opened, app, mailbox, resident, clock, no_rate_limits
):
    for _ in range(12):
        clock.advance(minutes=1)
        # A visit each: one look however often a visit opens the link.
        org = app.test_client()
        code = journeys.request_code(org, opened.link, mailbox, ORG_EMAIL)
        assert journeys.enter_code(org, opened.link, code).status_code == 302
        org.get(opened.link)
    passport = resident.get("/passport")
    shown = pages.soup(passport).select("#access-log li")
    assert len(shown) == 10
    assert "on 3 March 2026 at 10:26" in shown[0].get_text()
    history_link = pages.soup(passport).find(
        "a", string="See every time an organisation looked at your passport"
    )
    assert history_link is not None
    history = resident.get(history_link["href"])
    assert pages.heading(history) == "Who has looked at your passport"
    times = [
        " ".join(li.get_text().split())[-5:] for li in pages.soup(history).select("#access-log li")
    ]
    assert times == [f"10:{minute}" for minute in range(26, 14, -1)]


def test_a_few_views_need_no_history_link(opened, org_client, resident):
    org_client.get(opened.link)
    passport = resident.get("/passport")
    assert "See every time" not in pages.text(passport)


def test_the_first_view_marks_the_referral_opened(opened, org_client, resident, clock):
    assert pages.status(resident.get(opened.path)) == "Sent"
    clock.advance(minutes=5)
    first = org_client.get(opened.link)
    assert pages.status(first) == "Opened"
    clock.advance(minutes=5)
    org_client.get(opened.link)

    detail = resident.get(opened.path)
    assert pages.status(detail) == "Opened"
    timeline = [
        " ".join(item.get_text().split()) for item in pages.soup(detail).select(".np-timeline li")
    ]
    assert timeline == [
        "Opened by Eastbridge Advice Centre 3 March 2026 at 10:19",
        "Sent by you 3 March 2026 at 10:14",
    ]
    # Both in one visit: one look.
    assert len(pages.soup(resident.get("/passport")).select("#access-log li")) == 1


def test_access_lasts_two_hours_then_needs_a_new_code(opened, org_client, clock):
    clock.advance(hours=1, minutes=59)
    assert pages.heading(org_client.get(opened.link)) == "Referral for Debt advice drop-in"
    clock.advance(minutes=1)
    assert pages.heading(org_client.get(opened.link)) == "We need to check it is you"


# Replying -------------------------------------------------------------------------------------


def test_accepting_tells_the_resident_without_details(opened, org_client, resident, mailbox):
    page = org_client.get(opened.link)
    mailbox.clear()
    accepted = org_client.post(f"{opened.link}/accept", data={"csrf_token": pages.csrf_token(page)})
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == opened.link

    after = org_client.get(opened.link)
    assert pages.status(after) == "Accepted"
    assert pages.flash_messages(after) == [
        "You have accepted the referral. We have told the person."
    ]
    assert "Accept referral" not in pages.text(after)

    detail = resident.get(opened.path)
    assert pages.status(detail) == "Accepted"
    assert "They have accepted your referral and will contact you." in pages.text(detail)

    [email] = mailbox.messages
    assert email.to == RESIDENT
    assert email.subject == "There is an update"
    assert f"http://localhost{opened.path}" in email.body
    for detail_text in (ORGANISATION, "Debt advice", "accepted", MONEY_STORY, MESSAGE):
        assert detail_text.lower() not in email.body.lower(), detail_text


def test_accepting_twice_shows_the_referral_and_tells_the_resident_once(
    opened, org_client, mailbox
):
    page = org_client.get(opened.link)
    token = pages.csrf_token(page)
    mailbox.clear()
    assert org_client.post(f"{opened.link}/accept", data={"csrf_token": token}).status_code == 302
    again = org_client.post(f"{opened.link}/accept", data={"csrf_token": token})
    assert again.status_code == 302
    assert again.headers["Location"] == opened.link
    assert pages.status(org_client.get(opened.link)) == "Accepted"
    assert len(mailbox.messages) == 1


def test_declining_needs_a_reason(opened, org_client):
    form = org_client.get(f"{opened.link}/decline")
    assert form.status_code == 200
    assert pages.heading(form) == "Why are you declining this referral?"

    empty = post_form(org_client, f"{opened.link}/decline", {"reason": "   "})
    assert empty.status_code == 200
    assert pages.title(empty).startswith("Error: ")
    assert pages.error_summary_links(empty) == [
        ("Enter why you are declining this referral", "#reason")
    ]

    long = "r" * 1001
    too_long = post_form(org_client, f"{opened.link}/decline", {"reason": long})
    assert pages.error_summary_links(too_long) == [
        ("The reason must be 1,000 characters or fewer", "#reason")
    ]
    assert pages.field_value(too_long, "reason") == long
    assert pages.status(org_client.get(opened.link)) == "Opened"


def test_declining_tells_the_resident_why(opened, org_client, resident, mailbox):
    mailbox.clear()
    declined = post_form(org_client, f"{opened.link}/decline", {"reason": REASON})
    assert declined.status_code == 302

    detail = resident.get(opened.path)
    assert pages.status(detail) == "Declined"
    reason = pages.soup(detail).select_one("#decline-reason")
    assert reason is not None
    assert REASON in reason.get_text()
    assert f"Why {ORGANISATION} cannot help" in reason.get_text()

    [email] = mailbox.messages
    assert email.to == RESIDENT
    assert REASON not in email.body
    assert "Northfield" not in email.body


GONE = "This page is no longer available"


def test_declining_ends_the_sharing(opened, org_client, resident, mailbox, app):
    colleague = app.test_client()
    colleagues_code = journeys.request_code(colleague, opened.link, mailbox, ORG_EMAIL)
    passport = resident.get("/passport")
    assert STOP_SHARING in dict(pages.links(passport))
    mailbox.clear()

    declined = post_form(org_client, f"{opened.link}/decline", {"reason": REASON})
    assert declined.status_code == 302
    landed = org_client.get(declined.headers["Location"])
    assert landed.status_code == 200
    assert pages.heading(landed) == "You have declined the referral"
    text = pages.text(landed)
    assert "We have told the person. They can see your reason when they sign in." in text
    for private in (MONEY_STORY, HOUSING_STORY, MESSAGE, "Sam Taylor", "07700 900123", REASON):
        assert private not in text, private
    assert [m.to for m in mailbox.messages] == [RESIDENT]

    # Nothing is left to the organisation: not the page it had open, not a new code.
    token = pages.csrf_token(org_client.get("/"))
    for browser in (org_client, colleague, app.test_client()):
        for url in (
            opened.link,
            f"{opened.link}/code",
            f"{opened.link}/decline",
            declined.headers["Location"],
        ):
            gone = browser.get(url)
            assert gone.status_code == 410, url
            assert pages.heading(gone) == GONE, url
            for private in (MONEY_STORY, MESSAGE, "Sam Taylor", REASON, ORGANISATION, MASKED):
                assert private not in pages.text(gone), (url, private)
    sent = org_client.post(f"{opened.link}/code/send", data={"csrf_token": token})
    assert sent.status_code == 410
    assert pages.heading(sent) == GONE
    entered = journeys.enter_code(colleague, opened.link, colleagues_code)
    assert entered.status_code == 410
    assert org_client.post(f"{opened.link}/accept", data={"csrf_token": token}).status_code == 410
    assert [m.to for m in mailbox.messages] == [RESIDENT], "a code was sent after the decline"

    # A need added later is not shared either, and the resident sees the sharing has ended.
    journeys.add_need(resident, "food", "I skip meals.")
    assert "I skip meals." not in org_client.get(opened.link).get_data(as_text=True)
    passport = resident.get("/passport")
    assert STOP_SHARING not in dict(pages.links(passport))
    assert "No organisation can see your passport." in pages.text(passport)
    detail = resident.get(opened.path)
    assert pages.status(detail) == "Declined"
    assert REASON in pages.text(detail)
    assert "Withdraw this referral" not in pages.text(detail)


def test_declining_says_when_the_person_cannot_be_emailed(app, org_client, mailbox, demo_directory):
    resident = app.test_client()
    signed_up = journeys.sign_up_with_passkey(resident, SoftwareAuthenticator(), RESIDENT)
    assert signed_up.status_code == 200, signed_up.status_code
    journeys.add_need(resident, "money", MONEY_STORY)
    path = journeys.refer(resident, SERVICE, ["money"], "", "30")
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, link, code).status_code == 302
    mailbox.clear()

    declined = post_form(org_client, f"{link}/decline", {"reason": REASON})
    landed = org_client.get(declined.headers["Location"])
    assert pages.heading(landed) == "You have declined the referral"
    assert "The person will see your reason when they next sign in." in pages.text(landed)
    assert "We have told the person" not in pages.text(landed)
    assert mailbox.messages == []
    assert org_client.get(link).status_code == 410
    assert pages.status(resident.get(path)) == "Declined"


# A link locked by wrong codes ------------------------------------------------------------------

LINK_LOCKED_SUBJECT = "A link you shared has been locked"
NEW_LINK_SUBJECT = "A new link to a referral"


@pytest.fixture
def no_rate_limits():
    limiter.enabled = False
    yield
    limiter.enabled = True


def lock(org, link: str, mailbox) -> None:
    """Enter wrong codes until the link locks for good, as whoever holds it could."""
    entered = journeys.enter_wrong_codes(org, link, mailbox, ORG_EMAIL)
    assert entered.status_code == 302
    locked = org.get(entered.headers["Location"])
    assert locked.status_code == 410
    assert pages.heading(locked) == "This link has been locked"


def send_new_link(resident, path: str):
    token = pages.csrf_token(resident.get(path))
    return resident.post(f"{path}/new-link", data={"csrf_token": token})


def test_a_locked_link_tells_the_resident_once(referral, app, resident, mailbox, no_rate_limits):
    mailbox.clear()
    forwarded = app.test_client()
    lock(forwarded, referral.link, mailbox)

    [email] = mailbox.to(RESIDENT)
    assert email.subject == LINK_LOCKED_SUBJECT
    assert f"http://localhost{referral.path}" in email.body
    assert "locked" in email.body
    assert "new link" in email.body
    for private in (ORGANISATION, "Eastbridge", "Debt advice", "Money", MONEY_STORY, MESSAGE):
        assert private.lower() not in (email.subject + email.body).lower(), private

    # Trying on, in any browser, tells nobody anything more.
    page = forwarded.get(referral.link)
    assert page.status_code == 410
    assert "The person can see that it was locked." in pages.text(page)
    assert ORGANISATION not in pages.text(page)
    for browser in (forwarded, app.test_client()):
        token = pages.csrf_token(browser.get(referral.link))
        sent = browser.post(f"{referral.link}/code/send", data={"csrf_token": token})
        assert sent.status_code == 410
        assert journeys.enter_code(browser, referral.link, "123456").status_code == 410
    assert len(mailbox.to(RESIDENT)) == 1

    detail = resident.get(referral.path)
    notice = pages.soup(detail).select_one("#link-locked")
    assert notice is not None
    assert f"The link we sent to {ORGANISATION} has been locked" in " ".join(
        notice.get_text().split()
    )
    assert "Send a new link" in pages.text(detail)


def test_the_resident_sends_a_new_link_and_the_old_one_stays_locked(
    referral, app, org_client, resident, mailbox, no_rate_limits
):
    lock(app.test_client(), referral.link, mailbox)
    mailbox.clear()

    sent = send_new_link(resident, referral.path)
    assert sent.status_code == 302
    assert sent.headers["Location"] == referral.path
    detail = resident.get(referral.path)
    assert pages.flash_messages(detail) == ["We have sent the organisation a new link."]
    assert pages.soup(detail).select_one("#link-locked") is None
    assert "Send a new link" not in pages.text(detail)
    assert pages.status(detail) == "Sent"

    [email] = mailbox.messages
    assert email.to == ORG_EMAIL
    assert email.subject == NEW_LINK_SUBJECT
    assert "Debt advice drop-in" in email.body
    for private in (MONEY_STORY, MESSAGE, "Sam Taylor", RESIDENT):
        assert private not in email.body
    new_link = journeys.share_link(mailbox, ORG_EMAIL)
    assert new_link != referral.link

    code = journeys.request_code(org_client, new_link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, new_link, code).status_code == 302
    page = org_client.get(new_link)
    assert pages.heading(page) == "Referral for Debt advice drop-in"
    assert MONEY_STORY in pages.text(page)

    # The locked link stays dead, even for the browser the new one opened in.
    old = org_client.get(referral.link)
    assert old.status_code == 410
    assert pages.heading(old) == "This link has been locked"

    # Nothing is locked now: asking again sends nothing.
    mailbox.clear()
    assert send_new_link(resident, referral.path).headers["Location"] == referral.path
    assert mailbox.messages == []


def test_no_new_link_once_the_referral_is_withdrawn(
    referral, app, resident, mailbox, no_rate_limits
):
    lock(app.test_client(), referral.link, mailbox)
    assert post_form(resident, f"{referral.path}/withdraw", {}).status_code == 302
    detail = resident.get(referral.path)
    assert pages.soup(detail).select_one("#link-locked") is None
    mailbox.clear()
    assert send_new_link(resident, referral.path).status_code == 302
    assert mailbox.messages == []


def test_a_resident_without_a_confirmed_address_sees_the_lock_on_their_referral(
    app, org_client, mailbox, demo_directory, no_rate_limits
):
    resident = app.test_client()
    journeys.sign_up_with_passkey(resident, SoftwareAuthenticator(), RESIDENT)
    journeys.add_need(resident, "money", MONEY_STORY)
    path = journeys.refer(resident, SERVICE, ["money"], "", "30")
    link = journeys.share_link(mailbox, ORG_EMAIL)
    mailbox.clear()
    lock(org_client, link, mailbox)
    assert mailbox.to(RESIDENT) == []
    assert pages.soup(resident.get(path)).select_one("#link-locked") is not None


def test_another_resident_cannot_send_a_new_link(referral, app, mailbox, no_rate_limits):
    lock(app.test_client(), referral.link, mailbox)
    other = app.test_client()
    journeys.sign_up(other, mailbox, "alex@example.net")
    mailbox.clear()
    token = pages.csrf_token(other.get("/passport"))
    refused = other.post(f"{referral.path}/new-link", data={"csrf_token": token})
    assert refused.status_code == 404
    assert pages.heading(refused) == "Page not found"
    assert mailbox.messages == []


# Links that no longer work --------------------------------------------------------------------


def tampered(link: str) -> str:
    return link[:-1] + ("A" if link[-1] != "A" else "B")


def test_a_tampered_link_reveals_nothing(referral, org_client, mailbox):
    mailbox.clear()
    for url in (tampered(referral.link), tampered(referral.link) + "/code", "/share/nonsense"):
        page = org_client.get(url)
        assert page.status_code == 404, url
        assert pages.heading(page) == "This link does not work"
        text = pages.text(page)
        for secret in (ORGANISATION, "Debt advice drop-in", MASKED, MONEY_STORY, "Sam"):
            assert secret not in text
    token = pages.csrf_token(org_client.get(referral.link))
    sent = org_client.post(f"{tampered(referral.link)}/code/send", data={"csrf_token": token})
    assert sent.status_code == 404
    assert mailbox.messages == []


def test_an_expired_share_says_so(opened, org_client, clock):
    clock.advance(days=29, hours=23)
    assert pages.heading(org_client.get(opened.link)) == "We need to check it is you"

    clock.advance(hours=1)
    page = org_client.get(opened.link)
    assert page.status_code == 410
    assert pages.heading(page) == "This link has expired"
    assert MONEY_STORY not in pages.text(page)
    assert ORGANISATION not in pages.text(page)
    assert org_client.get(f"{opened.link}/code").status_code == 410


def test_an_expired_share_stays_closed_to_an_organisation_with_access(
    referral, org_client, mailbox, clock
):
    # Opened in the share's last hour: the two-hour access must not outlive the share.
    clock.advance(days=29, hours=23)
    code = journeys.request_code(org_client, referral.link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, referral.link, code).status_code == 302
    assert pages.heading(org_client.get(referral.link)) == "Referral for Debt advice drop-in"

    clock.advance(hours=1)
    page = org_client.get(referral.link)
    assert page.status_code == 410
    assert pages.heading(page) == "This link has expired"


def test_stopping_sharing_withdraws_the_link(opened, org_client, resident):
    assert pages.heading(org_client.get(opened.link)) == "Referral for Debt advice drop-in"

    passport = resident.get("/passport")
    stop = dict(pages.links(passport))[STOP_SHARING]
    confirm = resident.get(stop)
    assert pages.heading(confirm) == f"Stop sharing your passport with {ORGANISATION}?"
    assert org_client.get(opened.link).status_code == 200, "asking the question stopped it"

    stopped = post_form(resident, stop, {})
    assert stopped.status_code == 302
    page = resident.get("/passport")
    assert pages.flash_messages(page) == [f"{ORGANISATION} can no longer see your passport."]
    assert "No organisation can see your passport." in pages.text(page)
    assert resident.get(stop).status_code == 404

    withdrawn = org_client.get(opened.link)
    assert withdrawn.status_code == 410
    assert pages.heading(withdrawn) == "This link has been withdrawn"
    assert MONEY_STORY not in pages.text(withdrawn)
    token = pages.csrf_token(withdrawn)
    assert org_client.post(f"{opened.link}/accept", data={"csrf_token": token}).status_code == 410
    assert pages.status(resident.get(opened.path)) == "Opened"
