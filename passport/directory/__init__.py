"""The community directory: organisations, services, search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The search pages, the directory's text helpers for templates, and its commands."""
    from passport import parts
    from passport.directory import cli, listing, service
    from passport.directory.api import bp as api
    from passport.directory.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api)  # the public, read-only API under /api/ (Open Referral UK)
    # Directory text keeps its own language on pages in another one (see content_lang).
    app.add_template_global(service.content_lang)
    app.add_template_global(service.content_text)
    # A listing's capacity, freshness and whether it can be referred to (directory/listing.py):
    # templates/directory/_listing_status.html asks listing_status(service).
    app.add_template_global(listing.listing_status)
    app.add_template_global(listing.referral_refusal)
    parts.add(
        app,
        "directory.service",
        parts.Part("directory/_responsiveness.html", listing.service_page_responsiveness, "above"),
    )
    app.cli.add_command(cli.demo)
    app.cli.add_command(cli.org)
    app.cli.add_command(cli.directory_group)
