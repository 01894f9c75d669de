"""A resident makes recovery codes, signs out, and signs back in with one (ADR 0030);
every page on the way is checked with axe, with and without JavaScript."""

from __future__ import annotations

import uuid

import pytest

from e2e import journeys
from e2e.pages import BasePage, PassportPage, SignInDetailsPage, SignInPage


class RecoveryCodesPage(BasePage):
    heading = "Recovery codes"
    path = "/account/recovery-codes"


class NewRecoveryCodesPage(BasePage):
    heading = "Your recovery codes"

    def codes(self) -> list[str]:
        return [item.inner_text().strip() for item in self.main.locator("#recovery-codes li").all()]


class SignInWithCodePage(BasePage):
    heading = "Sign in with a recovery code"

    def enter(self, code: str) -> None:
        self.main.get_by_label(self.t("Recovery code")).fill(code)
        self.press("Sign in")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_resident_signs_in_with_a_recovery_code_once(people, javascript):
    resident = people(javascript=javascript)
    passport = journeys.sign_up(resident, f"kim-{uuid.uuid4().hex[:8]}@example.net")
    details = passport.your_sign_in_details()
    assert "You do not have any recovery codes." in details.text()

    details.follow("Make recovery codes")
    RecoveryCodesPage(resident).press("Make recovery codes")
    shown = NewRecoveryCodesPage(resident)
    codes = shown.codes()
    assert len(codes) == 10
    shown.follow("I have saved my codes")
    details = SignInDetailsPage(resident)
    assert "You have 10 recovery codes left." in details.text()

    details.sign_out()
    SignInPage.open(resident).follow("Use a recovery code")
    page = SignInWithCodePage(resident)
    page.enter("AAAA-BBBB-CCCC-DDDD")
    wrong = SignInWithCodePage(resident)
    assert wrong.error_summary() == [
        (
            "That recovery code is not right, or it has been used. Check it and try again.",
            "#code",
        )
    ]
    wrong.enter(codes[0])
    details = SignInDetailsPage(resident)
    assert "You have signed in with a recovery code." in details.success_banner()
    assert "You have 9 recovery codes left." in details.text()
    PassportPage.open(resident)
