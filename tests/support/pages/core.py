"""Pages of no one capability (passport/views.py), named like e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.pages.base import BasePage

if TYPE_CHECKING:
    from tests.support.pages.accounts import SignUpPage


class StartPage(BasePage):
    heading = "Tell your story once"
    path = "/"

    def create_your_passport(self) -> SignUpPage:
        from tests.support.pages.accounts import SignUpPage

        self.press("Create your passport")  # a link that looks like a button
        return SignUpPage(self.person)


class LeaveQuicklyPage(BasePage):
    heading = "How to leave this site quickly and cover your tracks"
    path = "/leave-quickly"


class OfflinePage(BasePage):
    heading = "You are offline"
