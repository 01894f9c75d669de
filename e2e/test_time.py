"""Time moves on the live server as in the functional tests: a test-only clock that every
gunicorn worker reads (passport/testing.py), moved by the `server_clock` fixture."""

from __future__ import annotations

import uuid

from e2e import journeys
from e2e.pages import SignInLinkExpiredPage, SignInLinkPage, SignUpPage


def test_a_sign_in_link_opened_half_an_hour_later_has_expired(people, mailbox, server_clock):
    email = f"late-{uuid.uuid4().hex[:8]}@example.net"
    resident = people()
    SignUpPage.open(resident).email_me_a_sign_in_link(email)
    mail = journeys.wait_for_mail(mailbox, email, resident.t("Your sign-in link"))
    link = journeys.link_in(mail, "/sign-in/link/")

    server_clock.advance(minutes=29)
    resident.goto(link)
    SignInLinkPage(resident)  # still good a minute before the end

    server_clock.advance(minutes=2)
    resident.goto(link)
    SignInLinkExpiredPage(resident)
