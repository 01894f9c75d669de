"""The passport's pages (passport/needs), named like e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bs4 import Tag

from tests.support.pages.accounts import SignInDetailsPage
from tests.support.pages.base import BasePage, Field

if TYPE_CHECKING:
    from tests.support.pages.referrals import ReferralFormPage


class AccessLogMixin:
    """The list of times organisations looked, on the passport and history pages."""

    main: Tag

    def access_log(self) -> list[str]:
        return [" ".join(item.get_text().split()) for item in self.main.select("#access-log li")]


class PassportPage(AccessLogMixin, BasePage):
    heading = "Your passport"
    path = "/passport"

    def add_your_details(self) -> AboutYouPage:
        self.follow("Add your details")
        return AboutYouPage(self.person)

    def add_something_you_need_help_with(self) -> NeedFormPage:
        self.press("Add something you need help with")
        return NeedFormPage(self.person)

    def needs(self) -> dict[str, str]:
        summary = self.main.select_one(".govuk-summary-list")
        rows = summary.select(".govuk-summary-list__row") if summary else []
        return {
            row.select_one("dt").get_text().strip(): row.select_one(".np-story").get_text().strip()
            for row in rows
        }

    def your_sign_in_details(self) -> SignInDetailsPage:
        self.follow("Your sign-in details")
        return SignInDetailsPage(self.person)


class AccessHistoryPage(AccessLogMixin, BasePage):
    heading = "Who has looked at your passport"
    path = "/passport/looked-at"

    def organisations(self) -> list[str]:
        """The choices of the organisation filter."""
        return [" ".join(o.get_text().split()) for o in self.main.select("#organisation option")]

    def show_only(self, organisation: str) -> AccessHistoryPage:
        """Choose an organisation and press "Apply" (a GET form: its choice goes in the
        address)."""
        [value] = [
            str(option["value"])
            for option in self.main.select("#organisation option")
            if " ".join(option.get_text().split()) == organisation
        ]
        self.person.goto(f"{self.path}?organisation={value}")
        return AccessHistoryPage(self.person)


class AboutYouPage(BasePage):
    heading = "About you"
    path = "/passport/about"
    LABELS = {
        "name": "Your name (optional)",
        "phone": "Phone number (optional)",
        "email": "Email address for organisations to contact you (optional)",
        "contact_preference": "The best way and time to contact you (optional)",
    }

    def save_details(self, **fields: str) -> PassportPage:
        """Fill fields by their names, e.g. name="Alex", phone="01632 960000"."""
        self.fill_and_save(**fields)
        return PassportPage(self.person)

    def save_details_for_referral(self, service: str, **fields: str) -> ReferralFormPage:
        """Opened from a referral: saving returns to it."""
        from tests.support.pages.referrals import ReferralFormPage

        self.fill_and_save(**fields)
        return ReferralFormPage(self.person, service=service)

    def fill_and_save(self, **fields: str) -> None:
        for field, value in fields.items():
            self.field(self.LABELS[field]).fill(value)
        self.press("Save")


class NeedFormPage(BasePage):
    heading = "Add something you need help with"

    def story(self) -> Field:
        return self.field("In your own words")

    def save(self) -> PassportPage:
        self.press("Save")
        return PassportPage(self.person)

    def save_with_errors(self) -> NeedFormPage:
        self.press("Save")
        return NeedFormPage(self.person)
