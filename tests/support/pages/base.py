"""Page objects for the functional tests: the same names and steps as the browser tests'
(e2e/pages.py), over the Flask test client instead of Chromium.

A person arrives on a page object only if the page is the one it expects: a 200, one <h1>
with the expected heading in the person's language, and <html lang> in that language (the
checked client has already checked the rest of the page). Buttons and links are found by
their text, fields by their label, as a person finds them; a form posts what a browser would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import Tag
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import pages
from tests.support.locales import translator
from tests.support.mailbox import Mailbox

if TYPE_CHECKING:
    from tests.support.pages.accounts import SignedOutPage
    from tests.support.pages.core import LeaveQuicklyPage


def _words(tag: Tag) -> str:
    return " ".join(tag.get_text().split())


class Person:
    """Someone at a browser (a test client with its own cookies) reading one language."""

    def __init__(self, client: FlaskClient, mailbox: Mailbox, *, language: str = "en") -> None:
        self.client = client
        self.mailbox = mailbox
        self.language = language
        self._translations = translator(language)
        self.response: TestResponse | None = None
        if language != "en":
            self.client.set_cookie("lang", language)

    def t(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text % values if values else text

    def goto(self, path: str) -> TestResponse:
        self.response = self.client.get(path, follow_redirects=True)
        return self.response

    def post(self, path: str, data: dict[str, Any]) -> TestResponse:
        self.response = self.client.post(path, data=data, follow_redirects=True)
        return self.response

    def arrive(self, heading: str, status: int = 200) -> TestResponse:
        """The page now shown must be this one: checked as every page is checked."""
        response = self.response
        assert response is not None, "Nowhere yet: goto() first"
        assert response.status_code == status, (response.status_code, response.request.path)
        assert pages.heading(response) == heading, (pages.heading(response), heading)
        html = pages.soup(response).find("html")
        assert html is not None and html.get("lang") == self.language, html
        return response


class BasePage:
    heading: ClassVar[str] = ""
    path: ClassVar[str] = ""
    status_code: ClassVar[int] = 200  # what the browser tests cannot see, these can

    def __init__(self, person: Person, **heading_values: object) -> None:
        self.person = person
        self.response = person.arrive(person.t(self.heading, **heading_values), self.status_code)
        self.filled: dict[str, object] = {}  # field name: value, sent by the next press

    @classmethod
    def open(cls, person: Person, **heading_values: object) -> Any:
        person.goto(cls.path)
        return cls(person, **heading_values)

    @property
    def main(self) -> Tag:
        main = pages.soup(self.response).find("main")
        assert isinstance(main, Tag), "No <main>"
        return main

    @property
    def url(self) -> str:
        request = self.response.request
        query = request.query_string.decode()
        return request.path + (f"?{query}" if query else "")

    def t(self, message: str, **values: object) -> str:
        return self.person.t(message, **values)

    def text(self) -> str:
        return " ".join(self.main.get_text().split())

    def error_summary(self) -> list[tuple[str, str]]:
        return pages.error_summary_links(self.response)

    def success_banner(self) -> str:
        banner = self.main.select_one(".govuk-notification-banner")
        return _words(banner) if banner else ""

    # What a person does: press a button, follow a link, fill a form by its labels

    def press(self, label: str, **fields: object) -> TestResponse:
        """Press the button with this text (in the person's language). In a form, post it
        as a browser would, with `fields` filled in by their labels (in English: translated
        here); a link that looks like a button is followed."""
        return self._press(self.main, label, fields)

    def field(self, label: str) -> Field:
        """The field with this label, to fill before pressing a button (as `get_by_label`)."""
        return Field(self, self.field_name(label))

    def choose(self, label: str) -> None:
        """Choose the radio button or tick the box with this label."""
        wanted = self.t(label)
        for tag in self.main.find_all("label"):
            if _words(tag) == wanted:
                box = self.main.find(id=tag.get("for"))
                assert isinstance(box, Tag) and box.get("type") in ("radio", "checkbox"), label
                if box["type"] == "radio":
                    self.filled[str(box["name"])] = str(box["value"])
                else:
                    self.filled.setdefault(str(box["name"]), []).append(str(box["value"]))
                return
        raise AssertionError(f"No choice labelled {wanted!r} on {self.url}")

    def _press(self, scope: Tag, label: str, fields: dict[str, object]) -> TestResponse:
        wanted = self.t(label)
        for button in scope.find_all(["button", "input"]):
            if button.name == "input" and button.get("type") != "submit":
                continue
            text = str(button.get("value", "")) if button.name == "input" else _words(button)
            if text == wanted:
                form = button.find_parent("form")
                assert isinstance(form, Tag), f"The button {label!r} is in no form"
                return self._submit(form, button, fields)
        for link in scope.find_all("a", attrs={"role": "button"}):
            if _words(link) == wanted:
                return self.person.goto(urljoin(self.url, str(link["href"])))
        raise AssertionError(f"No button {wanted!r} on {self.url}")

    def follow(self, label: str) -> TestResponse:
        return self._follow(self.main, label)

    def _follow(self, scope: Tag, label: str) -> TestResponse:
        wanted = self.t(label)
        for link in scope.find_all("a", href=True):
            if _words(link) == wanted:
                return self.person.goto(urljoin(self.url, str(link["href"])))
        raise AssertionError(f"No link {wanted!r} on {self.url}")

    def field_name(self, label: str) -> str:
        """The name of the field with this label (English, translated here)."""
        wanted = self.t(label)
        for tag in self.main.find_all("label"):
            if _words(tag) == wanted:
                field = self.main.find(id=tag.get("for"))
                assert isinstance(field, Tag), f"The label {label!r} is for no field"
                return str(field["name"])
        raise AssertionError(f"No field labelled {wanted!r} on {self.url}")

    def _submit(self, form: Tag, button: Tag, fields: dict[str, object]) -> TestResponse:
        data: dict[str, Any] = {}
        for field in form.find_all(["input", "textarea", "select"]):
            name = field.get("name")
            kind = field.get("type", "text")
            if not name or kind in ("submit", "button"):
                continue
            if kind in ("radio", "checkbox"):
                if field.has_attr("checked"):
                    data.setdefault(name, []).append(str(field.get("value", "on")))
            elif field.name == "textarea":
                data[name] = field.get_text().removeprefix("\n")
            elif field.name == "select":
                chosen = field.find("option", selected=True) or field.find("option")
                data[name] = str(chosen.get("value", "")) if chosen else ""
            else:
                data[name] = str(field.get("value", ""))
        data.update(self.filled)
        for label, value in fields.items():
            data[self.field_name(label)] = value
        if button.get("name"):
            data[str(button["name"])] = str(button.get("value", ""))
        action = urlsplit(urljoin(self.url, str(form.get("action") or self.url)))
        return self.person.post(action.path + (f"?{action.query}" if action.query else ""), data)

    # Anywhere

    def how_to_leave_quickly(self) -> LeaveQuicklyPage:
        from tests.support.pages.core import LeaveQuicklyPage

        self._follow(pages.soup(self.response), "How to leave this site quickly")
        return LeaveQuicklyPage(self.person)

    def sign_out(self) -> SignedOutPage:
        from tests.support.pages.accounts import SignedOutPage

        header = pages.soup(self.response).find("header")
        assert isinstance(header, Tag), "No header"
        self._press(header, "Sign out", {})
        return SignedOutPage(self.person)


class Field:
    """A field of the page, filled as a person types into it."""

    def __init__(self, page: BasePage, name: str) -> None:
        self.page = page
        self.name = name

    def fill(self, value: str) -> None:
        self.page.filled[self.name] = value

    def input_value(self) -> str:
        if self.name in self.page.filled:
            return str(self.page.filled[self.name])
        return pages.field_value(self.page.response, self.name)
