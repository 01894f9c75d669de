"""Pages that belong to no one capability: start, language, leaving quickly, offline, manifest,
service worker."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    render_template_string,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from passport import safety
from passport.access import public
from passport.config import ROOT
from passport.forms import keep_for_language, safe_next
from passport.health import check_database
from passport.i18n import LANGUAGES, LOCALE_COOKIE

bp = Blueprint("core", __name__)


def init_app(app: Flask) -> None:
    """These pages; and the static files, which anyone may fetch."""
    app.register_blueprint(bp)
    app.view_functions["static"] = public(app.view_functions["static"])


@bp.get("/")
@public
def start() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # Signed in for work: the work pages (a staff account has no passport).
        return redirect(url_for("staff.home" if current_user.is_staff else "needs.passport"))
    return render_template("start.html")


@bp.post("/language")
@public
def language() -> ResponseReturnValue:
    chosen = request.form.get("lang", "")
    # The header's switch sends `next` with it; a form's own switch sends it in the address.
    target = safe_next(request.form.get("next") or request.args.get("next"), url_for("core.start"))
    keep_for_language(target)
    response = redirect(target)
    if chosen in LANGUAGES:
        response.set_cookie(
            LOCALE_COOKIE,
            chosen,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
        if current_user.is_authenticated:
            current_user.locale = chosen
    return response


@bp.get("/signed-out")
@public
def signed_out() -> ResponseReturnValue:
    return render_template("signed_out.html")


@bp.get("/leave-quickly")
@public
def leave_quickly() -> ResponseReturnValue:
    return render_template("leave_quickly.html", topics=safety.SENSITIVE)


@bp.get("/offline")
@public
def offline() -> ResponseReturnValue:
    return render_template("offline.html")


@bp.get("/manifest.webmanifest")
@public
def manifest() -> ResponseReturnValue:
    icons = [
        {
            "src": url_for("static", filename="icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
        },
        {
            "src": url_for("static", filename="icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
        },
        {
            "src": url_for("static", filename="icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {
            "src": url_for("static", filename="icons/icon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        },
    ]
    response = jsonify(
        name=_("Needs Passport"),
        short_name=_("Passport"),
        description=_("Record your needs once and share them on your terms."),
        start_url="/?source=pwa",
        scope="/",
        display="standalone",
        background_color="#ffffff",
        theme_color="#1d70b8",
        icons=icons,
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
@public
def service_worker() -> ResponseReturnValue:
    # A template: it names this release's content-hashed static files (passport/assets.py).
    source = (ROOT / "service_worker" / "sw.js").read_text(encoding="utf-8")
    response = make_response(render_template_string(source))
    response.mimetype = "text/javascript"
    response.add_etag()
    response.make_conditional(request)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/healthz")
@public
def health() -> ResponseReturnValue:
    check_database()
    return {"status": "ok"}
