"""Every route has an access decision, and each decision holds."""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import UUIDConverter
from werkzeug.test import TestResponse

from passport import access
from tests.support import journeys, pages, scenarios, staff
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox

DECISIONS = {
    access.PUBLIC,
    access.RESIDENT,
    access.SHARE_LINK,
    access.STAFF,
    access.ORGANISATION_MEMBER,
    access.DIRECTORY_ADMIN,
}
STAFF_DECISIONS = {access.STAFF, access.ORGANISATION_MEMBER, access.DIRECTORY_ADMIN}
OUT_OF_DATE = "Your page was out of date"
ORG, OTHER_ORG = "eastbridge-advice-centre", "eastbridge-community-food-bank"


def decision(app: Flask, rule: Rule) -> str | None:
    return getattr(app.view_functions[rule.endpoint], "access", None)


def dummy_url(app: Flask, rule: Rule, **given: object) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name in given:
            values[name] = given[name]
            continue
        converter = rule._converters[name]
        values[name] = uuid.uuid4() if isinstance(converter, UUIDConverter) else "dummy-value"
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def resident_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if decision(app, rule) == access.RESIDENT]


# (a) every route carries an access decision


def test_every_route_has_an_access_decision(app: Flask):
    undecided = [
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if decision(app, rule) not in DECISIONS
    ]
    assert undecided == []
    assert {decision(app, rule) for rule in app.url_map.iter_rules()} == DECISIONS


def test_resident_pages_include_the_passport_and_referrals(app: Flask):
    # Guards the walk below: if the resident decision were lost, that test would walk nothing.
    paths = {rule.rule for rule in resident_rules(app)}
    assert {"/passport", "/passport/needs/new", "/referrals", "/sign-out", "/account"} <= paths
    assert {
        "/account/passkeys/options",
        "/account/passkeys/verify",
        "/account/passkeys/<uuid:passkey_id>/remove",
        "/account/email/confirm",
        "/referrals/<uuid:referral_id>/new-link",
        "/referrals/<uuid:referral_id>/feedback",
        "/notices",
        "/account/contact",
        # A service's eligibility questions, and the page for someone they rule out.
        "/directory/services/<slug>/refer/questions",
        "/directory/services/<slug>/refer/not-eligible",
    } <= paths


# (b) resident routes send anonymous visitors to sign in


def test_every_resident_route_sends_anonymous_visitors_to_sign_in(app: Flask, client: FlaskClient):
    token = pages.csrf_token(client.get("/sign-in"))
    checked = 0
    for rule in resident_rules(app):
        url = dummy_url(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, (method, url, response.status_code)
            location = urlsplit(response.headers["Location"])
            assert location.path == "/sign-in", (method, url, response.headers["Location"])
            checked += 1
    assert checked >= len(resident_rules(app))


# (b2) staff routes: anonymous visitors go to the staff sign-in; a resident's session is told
# they are for work; a staff session gets no resident route; another organisation's are a 404


def staff_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if decision(app, rule) in STAFF_DECISIONS]


def walk(app: Flask, browser: FlaskClient, rules: list[Rule], **values: object):
    """Every route of `rules`, by every method, with a CSRF token (and `values` in the URL)."""
    token = pages.csrf_token(browser.get("/directory"))
    for rule in rules:
        url = dummy_url(app, rule, **values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method == "POST" else None
            yield f"{method} {url}", browser.open(url, method=method, data=data)


def test_staff_pages_include_the_team(app: Flask):
    # Guards the walks below.
    paths = {rule.rule for rule in staff_rules(app)}
    assert {
        "/staff",
        "/staff/sign-out",
        "/staff/<org_slug>/team",
        "/staff/<org_slug>/team/<uuid:membership_id>",
        "/staff/<org_slug>/team/<uuid:membership_id>/remove",
        "/staff/<org_slug>/feedback",
        "/staff/directory",
        "/staff/account",
        "/staff/account/passkeys/options",
        "/staff/account/passkeys/verify",
        "/staff/account/passkeys/<uuid:passkey_id>/remove",
    } <= paths


def test_every_staff_route_sends_anonymous_visitors_to_the_staff_sign_in(app, client):
    walked = list(walk(app, client, staff_rules(app)))
    assert len(walked) >= len(staff_rules(app))
    for request, response in walked:
        assert response.status_code == 302, request
        assert urlsplit(response.headers["Location"]).path == "/staff/sign-in", request


def test_every_staff_route_tells_a_resident_it_is_for_work(app, client, mailbox):
    journeys.sign_up(client, mailbox, f"resident-{scenarios.marker()}@example.net")
    for request, response in walk(app, client, staff_rules(app)):
        assert response.status_code == 403, request
        assert pages.heading(response) == "This page is for work", request


def test_every_resident_route_refuses_a_staff_session(app, client, mailbox, demo_directory):
    staff.join(app, client, mailbox, f"admin-{scenarios.marker()}@example.org", "admin", ORG)
    walked = list(walk(app, client, resident_rules(app)))
    assert len(walked) >= len(resident_rules(app))
    for request, response in walked:
        assert response.status_code == 403, request
        assert pages.heading(response) == "You are signed in for work", request


def test_every_organisation_route_is_not_found_for_another_organisations_staff(
    app, client, mailbox, demo_directory
):
    staff.join(app, client, mailbox, f"admin-{scenarios.marker()}@example.org", "admin", ORG)
    rules = [r for r in app.url_map.iter_rules() if decision(app, r) == access.ORGANISATION_MEMBER]
    assert rules
    for slug in (OTHER_ORG, "no-such-organisation"):
        for request, response in walk(app, client, rules, org_slug=slug):
            assert response.status_code == 404, request
            assert pages.heading(response) == "Page not found", request
    # Its own organisation's team page opens: the 404s were for the organisation.
    assert client.get(f"/staff/{ORG}/team").status_code == 200


# (c) someone else's things are a 404


@pytest.fixture
def two_residents(client, mailbox, demo_directory, app):
    """Resident A with a need, a sent referral, a draft referral and a share; resident B."""
    referred = scenarios.resident_with_referral(client, mailbox)
    passport = client.get("/passport")
    (need_id,) = scenarios.ids_in(passport, "/passport/needs/{id}/edit")
    (grant_id,) = scenarios.ids_in(passport, "/passport/shares/{id}/stop")
    draft = journeys.post_form(
        client,
        f"/directory/services/{scenarios.OTHER_SERVICE}/refer",
        {"sections": ["about"], "message": "", "share_days": "30"},
    )
    draft_path = journeys.referral_path(draft)
    journeys.add_passkey(client, SoftwareAuthenticator())
    (passkey_id,) = scenarios.ids_in(client.get("/account"), "/account/passkeys/{id}/remove")
    other = app.test_client()
    journeys.sign_up(other, mailbox, f"other-{scenarios.marker()}@example.net")
    return referred, need_id, grant_id, draft_path, passkey_id, other


def resident_paths(referred, need_id, grant_id, draft_path, passkey_id) -> list[str]:
    return [
        f"/account/passkeys/{passkey_id}/remove",
        f"/passport/needs/{need_id}/edit",
        f"/passport/needs/{need_id}/delete",
        referred.referral,
        f"{referred.referral}/sent",
        f"{referred.referral}/withdraw",
        f"{referred.referral}/message",
        f"{draft_path}/check",
        f"{draft_path}/change",
        f"/passport/shares/{grant_id}/stop",
        f"/passport/shares/{grant_id}/sections",
        f"/passport/shares/{grant_id}/period",
    ]


def test_the_owner_can_open_their_own_things(client, two_residents):
    *things, _other = two_residents
    for path in resident_paths(*things):
        assert client.get(path).status_code == 200, path


def test_someone_elses_things_are_not_found(client, two_residents):
    referred, need_id, grant_id, draft_path, passkey_id, other = two_residents
    token = pages.csrf_token(other.get("/passport"))
    for path in resident_paths(referred, need_id, grant_id, draft_path, passkey_id):
        looked = other.get(path)
        assert looked.status_code == 404, path
        assert pages.heading(looked) == "Page not found", path
        assert referred.story not in looked.get_data(as_text=True), path
        assert referred.message not in looked.get_data(as_text=True), path
        posted = other.post(
            path,
            data={"csrf_token": token, "category": "food", "story": "Overwritten", "reason": "x"},
        )
        assert posted.status_code == 404, path
    # Only a POST: the resident's own referral page has the button.
    new_link = other.post(f"{referred.referral}/new-link", data={"csrf_token": token})
    assert new_link.status_code == 404
    assert pages.heading(new_link) == "Page not found"
    for suffix in ("/check", "/change"):
        assert other.get(f"{referred.referral}{suffix}").status_code == 404, suffix
    assert other.get(f"{draft_path}").status_code == 404

    # Nothing B posted changed A's passport, referral or share.
    own = pages.text(client.get("/passport"))
    assert referred.story in own
    assert "Overwritten" not in own
    assert "Eastbridge Advice Centre" in own
    assert "Sent" in pages.text(client.get(referred.referral))
    assert len(scenarios.ids_in(client.get("/account"), "/account/passkeys/{id}/remove")) == 1
    assert other.get("/referrals").status_code == 200
    assert referred.message not in other.get("/referrals").get_data(as_text=True)


# (d) a share link alone shows nothing


def test_share_link_without_the_code_shows_nothing_of_the_passport(
    client, org_client, mailbox, demo_directory, app
):
    about = {"name": f"Name {scenarios.marker()}", "phone": "07700 900123"}
    journeys.sign_up(client, mailbox, f"share-{scenarios.marker()}@example.net")
    assert journeys.post_form(client, "/passport/about", about).status_code == 302
    referred_story = f"Story {scenarios.marker()}"
    journeys.add_need(client, "money", referred_story)
    message = f"Message {scenarios.marker()}"
    referral = journeys.refer(client, scenarios.SERVICE, ["about", "money"], message)
    link = journeys.path_of(mailbox.link_to(scenarios.ORG_EMAIL, "/share/"))
    secrets = (referred_story, message, about["name"], about["phone"])

    first = org_client.get(link)
    assert first.status_code == 200
    assert pages.heading(first) == "We need to check it is you"
    token = pages.csrf_token(first)
    tried = [
        first,
        org_client.get(f"{link}/code"),
        org_client.get(f"{link}/decline"),
        org_client.post(f"{link}/accept", data={"csrf_token": token}),
        org_client.post(f"{link}/decline", data={"csrf_token": token, "reason": "No"}),
        org_client.post(f"{link}/start", data={"csrf_token": token}),
        org_client.get(f"{link}/hold"),
        org_client.post(f"{link}/hold", data={"csrf_token": token, "reason": "Wait"}),
        org_client.get(f"{link}/complete"),
        org_client.post(f"{link}/complete", data={"csrf_token": token, "outcome": "helped"}),
        org_client.get(f"{link}/message"),
        org_client.post(f"{link}/message", data={"csrf_token": token, "body": "Hello"}),
    ]
    for response in tried:
        body = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body
    for response in tried[2:]:
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == link
    assert "Sent" in pages.text(client.get(referral))

    # With the code, the same browser sees the passport; a second browser still does not.
    journeys.open_share_as_org(org_client, mailbox, scenarios.ORG_EMAIL)
    opened = pages.text(org_client.get(link))
    assert all(secret in opened for secret in secrets)
    forwarded = app.test_client().get(link)
    assert pages.heading(forwarded) == "We need to check it is you"
    assert not any(secret in forwarded.get_data(as_text=True) for secret in secrets)


def test_an_unknown_share_link_reveals_nothing(client: FlaskClient):
    response = client.get(f"/share/{scenarios.marker()}")
    assert response.status_code == 404
    assert pages.heading(response) == "This link does not work"


# (d2) share routes: the decorator is the check, walked over the URL map as for residents


def share_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if decision(app, rule) == access.SHARE_LINK]


def test_share_routes_are_every_page_of_a_share_link(app: Flask):
    # Guards the walks below: they walk what carries the share-link decision.
    paths = {rule.rule for rule in share_rules(app)}
    assert paths == {
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/share/")
    }
    assert {
        "/share/<token>",
        "/share/<token>/code/send",
        "/share/<token>/code",
        "/share/<token>/accept",
        "/share/<token>/decline",
        "/share/<token>/declined",
        "/share/<token>/start",
        "/share/<token>/hold",
        "/share/<token>/complete",
        "/share/<token>/message",
    } <= paths


def walk_share_routes(
    app: Flask, browser: FlaskClient, link: str, *, skip: str = ""
) -> list[tuple[str, TestResponse]]:
    """Every share route (but the endpoint `skip`), by every method, for one link."""
    token = pages.csrf_token(browser.get("/sign-in"))
    adapter = app.url_map.bind("localhost")
    walked = []
    rules = [rule for rule in share_rules(app) if rule.endpoint != skip]
    for rule in rules:
        url = adapter.build(rule.endpoint, {"token": link.rsplit("/", 1)[1]})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method == "POST" else None
            walked.append((f"{method} {url}", browser.open(url, method=method, data=data)))
    assert len(walked) >= len(rules) > 0
    return walked


def test_a_view_that_checks_nothing_is_refused_by_its_share_decorator(
    app, client, mailbox, demo_directory
):
    # As @resident_required is for residents, the share decorators are the check themselves:
    # a view that forgets to look at its link is refused all the same.
    from passport.organisations.access import (
        CodeNeededError,
        LinkUnavailableError,
        share_link_holder,
        share_link_holder_with_code,
    )

    def shown(token: str) -> str:
        return "shown"

    referred = scenarios.resident_with_referral(client, mailbox)
    with app.test_request_context(f"/share/{scenarios.marker()}"):
        with pytest.raises(LinkUnavailableError):
            share_link_holder(shown)(token="")
        with pytest.raises(LinkUnavailableError):
            share_link_holder_with_code(shown)(token="")
    # The decorators read the link from the address, not from what the view is given.
    with app.test_request_context(referred.share_link):
        assert share_link_holder(shown)(token="") == "shown"
        with pytest.raises(CodeNeededError):
            share_link_holder_with_code(shown)(token="")


def test_every_share_route_refuses_an_unknown_link(app: Flask, client: FlaskClient):
    for request, response in walk_share_routes(app, client, f"/share/{scenarios.marker()}"):
        assert response.status_code == 404, request
        assert pages.heading(response) == "This link does not work", request


@pytest.mark.parametrize(
    ("ending", "status", "heading"),
    [
        ("stopped", 410, "This link has been withdrawn"),
        ("expired", 410, "This link has expired"),
        ("declined", 410, "This page is no longer available"),
    ],
)
def test_every_share_route_refuses_a_link_that_has_ended(
    app, client, org_client, mailbox, demo_directory, frozen_clock, ending, status, heading
):
    referred = scenarios.resident_with_referral(client, mailbox)
    if ending == "stopped":
        (grant_id,) = scenarios.ids_in(client.get("/passport"), "/passport/shares/{id}/stop")
        journeys.post_form(client, f"/passport/shares/{grant_id}/stop", {})
    elif ending == "expired":
        frozen_clock.advance(days=91)
    else:
        journeys.open_share_as_org(org_client, mailbox, scenarios.ORG_EMAIL)
        declined = journeys.post_form(
            org_client, f"{referred.share_link}/decline", {"reason": "No"}
        )
        assert declined.status_code == 302
        # The browser that declined sees its answer once, at the address it was sent to,
        # and nothing anywhere else.
        landing = journeys.path_of(declined.headers["Location"])
        skip = app.url_map.bind("localhost").match(landing)[0]
        for request, response in walk_share_routes(app, org_client, referred.share_link, skip=skip):
            assert response.status_code == status, request
            assert pages.heading(response) == heading, request
        assert pages.heading(org_client.get(landing)) == "You have declined the referral"
        assert pages.heading(org_client.get(landing)) == heading
    stranger = app.test_client()
    for request, response in walk_share_routes(app, stranger, referred.share_link):
        assert response.status_code == status, request
        assert pages.heading(response) == heading, request
        assert referred.story not in response.get_data(as_text=True), request


def test_no_share_route_shows_the_passport_without_the_code(
    app, client, org_client, mailbox, demo_directory
):
    referred = scenarios.resident_with_referral(client, mailbox)
    asking = {"We need to check it is you", "Enter the code we emailed you"}
    for request, response in walk_share_routes(app, org_client, referred.share_link):
        body = response.get_data(as_text=True)
        assert referred.story not in body, request
        assert referred.message not in body, request
        if response.status_code == 302:
            location = urlsplit(response.headers["Location"]).path
            assert location in (referred.share_link, f"{referred.share_link}/code"), request
        else:
            assert response.status_code == 200, request
            assert pages.heading(response) in asking, request
    # Nor did any of them answer the referral.
    assert pages.status(client.get(referred.referral)) == "Sent"


# (e) CSRF


def assert_out_of_date(response) -> None:
    assert response.status_code == 400
    assert pages.heading(response) == OUT_OF_DATE


def test_adding_a_need_without_a_csrf_token_is_refused(client: FlaskClient, mailbox: Mailbox):
    journeys.sign_up(client, mailbox, "csrf-need@example.net")
    story = f"Story {scenarios.marker()}"
    assert_out_of_date(
        client.post("/passport/needs/new", data={"category": "food", "story": story})
    )
    assert story not in client.get("/passport").get_data(as_text=True)
    # The same post with the page's token works, so it was the token that was missing.
    assert journeys.add_need(client, "food", story).status_code == 302
    assert story in pages.text(client.get("/passport"))


def test_sign_in_without_a_csrf_token_is_refused(client: FlaskClient, mailbox: Mailbox):
    client.get("/sign-in")
    assert_out_of_date(client.post("/sign-in", data={"email": "csrf-in@example.net"}))
    assert mailbox.to("csrf-in@example.net") == []


def test_choosing_a_language_without_a_csrf_token_is_refused(client: FlaskClient):
    response = client.post("/language", data={"lang": "cy", "next": "/"})
    assert_out_of_date(response)
    assert not any(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))


def test_sending_a_share_code_without_a_csrf_token_is_refused(
    client, org_client, mailbox, demo_directory
):
    referred = scenarios.resident_with_referral(client, mailbox)
    org_client.get(referred.share_link)
    before = len(mailbox.to(scenarios.ORG_EMAIL))
    assert_out_of_date(org_client.post(f"{referred.share_link}/code/send"))
    assert len(mailbox.to(scenarios.ORG_EMAIL)) == before


def test_a_csrf_token_from_another_browser_is_refused(app: Flask, client: FlaskClient):
    someone_elses = pages.csrf_token(app.test_client().get("/sign-in"))
    client.get("/sign-in")
    response = client.post("/sign-in", data={"csrf_token": someone_elses, "email": "x@example.net"})
    assert_out_of_date(response)


def test_passkey_json_endpoint_needs_the_csrf_header(client: FlaskClient):
    token = pages.csrf_token(client.get("/sign-in"))
    refused = client.post("/sign-in/passkey/options", json={})
    assert refused.status_code == 400
    assert "challenge" not in refused.get_data(as_text=True)
    allowed = client.post("/sign-in/passkey/options", json={}, headers={"X-CSRFToken": token})
    assert allowed.status_code == 200
    assert allowed.get_json()["challenge"]


# Redirects after a form never leave the site


HOSTILE_NEXT = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example/",
    "/\t/evil.example/",
    "javascript:alert(1)",
    "evil.example",
]


def assert_stays_on_site(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http"), location
    assert parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "\\" not in location and "evil.example" not in parts.path.split("/")[1:2], location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_choice_never_redirects_off_site(client: FlaskClient, target: str):
    token = pages.csrf_token(client.get("/"))
    response = client.post("/language", data={"csrf_token": token, "lang": "cy", "next": target})
    assert response.status_code == 302
    assert_stays_on_site(response.headers["Location"])


def test_language_choice_returns_to_the_page_on_this_site(client: FlaskClient):
    token = pages.csrf_token(client.get("/"))
    response = client.post(
        "/language", data={"csrf_token": token, "lang": "cy", "next": "/directory?q=food"}
    )
    assert journeys.path_of(response.headers["Location"]) == "/directory?q=food"


def sign_in_with_next(client: FlaskClient, mailbox: Mailbox, target: str) -> str:
    """Sign up, sign out, then sign in from a page that asked to return to `target`."""
    email = f"next-{scenarios.marker()}@example.net"
    journeys.sign_up(client, mailbox, email)
    client.post("/sign-out", data={"csrf_token": pages.csrf_token(client.get("/passport"))})
    asked = journeys.post_form(client, f"/sign-in?next={quote(target)}", {"email": email})
    assert asked.status_code == 302
    return journeys.sign_in_from_email(client, mailbox, email).headers["Location"]


def test_sign_in_returns_to_the_page_that_asked(client: FlaskClient, mailbox: Mailbox):
    assert journeys.path_of(sign_in_with_next(client, mailbox, "/referrals")) == "/referrals"


@pytest.mark.parametrize("target", HOSTILE_NEXT[:4])
def test_sign_in_never_returns_off_site(client: FlaskClient, mailbox: Mailbox, target: str):
    assert_stays_on_site(sign_in_with_next(client, mailbox, target))
