"""Security headers, in one place. Each has its own test in tests/test_security_headers.py."""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, g, request
from flask_babel import gettext as _

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
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


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))

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
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # Share links carry their token in the path: never leak it in a Referer header.
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = PERMISSIONS
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if secure:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
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
