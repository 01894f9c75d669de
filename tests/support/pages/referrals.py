"""The resident's referral pages (passport/referrals), named like e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.pages.base import BasePage, Field

if TYPE_CHECKING:
    from tests.support.pages.needs import AboutYouPage


class ReferralFormPage(BasePage):
    heading = "Refer yourself to %(service)s"

    def choose_sections(self, sections: list[str]) -> None:
        """Tick exactly these parts of the passport (by name) and untick the rest."""
        boxes = self.main.select("input[type=checkbox][name=sections]")
        names = {
            " ".join(self.main.select_one(f"label[for='{box['id']}']").get_text().split()): box
            for box in boxes
        }
        wanted = [self.t(name) for name in sections]
        assert set(wanted) <= set(names), f"{wanted} not among {list(names)}"
        self.filled["sections"] = [str(names[name]["value"]) for name in wanted]

    @property
    def message(self) -> Field:
        return self.field("Anything else you want them to know (optional)")

    def continue_(self) -> CheckReferralPage:
        self.press("Continue")
        return CheckReferralPage(self.person)

    def add_your_contact_details(self) -> AboutYouPage:
        """Leave for 'About you'; what was chosen here is kept as a draft."""
        from tests.support.pages.needs import AboutYouPage

        self.press("Add your contact details")
        return AboutYouPage(self.person)


class CheckReferralPage(BasePage):
    heading = "Check your referral before sending it"

    def what_they_can_see(self) -> list[str]:
        for row in self.main.select(".govuk-summary-list__row"):
            key = row.select_one("dt")
            if key and key.get_text().strip() == self.t("What they can see"):
                return [item.get_text().strip() for item in row.select("dd li")]
        raise AssertionError("No 'What they can see' row")

    def no_contact_warning(self) -> str:
        warning = self.main.select_one("#no-contact-warning")
        return " ".join(warning.get_text().split()) if warning else ""

    def send_referral(self) -> ReferralSentPage:
        self.press("Send referral")
        return ReferralSentPage(self.person)


class ReferralSentPage(BasePage):
    heading = "Referral sent"

    def panel(self) -> str:
        return " ".join(self.main.select_one(".govuk-panel").get_text().split())


class ReferralsPage(BasePage):
    heading = "Your referrals"
    path = "/referrals"

    def status_of(self, service: str) -> str:
        for row in self.main.select("tbody tr"):
            if service in row.get_text():
                return row.select_one(".govuk-tag").get_text().strip()
        raise AssertionError(f"No referral to {service}")

    def open_referral(self, service: str) -> ReferralDetailPage:
        self.follow(service)
        return ReferralDetailPage(self.person, service=service)


class ReferralDetailPage(BasePage):
    heading = "Your referral to %(service)s"

    def status(self) -> str:
        return self.main.select_one("#status").get_text().strip()

    def decline_reason(self) -> str:
        return " ".join(self.main.select_one("#decline-reason").get_text().split())

    def status_reason(self) -> str:
        return " ".join(self.main.select_one("#status-reason").get_text().split())

    def outcome(self) -> str:
        return " ".join(self.main.select_one("#outcome").get_text().split())

    def messages(self) -> list[str]:
        return [" ".join(item.get_text().split()) for item in self.main.select(".np-messages li")]

    def withdraw_this_referral(self) -> WithdrawReferralPage:
        self.follow("Withdraw this referral")
        return WithdrawReferralPage(self.person)

    def see_similar_services(self, service: str) -> SimilarServicesPage:
        self.follow("See similar services you could refer yourself to")
        return SimilarServicesPage(self.person, service=service)

    def has_similar_services(self) -> bool:
        return self.main.select_one("#similar-link") is not None


class WithdrawReferralPage(BasePage):
    heading = "Are you sure you want to withdraw this referral?"

    def withdraw_with(self, reason: str, service: str) -> ReferralDetailPage:
        self.field("Why are you withdrawing it? (optional)").fill(reason)
        self.press("Yes, withdraw it")
        return ReferralDetailPage(self.person, service=service)


class SimilarServicesPage(BasePage):
    """Services like one a referral was made to: after a decline, a withdrawal or a chaser."""

    heading = "Services like %(service)s"

    def services(self) -> list[str]:
        return [" ".join(a.get_text().split()) for a in self.main.select("#similar-services li a")]


class NoticesPage(BasePage):
    heading = "Notices"
    path = "/notices"

    def notices(self) -> list[str]:
        """Each notice's words, newest first (what it says, not when)."""
        return [" ".join(a.get_text().split()) for a in self.main.select("#notices li a")]
