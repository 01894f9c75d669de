"""Phone numbers and e-mail addresses as links a phone or mail program opens."""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup, escape

# Digits with the spaces, brackets, dots and dashes people write between them.
PHONE = re.compile(r"\+?[0-9(][0-9 ().-]*[0-9]")
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def tel_href(number: str) -> str:
    """'tel:' and the digits (and a leading +) of a phone number, or '' if it is not one."""
    number = number.strip()
    if not PHONE.fullmatch(number):
        return ""
    return "tel:" + ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


def mailto_href(address: str) -> str:
    """'mailto:' and the address, or '' if it does not look like an e-mail address."""
    address = address.strip()
    if not EMAIL.fullmatch(address):
        return ""
    return "mailto:" + quote(address, safe="@")


def phone_link(number: str) -> Markup:
    """The number as written, linked to call it; text that is not a number stays text."""
    return _link(tel_href(number), number)


def email_link(address: str) -> Markup:
    return _link(mailto_href(address), address)


def _link(href: str, text: str) -> Markup:
    if not href:
        return escape(text)
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)
