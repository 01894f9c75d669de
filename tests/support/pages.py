"""Every HTML page the tests render is checked here, and read through small page helpers."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

FIELD_TYPES_WITHOUT_LABEL = {"hidden", "submit", "button"}


class PageError(AssertionError):
    pass


def check_page(html: str, csp: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        raise PageError(f"Expected one <h1>, found {len(h1s)}")
    heading = " ".join(h1s[0].get_text().split())
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    if not title.removeprefix("Error: ").removeprefix("Gwall: ").startswith(heading):
        raise PageError(f"Title {title!r} does not start with the <h1> {heading!r}")
    html_tag = soup.find("html")
    if not html_tag or not html_tag.get("lang") or not html_tag.get("dir"):
        raise PageError("<html> needs lang and dir")
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
    if soup.find(attrs={"style": True}) or soup.find("style"):
        raise PageError("Inline styles break the CSP")
    for tag in soup.find_all(True):
        if any(attribute.startswith("on") for attribute in tag.attrs):
            raise PageError(f"Inline event handler: {tag.name}")


class CheckedClient(FlaskClient):
    """A test client that checks every full HTML page it receives."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:  # type: ignore[override]
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
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
