"""A resident who signed up with an e-mail link adds a passkey later, uses it, and removes it."""

from __future__ import annotations

import re
import uuid

from e2e import journeys
from e2e.pages import PassportPage, SignInPage

WHEN = r"\d{1,2} \w+ \d{4} at \d\d:\d\d"


def test_resident_adds_a_passkey_signs_in_with_it_and_removes_it(people, mailbox):
    email = f"alex-{uuid.uuid4().hex[:8]}@example.net"
    resident = people()
    resident.add_passkey_authenticator()

    # Signed up with an e-mail link: the address is confirmed, and there is no passkey yet.
    passport = journeys.sign_up(resident, email)
    details = passport.your_sign_in_details()
    assert details.email_address() == email
    assert details.email_status() == "Confirmed"
    assert details.passkeys() == []
    assert resident.passkeys() == []

    # Add a passkey: the browser makes it, the page comes back with it listed.
    details = details.add_a_passkey()
    assert details.success_banner().endswith("Passkey added. You can now use it to sign in.")
    [(created, used)] = details.passkeys()
    assert re.fullmatch(f"Passkey created on {WHEN}", created), created
    assert used == "Not used to sign in yet"
    [held] = resident.passkeys()
    assert held["isResidentCredential"] and held["rpId"] == "localhost"

    # Sign out, and back in with the new passkey: it is now marked as used.
    details.sign_out()
    passport = SignInPage.open(resident).sign_in_with_a_passkey()
    details = passport.your_sign_in_details()
    [(still_created, used)] = details.passkeys()
    assert still_created == created
    assert re.fullmatch(f"Last used to sign in on {WHEN}", used), used

    # Remove it. It was the only one, and the address is confirmed, so that is allowed.
    confirm = details.remove(created)
    assert created in confirm.text()
    assert "It is your only passkey." in confirm.text()
    details = confirm.yes_remove_it()
    assert details.success_banner().endswith(
        "Passkey removed. You can no longer use it to sign in."
    )
    assert details.passkeys() == []

    # The phone still offers the passkey, but it no longer opens the passport;
    # an e-mail link still does.
    details.sign_out()
    refused = SignInPage.open(resident).sign_in_with_a_passkey_that_fails()
    assert refused.passkey_error().endswith(
        "We could not sign you in with a passkey. Try again, or get a sign-in link by email."
    )
    refused.email_me_a_sign_in_link(email)
    passport = journeys.sign_in_from_email(resident, email, "Your sign-in link")
    assert isinstance(passport, PassportPage)
