"""A service's eligibility questions before a referral (passport/eligibility), named like
e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.pages.base import BasePage, _words

if TYPE_CHECKING:
    from tests.support.pages.referrals import ReferralFormPage

ASKED_AT = "/refer/questions"  # the end of a service's questions page's address


class EligibilityQuestionsPage(BasePage):
    heading = "Check you can use %(service)s"

    def answer(self, age: str = "30", postcode: str = "EB1 2AB", each: str = "Yes") -> None:
        """Answer what the page asks: the age and the postcode if asked, and `each` (a
        choice's label) to every question of the service's own."""
        if self.main.find("input", attrs={"name": "age"}):
            self.filled["age"] = age
        if self.main.find("input", attrs={"name": "postcode"}):
            self.filled["postcode"] = postcode
        for fieldset in self.main.find_all("fieldset"):
            for label in fieldset.find_all("label"):
                if _words(label) == self.t(each):
                    radio = fieldset.find(id=label.get("for"))
                    self.filled[str(radio["name"])] = str(radio["value"])

    def continue_to_refer(self, service: str) -> ReferralFormPage:
        from tests.support.pages.referrals import ReferralFormPage

        self.press("Continue")
        return ReferralFormPage(self.person, service=service)

    def continue_not_eligible(self, service: str) -> NotEligiblePage:
        self.press("Continue")
        return NotEligiblePage(self.person, service=service)


class NotEligiblePage(BasePage):
    heading = "You cannot refer yourself to %(service)s"

    def reasons(self) -> list[str]:
        return [_words(item) for item in self.main.select("#why-not li")]

    def similar_services(self) -> list[str]:
        return [_words(link) for link in self.main.select("#similar-services li a")]

    def change_your_answers(self, service: str) -> EligibilityQuestionsPage:
        self.follow("Change your answers")
        return EligibilityQuestionsPage(self.person, service=service)
