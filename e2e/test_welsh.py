"""In Welsh: every page says lang="cy", reads from the Welsh catalogue, and passes axe-core."""

from __future__ import annotations

import time
import uuid

from e2e import journeys
from e2e.pages import DirectoryPage, SignInPage, StartPage


def test_a_resident_uses_the_service_in_welsh(people):
    resident = people()
    start = StartPage.open(resident)
    resident.switch_language("cy")
    start = StartPage(resident)
    # The page is really in Welsh, not English under lang="cy" (a missing catalogue).
    assert start.page.locator("h1").inner_text() == "Adrodd eich stori unwaith"
    current = start.page.locator("header [aria-current='true']")
    assert current.inner_text() == "Cymraeg"
    assert current.get_attribute("lang") == "cy"
    [cookie] = [c for c in resident.context.cookies() if c["name"] == "lang"]
    assert cookie["value"] == "cy"
    assert cookie["expires"] > time.time() + 300 * 24 * 3600  # remembered for a year

    resident.nav("Sign in")
    SignInPage(resident)
    resident.nav("Find a service")
    directory = DirectoryPage(resident).search_as_you_type("debt", "Debt advice drop-in")
    service = directory.open_service("Debt advice drop-in")
    assert resident.t("Refer yourself") in service.text()

    passport = journeys.sign_up(resident, f"cerys-{uuid.uuid4().hex[:8]}@example.net")
    assert resident.t("Nobody has looked at your passport yet.") in passport.text()
    passport = journeys.add_need(resident, "Housing", "Mae angen cartref diogel arnaf.")
    assert passport.needs() == {resident.t("Housing"): "Mae angen cartref diogel arnaf."}
