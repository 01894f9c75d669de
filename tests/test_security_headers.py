"""One test per security header, and the session cookie's flags."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from passport.database import db
from tests.conftest import make_settings
from tests.support import journeys, pages, scenarios
from tests.support.mailbox import Mailbox

SESSION_COOKIE = "passport_session"


@pytest.fixture
def production_app(
    app: Flask, instance_dir: Path, database_url: str, mailbox: Mailbox
) -> Iterator[Flask]:
    """The same app configured as in production (PASSPORT_ENV=production)."""
    from passport import create_app

    settings = make_settings(instance_dir, database_url, mailbox.port, env="production")
    application = create_app({"SETTINGS": settings, "TESTING": True})
    application.test_client_class = pages.CheckedClient
    yield application
    with application.app_context():
        db.engine.dispose()


def get(client: FlaskClient, path: str, **kwargs: object) -> TestResponse:
    """GET a page and close it, so file responses (static, sw.js) leave no open file."""
    response = client.get(path, **kwargs)  # type: ignore[arg-type]
    response.get_data()
    response.close()
    return response


def csp(response: TestResponse) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def csp_nonce(response: TestResponse) -> str:
    sources = csp(response)["script-src"]
    nonces = [s for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1, sources
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


def header_values(response: TestResponse, name: str) -> list[str]:
    return [
        value.strip()
        for line in response.headers.getlist(name)
        for value in line.split(",")
        if value.strip()
    ]


def cache_directives(response: TestResponse) -> set[str]:
    return {value.lower() for value in header_values(response, "Cache-Control")}


def set_cookie(response: TestResponse, name: str) -> list[str]:
    """The attributes of one Set-Cookie header, lower-cased, without the value."""
    for line in response.headers.getlist("Set-Cookie"):
        if line.startswith(f"{name}="):
            return [part.strip().lower() for part in line.split(";")[1:]]
    raise AssertionError(f"No {name} cookie set: {response.headers.getlist('Set-Cookie')}")


# Content-Security-Policy


def test_csp_nonce_is_new_on_every_request_and_carried_by_every_script(client: FlaskClient):
    first, second = client.get("/"), client.get("/")
    nonce_one, nonce_two = csp_nonce(first), csp_nonce(second)
    assert nonce_one != nonce_two
    assert len(nonce_one) >= 16
    for response, nonce in ((first, nonce_one), (second, nonce_two)):
        scripts = pages.soup(response).find_all("script")
        assert scripts, "The page has no scripts to check"
        assert {script.get("nonce") for script in scripts} == {nonce}


def test_csp_allows_no_inline_code_eval_or_other_origins(client: FlaskClient):
    for path in ("/", "/sign-in", "/directory", "/sw.js", "/static/app.css"):
        policy = get(client, path).headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy, path
        assert "unsafe-eval" not in policy, path
        assert "unsafe-hashes" not in policy, path
        assert "*" not in policy, path
        assert "http:" not in policy and "https:" not in policy, path
    directives = csp(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] in (["'none'"], ["'self'"])
    assert directives["form-action"] == ["'self'"]


# The other headers, one test each


def test_x_content_type_options(client: FlaskClient):
    for path in ("/", "/static/app.js", "/sw.js", "/manifest.webmanifest", "/no-such-page"):
        assert get(client, path).headers["X-Content-Type-Options"] == "nosniff", path


def test_x_frame_options(client: FlaskClient):
    assert client.get("/").headers["X-Frame-Options"] == "DENY"


def test_referrer_policy_is_no_referrer(client: FlaskClient, mailbox, demo_directory):
    # Share links carry their token in the path: a Referer header would leak it.
    referred = scenarios.resident_with_referral(client, mailbox)
    assert client.get("/").headers["Referrer-Policy"] == "no-referrer"
    assert client.get(referred.share_link).headers["Referrer-Policy"] == "no-referrer"


def test_permissions_policy_turns_off_powerful_features(client: FlaskClient):
    policy = client.get("/").headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features.get(feature) == "()", (feature, policy)


def test_cross_origin_opener_policy(client: FlaskClient):
    assert client.get("/").headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cross_origin_resource_policy(client: FlaskClient):
    for path in ("/", "/static/app.css"):
        assert get(client, path).headers["Cross-Origin-Resource-Policy"] == "same-origin", path


def test_vary_on_hx_request_for_pages_and_fragments(client: FlaskClient):
    full = client.get("/directory?q=advice")
    fragment = client.get(
        "/directory?q=advice", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert not fragment.get_data(as_text=True).lstrip().lower().startswith("<!doctype")
    for response in (full, fragment, client.get("/")):
        assert "hx-request" in {value.lower() for value in header_values(response, "Vary")}


def test_personal_pages_are_never_stored(client: FlaskClient, mailbox):
    journeys.sign_up(client, mailbox, "cache@example.net")
    for path in ("/passport", "/passport/about", "/passport/needs/new", "/referrals"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in cache_directives(response), path
        body = pages.soup(response).find("body")
        assert body is not None and body.get("hx-history") == "false", path


def test_share_pages_are_never_stored(client, org_client, mailbox, demo_directory):
    referred = scenarios.resident_with_referral(client, mailbox)
    asking = org_client.get(referred.share_link)
    assert "no-store" in cache_directives(asking)
    journeys.open_share_as_org(org_client, mailbox, scenarios.ORG_EMAIL)
    shared = org_client.get(referred.share_link)
    assert referred.story in pages.text(shared)
    assert "no-store" in cache_directives(shared)
    code_page = org_client.get(f"{referred.share_link}/code")
    assert "no-store" in cache_directives(code_page)


def test_static_files_may_be_cached(client: FlaskClient):
    for path in ("/static/app.css", "/static/app.js", "/static/vendor/htmx.min.js"):
        response = get(client, path)
        assert response.status_code == 200, path
        directives = cache_directives(response)
        assert "no-store" not in directives and "no-cache" not in directives, path
        ages = [int(d.split("=", 1)[1]) for d in directives if d.startswith("max-age=")]
        assert ages and ages[0] > 0, (path, directives)


def test_a_missing_static_file_is_not_cached_and_shows_nothing_personal(client, mailbox):
    # Web cache deception: a made-up file name under /static/ must not make a shared cache
    # keep a page rendered for the person who asked.
    journeys.sign_up(client, mailbox, "static@example.net")
    assert "Sign out" in pages.text(client.get("/passport"))
    for path in ("/static/missing.css", "/static/passport.css", "/static/x/../../passport"):
        response = get(client, path)
        assert response.status_code == 404, path
        directives = cache_directives(response)
        assert "no-store" in directives, (path, directives)
        assert "public" not in directives, path
        assert response.headers.getlist("Set-Cookie") == [], path
        body = response.get_data(as_text=True)
        assert "Page not found" in body, path
        for personal in ("Sign out", "Your passport", "/sign-out", "csrf"):
            assert personal not in body, (path, personal)
    posted = client.post("/static/app.css")
    assert posted.status_code == 404
    assert "no-store" in cache_directives(posted)
    assert posted.headers.getlist("Set-Cookie") == []
    # The files themselves stay cacheable, with no cookie.
    found = get(client, "/static/app.css")
    assert found.status_code == 200
    assert "public" in cache_directives(found)
    assert found.headers.getlist("Set-Cookie") == []


def test_service_worker_scope_and_freshness(client: FlaskClient):
    response = get(client, "/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    directives = cache_directives(response)
    assert "no-cache" in directives
    assert not any(d.startswith("max-age=") and d != "max-age=0" for d in directives)


def test_no_strict_transport_security_when_not_secure(client: FlaskClient):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_strict_transport_security_in_production(production_app: Flask):
    header = production_app.test_client().get("/").headers["Strict-Transport-Security"]
    max_age = re.search(r"max-age=(\d+)", header)
    assert max_age and int(max_age.group(1)) >= 60 * 60 * 24 * 365
    assert "includesubdomains" in header.lower()


# Cookies


def test_session_cookie_is_http_only_and_same_site_lax(client: FlaskClient):
    flags = set_cookie(client.get("/sign-in"), SESSION_COOKIE)
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags


def test_session_cookie_is_secure_in_production(production_app: Flask):
    flags = set_cookie(production_app.test_client().get("/sign-in"), SESSION_COOKIE)
    assert {"httponly", "samesite=lax", "secure"} <= set(flags)


def test_language_cookie_is_http_only_and_secure_in_production(production_app: Flask):
    browser = production_app.test_client()
    page = browser.get("/", base_url="https://localhost")
    chosen = browser.post(
        "/language",
        data={"csrf_token": pages.csrf_token(page), "lang": "cy", "next": "/"},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/"},
    )
    assert chosen.status_code == 302
    assert {"httponly", "samesite=lax", "secure"} <= set(set_cookie(chosen, "lang"))
