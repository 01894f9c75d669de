"""Confirmation links never sign anyone in; signing out ends every session; challenges expire."""

from __future__ import annotations

import base64
import contextlib
import zlib

from flask.testing import FlaskClient
from sqlalchemy import select

from passport.accounts.models import WebAuthnChallenge
from passport.database import db
from tests.support import journeys, pages, scenarios
from tests.support.authenticator import SoftwareAuthenticator

VICTIM = "cerys@example.net"
SESSION_COOKIE = "passport_session"


def test_a_passkey_made_with_someone_elses_address_cannot_take_their_passport(app, client, mailbox):
    # A stranger makes a passkey account with Cerys's address; she gets the confirmation mail.
    stranger = client
    response = journeys.sign_up_with_passkey(stranger, SoftwareAuthenticator(), VICTIM)
    assert response.status_code == 200
    link = journeys.path_of(mailbox.link_to(VICTIM, "/sign-in/link/"))

    # Cerys opens it in her own browser: it neither signs her in nor confirms anything.
    cerys = app.test_client()
    page = cerys.get(link)
    assert page.status_code == 410
    assert pages.heading(page) == "Sign in to confirm your email address"
    posted = cerys.post(link, data={"csrf_token": pages.csrf_token(page)})
    assert posted.status_code == 410
    assert cerys.get("/passport").status_code == 302
    assert "Not confirmed" in pages.text(stranger.get("/account"))

    # Cerys makes her own passport with her address; the stranger's never gets it.
    journeys.sign_up(cerys, mailbox, VICTIM)
    journeys.add_need(cerys, "domestic_abuse", "He reads my messages.")
    assert "He reads my messages." in pages.text(cerys.get("/passport"))
    assert "He reads my messages." not in pages.text(stranger.get("/passport"))
    assert "Not confirmed" in pages.text(stranger.get("/account"))


def test_a_confirmation_link_confirms_in_the_signed_in_browser(client, mailbox):
    journeys.sign_up_with_passkey(client, SoftwareAuthenticator(), VICTIM)
    link = journeys.path_of(mailbox.link_to(VICTIM, "/sign-in/link/"))
    page = client.get(link)
    assert page.status_code == 200
    assert pages.heading(page) == "Confirm your email address"
    confirmed = client.post(link, data={"csrf_token": pages.csrf_token(page)})
    assert confirmed.headers["Location"] == "/account"
    account = client.get("/account")
    assert pages.flash_messages(account) == ["Your email address is confirmed."]
    assert "Not confirmed" not in pages.text(account)
    # Used once.
    again = client.post(link, data={"csrf_token": pages.csrf_token(page)})
    assert again.status_code == 410


def test_signing_out_ends_every_session_and_copied_cookies(app, client, mailbox):
    journeys.sign_up(client, mailbox, VICTIM)
    other_device = app.test_client()
    journeys.sign_in(other_device, mailbox, VICTIM)
    with client.session_transaction() as session:
        copied = dict(session)
    assert other_device.get("/passport").status_code == 200

    journeys.sign_out(client)
    assert other_device.get("/passport").status_code == 302
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/passport").status_code == 302
    # Signing in again works as before.
    journeys.sign_in(client, mailbox, VICTIM)
    assert client.get("/passport").status_code == 200


def captured_passkey_sign_in(client: FlaskClient, phone: SoftwareAuthenticator):
    """A passkey sign-in as someone watching it sees it: the session cookie from before the
    browser posts its answer, the CSRF header, and the answer."""
    headers = journeys.csrf_header(client, "/sign-in")
    options = client.post("/sign-in/passkey/options", headers=headers).get_json()
    return session_cookie(client), headers, phone.get(options)


def test_a_captured_passkey_sign_in_cannot_be_replayed(app, client, mailbox):
    # Synced passkeys report no sign count, so only the challenge can stop a replay.
    phone = SoftwareAuthenticator(counter=False)
    journeys.sign_up_with_passkey(client, phone, VICTIM)
    journeys.sign_out(client)
    cookie, headers, answer = captured_passkey_sign_in(client, phone)
    signed_in = client.post("/sign-in/passkey/verify", json=answer, headers=headers)
    assert signed_in.get_json() == {"ok": True, "redirect": "/passport"}

    for signed_out_everywhere in (False, True):
        if signed_out_everywhere:
            journeys.sign_out(client)
        thief = app.test_client()
        thief.set_cookie(SESSION_COOKIE, cookie)
        replayed = thief.post("/sign-in/passkey/verify", json=answer, headers=headers)
        assert replayed.status_code == 400, signed_out_everywhere
        assert replayed.get_json() == {"ok": False}
        assert thief.get("/passport").status_code == 302, signed_out_everywhere
    # The person signs in as before.
    assert journeys.sign_in_with_passkey(client, phone).get_json()["ok"] is True


def test_a_challenge_is_spent_by_a_wrong_answer_too(app, client, mailbox):
    phone = SoftwareAuthenticator(counter=False)
    journeys.sign_up_with_passkey(client, phone, VICTIM)
    journeys.sign_out(client)
    cookie, headers, answer = captured_passkey_sign_in(client, phone)
    wrong = {**answer, "response": {**answer["response"], "signature": answer["id"]}}
    assert client.post("/sign-in/passkey/verify", json=wrong, headers=headers).status_code == 400

    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie)
    assert thief.post("/sign-in/passkey/verify", json=answer, headers=headers).status_code == 400
    assert thief.get("/passport").status_code == 302


def test_expired_challenges_are_cleared_away(app, client, frozen_clock):
    headers = journeys.csrf_header(client, "/sign-in")
    for _ in range(3):
        assert client.post("/sign-in/passkey/options", headers=headers).status_code == 200
    frozen_clock.advance(minutes=5)
    assert client.post("/sign-in/passkey/options", headers=headers).status_code == 200
    with app.app_context():
        kept = db.session.scalars(select(WebAuthnChallenge.created_at)).all()
    assert kept == [frozen_clock.now]


def test_a_passkey_challenge_expires_after_five_minutes(client, mailbox, frozen_clock):
    phone = SoftwareAuthenticator()
    journeys.sign_up_with_passkey(client, phone, VICTIM)
    journeys.sign_out(client)
    headers = journeys.csrf_header(client, "/sign-in")
    options = client.post("/sign-in/passkey/options", headers=headers).get_json()
    frozen_clock.advance(minutes=6)
    late = client.post("/sign-in/passkey/verify", json=phone.get(options), headers=headers)
    assert late.status_code == 400
    assert journeys.sign_in_with_passkey(client, phone).status_code == 200


# What the session cookie shows ----------------------------------------------------------------


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None, "No session cookie"
    return cookie.value


def readable(cookie: str) -> bytes:
    """Everything anyone holding the cookie can read, decoding it as itsdangerous would
    (base64 of JSON, zlib-compressed when it starts with a dot)."""
    found = cookie.encode()
    payload = cookie.removeprefix(".").split(".")[0]
    with contextlib.suppress(ValueError):
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        found += b"\n" + raw
        with contextlib.suppress(zlib.error):
            found += b"\n" + zlib.decompress(raw)
    return found


def test_the_session_cookie_can_be_neither_read_nor_changed(client, mailbox, demo_directory):
    # Starting a passkey sign-up keeps the address in the session until the passkey is made.
    secret = scenarios.marker()
    email = f"{secret}@example.net"
    chosen = journeys.post_form(client, "/sign-up", {"email": email, "method": "passkey"})
    assert chosen.headers["Location"] == "/sign-up/passkey"
    assert secret.encode() not in readable(session_cookie(client))
    assert email in pages.text(client.get("/sign-up/passkey")), "the server can read it"

    # A message naming an organisation waits in the session for the next page.
    scenarios.resident_with_referral(client, mailbox)
    (grant_id,) = scenarios.ids_in(client.get("/passport"), "/passport/shares/{id}/stop")
    stopped = journeys.post_form(client, f"/passport/shares/{grant_id}/stop", {})
    assert stopped.status_code == 302
    cookie = session_cookie(client)
    for name in (b"Eastbridge", b"Advice Centre"):
        assert name not in readable(cookie), name
    flashed = pages.flash_messages(client.get("/passport"))
    assert flashed == ["Eastbridge Advice Centre can no longer see your passport."]

    # A changed cookie is no session at all: signed out, not an error.
    middle = len(cookie) // 2
    tampered = cookie[:middle] + ("A" if cookie[middle] != "A" else "B") + cookie[middle + 1 :]
    for value in (tampered, cookie[:-4], "not a cookie", "." + cookie):
        client.set_cookie(SESSION_COOKIE, value)
        assert client.get("/passport").status_code == 302, value
        assert client.get("/sign-in").status_code == 200, value
