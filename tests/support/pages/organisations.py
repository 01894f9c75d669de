"""The organisation's side of a share link (passport/organisations), named like e2e/pages.py's."""

from __future__ import annotations

from tests.support.pages.base import BasePage


class RequestCodePage(BasePage):
    """The organisation opens the share link from its e-mail."""

    heading = "We need to check it is you"

    def email_me_a_code(self) -> EnterCodePage:
        self.press("Email me a code")
        return EnterCodePage(self.person)


class EnterCodePage(BasePage):
    heading = "Enter the code we emailed you"

    def enter(self, code: str) -> None:
        self.press("Continue", Code=code)

    def enter_code(self, code: str, service: str) -> SharedPassportPage:
        self.enter(code)
        return SharedPassportPage(self.person, service=service)

    def enter_wrong_code(self, code: str) -> EnterCodePage:
        self.enter(code)
        return EnterCodePage(self.person)

    def field_error(self) -> str:
        return " ".join(self.main.select_one(".govuk-error-message").get_text().split())


class SharedPassportPage(BasePage):
    """What the organisation sees: only the sections the person granted."""

    heading = "Referral for %(service)s"

    def status(self) -> str:
        return self.main.select_one("#status").get_text().strip()

    def section_headings(self) -> list[str]:
        return [h.get_text().strip() for h in self.main.select("h2[id^='section-']")]

    def accept_referral(self, service: str) -> SharedPassportPage:
        self.press("Accept referral")
        return SharedPassportPage(self.person, service=service)

    def decline_referral(self) -> DeclinePage:
        self.press("Decline referral")
        return DeclinePage(self.person)

    def start_work(self, service: str, again: bool = False) -> SharedPassportPage:
        self.press("Start work again" if again else "Start work")
        return SharedPassportPage(self.person, service=service)

    def put_on_hold(self) -> HoldPage:
        self.press("Put on hold")
        return HoldPage(self.person)

    def mark_as_completed(self) -> CompletePage:
        self.press("Mark as completed")
        return CompletePage(self.person)

    def timeline(self) -> list[str]:
        return [" ".join(li.get_text().split()) for li in self.main.select(".np-timeline li")]


class HoldPage(BasePage):
    heading = "Why are you putting this referral on hold?"

    def hold_with(self, reason: str, service: str) -> SharedPassportPage:
        self.field(self.heading).fill(reason)
        self.press("Put on hold")
        return SharedPassportPage(self.person, service=service)


class CompletePage(BasePage):
    heading = "What was the outcome?"

    def complete_with(self, outcome: str, details: str) -> CompletedPage:
        self.choose(outcome)
        self.field("Anything else the person should know (optional)").fill(details)
        self.press("Mark as completed")
        return CompletedPage(self.person)


class CompletedPage(BasePage):
    """After completing: the organisation's link shows nothing more."""

    heading = "You have marked the referral as completed"


class DeclinePage(BasePage):
    heading = "Why are you declining this referral?"

    def decline_with(self, reason: str) -> DeclinedPage:
        self.field(self.heading).fill(reason)
        self.press("Decline referral")
        return DeclinedPage(self.person)


class DeclinedPage(BasePage):
    """After declining: the organisation sees its answer went, and nothing of the passport."""

    heading = "You have declined the referral"


class NoLongerAvailablePage(BasePage):
    heading = "This page is no longer available"
    status_code = 410


class LinkDoesNotWorkPage(BasePage):
    heading = "This link does not work"
    status_code = 404
