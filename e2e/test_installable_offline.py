"""Installable and offline: the manifest, the service worker, the offline page, a clean cache."""

from __future__ import annotations

import re
import struct
import time
import uuid

from e2e import journeys
from e2e.pages import OfflinePage, PassportPage, ReferralsPage, StartPage

PERSONAL = ("/passport", "/share/", "/referrals")
HASHED_SCRIPT = re.compile(r"^/static/app\.[0-9a-f]{12}\.js$")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_is_linked_with_icons_to_install_the_app(people):
    person = people()
    StartPage.open(person)
    href = person.page.locator("link[rel='manifest']").get_attribute("href")
    assert href == "/manifest.webmanifest"
    response = person.context.request.get(href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Needs Passport"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["start_url"].startswith("/")
    pngs = {icon["sizes"]: icon for icon in manifest["icons"] if icon["type"] == "image/png"}
    for size in (192, 512):
        icon = pngs[f"{size}x{size}"]
        image = person.context.request.get(icon["src"])
        assert image.ok and image.headers["content-type"] == "image/png"
        assert png_size(image.body()) == (size, size)


def test_the_service_worker_shows_the_offline_page_and_never_keeps_personal_pages(people):
    marker = uuid.uuid4().hex[:8]
    resident = people()
    StartPage.open(resident)
    assert resident.wait_for_service_worker() == f"{resident.base_url}/sw.js"
    scope = resident.page.evaluate(
        "navigator.serviceWorker.getRegistration().then(r => r && r.scope)"
    )
    assert scope == f"{resident.base_url}/"

    journeys.sign_up(resident, f"robin-{marker}@example.net")
    journeys.add_need(resident, "Loneliness", f"I do not see anyone most weeks ({marker}).")
    service = journeys.find_service(resident, "telephone", "Telephone befriending")
    journeys.refer(resident, service, ["About you", "Loneliness"])
    ReferralsPage.open(resident)
    PassportPage.open(resident)

    organisation = people()
    StartPage.open(organisation)
    organisation.wait_for_service_worker()
    journeys.open_share_as_org(
        organisation, "referrals@riverside-befriending.example.org", "Telephone befriending"
    )

    resident.context.set_offline(True)
    resident.goto("/directory/services/walk-and-talk-group")  # never visited
    OfflinePage(resident)
    resident.goto("/passport")  # visited, but personal: never kept
    offline = OfflinePage(resident)
    assert marker not in offline.text()
    resident.context.set_offline(False)

    for person in (resident, organisation):
        cached = person.cached_paths()
        assert "/offline" in cached, cached
        # Static files under their content-hashed names (passport/assets.py).
        assert [path for path in cached if HASHED_SCRIPT.match(path)], cached
        assert not [path for path in cached if path.startswith(PERSONAL)], cached


OFFLINE_PAGE_IN = """async (language) => {
  for (const name of await caches.keys()) {
    const page = await (await caches.open(name)).match("/offline");
    if (page && page.headers.get("Content-Language") === language) return true;
  }
  return false;
}"""


def go_offline_and_see(person, language: str) -> None:
    # The worker fetches the offline page again as soon as a page comes in a new language;
    # a person takes longer than that to lose their signal.
    deadline = time.monotonic() + 20
    while not person.page.evaluate(OFFLINE_PAGE_IN, language):
        assert time.monotonic() < deadline, f"The offline page was not kept in {language!r}"
        time.sleep(0.05)
    person.context.set_offline(True)
    person.goto("/directory/services/home-visit-befriending")  # never visited
    offline = OfflinePage(person)  # its heading, title and <html lang> in this language
    assert person.t("Nothing you have saved has been lost.") in offline.text()
    person.context.set_offline(False)


def test_the_offline_page_is_in_the_language_the_resident_chose(people):
    resident = people()
    StartPage.open(resident)
    resident.wait_for_service_worker()
    resident.switch_language("cy")
    StartPage(resident)
    go_offline_and_see(resident, "cy")

    StartPage.open(resident)
    resident.switch_language("en")
    StartPage(resident)
    go_offline_and_see(resident, "en")
