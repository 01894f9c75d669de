"""The application factory: read it as a table of contents."""

from __future__ import annotations

from typing import Any, Protocol

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from passport import (
    accounts,
    assets,
    chasers,
    clock,
    commands,
    compression,
    config,
    contact_links,
    directory,
    eligibility,
    errors,
    feedback,
    forms,
    i18n,
    inbox,
    links,
    listings,
    needs,
    notices,
    notify,
    organisations,
    referrals,
    safety,
    security,
    sessions,
    sharing,
    staff,
    taxonomy,
    testing,
    unit_of_work,
    vault,
    views,
    wellbeing,
)
from passport.extensions import babel, csrf, db, htmx, limiter, login_manager
from passport.i18n import LANGUAGES, select_locale, text_direction
from passport.models import load_all


class Capability(Protocol):
    """A package for one thing a person does; its init_app registers its blueprint, error
    handlers, template globals and commands."""

    def init_app(self, app: Flask) -> None: ...


# The pages that belong to no one capability first, then each capability: adding one is
# adding it here. (Sharing's own pages are the resident's "Shared with" page and its consent
# receipts; the organisation's side of a share lives in organisations.)
CAPABILITIES: tuple[Capability, ...] = (
    views,
    accounts,
    needs,
    directory,
    eligibility,
    sharing,
    referrals,
    organisations,
    notices,
    staff,
    inbox,
    chasers,
    feedback,
    listings,
    wellbeing,
)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    configure(app, overrides or {})
    clock.init_app(app)
    compression.init_app(app)  # first, so that it compresses the finished page
    init_extensions(app)
    vault.init_app(app)
    init_jinja(app)
    assets.init_app(app)
    for capability in CAPABILITIES:
        capability.init_app(app)
    testing.init_app(app)  # only under PASSPORT_TESTING
    register_error_handlers(app)
    security.init_app(app)
    commands.init_app(app)
    return app


def configure(app: Flask, overrides: dict[str, Any]) -> None:
    settings = overrides.pop("SETTINGS", None) or config.load_settings()
    app.config.update(config.flask_config(settings))
    app.config.update(overrides)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )


def init_extensions(app: Flask) -> None:
    load_all()  # every model, so relationships named by string resolve
    sessions.init_app(app)
    db.init_app(app)
    unit_of_work.init_app(app)
    notify.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.init_app(app)
    login_manager.init_app(app)


def init_jinja(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.globals.update(
        get_locale=get_locale,
        languages=LANGUAGES,
        text_direction=text_direction,
        categories=taxonomy.CATEGORIES,
        phone_link=contact_links.phone_link,
        email_link=contact_links.email_link,
    )
    app.jinja_env.filters["section_name"] = taxonomy.section_name
    safety.init_app(app)
    forms.init_app(app)
    links.init_app(app)
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def register_error_handlers(app: Flask) -> None:
    def render_error(status: int) -> ResponseReturnValue:
        template = status if status in (400, 404, 410, 413, 429) else 500
        return render_template(f"errors/{template}.html"), status

    errors.init_app(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_template("errors/csrf.html", typed=forms.typed_to_copy()), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        # Unhandled exceptions arrive here as InternalServerError (outside testing).
        if error.code and error.code < 400:
            return error
        status = 404 if error.code == 405 else error.code or 500
        if errors.is_api_request():
            return errors.status_as_json(status)
        if request.endpoint == "static":
            return security.static_error(status)
        return render_error(status)
