"""Domain errors: what a service refuses, said without Flask.

Services raise these instead of calling `abort`; the handlers registered here turn them
into the matching error page, or into JSON for the API (paths under /api/). A capability
that answers one of its own errors differently (a redirect, say) registers a handler for
that class, and asks `is_api_request()` first.
"""

from __future__ import annotations

from typing import ClassVar

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.http import HTTP_STATUS_CODES

API_PREFIX = "/api/"
# The error pages there are (templates/errors/<status>.html); any other status shows 400.
PAGES = (400, 404, 410)


class DomainError(Exception):
    """A request the domain refuses. `status` is the HTTP answer, `code` the API's word."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "refused"
    # What the API says in words; an error that knows more sets its own.
    message: str = "The request was refused."


class NotFoundError(DomainError):
    """Not there, or someone else's: one answer for both, so it never confirms that a thing
    exists."""

    status = 404
    code = "not-found"
    message = "Not found."


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def as_json(code: str, status: int, message: str) -> ResponseReturnValue:
    """An API error: its HTTP status, a word for programs, a sentence for people."""
    return jsonify(status=status, error=code, message=message), status


def status_as_json(status: int) -> ResponseReturnValue:
    """An HTTP error (no such path, say) as the API answers it: 404 is 'not-found'."""
    name = HTTP_STATUS_CODES.get(status, "Error")
    return as_json(name.lower().replace(" ", "-"), status, f"{name}.")


def domain_error(error: DomainError) -> ResponseReturnValue:
    if is_api_request():
        return as_json(error.code, error.status, error.message)
    page = error.status if error.status in PAGES else 400
    return render_template(f"errors/{page}.html"), error.status
