"""What someone typed is not lost: not when they change language halfway through a form,
and not when their session ended elsewhere before they pressed Save. Without JavaScript
(the browser tests cover the header's switch with it), in English and in Welsh.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from passport.database import db
from passport.needs.models import Need
from tests.support import journeys, pages
from tests.support.journeys import post_form
from tests.support.scenarios import ORG_EMAIL, resident_with_referral

EMAIL = "sam@example.net"
STORY = "Behind on council tax since March.\nThe bailiffs wrote on Monday."
NEED = {"category": "money", "story": STORY}
ABOUT = {
    "name": "Sam Jones",
    "phone": "07700 900982",
    "email": "",
    "contact_preference": "Text me first, weekday mornings",
    "access_needs": "Large print, please.",
}
SIGNED_OUT = (
    "You have been signed out. Sign in again on this device within 1 hour to get back what "
    "you typed."
)


def choose_language(client: FlaskClient, lang: str) -> None:
    assert post_form(client, "/language", {"lang": lang, "next": "/"}).status_code == 302


def language_of(response: TestResponse) -> str:
    return str(pages.soup(response).html["lang"])


def needs_saved(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Need)) or 0


def press_keep_language(client: FlaskClient, page: TestResponse, lang: str, typed: dict) -> str:
    """Press the form's own language button, as a browser sends it: the form's fields, what
    was typed into them, and the button's name and value, to the button's formaction."""
    button = pages.soup(page).select_one(f"main form button[name=lang][value={lang}]")
    assert button is not None, "The form has no language button that keeps what was typed"
    form = {**pages.hidden_fields(page), **typed, "lang": lang}
    response = client.post(str(button["formaction"]), data=form)
    assert response.status_code == 302
    return str(response.headers["Location"])


def shows(response: TestResponse, typed: dict) -> bool:
    for name, value in typed.items():
        if name == "category":
            if pages.checked_values(response, name) != [value]:
                return False
        elif pages.field_value(response, name) != value:
            return False
    return True


# Changing language ---------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "switch_to"), [("en", "cy"), ("cy", "en")])
@pytest.mark.parametrize(
    ("path", "typed"), [("/passport/needs/new", NEED), ("/passport/about", ABOUT)]
)
def test_changing_language_on_a_form_keeps_what_was_typed(
    app, client, mailbox, start, switch_to, path, typed
):
    journeys.sign_up(client, mailbox, EMAIL)
    choose_language(client, start)
    form = client.get(path)
    assert language_of(form) == start

    assert press_keep_language(client, form, switch_to, typed) == path
    back = client.get(path)
    assert language_of(back) == switch_to
    assert shows(back, typed)
    assert pages.flash_messages(back) == []  # nothing to check: it was never sent
    assert needs_saved(app) == 0
    # Kept for that one return to the form, not for good.
    assert pages.field_value(client.get(path), "story" if "story" in typed else "name") == ""


def test_changing_language_while_declining_keeps_the_reason(
    app, client, org_client, mailbox, demo_directory
):
    referred = resident_with_referral(client, mailbox)
    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    assert referred.share_link == link
    form = org_client.get(f"{link}/decline")
    reason = {"reason": "We only work with people in Eastbridge.\nTry Westbridge Advice."}

    assert press_keep_language(org_client, form, "cy", reason) == f"{link}/decline"
    back = org_client.get(f"{link}/decline")
    assert language_of(back) == "cy"
    assert shows(back, reason)


def test_a_kept_form_goes_back_only_to_its_own_page(client, mailbox):
    journeys.sign_up(client, mailbox, EMAIL)
    form = client.get("/passport/needs/new")
    button = pages.soup(form).select_one("main form button[name=lang][value=cy]")
    assert button is not None
    data = {**pages.hidden_fields(form), **NEED, "lang": "cy"}
    # The address it returns to is the visitor's to change: never off the site.
    elsewhere = client.post("/language?next=https://evil.example/passport/needs/new", data=data)
    assert elsewhere.headers["Location"] == "/"
    assert pages.field_value(client.get("/passport/needs/new"), "story") == ""


# A session that ended elsewhere ---------------------------------------------------------------


def end_sessions_elsewhere(app, mailbox) -> None:  # type: ignore[no-untyped-def]
    """Sign in on another device and sign out there: every session of the account ends."""
    other = app.test_client()
    journeys.sign_in(other, mailbox, EMAIL)
    assert journeys.sign_out(other).status_code == 302


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_saving_after_the_session_ended_elsewhere_comes_back_filled_in(app, client, mailbox, lang):
    journeys.sign_up(client, mailbox, EMAIL)
    choose_language(client, lang)
    form = client.get("/passport/needs/new")
    end_sessions_elsewhere(app, mailbox)

    sent = client.post("/passport/needs/new", data={**pages.hidden_fields(form), **NEED})
    assert sent.status_code == 302
    sign_in = client.get(sent.headers["Location"])
    assert pages.heading(sign_in) and language_of(sign_in) == lang
    assert len(pages.flash_messages(sign_in)) == 1
    if lang == "en":
        assert pages.flash_messages(sign_in) == [SIGNED_OUT]
    assert "council tax" not in pages.text(sign_in)  # not shown to whoever is at the device
    assert needs_saved(app) == 0

    signed_in = journeys.sign_in(client, mailbox, EMAIL)
    assert signed_in.headers["Location"] == "/passport/needs/new"
    back = client.get("/passport/needs/new")
    assert language_of(back) == lang
    assert shows(back, NEED)
    assert len(pages.flash_messages(back)) == 1
    if lang == "en":
        assert pages.flash_messages(back) == ["Check your answers and save again."]
    assert needs_saved(app) == 0  # shown again, not sent

    saved = client.post("/passport/needs/new", data={**pages.hidden_fields(back), **NEED})
    assert saved.headers["Location"] == "/passport"
    assert needs_saved(app) == 1


def test_what_was_kept_is_not_given_to_someone_else_who_signs_in(app, client, mailbox):
    journeys.sign_up(app.test_client(), mailbox, "alex@example.net")
    journeys.sign_up(client, mailbox, EMAIL)
    form = client.get("/passport/about")
    end_sessions_elsewhere(app, mailbox)
    sent = client.post("/passport/about", data={**pages.hidden_fields(form), **ABOUT})
    assert pages.flash_messages(client.get(sent.headers["Location"])) == [SIGNED_OUT]

    # Someone else signs in on the same device: they find an empty form.
    journeys.sign_in(client, mailbox, "alex@example.net")
    theirs = client.get("/passport/about")
    assert pages.field_value(theirs, "name") == ""
    assert "Sam Jones" not in pages.text(theirs)
    # And it is gone for good: not waiting for Sam either.
    journeys.sign_out(client)
    journeys.sign_in(client, mailbox, EMAIL)
    assert pages.field_value(client.get("/passport/about"), "name") == ""


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_form_sent_after_signing_out_in_another_tab_shows_what_was_typed(client, mailbox, lang):
    # Signing out in another tab clears this browser's session, so the form's CSRF token no
    # longer matches: nothing can be kept for later, but the text is shown to copy.
    journeys.sign_up(client, mailbox, EMAIL)
    choose_language(client, lang)
    form = client.get("/passport/needs/new")
    journeys.sign_out(client)
    data = {**pages.hidden_fields(form), **NEED}

    from_elsewhere = client.post("/passport/needs/new", data=data)
    assert from_elsewhere.status_code == 400
    assert "council tax" not in pages.text(from_elsewhere)  # not proven to be our own form

    ours = client.post("/passport/needs/new", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert ours.status_code == 400
    assert language_of(ours) == lang
    shown = [" ".join(p.get_text().split()) for p in pages.soup(ours).select("main .np-story")]
    assert shown == [" ".join(STORY.split())]
    assert "money" not in shown  # the choice of category is not text to copy
