"""The application factory: read it as a table of contents."""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from passport import (
    access,
    assets,
    compression,
    config,
    crypto,
    forms,
    i18n,
    notify,
    safety,
    security,
    sessions,
    unit_of_work,
)
from passport.extensions import babel, csrf, db, htmx, limiter, login_manager
from passport.i18n import LANGUAGES, select_locale, text_direction
from passport.models import load_all
from passport.referrals.service import StatusChangedError


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    configure(app, overrides or {})
    compression.init_app(app)  # first, so that it compresses the finished page
    init_extensions(app)
    init_keyring(app)
    init_jinja(app)
    assets.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    security.init_app(app)
    register_cli(app)
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
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Sign in to see that page.")
    login_manager.login_message_category = "info"

    from passport.accounts.service import get_account

    login_manager.user_loader(get_account)


def init_keyring(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions["keyring"] = crypto.load_keyring(settings.keyring, settings.key_file)


def init_jinja(app: Flask) -> None:
    from passport import contact_links, taxonomy

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
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def register_blueprints(app: Flask) -> None:
    from passport import views
    from passport.accounts.views import bp as accounts
    from passport.directory.views import bp as directory
    from passport.needs.views import bp as needs
    from passport.organisations.views import bp as organisations
    from passport.referrals.views import bp as referrals
    from passport.sharing.views import bp as sharing

    for blueprint in (views.bp, accounts, needs, directory, referrals, sharing, organisations):
        app.register_blueprint(blueprint)
    app.view_functions["static"] = access.public(app.view_functions["static"])


def register_error_handlers(app: Flask) -> None:
    def render_error(status: int) -> ResponseReturnValue:
        template = status if status in (400, 404, 410, 413, 429) else 500
        return render_template(f"errors/{template}.html"), status

    @app.errorhandler(StatusChangedError)
    def status_changed(error: StatusChangedError) -> ResponseReturnValue:
        # Someone moved the referral on first (a double click, a colleague, the resident
        # withdrawing): keep nothing of this request and show where it stands now.
        db.session.rollback()
        token = (request.view_args or {}).get("token")
        if token:
            return redirect(url_for("organisations.open_link", token=token))
        return redirect(url_for("referrals.detail", referral_id=error.args[0]))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_template("errors/csrf.html", typed=forms.typed_to_copy()), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        # Unhandled exceptions arrive here as InternalServerError (outside testing).
        if error.code and error.code < 400:
            return error
        status = 404 if error.code == 405 else error.code or 500
        if request.endpoint == "static":
            return security.static_error(status)
        return render_error(status)


def register_cli(app: Flask) -> None:
    from passport.cli import register

    register(app)
