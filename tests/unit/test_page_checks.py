"""The checks every functional-test page gets take the language's error prefix and text
direction from Babel: a guard that cannot fail guards nothing."""

from __future__ import annotations

import pytest

from tests.support.locales import error_prefix, text_direction
from tests.support.pages import PageError, check_page

CSP = "default-src 'self'; script-src 'self' 'nonce-n0nce'; style-src 'self' 'nonce-n0nce'"


def page(lang: str, direction: str, title: str, heading: str = "Your passport") -> str:
    return f"""<!doctype html>
<html lang="{lang}" dir="{direction}">
<head>
<title>{title}</title>
<meta name="description" content="A page the checks read, long enough to be a sentence.">
<style nonce="n0nce">.np-x {{ margin: 0 }}</style>
</head>
<body><main><h1>{heading}</h1></main></body>
</html>"""


def test_a_welsh_page_says_error_in_welsh():
    welsh = error_prefix("cy")
    assert welsh == "Gwall: "
    check_page(page("cy", "ltr", f"{welsh}Your passport – Pasbort Anghenion"), CSP)
    with pytest.raises(PageError, match="does not start with the <h1>"):
        check_page(page("cy", "ltr", "Error: Your passport – Pasbort Anghenion"), CSP)


def test_an_english_page_says_error_in_english():
    check_page(page("en", "ltr", "Error: Your passport – Needs Passport"), CSP)
    with pytest.raises(PageError, match="does not start with the <h1>"):
        check_page(page("en", "ltr", "Gwall: Your passport – Needs Passport"), CSP)


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("cy", "ltr"), ("ar", "rtl")])
def test_the_page_runs_the_way_its_language_does(lang, direction):
    assert text_direction(lang) == direction
    check_page(page(lang, direction, "Your passport"), CSP)
    wrong = "rtl" if direction == "ltr" else "ltr"
    with pytest.raises(PageError, match="runs the other way"):
        check_page(page(lang, wrong, "Your passport"), CSP)
