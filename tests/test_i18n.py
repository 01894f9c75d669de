"""Welsh: the catalogue is current and complete, and the choice of language works end to end."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from gettext import c2py
from http.cookies import SimpleCookie
from io import BytesIO
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from passport.accounts import service as accounts
from passport.database import db
from passport.directory.models import Organisation
from passport.extensions import limiter
from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "passport" / "i18n"
POT = I18N / "messages.pot"
WELSH_PO = I18N / "cy" / "LC_MESSAGES" / "messages.po"
WELSH_MO = WELSH_PO.with_suffix(".mo")

RUN_CATALOGUE = (
    "Run `make catalogue`, translate what it added to passport/i18n/cy/LC_MESSAGES/messages.po "
    "(no fuzzy entries), then `make translations`."
)

SERVICE = "debt-advice-drop-in"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
YEAR = 60 * 60 * 24 * 365

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
BARE_PLACEHOLDER = re.compile(r"%(?!\(|%)[-#0 +\d.]*[sdif]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def message_ids(catalogue: Catalog) -> set[object]:
    return {(message.context, message.id) for message in catalogue if message.id}


def describe(ids: set[object]) -> str:
    return "\n".join(f"  {key[1]!r}" for key in sorted(ids, key=repr))  # type: ignore[index]


def forms(message_id: object) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (str(message_id),)


def translations(string: object) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (str(string or ""),)


@pytest.fixture(scope="module")
def welsh() -> Catalog:
    return read_catalogue(WELSH_PO, "cy")


# The catalogue is not stale -------------------------------------------------------------------


def extract_options() -> list[str]:
    """The options the Makefile's `catalogue` target gives `pybabel extract`."""
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    found = re.search(r"pybabel extract (.+?) -o passport/i18n/messages\.pot (\S+)", makefile)
    assert found, "The Makefile's `catalogue` target no longer extracts to messages.pot"
    return [*shlex.split(found.group(1)), found.group(2)]


def test_committed_template_matches_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    options = extract_options()
    extracted = subprocess.run(
        [str(pybabel), "extract", *options[:-1], "-o", str(fresh), options[-1]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert extracted.returncode == 0, extracted.stderr

    in_code, committed = message_ids(read_catalogue(fresh)), message_ids(read_catalogue(POT))

    assert in_code == committed, (
        f"passport/i18n/messages.pot is stale. {RUN_CATALOGUE}\n"
        f"In the code but not in messages.pot:\n{describe(in_code - committed)}\n"
        f"In messages.pot but no longer in the code:\n{describe(committed - in_code)}"
    )


def test_welsh_catalogue_has_every_message_of_the_template(welsh):
    template, translated = message_ids(read_catalogue(POT)), message_ids(welsh)

    assert template == translated, (
        f"The Welsh catalogue is out of step with messages.pot. {RUN_CATALOGUE}\n"
        f"Missing from the Welsh catalogue:\n{describe(template - translated)}\n"
        f"Left over in the Welsh catalogue:\n{describe(translated - template)}"
    )


def test_every_template_parses_so_none_is_skipped_by_extraction(app: Flask):
    # Jinja's extractor silently skips a template it cannot parse, and with it every message.
    templates = sorted((ROOT / "passport").glob("**/templates/**/*.html"))
    assert templates
    for template in templates:
        app.jinja_env.parse(template.read_text(), template.name, str(template))


def test_extraction_trims_trans_blocks_as_the_app_does(app: Flask):
    # The app trims whitespace in {% trans %} blocks; extraction must too, or the ids differ.
    config = (ROOT / "babel.cfg").read_text()
    jinja_section = config.split("[jinja2:", 1)[1].split("\n[", 1)[0]
    extraction_trims = bool(re.search(r"^trimmed\s*=\s*true\s*$", jinja_section, re.MULTILINE))
    assert extraction_trims == app.jinja_env.policies["ext.i18n.trimmed"]


# Every Welsh message is translated and keeps what the code relies on -----------------------------


def test_welsh_plural_forms_follow_cldr(welsh):
    cldr = Locale("cy").plural_form
    categories = ["zero", "one", "two", "few", "many", "other"]

    plural = c2py(welsh.plural_expr)

    assert welsh.num_plurals == len(categories)
    for n in range(0, 25):
        assert plural(n) == categories.index(cldr(n)), n


def test_every_welsh_message_is_translated_and_not_fuzzy(welsh):
    untranslated = [
        message.id
        for message in welsh
        if message.id
        and (
            message.fuzzy
            or len(translations(message.string))
            != (welsh.num_plurals if message.pluralizable else 1)
            or not all(text.strip() for text in translations(message.string))
        )
    ]

    assert not untranslated, f"Untranslated or fuzzy Welsh messages. {RUN_CATALOGUE}\n" + "\n".join(
        f"  {message_id!r}" for message_id in untranslated
    )


def test_welsh_keeps_every_placeholder(welsh):
    problems = []
    for message in welsh:
        if not message.id:
            continue
        expected = Counter(PLACEHOLDER.findall(forms(message.id)[-1]))
        for text in translations(message.string):
            if Counter(PLACEHOLDER.findall(text)) != expected or BARE_PLACEHOLDER.search(text):
                problems.append(f"  {forms(message.id)[0]!r}\n    -> {text!r}")
    problems += [f"  {message.id!r}: {errors}" for message, errors in welsh.check()]

    assert not problems, "Welsh messages with different placeholders:\n" + "\n".join(problems)


def test_welsh_keeps_every_html_tag(welsh):
    problems = []
    for message in welsh:
        if not message.id:
            continue
        expected = sorted(HTML_TAG.findall(forms(message.id)[0]))
        for text in translations(message.string):
            if sorted(HTML_TAG.findall(text)) != expected:
                problems.append(f"  {forms(message.id)[0]!r}\n    -> {text!r}")

    assert not problems, "Welsh messages with different HTML tags:\n" + "\n".join(problems)


def test_welsh_calls_the_service_pasbort_anghenion(welsh):
    for message in welsh:
        for text in translations(message.string) if message.id else ():
            assert "Needs Passport" not in text, message.id
            if "Needs Passport" in forms(message.id)[0]:
                assert "Pasbort Anghenion" in text, message.id


# The compiled catalogue is current ----------------------------------------------------------


def test_compiled_welsh_catalogue_is_current(welsh):
    assert WELSH_MO.exists(), "There is no compiled Welsh catalogue. Run `make translations`."
    compiled = BytesIO()
    write_mo(compiled, welsh)

    assert WELSH_MO.read_bytes() == compiled.getvalue(), (
        "passport/i18n/cy/LC_MESSAGES/messages.mo is older than messages.po. "
        "Run `make translations`."
    )


# Choosing a language ------------------------------------------------------------------------


def choose_language(client: FlaskClient, lang: str, next_path: str | None) -> TestResponse:
    """Press a language button in the header, as its form would send it."""
    page = client.get("/directory")
    data = {"csrf_token": pages.csrf_token(page), "lang": lang}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/language", data=data)


def lang_cookie(response: TestResponse) -> dict[str, str] | None:
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if "lang" in cookie:
            morsel = cookie["lang"]
            return {"value": morsel.value, **{key: str(morsel[key]) for key in morsel}}
    return None


def html_language(response: TestResponse) -> tuple[str, str]:
    html = pages.soup(response).find("html")
    assert html is not None
    return str(html.get("lang")), str(html.get("dir"))


def test_the_header_form_sends_the_page_to_come_back_to(client):
    page = client.get("/directory?q=debt&category=money")
    form = pages.soup(page).select_one("form.np-language")

    assert form is not None and form.get("action") == "/language"
    assert form.find("input", attrs={"name": "next"})["value"] == "/directory?q=debt&category=money"
    assert [button["value"] for button in form.find_all("button", attrs={"name": "lang"})] == ["cy"]


def test_choosing_welsh_is_remembered_and_returns_to_the_page(client):
    response = choose_language(client, "cy", "/directory?q=debt&category=money")

    assert response.status_code == 302
    assert response.headers["Location"] == "/directory?q=debt&category=money"
    cookie = lang_cookie(response)
    assert cookie is not None and cookie["value"] == "cy"
    assert int(cookie["max-age"]) >= YEAR
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"

    page = client.get(response.headers["Location"])
    assert html_language(page) == ("cy", "ltr")
    assert '<html lang="cy" dir="ltr"' in page.get_data(as_text=True)
    assert pages.heading(page) == "Dod o hyd i wasanaeth: Arian a dyled"
    assert pages.title(page).endswith("– Pasbort Anghenion")
    assert "Mewngofnodi" in pages.text(page)
    assert "Sign in" not in pages.text(page)


def test_choosing_english_again_goes_back_to_english(client):
    choose_language(client, "cy", "/")
    response = choose_language(client, "en", "/")

    assert (lang_cookie(response) or {}).get("value") == "en"
    page = client.get("/")
    assert html_language(page) == ("en", "ltr")
    assert pages.heading(page) == "Tell your story once"


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example", "https:evil.example", "evil.example", ""],
)
def test_an_unsafe_next_goes_to_the_start_page(client, unsafe):
    response = choose_language(client, "cy", unsafe)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert (lang_cookie(response) or {}).get("value") == "cy"


def test_without_next_it_goes_to_the_start_page(client):
    response = choose_language(client, "cy", None)

    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("cy", "cy"),
        ("cy-GB,en;q=0.5", "cy"),
        ("fr-FR,cy;q=0.7,en;q=0.3", "cy"),
        ("en-GB,cy;q=0.8", "en"),
        ("fr", "en"),
        ("", "en"),
    ],
)
def test_the_browser_language_is_used_without_a_cookie(client, accept_language, expected):
    page = client.get("/", headers={"Accept-Language": accept_language})

    assert html_language(page) == (expected, "ltr")
    heading = {"cy": "Adrodd eich stori unwaith", "en": "Tell your story once"}[expected]
    assert pages.heading(page) == heading


def test_the_cookie_wins_over_the_browser_language(client):
    choose_language(client, "en", "/")

    page = client.get("/", headers={"Accept-Language": "cy"})

    assert html_language(page) == ("en", "ltr")


@pytest.mark.parametrize("unknown", ["fr", "CY", "cy-GB", "", "cy; Domain=evil.example"])
def test_an_unknown_language_is_ignored(client, unknown):
    choose_language(client, "cy", "/")

    response = choose_language(client, unknown, "/directory")

    assert response.status_code == 302
    assert response.headers["Location"] == "/directory"
    assert lang_cookie(response) is None
    assert html_language(client.get("/directory")) == ("cy", "ltr")


def test_an_unknown_language_in_the_cookie_is_ignored(client):
    client.set_cookie("lang", "xx")

    page = client.get("/", headers={"Accept-Language": "cy"})

    assert html_language(page) == ("cy", "ltr")


def test_a_welsh_form_error_is_in_welsh(client):
    choose_language(client, "cy", "/")

    response = journeys.post_form(client, "/sign-up", {"email": "", "method": "link"})

    assert response.status_code == 200
    assert pages.title(response).startswith("Gwall: ")
    assert "Mae problem wedi codi" in pages.text(response)
    assert pages.error_summary(response) == ["Rhowch eich cyfeiriad e-bost"]


# Pages in Welsh leave no catalogue message in English ------------------------------------------


def english_left(response: TestResponse, welsh: Catalog) -> list[str]:
    """Text on a Welsh page that is an English message the catalogue translates differently."""
    english = {
        str(message.id): str(message.string)
        for message in welsh
        if message.id and not message.pluralizable and "%(" not in str(message.id)
    }
    page = pages.soup(response)
    texts = [" ".join(text.split()) for text in page.find_all(string=True)]
    texts += [
        str(tag[name])
        for name in ("aria-label", "title")
        for tag in page.find_all(attrs={name: True})
    ]
    return [text for text in texts if text in english and english[text] != text]


PUBLIC_PAGES = [
    "/",
    "/directory",
    "/directory?category=money",
    "/directory?q=zzzz",
    f"/directory/services/{SERVICE}",
    "/sign-in",
    "/sign-up",
    "/check-your-email",
    "/signed-out",
    "/offline",
    "/no-such-page",
]
RESIDENT_PAGES = [
    "/passport",
    "/account",
    "/passport/needs/new",
    "/passport/about",
    "/referrals",
    f"/directory/services/{SERVICE}/refer",
]


def test_public_pages_in_welsh_have_no_english_left(client, welsh, demo_directory):
    choose_language(client, "cy", "/")

    for path in PUBLIC_PAGES:
        page = client.get(path)
        assert page.status_code in (200, 404), path
        assert html_language(page) == ("cy", "ltr"), path
        assert english_left(page, welsh) == [], path


def test_resident_pages_in_welsh_have_no_english_left(client, mailbox, welsh, demo_directory):
    journeys.sign_up(client, mailbox, "gwen@example.net")
    journeys.add_need(client, "housing", "Mae fy landlord wedi rhoi rhybudd i mi adael.")
    journeys.add_passkey(client, SoftwareAuthenticator())
    [(_, _, remove_passkey)] = pages.passkeys(client.get("/account"))
    journeys.answer_questions(client, SERVICE)  # the referral form follows its questions
    choose_language(client, "cy", "/")

    for path in [*RESIDENT_PAGES, remove_passkey]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert html_language(page) == ("cy", "ltr"), path
        assert english_left(page, welsh) == [], path
    assert "Tai" in pages.text(client.get("/passport"))
    assert "Allwedd mynediad a grëwyd ar " in pages.text(client.get("/account"))


# A signed-in resident's choice follows them into e-mail ----------------------------------------

SIGN_IN_BODY = (
    "Use this link to sign in:\n\n%(url)s\n\nThe link works once and stops working after 30 "
    "minutes. If you did not ask to sign in, you can ignore this email."
)
UPDATE_BODY = (
    "An organisation has replied to a referral you made.\n\nSign in to see the update:\n\n%(url)s"
)


def lines(body: str) -> str:
    """An e-mail body with the line endings it was written with (SMTP sends CRLF)."""
    return body.replace("\r\n", "\n")


def in_welsh(message: str, **values: object) -> str:
    """A message as the compiled Welsh catalogue has it: translated, not left in English."""
    translated = Translations.load(str(I18N), ["cy"], "messages").gettext(message)
    assert translated != message, f"Not translated into Welsh: {message!r}. {RUN_CATALOGUE}"
    return translated % values if values else translated


def account_locale(app: Flask, email: str) -> str:
    with app.app_context():
        account = accounts.find_by_email(email)
        assert account is not None
        return account.locale


def test_signing_up_in_welsh_keeps_welsh(app, client, mailbox):
    choose_language(client, "cy", "/")

    journeys.sign_up(client, mailbox, "eleri@example.net")

    assert account_locale(app, "eleri@example.net") == "cy"
    link_email = mailbox.to("eleri@example.net")[0]
    assert link_email.subject == in_welsh("Your sign-in link")
    link = mailbox.link_to("eleri@example.net", "/sign-in/link/")
    assert in_welsh(SIGN_IN_BODY, url=link) in lines(link_email.body)

    choose_language(client, "en", "/passport")
    assert account_locale(app, "eleri@example.net") == "en"


def test_a_residents_choice_of_welsh_is_used_for_their_email(
    app: Flask,
    client: FlaskClient,
    org_client: FlaskClient,
    mailbox: Mailbox,
    demo_directory: None,
    frozen_clock: object,
):
    resident = "sioned@example.net"
    journeys.sign_up(client, mailbox, resident)
    assert account_locale(app, resident) == "en"

    chosen = choose_language(client, "cy", "/passport")
    assert chosen.headers["Location"] == "/passport"
    assert account_locale(app, resident) == "cy"

    journeys.add_need(client, "money", "Rydw i ar ei hôl hi gyda'r dreth gyngor.")
    referral = journeys.refer(client, SERVICE, ["about", "money"])
    # The organisation's e-mail is in English, whatever the resident's language.
    assert mailbox.last_to(ORG_EMAIL).subject == "A new referral"

    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    declined = journeys.post_form(
        org_client, f"{link}/decline", {"reason": "We only help people in Eastbridge."}
    )
    assert declined.status_code == 302
    landed = org_client.get(declined.headers["Location"])
    assert pages.heading(landed) == "You have declined the referral"

    update = mailbox.last_to(resident)
    assert update.subject == in_welsh("There is an update")
    assert in_welsh(UPDATE_BODY, url=f"http://localhost{referral}") in lines(update.body)

    detail = client.get(referral)
    assert pages.status(detail) == "Wedi'i wrthod"
    assert "3 Mawrth 2026 am 10:14" in pages.text(detail)


def test_a_resident_who_has_not_chosen_gets_english_email(
    client, org_client, mailbox, demo_directory
):
    resident = "sam@example.net"
    journeys.sign_up(client, mailbox, resident)
    journeys.add_need(client, "money", "I am behind on council tax.")
    journeys.refer(client, SERVICE, ["money"])
    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)

    journeys.post_form(org_client, f"{link}/decline", {"reason": "We are full."})

    assert mailbox.last_to(resident).subject == "There is an update"


# An organisation reads e-mail in its own language ------------------------------------------------

CODE_BODY = (
    "Your code to open a Needs Passport referral is %(code)s\n\nIt stops working after 15 "
    "minutes. If you did not ask for it, you can ignore this email."
)


def set_organisation_language(app: Flask, email: str, language: str) -> None:
    with app.app_context():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.referral_email == email)
        )
        assert organisation is not None
        organisation.language = language
        db.session.commit()


def test_a_welsh_organisation_gets_every_email_in_welsh(
    app, client, org_client, mailbox, demo_directory
):
    set_organisation_language(app, ORG_EMAIL, "cy")
    resident = "sam@example.net"  # who reads English
    journeys.sign_up(client, mailbox, resident)
    journeys.add_need(client, "money", "I am behind on council tax.")
    referral = journeys.refer(client, SERVICE, ["money"])

    new_referral = mailbox.last_to(ORG_EMAIL)
    assert new_referral.subject == in_welsh("A new referral")
    assert "Pasbort Anghenion" in new_referral.body and "Needs Passport" not in new_referral.body

    # The code is in Welsh too, though the browser that asked for it is in English.
    link = journeys.share_link(mailbox, ORG_EMAIL)
    limiter.enabled = False  # four codes in a row, to lock the link
    try:
        for _round in range(4):
            code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
            code_email = mailbox.last_to(ORG_EMAIL)
            assert code_email.subject == in_welsh("Your code")
            assert in_welsh(CODE_BODY, code=code) in lines(code_email.body)
            for _try in range(5):
                journeys.enter_code(org_client, link, journeys.other_code(code))
    finally:
        limiter.enabled = True
    assert mailbox.last_to(resident).subject == "A link you shared has been locked"

    journeys.post_form(client, f"{referral}/new-link", {})
    new_link = mailbox.last_to(ORG_EMAIL)
    assert new_link.subject == in_welsh("A new link to a referral")
    assert "Pasbort Anghenion" in new_link.body and "Needs Passport" not in new_link.body

    # An organisation that reads English still gets English.
    set_organisation_language(app, ORG_EMAIL, "en")
    journeys.refer(client, "benefits-check-and-forms", ["money"])
    assert mailbox.last_to(ORG_EMAIL).subject == "A new referral"


# Plurals ------------------------------------------------------------------------------------


def test_tries_left_agree_with_their_number(client, org_client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "dai@example.net")
    journeys.add_need(client, "money", "I am behind on rent.")
    journeys.refer(client, SERVICE, ["money"])
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    wrong = journeys.other_code(code)

    messages = [
        pages.field_error(journeys.enter_code(org_client, link, wrong), "code") for _ in range(4)
    ]

    assert messages[0].endswith("You have 4 more tries before you need a new code.")
    assert messages[3].endswith("You have 1 more try before you need a new code.")


def test_tries_left_in_welsh(client, org_client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "dai@example.net")
    journeys.add_need(client, "money", "I am behind on rent.")
    journeys.refer(client, SERVICE, ["money"])
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    choose_language(org_client, "cy", "/")

    response = journeys.enter_code(org_client, link, journeys.other_code(code))

    assert pages.field_error(response, "code") == (
        "Nid yw'r cod yn gywir. Mae gennych 4 ymgais arall cyn y bydd angen cod newydd arnoch."
    )
