"""Fast on a slow phone: compressed, cached for good under hashed names, nothing blocking the
first paint, and a description on every page. Every page any test renders is also checked for
the inline stylesheet and the description (tests/support/pages.py)."""

from __future__ import annotations

import gzip
import json
import re

import brotli
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import journeys, pages
from tests.support.mailbox import Mailbox

HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
YEAR = 365 * 24 * 60 * 60
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
OURS = {"Sec-Fetch-Site": "same-origin"}


def get(client: FlaskClient, path: str, **headers: str) -> TestResponse:
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def static_urls(page: TestResponse) -> list[str]:
    """The static files a page loads: scripts, icons and the manifest's icons."""
    soup = pages.soup(page)
    urls = [str(tag["src"]) for tag in soup.find_all("script", src=True)]
    urls += [str(tag["href"]) for tag in soup.find_all("link", rel=["icon", "apple-touch-icon"])]
    return urls


def cache_directives(response: TestResponse) -> set[str]:
    return {d.strip().lower() for d in response.headers.get("Cache-Control", "").split(",")}


def vary(response: TestResponse) -> set[str]:
    return {
        value.strip().lower()
        for line in response.headers.getlist("Vary")
        for value in line.split(",")
    }


def test_static_files_have_hashed_names_and_are_cached_for_good(client: FlaskClient):
    home = client.get("/")
    manifest = json.loads(get(client, "/manifest.webmanifest").get_data())
    urls = static_urls(home) + [icon["src"] for icon in manifest["icons"]]
    assert len(urls) >= 6, urls
    for url in urls:
        assert HASHED.match(url), url
        response = get(client, url)
        assert response.status_code == 200, url
        directives = cache_directives(response)
        assert {"public", "immutable"} <= directives, (url, directives)
        ages = [int(d.removeprefix("max-age=")) for d in directives if d.startswith("max-age=")]
        assert ages and ages[0] >= YEAR, (url, directives)
        assert response.headers.getlist("Set-Cookie") == [], url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin", url
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], url


def test_a_changed_file_gets_a_new_name(client: FlaskClient):
    from passport.assets import hashed_name

    assert hashed_name("app.css", b"a{}") != hashed_name("app.css", b"b{}")
    assert re.fullmatch(
        r"vendor/htmx\.min\.[0-9a-f]{12}\.js", hashed_name("vendor/htmx.min.js", b"")
    )


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_text_files_are_sent_compressed_when_accepted(client: FlaskClient, encoding: str):
    for url in static_urls(client.get("/")):
        if url.endswith(".png"):
            continue
        plain = get(client, url)
        assert "Content-Encoding" not in plain.headers, url
        packed = get(client, url, **{"Accept-Encoding": encoding})
        assert packed.status_code == 200, url
        assert packed.headers["Content-Encoding"] == encoding, url
        assert "accept-encoding" in vary(packed), url
        body = packed.get_data()
        assert len(body) < len(plain.get_data()) * 0.9, url
        assert DECODE[encoding](body) == plain.get_data(), url


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_are_compressed_for_the_sites_own_requests(
    client: FlaskClient, mailbox: Mailbox, encoding: str
):
    journeys.sign_up(client, mailbox, "compressed@example.net")
    for path, fetch_site in (("/passport", "same-origin"), ("/directory?q=advice", "none")):
        plain = client.get(path)
        packed = client.get(
            path, headers={"Accept-Encoding": encoding, "Sec-Fetch-Site": fetch_site}
        )
        assert packed.status_code == 200, path
        assert packed.headers["Content-Encoding"] == encoding, path
        assert {"accept-encoding", "sec-fetch-site"} <= vary(packed), path
        html = DECODE[encoding](packed.get_data()).decode()
        assert "Sign out" in html and "<h1" in html, path
        assert len(packed.get_data()) < len(plain.get_data()) / 3, path


def test_pages_are_not_compressed_for_requests_another_site_caused(
    client: FlaskClient, mailbox: Mailbox
):
    # BREACH: compressing a page that holds a secret next to text an attacker chose lets
    # them read the secret from the sizes of the answers (docs/adr/0001-…).
    journeys.sign_up(client, mailbox, "breach@example.net")
    for fetch_site in ("cross-site", "same-site", None):
        headers = {"Accept-Encoding": "br, gzip"}
        if fetch_site:
            headers["Sec-Fetch-Site"] = fetch_site
        response = client.get("/directory?q=csrf_token", headers=headers)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers, fetch_site
        assert "sec-fetch-site" in vary(response), fetch_site
        assert "Sign out" in response.get_data(as_text=True)


def test_nothing_blocks_the_first_paint(client: FlaskClient):
    response = client.get("/sign-in")
    soup = pages.soup(response)
    assert soup.find("link", rel="stylesheet") is None
    head_scripts = soup.head.find_all("script", src=True)
    assert head_scripts and all(s.has_attr("defer") for s in head_scripts), head_scripts
    style = soup.head.find("style")
    assert style is not None
    # The whole look, inline: GOV.UK's buttons and the app's own header.
    assert ".govuk-button{" in style.get_text()
    assert ".np-header" in style.get_text()
    directives = {
        d.split()[0]: d.split()[1:] for d in response.headers["Content-Security-Policy"].split(";")
    }
    assert f"'nonce-{style['nonce']}'" in directives["style-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    # Only the rules the app can use: a small part of GOV.UK Frontend.
    assert len(style.get_text()) < 80_000
    assert ".govuk-accordion" not in style.get_text()


def test_the_service_worker_keeps_this_releases_hashed_files(client: FlaskClient):
    worker = get(client, "/sw.js")
    source = worker.get_data(as_text=True)
    urls = re.findall(r'"(/static/[^"]+)"', source)
    assert urls, source[:600]
    assert set(static_urls(client.get("/"))) <= set(urls)
    for url in urls:
        assert HASHED.match(url), url
        assert get(client, url).status_code == 200, url
    assert re.search(r'const VERSION = "np-[0-9a-f]{12}";', source)
    assert "{{" not in source and "{%" not in source
    again = get(client, "/sw.js", **{"If-None-Match": worker.headers["ETag"].strip('"')})
    assert again.status_code == 304


KEY_PAGES = {
    "/": "write down what you need help with once",
    "/sign-in": "Sign in to your Needs Passport",
    "/sign-up": "Create a free Needs Passport",
    "/directory?q=debt": "Find local advice, support and community services",
    "/directory/services/debt-advice-drop-in": "Debt advice drop-in, run by Eastbridge Advice",
}


def description(response: TestResponse) -> str:
    meta = pages.soup(response).find("meta", attrs={"name": "description"})
    assert meta is not None
    return str(meta["content"])


def test_key_pages_have_their_own_description(client: FlaskClient, demo_directory):
    seen = set()
    for path, expected in KEY_PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in description(response), (path, description(response))
        seen.add(description(response))
    assert len(seen) == len(KEY_PAGES)


def test_signed_in_pages_describe_themselves(client: FlaskClient, mailbox: Mailbox):
    journeys.sign_up(client, mailbox, "described@example.net")
    passport = description(client.get("/passport"))
    referrals = description(client.get("/referrals"))
    assert "who you have shared them with" in passport
    assert "what each has answered" in referrals
    # Other pages get the service's own description from the layout.
    assert "Record your needs once" in description(client.get("/passport/needs/new"))


def scripts(page: TestResponse) -> list[str]:
    return [
        str(tag["src"]).rsplit("/", 1)[-1] for tag in pages.soup(page).find_all("script", src=True)
    ]


def test_htmx_loads_only_where_a_page_uses_it(
    client: FlaskClient, mailbox: Mailbox, demo_directory
):
    """htmx is the heaviest script: only the directory's live search needs it."""
    assert any(name.startswith("htmx.min.") for name in scripts(get(client, "/directory")))
    for path in ("/", "/sign-in", "/directory/services/debt-advice-drop-in", "/leave-quickly"):
        assert not any(name.startswith("htmx.min.") for name in scripts(get(client, path))), path
        assert any(name.startswith("app.") for name in scripts(get(client, path))), path
    journeys.sign_up(client, mailbox, "htmx-check@example.org")
    assert not any(name.startswith("htmx.min.") for name in scripts(get(client, "/passport")))


def test_passkey_buttons_are_laid_out_before_the_first_paint(client: FlaskClient):
    """A class set in <head> shows the passkey parts at once: no layout shift when app.js runs."""
    page = get(client, "/sign-in")
    soup = pages.soup(page)
    head_script = next(
        tag for tag in soup.head.find_all("script") if not tag.get("src") and tag.string
    )
    assert "np-passkeys" in head_script.string
    assert head_script.get("nonce")
    styles = soup.head.style.string or ""
    assert ".np-passkeys [data-passkey-only][hidden] { display: block !important; }" in styles
    assert soup.find(attrs={"data-passkey-only": True}).has_attr(
        "hidden"
    )  # still hidden without JavaScript
