"""Page objects for the browser tests, named like the functional tests' pages and steps.

Every page a person reaches is checked on arrival: its <h1> and <title> are the ones the page
object expects (in the person's language), <html lang> is that language, and axe-core finds
no WCAG 2.2 AA violation. A person also records every navigation of their tab, including
htmx's pushState: a navigation that was never checked fails the test at teardown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import BrowserContext, ConsoleMessage, FloatRect, Locator, Page, expect

from passport.taxonomy import BY_CODE, CATEGORIES
from tests.support.locales import error_prefix, text_direction, translator
from tests.support.mailbox import Mailbox

LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    # Off by default in axe-core, but WCAG 2.2 AA (2.5.8 Target Size) needs it.
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}

CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""

HEADER_LAYOUT = """() => {
  const header = document.querySelector("header");
  const parts = [header, ...header.querySelectorAll("a, button, .np-language__current")];
  return parts.map((part) => {
    const box = part.getBoundingClientRect();
    return [box.x + window.scrollX, box.y + window.scrollY, box.width, box.height];
  });
}"""


def axe_report(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} WCAG 2.2 AA violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def _query(url: str) -> dict[str, list[str]]:
    """An address's query as name: values, blanks kept (as a form sends them)."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def _chosen(sent: dict[str, list[str]]) -> dict[str, list[str]]:
    """What a form sent, as the address the directory puts it at: without the empty fields
    and the default sort."""
    chosen = {
        name: [v for v in values if v.strip() and (name, v) != ("sort", "relevance")]
        for name, values in sent.items()
    }
    return {name: values for name, values in chosen.items() if values}


# The directory's pages, read in the browser.
FORM_VALUES = """form => [...new FormData(form).entries()]"""
RESULT_DISTANCES = """results => results
  .filter(result => result.querySelector(".np-result__distance"))
  .map(result => [result.querySelector("h2 a").textContent.trim(),
                  result.querySelector(".np-result__distance").textContent.trim()])"""
PAGE_LINKS = """nav => [...nav.querySelectorAll(
    ".govuk-pagination__prev a, .govuk-pagination__item, .govuk-pagination__next a")]
  .map(item => {
    const link = item.matches("a") ? item : item.querySelector("a");
    const title = item.querySelector(".govuk-pagination__link-title") || item;
    const copy = title.cloneNode(true);
    copy.querySelectorAll(".govuk-visually-hidden").forEach(hidden => hidden.remove());
    const text = copy.textContent.trim().replace(/\\s+/g, " ");
    const current = link && link.getAttribute("aria-current") === "page";
    return [current ? text + "*" : text, link ? link.getAttribute("href") : ""];
  })"""
SUMMARY_ROWS = """rows => rows.map(row => [
  row.querySelector("dt").textContent, row.querySelector("dd").textContent])"""


def searched_for(url: str) -> str | None:
    """The search words in a directory address, however the browser or htmx encoded them."""
    parts = urlsplit(url)
    return parse_qs(parts.query).get("q", [None])[0] if parts.path == "/directory" else None


class Person:
    """Someone at a browser: their own context (cookies, caches, worker), tab and language."""

    def __init__(
        self,
        context: BrowserContext,
        base_url: str,
        mailbox: Mailbox,
        *,
        javascript: bool,
        twin: Callable[[], BrowserContext],
        language: str = "en",
    ) -> None:
        self.context = context
        self.base_url = base_url
        self.mailbox = mailbox
        self.javascript = javascript
        self._make_twin = twin
        self._twin_page: Page | None = None
        self.page = context.new_page()
        self.language = language
        self._translations = translator(language)
        self._unchecked: list[str] = []
        self._errors: list[str] = []
        self.page.on("framenavigated", self._navigated)
        self.page.on("pageerror", lambda error: self._errors.append(f"Page error: {error}"))
        self.page.on("console", self._console)

    # What every page gets

    def t(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text % values if values else text

    def goto(self, path_or_url: str) -> Any:
        return self.page.goto(path_or_url)

    def arrive(self, heading: str) -> None:
        """Wait for the page with this <h1>, then check it as every page is checked."""
        expect(self.page.locator("h1")).to_have_count(1)
        expect(self.page.locator("h1")).to_have_text(heading)
        title = self.page.title().removeprefix(error_prefix(self.language))
        assert title.startswith(heading), f"Title {title!r} does not start with {heading!r}"
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        expect(self.page.locator("html")).to_have_attribute("dir", text_direction(self.language))
        self.check_accessibility()

    def check_accessibility(self) -> None:
        page = self.page if self.javascript else self._twin_of_page()
        if page.evaluate("typeof window.axe") == "undefined":
            page.evaluate(AXE_SCRIPT)
        violations = page.evaluate(
            "options => axe.run(document, options).then(results => results.violations)",
            AXE_OPTIONS,
        )
        self._unchecked.clear()
        assert not violations, axe_report(self.page.url, violations)

    def _twin_of_page(self) -> Page:
        """With JavaScript off, timers never fire and axe.run never settles. So axe runs on a
        copy of this page's DOM in a twin tab of the same size, whose own scripts are blocked."""
        if self._twin_page is None:
            twin = self._make_twin()
            twin.route("**/*.js", lambda route: route.abort())
            self._twin_page = twin.new_page()
            self._twin_page.goto(f"{self.base_url}/healthz")
        self._twin_page.set_content(self.page.content())
        return self._twin_page

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.base_url):
            self._unchecked.append(frame.url)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self._errors.append(f"CSP violation on {self.page.url}: {message.text}")

    def problems(self) -> list[str]:
        unchecked = [f"Page visited but never checked: {url}" for url in self._unchecked]
        return unchecked + self._errors

    # Things a person does anywhere

    def switch_language(self, language: str) -> None:
        self.page.locator("header").get_by_role("button", name=LANGUAGE_NAMES[language]).click()
        expect(self.page.locator("html")).to_have_attribute("lang", language)
        self.language = language
        self._translations = translator(language)

    def nav(self, label: str) -> None:
        menu = self.page.get_by_role("navigation", name=self.t("Menu"))
        menu.get_by_role("link", name=self.t(label), exact=True).click()

    def add_passkey_authenticator(self) -> Any:
        """A virtual platform authenticator over CDP: without one, create() never settles."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("WebAuthn.enable")
        added = cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )
        self.authenticator = (cdp, added["authenticatorId"])
        return self.authenticator

    def passkeys(self) -> list[dict[str, Any]]:
        cdp, authenticator_id = self.authenticator
        return list(
            cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
                "credentials"
            ]
        )

    def wait_for_service_worker(self) -> str:
        handle = self.page.wait_for_function(
            "navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"
        )
        return str(handle.json_value())

    def cached_paths(self) -> list[str]:
        return list(self.page.evaluate(CACHED_PATHS))

    def screenshot(self, folder: Path | None, name: str) -> None:
        if folder is not None:
            self.page.screenshot(path=folder / f"{name}.png", full_page=True)


class BasePage:
    heading: ClassVar[str] = ""
    path: ClassVar[str] = ""

    def __init__(self, person: Person, **heading_values: object) -> None:
        self.person = person
        self.page = person.page
        person.arrive(person.t(self.heading, **heading_values))

    @classmethod
    def open(cls, person: Person, **heading_values: object) -> Any:
        person.goto(cls.path)
        return cls(person, **heading_values)

    @property
    def main(self) -> Locator:
        return self.page.locator("main")

    def t(self, message: str, **values: object) -> str:
        return self.person.t(message, **values)

    def press(self, label: str) -> None:
        self.main.get_by_role("button", name=self.t(label), exact=True).click()

    def follow(self, label: str) -> None:
        self.main.get_by_role("link", name=self.t(label), exact=True).click()

    def text(self) -> str:
        return " ".join(self.main.inner_text().split())

    @property
    def exit_this_page(self) -> Locator:
        return self.page.get_by_role("button", name=re.compile(re.escape(self.t("Exit this page"))))

    def how_to_leave_quickly(self) -> LeaveQuicklyPage:
        self.page.get_by_role("link", name=self.t("How to leave this site quickly")).click()
        return LeaveQuicklyPage(self.person)

    @property
    def menu(self) -> Locator:
        return self.page.get_by_role("navigation", name=self.t("Menu"))

    def header_height(self) -> float:
        box = self.page.locator("header").bounding_box()
        assert box is not None, "No header"
        return box["height"]

    def header_layout(self) -> list[list[float]]:
        """Where the header and everything in it sit on the page (x, y, width, height), to
        compare one page, or one moment, with another."""
        return list(self.page.evaluate(HEADER_LAYOUT))

    def error_summary(self) -> list[tuple[str, str]]:
        links = self.main.locator(".govuk-error-summary__list a")
        return [
            (" ".join(link.inner_text().split()), link.get_attribute("href") or "")
            for link in links.all()
        ]

    def success_banner(self) -> str:
        return " ".join(self.main.locator(".govuk-notification-banner").inner_text().split())

    def sign_out(self) -> SignedOutPage:
        self.menu.get_by_role("button", name=self.t("Sign out")).click()
        return SignedOutPage(self.person)


class StartPage(BasePage):
    heading = "Tell your story once"
    path = "/"

    def create_your_passport(self) -> SignUpPage:
        self.press("Create your passport")  # a link that looks like a button, role="button"
        return SignUpPage(self.person)


class SignUpPage(BasePage):
    heading = "Create your passport"
    path = "/sign-up"

    def email_me_a_sign_in_link(self, email: str) -> CheckEmailPage:
        self.main.get_by_label(self.t("Email address")).fill(email)
        self.press("Email me a sign-in link")
        return CheckEmailPage(self.person)

    def continue_with_a_passkey(self, email: str) -> CreatePasskeyPage:
        self.main.get_by_label(self.t("Email address")).fill(email)
        self.press("Continue with a passkey")
        return CreatePasskeyPage(self.person)


class CreatePasskeyPage(BasePage):
    heading = "Create a passkey"

    def create_a_passkey(self) -> PassportPage:
        self.press("Create a passkey")
        return PassportPage(self.person)


class CheckEmailPage(BasePage):
    heading = "Check your email"


class SignInLinkPage(BasePage):
    """What a sign-in link from an e-mail opens: one button that uses it."""

    heading = "Sign in to your passport"

    def sign_in(self) -> PassportPage:
        self.press("Sign in")
        return PassportPage(self.person)


class SignInLinkExpiredPage(BasePage):
    """A sign-in link opened more than 30 minutes after it was sent."""

    heading = "This sign-in link has expired"


class ConfirmEmailPage(BasePage):
    """A confirmation link opened in the browser signed in to its account."""

    heading = "Confirm your email address"

    def confirm(self) -> SignInDetailsPage:
        self.press("Confirm email address")
        return SignInDetailsPage(self.person)


class SignInPage(BasePage):
    heading = "Sign in to your passport"
    path = "/sign-in"

    def sign_in_with_a_passkey(self) -> PassportPage:
        self.press("Sign in with a passkey")
        return PassportPage(self.person)

    def sign_in_with_a_passkey_that_fails(self) -> SignInPage:
        """The passkey is refused: the page stays, with an error summary that has focus."""
        self.press("Sign in with a passkey")
        summary = self.main.locator("[data-passkey-error]")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        self.person.check_accessibility()
        return self

    def passkey_error(self) -> str:
        return " ".join(self.main.locator("[data-passkey-error]").inner_text().split())

    def email_me_a_sign_in_link(self, email: str) -> CheckEmailPage:
        self.main.get_by_label(self.t("Email address")).fill(email)
        self.press("Email me a sign-in link")
        return CheckEmailPage(self.person)


class SignedOutPage(BasePage):
    heading = "You have signed out"


class AccessLogMixin:
    """The list of times organisations looked, on the passport and history pages."""

    main: Locator

    def access_log(self) -> list[str]:
        items = self.main.locator("#access-log li")
        return [" ".join(item.inner_text().split()) for item in items.all()]


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
        rows = self.main.locator(".govuk-summary-list").first.locator(".govuk-summary-list__row")
        return {
            row.locator("dt").inner_text().strip(): row.locator(".np-story").inner_text().strip()
            for row in rows.all()
        }

    def your_sign_in_details(self) -> SignInDetailsPage:
        self.follow("Your sign-in details")
        return SignInDetailsPage(self.person)


class AccessHistoryPage(AccessLogMixin, BasePage):
    heading = "Who has looked at your passport"
    path = "/passport/looked-at"

    def organisations(self) -> list[str]:
        """The choices of the organisation filter."""
        options = self.main.locator("#organisation option").all_inner_texts()
        return [" ".join(option.split()) for option in options]

    def show_only(self, organisation: str) -> AccessHistoryPage:
        """Choose an organisation and press "Apply" (a GET form, without JavaScript too)."""
        self.main.get_by_label(self.t("Organisation"), exact=True).select_option(label=organisation)
        self.press("Apply")
        return AccessHistoryPage(self.person)


class SignInDetailsPage(BasePage):
    heading = "Your sign-in details"
    path = "/account"

    def email_address(self) -> str:
        return self.main.locator("#email-address").inner_text().strip()

    def email_status(self) -> str:
        return self.main.locator("#email-status").inner_text().strip()

    def passkeys(self) -> list[tuple[str, str]]:
        """Each passkey as (when it was created, when it was last used)."""
        rows = self.main.locator("#passkeys .govuk-summary-list__row")
        return [
            (
                " ".join(row.locator(".govuk-summary-list__key").inner_text().split()),
                " ".join(row.locator(".govuk-summary-list__value").inner_text().split()),
            )
            for row in rows.all()
        ]

    def add_a_passkey(self) -> SignInDetailsPage:
        """The browser makes the passkey, then the page reloads itself with a banner."""
        with self.page.expect_navigation():
            self.press("Add a passkey")
        return SignInDetailsPage(self.person)

    def remove(self, created: str) -> RemovePasskeyPage:
        """Follow the Remove link in the row of the passkey created then."""
        row = self.main.locator("#passkeys .govuk-summary-list__row").filter(
            has=self.page.locator("dt", has_text=created)
        )
        # Its accessible name goes on to say which passkey ("Remove the passkey created on…").
        row.get_by_role("link", name=re.compile("^" + re.escape(self.t("Remove")) + " ")).click()
        return RemovePasskeyPage(self.person)


class RemovePasskeyPage(BasePage):
    heading = "Remove this passkey?"

    def yes_remove_it(self) -> SignInDetailsPage:
        self.press("Yes, remove it")
        return SignInDetailsPage(self.person)


class AboutYouPage(BasePage):
    heading = "About you"
    path = "/passport/about"

    def save_details(self, **fields: str) -> PassportPage:
        """Fill fields by their English labels, e.g. name="Alex", phone="01632 960000"."""
        self.fill_and_save(**fields)
        return PassportPage(self.person)

    def save_details_for_referral(self, service: str, **fields: str) -> ReferralFormPage:
        """Opened from a referral: saving returns to it."""
        self.fill_and_save(**fields)
        return ReferralFormPage(self.person, service=service)

    def fill_and_save(self, **fields: str) -> None:
        labels = {
            "name": "Your name (optional)",
            "phone": "Phone number (optional)",
            "email": "Email address for organisations to contact you (optional)",
            "contact_preference": "The best way and time to contact you (optional)",
        }
        for field, value in fields.items():
            self.main.get_by_label(self.t(labels[field]), exact=True).fill(value)
        self.press("Save")


class NeedFormPage(BasePage):
    heading = "Add something you need help with"

    def choose(self, category: str) -> None:
        self.main.get_by_label(self.t(category), exact=True).check()

    def story(self) -> Locator:
        return self.main.get_by_label(self.t("In your own words"))

    def save(self) -> PassportPage:
        self.press("Save")
        return PassportPage(self.person)

    def save_with_errors(self) -> NeedFormPage:
        self.press("Save")
        return NeedFormPage(self.person)


class DirectoryPage(BasePage):
    heading = "Find a service"
    path = "/directory"

    def __init__(self, person: Person, category: str = "") -> None:
        """`category`: the type of help chosen (English), which the heading names."""
        self.person = person
        self.page = person.page
        self.category = category
        heading = self.t(self.heading)
        if category:
            heading = self.t("Find a service: %(name)s", name=self.t(category))
        person.arrive(heading)

    @property
    def search_box(self) -> Locator:
        return self.main.get_by_label(self.t("Search for a service"))

    @property
    def results(self) -> Locator:
        return self.main.locator("#results")

    @property
    def status(self) -> Locator:
        """The live region that announces the count."""
        return self.main.get_by_role("status")

    @property
    def filters(self) -> Locator:
        return self.main.locator("details.np-filters")

    def result_names(self) -> list[str]:
        return [" ".join(n.split()) for n in self.results.locator("h2 a").all_inner_texts()]

    def result_count(self) -> str:
        return " ".join(self.status.inner_text().split())

    def distances(self) -> dict[str, str]:
        return dict(self.results.locator(".np-result").evaluate_all(RESULT_DISTANCES))

    def facts(self, name: str) -> str:
        result = self.results.locator(".np-result").filter(
            has=self.page.get_by_role("link", name=name, exact=True)
        )
        return " ".join(result.inner_text().split())

    def search_as_you_type(self, words: str, expect_service: str) -> DirectoryPage:
        """Type, and let htmx update the results and the address: no submit, no reload."""
        self.page.evaluate("window.npSameDocument = true")
        self.search_box.press_sequentially(words, delay=30)
        self.page.wait_for_url(lambda url: searched_for(url) == words)
        expect(self.results.get_by_role("link", name=expect_service, exact=True)).to_be_visible()
        expect(self.results).not_to_have_class(re.compile("htmx-request"))
        # The count in the live region follows the results (htmx swaps it out of band).
        found = len(self.result_names())
        expect(self.status).to_have_text(re.compile(rf"^\s*{found}\D"))
        assert self.page.evaluate("window.npSameDocument") is True, "The page reloaded"
        self.person.check_accessibility()
        return self

    def filter_as_you_choose(self, category: str) -> DirectoryPage:
        """Choose a type of help and let htmx update the results and the address."""
        before = self.page.url
        self.main.get_by_label(self.t("Type of help")).select_option(label=self.t(category))
        self.page.wait_for_url(lambda url: url != before and "category=" in url)
        expect(self.results).not_to_have_class(re.compile("htmx-request"))
        self.person.check_accessibility()
        return self

    def tick_as_you_go(self, label: str) -> DirectoryPage:
        """Tick one box and let htmx update the results and the address, with no button."""
        before = self.page.url
        self.open_filters()
        self.main.get_by_label(self.t(label), exact=True).check()
        self.page.wait_for_url(lambda url: url != before)
        expect(self.results).not_to_have_class(re.compile("htmx-request"))
        self.person.check_accessibility()
        return self

    def search(self, words: str) -> DirectoryPage:
        """The plain GET form, as without JavaScript."""
        self.search_box.fill(words)
        self.press("Search")
        self.page.wait_for_url(lambda url: searched_for(url) == words)
        return DirectoryPage(self.person)

    def open_filters(self) -> None:
        """On a phone the filters are folded under 'More filters': open them."""
        summary = self.filters.locator("summary")
        if summary.is_visible() and not self.filters.evaluate("details => details.open"):
            summary.click()

    def search_with(
        self, words: str | None = None, ticked: Iterable[str] = (), **chosen: str
    ) -> DirectoryPage:
        """Fill the search form as a person does and press Search: words typed, choices by
        their labels (`chosen` names a select by its label in snake case: type_of_help,
        distance, language_spoken, sort_by; `postcode` is typed), exactly these boxes
        ticked. With JavaScript, htmx shows the results and the address follows; without,
        the browser sends the form."""
        self.page.evaluate("window.npSameDocument = true")
        if words is not None:
            self.search_box.fill(words)
        self.open_filters()
        if "postcode" in chosen:
            self.main.get_by_label(self.t("Postcode")).fill(chosen.pop("postcode"))
        for key, option in chosen.items():
            label = self.t(key.replace("_", " ").capitalize())
            self.main.get_by_label(label, exact=True).select_option(label=self.t(option))
        wanted = {self.t(label) for label in ticked}
        for box in self.main.locator("form[role=search] input[type=checkbox]").all():
            label = self.main.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
            box.set_checked(" ".join(label.split()) in wanted)
        sent = self.form_values()
        category = self.main.get_by_label(self.t("Type of help")).evaluate(
            "select => select.value ? select.selectedOptions[0].textContent.trim() : ''"
        )
        self.press("Search")
        self.page.wait_for_url(lambda url: _query(url) == _chosen(sent))
        expect(self.results).not_to_have_class(re.compile("htmx-request"))
        if self.person.javascript:
            assert self.page.evaluate("window.npSameDocument") is True, "The page reloaded"
        english = next((str(c.name) for c in CATEGORIES if self.t(str(c.name)) == category), "")
        return DirectoryPage(self.person, english)

    def form_values(self) -> dict[str, list[str]]:
        """What the search form holds now, as it would send it (name: values)."""
        pairs = self.main.locator("form[role=search]").evaluate(FORM_VALUES)
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            values.setdefault(name, []).append(value)
        return values

    def chosen_filters(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "Search for a service": self.search_box.input_value(),
            "Postcode": self.main.get_by_label(self.t("Postcode")).input_value(),
        }
        for label in ("Type of help", "Distance", "Language spoken", "Sort by"):
            select = self.main.get_by_label(self.t(label), exact=True)
            shown[label] = select.evaluate("select => select.selectedOptions[0].textContent.trim()")
        shown["ticked"] = [
            " ".join(text.split())
            for text in self.main.locator(
                "form[role=search] input[type=checkbox]:checked"
            ).evaluate_all("boxes => boxes.map(box => box.labels[0].textContent)")
        ]
        return shown

    def options(self, label: str) -> list[str]:
        select = self.main.get_by_label(self.t(label), exact=True)
        return [" ".join(text.split()) for text in select.locator("option").all_inner_texts()]

    def page_links(self) -> list[tuple[str, str]]:
        """The pagination's links and ellipses as (text, address); the current page's text
        is marked with a star."""
        nav = self.main.locator("nav.govuk-pagination")
        if not nav.count():
            return []
        return [tuple(pair) for pair in nav.evaluate(PAGE_LINKS)]  # type: ignore[misc]

    def next_page(self) -> DirectoryPage:
        return self._paginate(".govuk-pagination__next a")

    def previous_page(self) -> DirectoryPage:
        return self._paginate(".govuk-pagination__prev a")

    def _paginate(self, selector: str) -> DirectoryPage:
        before = self.page.url
        self.main.locator(selector).click()
        self.page.wait_for_url(lambda url: url != before)
        return DirectoryPage(self.person, self.category)

    def open_service(self, name: str) -> ServicePage:
        self.results.get_by_role("link", name=name, exact=True).click()
        return ServicePage(self.person, name)


class ServicePage(BasePage):
    def __init__(self, person: Person, name: str) -> None:
        self.person = person
        self.page = person.page
        self.name = name
        person.arrive(name)  # directory content: not translated

    @classmethod
    def open_slug(cls, person: Person, slug: str, name: str) -> ServicePage:
        person.goto(f"/directory/services/{slug}")
        return cls(person, name)

    def summary(self) -> dict[str, str]:
        """Every row of the page's summary lists, by its key."""
        rows = self.main.locator(".govuk-summary-list__row").evaluate_all(SUMMARY_ROWS)
        return {" ".join(key.split()): " ".join(value.split()) for key, value in rows}

    def how_to_get_there(self) -> list[str]:
        return [" ".join(text.split()) for text in self.main.locator(".np-place").all_inner_texts()]

    def capacity(self) -> str:
        tag = self.main.locator("[data-capacity]")
        return " ".join(tag.inner_text().split()) if tag.count() else ""

    def back_to_search(self) -> DirectoryPage:
        self.follow("Back to search")
        self.page.wait_for_url(re.compile(r"/directory(\?|$)"))
        code = _query(self.page.url).get("category", [""])[0]
        found = BY_CODE.get(code)
        return DirectoryPage(self.person, str(found.name) if found else "")

    def refer_yourself(self) -> ReferralFormPage:
        """The referral form, after answering the service's questions if it asks any (an
        adult's age, a town centre postcode, "Yes" to each of its own)."""
        self.press("Refer yourself")
        heading = self.page.locator("h1")
        questions = self.t(EligibilityQuestionsPage.heading, service=self.name)
        form = self.t(ReferralFormPage.heading, service=self.name)
        expect(heading).to_have_text(re.compile(f"^({re.escape(questions)}|{re.escape(form)})$"))
        if self.page.url.endswith(ASKED_AT):
            asked = EligibilityQuestionsPage(self.person, service=self.name)
            asked.answer()
            return asked.continue_to_refer(self.name)
        return ReferralFormPage(self.person, service=self.name)


ASKED_AT = "/refer/questions"  # the end of a service's questions page's address


class EligibilityQuestionsPage(BasePage):
    heading = "Check you can use %(service)s"

    def answer(self, age: str = "30", postcode: str = "EB1 2AB", each: str = "Yes") -> None:
        """Answer what the page asks: the age and the postcode if asked, and `each` (a
        choice's label) to every question of the service's own."""
        age_field = self.main.get_by_label(self.t("How old are you?"), exact=True)
        if age_field.count():
            age_field.fill(age)
        postcode_field = self.main.get_by_label(self.t("What is your postcode?"), exact=True)
        if postcode_field.count():
            postcode_field.fill(postcode)
        for fieldset in self.main.locator("fieldset").all():
            fieldset.get_by_label(self.t(each), exact=True).check()

    def continue_to_refer(self, service: str) -> ReferralFormPage:
        self.press("Continue")
        return ReferralFormPage(self.person, service=service)

    def continue_not_eligible(self, service: str) -> NotEligiblePage:
        self.press("Continue")
        return NotEligiblePage(self.person, service=service)


class NotEligiblePage(BasePage):
    heading = "You cannot refer yourself to %(service)s"

    def reasons(self) -> list[str]:
        return [
            " ".join(text.split()) for text in self.main.locator("#why-not li").all_inner_texts()
        ]

    def similar_services(self) -> list[str]:
        links = self.main.locator("#similar-services li a")
        return [" ".join(text.split()) for text in links.all_inner_texts()]

    def change_your_answers(self, service: str) -> EligibilityQuestionsPage:
        self.follow("Change your answers")
        return EligibilityQuestionsPage(self.person, service=service)


class ReferralFormPage(BasePage):
    heading = "Refer yourself to %(service)s"

    def choose_sections(self, sections: list[str]) -> None:
        """Tick exactly these parts of the passport (by name) and untick the rest."""
        wanted = {self.t(name) for name in sections}
        group = self.main.get_by_role(
            "group", name=self.t("Which parts of your passport can this organisation see?")
        )
        boxes = group.get_by_role("checkbox")
        labels = []
        for box in boxes.all():
            label = " ".join(
                self.main.locator(f"label[for='{box.get_attribute('id')}']").inner_text().split()
            )
            labels.append(label)
            box.set_checked(label in wanted)
        assert wanted <= set(labels), f"{wanted} not among {labels}"

    @property
    def message(self) -> Locator:
        return self.main.get_by_label(self.t("Anything else you want them to know (optional)"))

    def continue_(self) -> CheckReferralPage:
        self.press("Continue")
        return CheckReferralPage(self.person)

    def add_your_contact_details(self) -> AboutYouPage:
        """Leave for 'About you'; what was chosen here is kept as a draft."""
        self.press("Add your contact details")
        return AboutYouPage(self.person)


class CheckReferralPage(BasePage):
    heading = "Check your referral before sending it"

    def what_they_can_see(self) -> list[str]:
        row = self.main.locator(".govuk-summary-list__row").filter(
            has=self.page.locator("dt", has_text=self.t("What they can see"))
        )
        return [item.strip() for item in row.locator("dd li").all_inner_texts()]

    def no_contact_warning(self) -> str:
        warning = self.main.locator("#no-contact-warning")
        return " ".join(warning.inner_text().split()) if warning.count() else ""

    def send_referral(self) -> ReferralSentPage:
        self.press("Send referral")
        return ReferralSentPage(self.person)


class ReferralSentPage(BasePage):
    heading = "Referral sent"

    def panel(self) -> str:
        return " ".join(self.main.locator(".govuk-panel").inner_text().split())


class ReferralsPage(BasePage):
    heading = "Your referrals"
    path = "/referrals"

    def status_of(self, service: str) -> str:
        row = self.main.locator("tbody tr").filter(has_text=service)
        return row.locator(".govuk-tag").inner_text().strip()

    def open_referral(self, service: str) -> ReferralDetailPage:
        self.main.get_by_role("link", name=service, exact=True).click()
        return ReferralDetailPage(self.person, service=service)


class ReferralDetailPage(BasePage):
    heading = "Your referral to %(service)s"

    def status(self) -> str:
        return self.main.locator("#status").inner_text().strip()

    def decline_reason(self) -> str:
        return " ".join(self.main.locator("#decline-reason").inner_text().split())

    def status_reason(self) -> str:
        return " ".join(self.main.locator("#status-reason").inner_text().split())

    def outcome(self) -> str:
        return " ".join(self.main.locator("#outcome").inner_text().split())

    def messages(self) -> list[str]:
        items = self.main.locator(".np-messages li").all_inner_texts()
        return [" ".join(item.split()) for item in items]

    def send_message(self, words: str, service: str) -> ReferralDetailPage:
        self.main.get_by_label(self.t("Your message")).fill(words)
        self.press("Send message")
        return ReferralDetailPage(self.person, service=service)

    def withdraw_this_referral(self) -> WithdrawReferralPage:
        self.follow("Withdraw this referral")
        return WithdrawReferralPage(self.person)

    def see_similar_services(self, service: str) -> SimilarServicesPage:
        self.follow("See similar services you could refer yourself to")
        return SimilarServicesPage(self.person, service=service)

    def has_similar_services(self) -> bool:
        return self.main.locator("#similar-link").count() == 1

    def say_whether_it_helped(self, answer: str, service: str) -> ReferralDetailPage:
        self.main.get_by_label(self.t(answer), exact=True).check()
        self.press("Send feedback")
        return ReferralDetailPage(self.person, service=service)


class WithdrawReferralPage(BasePage):
    heading = "Are you sure you want to withdraw this referral?"

    def withdraw_with(self, reason: str, service: str) -> ReferralDetailPage:
        self.main.get_by_label(self.t("Why are you withdrawing it? (optional)")).fill(reason)
        self.press("Yes, withdraw it")
        return ReferralDetailPage(self.person, service=service)


class SimilarServicesPage(BasePage):
    """Services like one a referral was made to: after a decline, a withdrawal or a chaser."""

    heading = "Services like %(service)s"

    def services(self) -> list[str]:
        links = self.main.locator("#similar-services li a")
        return [" ".join(text.split()) for text in links.all_inner_texts()]


class NoticesPage(BasePage):
    heading = "Notices"
    path = "/notices"

    def notices(self) -> list[str]:
        """Each notice's words, newest first (what it says, not when)."""
        return [" ".join(a.split()) for a in self.main.locator("#notices li a").all_inner_texts()]


class RequestCodePage(BasePage):
    """The organisation opens the share link from its e-mail."""

    heading = "We need to check it is you"

    def email_me_a_code(self) -> EnterCodePage:
        self.press("Email me a code")
        return EnterCodePage(self.person)


class EnterCodePage(BasePage):
    heading = "Enter the code we emailed you"

    def enter(self, code: str) -> None:
        self.main.get_by_label(self.t("Code"), exact=True).fill(code)
        self.press("Continue")

    def enter_code(self, code: str, service: str) -> SharedPassportPage:
        self.enter(code)
        return SharedPassportPage(self.person, service=service)

    def enter_wrong_code(self, code: str) -> EnterCodePage:
        self.enter(code)
        return EnterCodePage(self.person)

    def field_error(self) -> str:
        return " ".join(self.main.locator(".govuk-error-message").inner_text().split())


class SharedPassportPage(BasePage):
    """What the organisation sees: only the sections the person granted."""

    heading = "Referral for %(service)s"

    def status(self) -> str:
        return self.main.locator("#status").inner_text().strip()

    def section_headings(self) -> list[str]:
        return [h.strip() for h in self.main.locator("h2[id^='section-']").all_inner_texts()]

    def reply_buttons(self) -> list[FloatRect]:
        group = self.main.locator(".govuk-button-group")
        boxes = [
            group.get_by_role("button", name=self.t(name)).bounding_box()
            for name in ("Accept referral", "Decline referral")
        ]
        return [box for box in boxes if box is not None]

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
        items = self.main.locator(".np-timeline li").all_inner_texts()
        return [" ".join(item.split()) for item in items]


class HoldPage(BasePage):
    heading = "Why are you putting this referral on hold?"

    def hold_with(self, reason: str, service: str) -> SharedPassportPage:
        self.main.get_by_label(self.t(self.heading)).fill(reason)
        self.press("Put on hold")
        return SharedPassportPage(self.person, service=service)


class CompletePage(BasePage):
    heading = "What was the outcome?"

    def complete_with(self, outcome: str, details: str) -> CompletedPage:
        self.main.get_by_label(self.t(outcome), exact=True).check()
        self.main.get_by_label(self.t("Anything else the person should know (optional)")).fill(
            details
        )
        self.press("Mark as completed")
        return CompletedPage(self.person)


class CompletedPage(BasePage):
    """After completing: the organisation's link shows nothing more."""

    heading = "You have marked the referral as completed"


class DeclinePage(BasePage):
    heading = "Why are you declining this referral?"

    def decline_with(self, reason: str) -> DeclinedPage:
        self.main.get_by_label(self.t(self.heading)).fill(reason)
        self.press("Decline referral")
        return DeclinedPage(self.person)


class DeclinedPage(BasePage):
    """After declining: the organisation sees its answer went, and nothing of the passport."""

    heading = "You have declined the referral"


class NoLongerAvailablePage(BasePage):
    heading = "This page is no longer available"


class LinkDoesNotWorkPage(BasePage):
    heading = "This link does not work"


class LeaveQuicklyPage(BasePage):
    heading = "How to leave this site quickly and cover your tracks"
    path = "/leave-quickly"


class OfflinePage(BasePage):
    heading = "You are offline"


# The resident's shares (passport/sharing) ------------------------------------------------------


class SharedWithPage(BasePage):
    """Every share, in force and ended, with its receipts."""

    heading = "Who you have shared your passport with"
    path = "/passport/shares"

    def _cards(self, place: str) -> list[str]:
        cards = self.main.locator(f"#{place} .govuk-summary-card")
        return [" ".join(card.inner_text().split()) for card in cards.all()]

    def shared_now(self) -> list[str]:
        return self._cards("shared-now")

    def shared_before(self) -> list[str]:
        return self._cards("shared-before")

    def change_what_they_see(self, organisation: str) -> ChangeSectionsPage:
        name = (
            self.t("Change")
            + " "
            + self.t("what %(organisation)s can see", organisation=organisation)
        )
        self.main.get_by_role("link", name=name, exact=True).click()
        return ChangeSectionsPage(self.person, organisation=organisation)

    def stop_sharing(self, organisation: str) -> StopSharingPage:
        name = (
            self.t("Stop sharing")
            + " "
            + self.t("with %(organisation)s", organisation=organisation)
        )
        self.main.get_by_role("link", name=name, exact=True).click()
        return StopSharingPage(self.person, organisation=organisation)

    def receipts(self) -> list[str]:
        links = self.main.locator("a[href*='/passport/shares/receipts/']")
        return [" ".join(link.inner_text().split()) for link in links.all()]

    def open_receipt(self, number: int) -> ReceiptPage:
        """The receipt at this place in the page's order (0: the first)."""
        self.main.locator("a[href*='/passport/shares/receipts/']").nth(number).click()
        return ReceiptPage(self.person)


class ChangeSectionsPage(BasePage):
    heading = "Change what %(organisation)s can see"

    def choose_sections(self, sections: list[str]) -> None:
        """Tick exactly these parts of the passport (by name) and untick the rest."""
        wanted = {self.t(name) for name in sections}
        group = self.main.get_by_role(
            "group", name=self.t("Which parts of your passport can they see?")
        )
        labels = []
        for box in group.get_by_role("checkbox").all():
            label = " ".join(
                self.main.locator(f"label[for='{box.get_attribute('id')}']").inner_text().split()
            )
            labels.append(label)
            box.set_checked(label in wanted)
        assert wanted <= set(labels), f"{wanted} not among {labels}"

    def save(self) -> SharedWithPage:
        self.press("Save")
        return SharedWithPage(self.person)

    def save_with_a_problem(self, organisation: str) -> ChangeSectionsPage:
        self.press("Save")
        return ChangeSectionsPage(self.person, organisation=organisation)


class StopSharingPage(BasePage):
    heading = "Stop sharing your passport with %(organisation)s?"

    def yes_stop_sharing(self) -> PassportPage:
        self.press("Yes, stop sharing")
        return PassportPage(self.person)


class ReceiptPage(BasePage):
    heading = "Consent receipt"

    def what_happened(self) -> str:
        return " ".join(self.main.locator("#what-happened").inner_text().split())

    def details(self) -> dict[str, str]:
        rows = self.main.locator("#receipt .govuk-summary-list__row")
        return {
            " ".join(row.locator("dt").inner_text().split()): " ".join(
                row.locator("dd").inner_text().split()
            )
            for row in rows.all()
        }


class LinkWithdrawnPage(BasePage):
    """The organisation's link after the person stopped sharing."""

    heading = "This link has been withdrawn"
