"""The community directory: organisations, services, search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The search pages, the directory's text helpers for templates, and its commands."""
    from passport.directory import cli, service
    from passport.directory.views import bp

    app.register_blueprint(bp)
    # Directory text keeps its own language on pages in another one (see content_lang).
    app.add_template_global(service.content_lang)
    app.add_template_global(service.content_text)
    app.cli.add_command(cli.demo)
    app.cli.add_command(cli.org)
    app.cli.add_command(cli.directory_group)
