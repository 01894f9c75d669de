"""One unit of work per request: a request that succeeds is committed once, after the view;
one that fails or answers with an error keeps nothing; and mail goes only once what queued
it is committed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from passport import notify, unit_of_work
from passport.access import public
from passport.database import db
from passport.directory import service as directory
from passport.directory.models import Organisation
from tests.conftest import make_settings
from tests.support.mailbox import Mailbox

TO = "someone@example.net"


def _write(slug: str) -> None:
    """A row and an e-mail, both in the request's transaction."""
    directory.create_organisation("Test organisation", "org@example.org", slug=slug)
    notify.queue(notify.Email(to=TO, subject=f"About {slug}", body="Hello."))


@pytest.fixture
def routes_app(app: Flask, instance_dir: Path, database_url: str, mailbox: Mailbox) -> Flask:
    """The real application, with a few routes that change something and then end in
    different ways. (`app` first: it migrates the database this one shares.)"""
    from passport import create_app

    settings = make_settings(instance_dir, database_url, mailbox.port)
    application = create_app({"SETTINGS": settings, "TESTING": True, "WTF_CSRF_ENABLED": False})

    @application.post("/test/ok")
    @public
    def ok() -> ResponseReturnValue:
        _write("ok")
        return "done"

    @application.post("/test/refused")
    @public
    def refused() -> ResponseReturnValue:
        _write("refused")
        return "no", 409

    @application.post("/test/not-found")
    @public
    def not_found() -> ResponseReturnValue:
        _write("not-found")
        abort(404)

    @application.post("/test/raises")
    @public
    def raises() -> ResponseReturnValue:
        _write("raises")
        raise RuntimeError("a bug")

    @application.post("/test/kept-then-refused")
    @public
    def kept_then_refused() -> ResponseReturnValue:
        _write("kept")
        unit_of_work.commit_now()
        _write("after")
        return "no", 409

    @application.post("/test/kept-then-raises")
    @public
    def kept_then_raises() -> ResponseReturnValue:
        _write("kept")
        unit_of_work.commit_now()
        _write("after")
        raise RuntimeError("a bug")

    @application.post("/test/commit-fails")
    @public
    def commit_fails() -> ResponseReturnValue:
        _write("twice")
        # A second row with the same slug: the commit after the view is refused.
        directory.create_organisation("Another", "other@example.org", slug="twice")
        return "done"

    return application


@pytest.fixture
def routes(routes_app: Flask) -> Iterator[FlaskClient]:
    yield routes_app.test_client()
    with routes_app.app_context():
        db.engine.dispose()


def saved(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Organisation.slug)))


def outbox_size(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(notify.OutboxMessage)) or 0


def test_a_request_that_succeeds_is_committed_and_its_mail_sent(routes, routes_app, mailbox):
    assert routes.post("/test/ok").status_code == 200
    assert saved(routes_app) == {"ok"}
    assert [m.subject for m in mailbox.to(TO)] == ["About ok"]


@pytest.mark.parametrize("path, status", [("/test/refused", 409), ("/test/not-found", 404)])
def test_a_request_that_answers_with_an_error_keeps_nothing_and_sends_nothing(
    routes, routes_app, mailbox, path, status
):
    assert routes.post(path).status_code == status
    assert saved(routes_app) == set()
    assert outbox_size(routes_app) == 0
    assert mailbox.messages == []


def test_a_request_that_raises_keeps_nothing_and_sends_nothing(routes, routes_app, mailbox):
    with pytest.raises(RuntimeError):
        routes.post("/test/raises")
    assert saved(routes_app) == set()
    assert outbox_size(routes_app) == 0
    assert mailbox.messages == []


def test_a_request_that_raises_outside_testing_shows_the_error_page_and_keeps_nothing(
    routes, routes_app, mailbox
):
    routes_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = routes.post("/test/raises")
    assert response.status_code == 500
    assert saved(routes_app) == set()
    assert mailbox.messages == []


def test_what_is_committed_on_purpose_stays_and_its_mail_goes(routes, routes_app, mailbox):
    assert routes.post("/test/kept-then-refused").status_code == 409
    assert saved(routes_app) == {"kept"}
    assert [m.subject for m in mailbox.to(TO)] == ["About kept"]


def test_what_is_committed_on_purpose_stays_when_the_request_then_raises(
    routes, routes_app, mailbox
):
    with pytest.raises(RuntimeError):
        routes.post("/test/kept-then-raises")
    assert saved(routes_app) == {"kept"}
    assert [m.subject for m in mailbox.to(TO)] == ["About kept"]


def test_no_mail_goes_for_a_change_whose_commit_failed(routes, routes_app, mailbox):
    routes_app.config["PROPAGATE_EXCEPTIONS"] = False
    assert routes.post("/test/commit-fails").status_code == 500
    assert saved(routes_app) == set()
    assert outbox_size(routes_app) == 0
    assert mailbox.messages == []
