"""Accounts' pages (passport/accounts), named like e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support import pages
from tests.support.pages.base import BasePage

if TYPE_CHECKING:
    from tests.support.pages.needs import PassportPage


class SignUpPage(BasePage):
    heading = "Create your passport"
    path = "/sign-up"

    def email_me_a_sign_in_link(self, email: str) -> CheckEmailPage:
        self.press("Email me a sign-in link", **{"Email address": email})
        return CheckEmailPage(self.person)


class CreatePasskeyPage(BasePage):
    heading = "Create a passkey"


class CheckEmailPage(BasePage):
    heading = "Check your email"


class SignInLinkPage(BasePage):
    """What a sign-in link from an e-mail opens: one button that uses it."""

    heading = "Sign in to your passport"

    def sign_in(self) -> PassportPage:
        from tests.support.pages.needs import PassportPage

        self.press("Sign in")
        return PassportPage(self.person)


class SignInLinkExpiredPage(BasePage):
    """A sign-in link opened more than 30 minutes after it was sent."""

    heading = "This sign-in link has expired"
    status_code = 410


class ConfirmEmailPage(BasePage):
    """A confirmation link opened in the browser signed in to its account."""

    heading = "Confirm your email address"

    def confirm(self) -> SignInDetailsPage:
        self.press("Confirm email address")
        return SignInDetailsPage(self.person)


class SignInPage(BasePage):
    heading = "Sign in to your passport"
    path = "/sign-in"

    def email_me_a_sign_in_link(self, email: str) -> CheckEmailPage:
        self.press("Email me a sign-in link", **{"Email address": email})
        return CheckEmailPage(self.person)


class SignedOutPage(BasePage):
    heading = "You have signed out"


class SignInDetailsPage(BasePage):
    heading = "Your sign-in details"
    path = "/account"

    def email_address(self) -> str:
        return self.main.select_one("#email-address").get_text().strip()

    def email_status(self) -> str:
        return self.main.select_one("#email-status").get_text().strip()

    def passkeys(self) -> list[tuple[str, str]]:
        """Each passkey as (when it was created, when it was last used)."""
        return [(created, used) for created, used, _remove in pages.passkeys(self.response)]


class RemovePasskeyPage(BasePage):
    heading = "Remove this passkey?"

    def yes_remove_it(self) -> SignInDetailsPage:
        self.press("Yes, remove it")
        return SignInDetailsPage(self.person)
