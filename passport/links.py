"""Full addresses of pages, for e-mails: the configured base URL and the route's path.

E-mail templates call `external_url` themselves, so the services that queue an e-mail
pass only what the link needs (a token, an id) and never build a URL: they also run where
there is no request to build one from (a command, a job).
"""

from __future__ import annotations

from flask import Flask, current_app


def init_app(app: Flask) -> None:
    app.jinja_env.globals["external_url"] = external_url


def external_url(endpoint: str, **values: object) -> str:
    # The route's path alone (the host is the base URL's), with or without a request.
    adapter = current_app.url_map.bind("base-url.invalid")
    return str(current_app.config["SETTINGS"].base_url) + adapter.build(endpoint, values)
