"""Security headers, in one place. Each has its own test in tests/test_security_headers.py."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


STATIC_FILE_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            # The page's stylesheet is inline (passport/assets.py): only with this nonce.
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def static_error(status: int) -> Response:
    """A plain error for /static/: no layout, so nothing of the person who asked (their
    navigation, a CSRF token) can end up in a cache."""
    text = _("Page not found") if status == 404 else _("Sorry, there is a problem with the service")
    return Response(text, status, mimetype="text/plain")


def origin_of(url: str) -> str:
    """scheme://host[:port], as a browser writes it in an Origin header."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = "" if parts.port in (None, DEFAULT_PORTS.get(parts.scheme)) else f":{parts.port}"
    return f"{parts.scheme}://{host}{port}"


def cross_site_reason(own_origins: set[str]) -> str | None:
    """Why this request came from another site, or None if it came from ours (or says nothing).

    Sec-Fetch-Site decides when the browser sends it. Without it, Origin must be ours. Under
    `Referrer-Policy: no-referrer` browsers send `Origin: null` on our own form posts, so a
    null Origin proves nothing either way: the CSRF token still decides.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return None
        return f"The request came from another site (Sec-Fetch-Site: {fetch_site})."
    origin = request.headers.get("Origin")
    if origin is None or origin == "null" or origin in own_origins:
        return None
    return "The request came from another site (Origin does not match)."


class HeaderMap(Protocol):
    """Werkzeug's headers (the app's responses) or wsgiref's (WhiteNoise's)."""

    def __setitem__(self, name: str, value: str) -> None: ...


def common_headers(headers: HeaderMap, policy: str, secure: bool) -> None:
    """What every response carries, whether the app or WhiteNoise (static files) sends it."""
    headers["Content-Security-Policy"] = policy
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # Share links carry their token in the path: never leak it in a Referer header.
    headers["Referrer-Policy"] = "no-referrer"
    headers["Permissions-Policy"] = PERMISSIONS
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"


def file_headers(app: Flask) -> Callable[[HeaderMap, str, str], None]:
    """The headers of a static file WhiteNoise serves (it sets the caching itself): those of
    every response, with a policy that allows nothing inline, as a file needs no nonce."""
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))

    def add(headers: HeaderMap, path: str, url: str) -> None:
        common_headers(headers, STATIC_FILE_POLICY, secure)

    return add


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    base_origin = origin_of(app.config["SETTINGS"].base_url)

    @app.before_request
    def refuse_cross_site_changes() -> None:
        # Flask-WTF's Referer check is off (WTF_CSRF_SSL_STRICT): we send no Referer, to keep
        # share tokens out of logs. This takes its place; the CSRF token is checked as well.
        if request.method not in STATE_CHANGING:
            return
        # Behind a proxy, PASSPORT_PROXY_HOPS makes host_url's scheme the browser's.
        reason = cross_site_reason({base_origin, request.host_url.rstrip("/")})
        if reason:
            raise CSRFError(reason)

    @app.before_request
    def refuse_nul_bytes() -> None:
        # No text we keep may hold a NUL (PostgreSQL refuses it): a clear 400, not a 500.
        values = [request.path, *request.args.values()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.values()
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        common_headers(headers, content_security_policy(csp_nonce()), secure)
        headers.add("Vary", "HX-Request")
        if request.endpoint == "static":
            # Only the files themselves may be kept by shared caches: an error under
            # /static/ (a made-up file name) must never be stored and served to others.
            if response.status_code in (200, 206, 304):
                headers["Cache-Control"] = "public, max-age=86400"
            else:
                headers["Cache-Control"] = "no-store"
            headers.remove("Set-Cookie")
        elif g.get("personal_page") or response.mimetype == "text/html":
            # Pages are rendered per person and per language: no cache, shared or private,
            # may keep them. Only static files and the service worker's offline page are cached.
            headers["Cache-Control"] = "no-store"
        return response
