"""The resident's shares and consent receipts (passport/sharing), named like e2e/pages.py's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.pages.base import BasePage, _words

if TYPE_CHECKING:
    from tests.support.pages.needs import PassportPage


class SharedWithPage(BasePage):
    """Every share, in force and ended, with its receipts."""

    heading = "Who you have shared your passport with"
    path = "/passport/shares"

    def _cards(self, place: str) -> list[str]:
        return [_words(card) for card in self.main.select(f"#{place} .govuk-summary-card")]

    def shared_now(self) -> list[str]:
        return self._cards("shared-now")

    def shared_before(self) -> list[str]:
        return self._cards("shared-before")

    def change_what_they_see(self, organisation: str) -> ChangeSectionsPage:
        self.follow(
            self.t("Change")
            + " "
            + self.t("what %(organisation)s can see", organisation=organisation)
        )
        return ChangeSectionsPage(self.person, organisation=organisation)

    def stop_sharing(self, organisation: str) -> StopSharingPage:
        self.follow(
            self.t("Stop sharing")
            + " "
            + self.t("with %(organisation)s", organisation=organisation)
        )
        return StopSharingPage(self.person, organisation=organisation)

    def _receipt_links(self) -> list:
        return self.main.select("a[href*='/passport/shares/receipts/']")

    def receipts(self) -> list[str]:
        return [_words(link) for link in self._receipt_links()]

    def open_receipt(self, number: int) -> ReceiptPage:
        self.person.goto(str(self._receipt_links()[number]["href"]))
        return ReceiptPage(self.person)


class ChangeSectionsPage(BasePage):
    heading = "Change what %(organisation)s can see"

    def choose_sections(self, sections: list[str]) -> None:
        """Tick exactly these parts of the passport (by name) and untick the rest."""
        boxes = self.main.select("input[type=checkbox][name=sections]")
        names = {_words(self.main.select_one(f"label[for='{box['id']}']")): box for box in boxes}
        wanted = [self.t(name) for name in sections]
        assert set(wanted) <= set(names), f"{wanted} not among {list(names)}"
        self.filled["sections"] = [str(names[name]["value"]) for name in wanted]

    def save(self) -> SharedWithPage:
        self.press("Save")
        return SharedWithPage(self.person)


class StopSharingPage(BasePage):
    heading = "Stop sharing your passport with %(organisation)s?"

    def yes_stop_sharing(self) -> PassportPage:
        from tests.support.pages.needs import PassportPage

        self.press("Yes, stop sharing")
        return PassportPage(self.person)


class ReceiptPage(BasePage):
    heading = "Consent receipt"

    def what_happened(self) -> str:
        found = self.main.select_one("#what-happened")
        return _words(found) if found else ""


class LinkWithdrawnPage(BasePage):
    """The organisation's link after the person stopped sharing."""

    heading = "This link has been withdrawn"
    status_code = 410
