"""The directory's pages (passport/directory), named like e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from tests.support.pages.base import BasePage, Field, Person

if TYPE_CHECKING:
    from tests.support.pages.referrals import ReferralFormPage


class DirectoryPage(BasePage):
    heading = "Find a service"
    path = "/directory"

    @property
    def search_box(self) -> Field:
        return self.field("Search for a service")

    def result_names(self) -> list[str]:
        return [" ".join(a.get_text().split()) for a in self.main.select("#results h2 a")]

    def search(self, words: str) -> DirectoryPage:
        """The plain GET form, as without JavaScript."""
        self.person.goto(f"{self.path}?{urlencode({'q': words})}")
        return DirectoryPage(self.person)

    def open_service(self, name: str) -> ServicePage:
        self.follow(name)
        return ServicePage(self.person, name)


class ServicePage(BasePage):
    def __init__(self, person: Person, name: str) -> None:
        self.person = person
        self.name = name
        self.filled = {}
        self.response = person.arrive(name)  # directory content: not translated

    @classmethod
    def open_slug(cls, person: Person, slug: str, name: str) -> ServicePage:
        person.goto(f"/directory/services/{slug}")
        return cls(person, name)

    def back_to_search(self) -> DirectoryPage:
        self.follow("Back to search")
        return DirectoryPage(self.person)

    def refer_yourself(self) -> ReferralFormPage:
        from tests.support.pages.referrals import ReferralFormPage

        self.press("Refer yourself")
        return ReferralFormPage(self.person, service=self.name)
