"""passport/contact_links.py on its own: which numbers and addresses become links."""

from __future__ import annotations

import pytest

from passport import contact_links


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("01632 960123", "tel:01632960123"),
        (" 01632 960123 ", "tel:01632960123"),
        ("+44 7700 900-123", "tel:+447700900123"),
        ("(01632) 960.123", "tel:01632960123"),
        ("not a phone ☎", ""),
        ("01632 960123 after 6pm", ""),
        ("", ""),
        ("1", ""),
    ],
)
def test_a_phone_number_links_to_its_digits(number, href):
    assert contact_links.tel_href(number) == href


@pytest.mark.parametrize(
    ("address", "href"),
    [
        ("sam@example.net", "mailto:sam@example.net"),
        ("sam+help@example.net", "mailto:sam%2Bhelp@example.net"),
        ("sam?cc=x@example.net", "mailto:sam%3Fcc%3Dx@example.net"),
        ("sam@example.net?cc=x@evil.example", ""),
        ("not an address", ""),
        ("sam@localhost", ""),
        ('"><script>@x.example', ""),
    ],
)
def test_an_email_address_links_to_write_to_it(address, href):
    assert contact_links.mailto_href(address) == href


def test_text_that_is_not_a_number_stays_text_and_is_escaped():
    assert str(contact_links.phone_link("<b>call</b>")) == "&lt;b&gt;call&lt;/b&gt;"
    assert str(contact_links.phone_link("01632 960123")) == (
        '<a class="govuk-link" href="tel:01632960123">01632 960123</a>'
    )
