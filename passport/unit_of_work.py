"""One unit of work per request: what a request changes is committed once, after it has
succeeded (an answer below 400), and rolled back when it fails or answers with an error.
Views and services do not commit.

A few changes are kept early on purpose: what must stay written even if the request then
fails or answers with an error (a spent passkey challenge, a counted try at a code). They
call `commit_now()` and say why, where they do it.

An error handler that turns an exception into a redirect must `roll_back()` first: its
answer is below 400, so what the failed view had changed would otherwise be committed.
"""

from __future__ import annotations

from flask import Flask, Response

from passport.database import db


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_discard)


def commit_now() -> None:
    """Commit before the request ends, on purpose. Say why where you call it."""
    db.session.commit()


def roll_back() -> None:
    """Keep nothing this request has changed so far (not yet committed): for an error
    handler that answers an exception with a redirect."""
    db.session.rollback()


def _finish(response: Response) -> Response:
    if not db.session.registry.has():
        return response  # this request never used the database (a static file, say)
    # A commit that fails raises here, so the request still ends as a server error.
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _discard(error: BaseException | None) -> None:
    # An exception no handler answered (the after_request step above never ran for it).
    if error is not None and db.session.registry.has():
        db.session.rollback()
