"""Every HTML page the tests render is checked here, and read through small page helpers.

The page objects (named like the browser tests' in e2e/pages.py) are in this package, one
module per capability: base (Person, BasePage), core, accounts, needs, directory, referrals,
organisations.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import locales

FIELD_TYPES_WITHOUT_LABEL = {"hidden", "submit", "button"}
STATIC = Path(__file__).resolve().parents[3] / "passport" / "static"
CSS_CLASS = re.compile(r"\.(-?[A-Za-z_][A-Za-z0-9_!-]*)")
_FRAMEWORK_CLASSES: frozenset[str] | None = None


class PageError(AssertionError):
    pass


def check_page(html: str, csp: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        raise PageError(f"Expected one <h1>, found {len(h1s)}")
    heading = " ".join(h1s[0].get_text().split())
    html_tag = soup.find("html")
    if not html_tag or not html_tag.get("lang") or not html_tag.get("dir"):
        raise PageError("<html> needs lang and dir")
    language = str(html_tag["lang"])
    if html_tag["dir"] != locales.text_direction(language):
        raise PageError(f"<html dir> is {html_tag['dir']!r}, but {language!r} runs the other way")
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    if not title.removeprefix(locales.error_prefix(language)).startswith(heading):
        raise PageError(f"Title {title!r} does not start with the <h1> {heading!r}")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [key for key, count in ids.items() if count > 1]
    if duplicates:
        raise PageError(f"Duplicate ids: {duplicates}")
    for field in soup.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type", "text") in FIELD_TYPES_WITHOUT_LABEL:
            continue
        field_id = field.get("id")
        labelled = field.get("aria-label") or (
            field_id and soup.find("label", attrs={"for": field_id})
        )
        if not labelled:
            raise PageError(f"Field without a label: {field}")
    nonce = re.search(r"'nonce-([^']+)'", csp)
    for script in soup.find_all("script"):
        if not nonce or script.get("nonce") != nonce.group(1):
            raise PageError(f"Script without the CSP nonce: {script}")
    if soup.find(attrs={"style": True}):
        raise PageError("Inline style attributes break the CSP")
    check_styles(soup, csp)
    description = soup.find_all("meta", attrs={"name": "description"})
    if len(description) != 1 or len(str(description[0].get("content", "")).strip()) < 40:
        raise PageError(f"Expected one meta description of a sentence or more: {description}")
    for tag in soup.find_all(True):
        if any(attribute.startswith("on") for attribute in tag.attrs):
            raise PageError(f"Inline event handler: {tag.name}")


def framework_classes() -> frozenset[str]:
    """Every class the vendored GOV.UK Frontend stylesheet styles."""
    global _FRAMEWORK_CLASSES
    if _FRAMEWORK_CLASSES is None:
        css = (STATIC / "vendor" / "govuk-frontend.min.css").read_text(encoding="utf-8")
        _FRAMEWORK_CLASSES = frozenset(CSS_CLASS.findall(css.replace("\\", "")))
    return _FRAMEWORK_CLASSES


def check_styles(soup: BeautifulSoup, csp: str) -> None:
    """One inline stylesheet, in <head>, with the CSP style nonce, that styles every GOV.UK
    class on the page (it holds only the GOV.UK rules the app uses: passport/assets.py)."""
    styles = soup.find_all("style")
    if soup.find("link", rel="stylesheet") or len(styles) != 1 or styles[0].parent.name != "head":
        raise PageError("Expected the page stylesheet inline, once, in <head>")
    style_src = next((d for d in csp.split(";") if d.split()[:1] == ["style-src"]), "")
    nonce = re.search(r"'nonce-([^']+)'", style_src)
    if not nonce or styles[0].get("nonce") != nonce.group(1):
        raise PageError("The inline stylesheet does not carry the CSP style nonce")
    inline = set(CSS_CLASS.findall(styles[0].get_text().replace("\\", "")))
    used = {name for tag in soup.find_all(class_=True) for name in tag["class"]}
    missing = sorted((used & framework_classes()) - inline)
    if missing:
        raise PageError(f"GOV.UK classes on the page but not in its stylesheet: {missing}")


class CheckedClient(FlaskClient):
    """A test client that checks every full HTML page it receives."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        # A compressed page (asked for with Accept-Encoding) is read by the test that asked.
        if (
            response.mimetype == "text/html"
            and not 300 <= response.status_code < 400
            and "Content-Encoding" not in response.headers
        ):
            text = response.get_data(as_text=True)
            if text.lstrip().lower().startswith("<!doctype html"):
                check_page(text, response.headers.get("Content-Security-Policy", ""))
        return response


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(response: TestResponse) -> str:
    field = soup(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, "No CSRF token on the page"
    return str(field["value"])


def heading(response: TestResponse) -> str:
    h1 = soup(response).find("h1")
    return " ".join(h1.get_text().split()) if h1 else ""


def title(response: TestResponse) -> str:
    return " ".join(soup(response).title.get_text().split())


def error_summary(response: TestResponse) -> list[str]:
    summary = soup(response).select(".govuk-error-summary__list a")
    return [" ".join(link.get_text().split()) for link in summary]


def field_value(response: TestResponse, name: str) -> str:
    page = soup(response)
    field = page.find(attrs={"name": name})
    assert field is not None, f"No field {name}"
    if field.name == "textarea":
        # Browsers drop one newline straight after <textarea> (HTML spec); html.parser does not.
        return field.get_text().removeprefix("\n")
    return str(field.get("value", ""))


def checked_values(response: TestResponse, name: str) -> list[str]:
    return [
        str(tag["value"])
        for tag in soup(response).find_all("input", attrs={"name": name})
        if tag.has_attr("checked")
    ]


def text(response: TestResponse) -> str:
    return " ".join(soup(response).get_text().split())


def error_summary_links(response: TestResponse) -> list[tuple[str, str]]:
    """Each error summary entry as (message, href)."""
    return [
        (" ".join(link.get_text().split()), str(link.get("href", "")))
        for link in soup(response).select(".govuk-error-summary__list a")
    ]


def field_error(response: TestResponse, field_id: str) -> str:
    """The error message shown next to a field, without its hidden 'Error:' prefix."""
    message = soup(response).find(id=f"{field_id}-error")
    if message is None:
        return ""
    hidden = message.find(class_="govuk-visually-hidden")
    if hidden is not None:
        hidden.extract()
    return " ".join(message.get_text().split())


def exit_this_page(response: TestResponse) -> str:
    """'shown'; 'when chosen' (JavaScript shows it once a sensitive category is picked, and
    without JavaScript it is there from the start); or 'none'."""
    page = soup(response)
    area = page.find(id="exit-this-page")
    if area is None or area.find(attrs={"data-exit-this-page": True}) is None:
        return "none"
    if not area.has_attr("hidden"):
        return "shown"
    without_javascript = page.find("noscript", class_="np-exit")
    button = without_javascript and without_javascript.find(attrs={"data-exit-this-page": True})
    return "when chosen" if area.has_attr("data-exit-when-chosen") and button else "none"


def has_exit_this_page(response: TestResponse) -> bool:
    return exit_this_page(response) == "shown"


def status(response: TestResponse) -> str:
    """The status tag on a referral page."""
    tag = soup(response).find(id="status")
    assert tag is not None, "No status on the page"
    return " ".join(tag.get_text().split())


def links(response: TestResponse) -> list[tuple[str, str]]:
    """Every link on the page as (text, href)."""
    return [
        (" ".join(a.get_text().split()), str(a.get("href", "")))
        for a in soup(response).find_all("a")
    ]


def flash_messages(response: TestResponse) -> list[str]:
    return [
        " ".join(tag.get_text().split())
        for tag in soup(response).select(".govuk-notification-banner__heading")
    ]


def passkeys(response: TestResponse) -> list[tuple[str, str, str]]:
    """The passkeys on the sign-in details page as (created, last used, remove link)."""
    rows = soup(response).select("#passkeys .govuk-summary-list__row")
    return [
        (
            " ".join(row.select_one(".govuk-summary-list__key").get_text().split()),
            " ".join(row.select_one(".govuk-summary-list__value").get_text().split()),
            str(row.select_one(".govuk-summary-list__actions a")["href"]),
        )
        for row in rows
    ]


def confirm_email_prompt(response: TestResponse) -> str | None:
    """Where the 'Confirm your email address' prompt returns to, or None if it is not shown."""
    prompt = soup(response).find(id="confirm-email")
    if prompt is None:
        return None
    form = prompt.find("form", action="/account/email/confirm")
    assert form is not None and form.get("method") == "post", "The prompt has no form"
    field = form.find("input", attrs={"name": "next"})
    assert field is not None, "The prompt does not say where to come back to"
    return str(field["value"])


def hidden_fields(response: TestResponse, action: str | None = None) -> dict[str, str]:
    """The hidden fields of a form in the page's main content (the first, or the one posting
    to `action`), as a browser sends them: the CSRF token and the form's one-time token."""
    forms = soup(response).find("main").find_all("form", method="post")
    form = next((f for f in forms if action is None or f.get("action") == action), None)
    assert form is not None, f"No form posting to {action}"
    return {
        str(field["name"]): str(field.get("value", ""))
        for field in form.find_all("input", type="hidden")
    }
