"""The `passport` command an administrator runs: organisations, demo data, e-mail, database."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select

from passport import notify
from passport.database import db
from passport.directory.models import Organisation, Service
from tests.conftest import FrozenClock
from tests.support import pages
from tests.support.journeys import post_form
from tests.support.mailbox import free_port


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def organisations(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (o.slug, o.name, o.referral_email)
            for o in db.session.scalars(select(Organisation).order_by(Organisation.slug))
        ]


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception


# org create -----------------------------------------------------------------------------------


def test_org_create_adds_an_organisation(app):
    result = run(
        app,
        "org",
        "create",
        "--name",
        "Riverside Tenants' Association",
        "--email",
        "referrals@riverside-tenants.example",
        "--website",
        "https://riverside-tenants.example",
        "--phone",
        "01632 960999",
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Added Riverside Tenants' Association (riverside-tenants-association).\n"
    )
    assert organisations(app) == [
        (
            "riverside-tenants-association",
            "Riverside Tenants' Association",
            "referrals@riverside-tenants.example",
        )
    ]
    with app.app_context():
        added = db.session.scalar(select(Organisation))
        assert added is not None
        assert (added.website, added.phone) == ("https://riverside-tenants.example", "01632 960999")


def test_org_create_takes_a_slug(app):
    result = run(
        app, "org", "create", "--name", "Riverside Tenants", "--email", "a@example.org",
        "--slug", "rta",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert organisations(app) == [("rta", "Riverside Tenants", "a@example.org")]


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.org", "", "name@"])
def test_org_create_rejects_a_bad_email(app, email):
    result = run(app, "org", "create", "--name", "Riverside Tenants", "--email", email)
    assert result.exit_code == 2
    assert "Invalid value for --email: " in result.output
    assert_no_traceback(result)
    assert organisations(app) == []


def test_org_create_rejects_a_duplicate_slug(app):
    first = run(app, "org", "create", "--name", "Riverside Tenants", "--email", "a@example.org")
    assert first.exit_code == 0, first.output

    again = run(app, "org", "create", "--name", "Riverside  Tenants!", "--email", "b@example.org")
    assert again.exit_code == 1
    assert "riverside-tenants" in again.output
    assert "already" in again.output
    assert "--slug" in again.output
    assert "IntegrityError" not in again.output
    assert_no_traceback(again)
    assert organisations(app) == [("riverside-tenants", "Riverside Tenants", "a@example.org")]

    # The database is still usable after the failure.
    other = run(
        app, "org", "create", "--name", "Riverside Tenants", "--email", "b@example.org",
        "--slug", "riverside-tenants-2",
    )  # fmt: skip
    assert other.exit_code == 0, other.output
    assert len(organisations(app)) == 2


def test_org_create_rejects_a_slug_taken_by_the_demo_directory(app, demo_directory):
    result = run(
        app, "org", "create", "--name", "Someone else", "--email", "c@example.org",
        "--slug", "eastbridge-advice-centre",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "eastbridge-advice-centre" in result.output
    assert_no_traceback(result)
    names = [name for slug, name, _ in organisations(app) if slug == "eastbridge-advice-centre"]
    assert names == ["Eastbridge Advice Centre"]


CONTROL_CHARACTERS = ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028"]


@pytest.mark.parametrize("character", CONTROL_CHARACTERS)
@pytest.mark.parametrize("option", ["--name", "--email", "--slug", "--website", "--phone"])
def test_org_create_refuses_control_characters(app, option, character):
    values = {
        "--name": "Riverside Tenants",
        "--email": "a@example.org",
        "--slug": "riverside",
        "--website": "https://riverside.example",
        "--phone": "01632 960999",
    }
    values[option] = values[option][:3] + character + values[option][3:]
    result = run(app, "org", "create", *[item for pair in values.items() for item in pair])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: " in result.output
    assert "holds a control character (U+" in result.output
    assert "organisation 'Riv" in result.output
    assert_no_traceback(result)
    assert organisations(app) == []


# demo load ------------------------------------------------------------------------------------


def test_demo_load_prints_counts_and_is_safe_to_run_again(app):
    first = run(app, "demo", "load")
    assert first.exit_code == 0, first.output
    assert first.output == (
        "Added 15 organisations and 40 services (40 services in the directory).\n"
        "Loaded 137 Eastbridge postcodes.\n"
    )

    again = run(app, "demo", "load")
    assert again.exit_code == 0, again.output
    assert again.output == (
        "Added 0 organisations and 0 services (40 services in the directory).\n"
        "Loaded 137 Eastbridge postcodes.\n"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Service)) == 40


def test_demo_load_moves_the_review_dates_on_to_the_day_it_runs(app, frozen_clock):
    """The demo's listings stay as recently reviewed as on the day its file was made, however
    long after it is loaded: most recent, three stale, one hidden from referral."""
    from passport.directory import importer, listing

    made_on = date.fromisoformat(json.loads(importer.DEMO_LOCAL.read_text())["made_on"])
    records = json.loads(importer.DEMO_FILE.read_text(encoding="utf-8"))
    ages = {
        uuid.UUID(s["id"]): made_on - date.fromisoformat(s["assured_date"])
        for record in records
        for s in record["services"]
    }

    def loaded_ages() -> dict[uuid.UUID, timedelta]:
        today = frozen_clock.now.date()
        with app.app_context():
            return {s.id: today - s.reviewed_on for s in db.session.scalars(select(Service))}

    def stale() -> tuple[int, int]:
        with app.app_context():
            found = listing.stale_listings(None)
            return len(found), sum(f.hidden for f in found)

    frozen_clock.now = datetime.combine(made_on + timedelta(days=400), time(10), UTC)
    first = run(app, "demo", "load")
    assert first.exit_code == 0, first.output
    assert "Updated" not in first.output
    assert loaded_ages() == ages
    assert stale() == (3, 1)

    same_day = run(app, "demo", "load")
    assert same_day.output.startswith(
        "Added 0 organisations and 0 services (40 services in the directory).\nLoaded "
    )

    frozen_clock.advance(days=30)
    later = run(app, "demo", "load")
    assert later.exit_code == 0, later.output
    assert later.output.splitlines()[1] == (
        "Updated 15 organisations and 40 services: review dates moved on 430 days from the "
        "file's, as if reviewed as recently as when it was made."
    )
    assert loaded_ages() == ages
    assert stale() == (3, 1)


def test_demo_load_refuses_control_characters_and_loads_nothing(app, tmp_path, monkeypatch):
    from passport.directory import importer

    raw = json.loads(importer.DEMO_FILE.read_text(encoding="utf-8"))
    raw[-1]["services"][0]["name"] += "\r\nBcc: someone@example.net"
    broken = tmp_path / "directory.hsds.json"
    broken.write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(importer, "DEMO_FILE", broken)

    result = run(app, "demo", "load")
    assert result.exit_code == 1
    service_id = raw[-1]["services"][0]["id"]
    assert "Nothing was loaded." in result.output
    assert f"service {service_id}: $.name: holds a control character (U+000D)" in result.output
    assert_no_traceback(result)
    assert organisations(app) == []


# mail send ------------------------------------------------------------------------------------


@pytest.fixture
def app_with_mail_down(app: Flask) -> Iterator[Flask]:
    """The same app and database, but its SMTP server is a port where nothing listens."""
    from passport import create_app

    settings = dataclasses.replace(app.config["SETTINGS"], smtp_port=free_port())
    down = create_app({"SETTINGS": settings, "TESTING": True})
    down.test_client_class = pages.CheckedClient
    yield down
    with down.app_context():
        db.session.remove()
        db.engine.dispose()


def outbox(app: Flask) -> list[tuple[int, bool, bool]]:
    """(attempts, sent, content kept) for each queued or sent message."""
    with app.app_context():
        return [
            (m.attempts, m.sent_at is not None, m.payload_sealed is not None)
            for m in db.session.scalars(select(notify.OutboxMessage))
        ]


@pytest.fixture
def one_clock(app: Flask, app_with_mail_down: Flask) -> Iterator[FrozenClock]:
    """Both apps (mail up, mail down) on one frozen clock, which the test moves."""
    frozen = FrozenClock()
    own = app.extensions["clock"], app_with_mail_down.extensions["clock"]
    app.extensions["clock"] = app_with_mail_down.extensions["clock"] = frozen
    yield frozen
    app.extensions["clock"], app_with_mail_down.extensions["clock"] = own


def test_mail_send_sends_what_failed_earlier_once_its_retry_is_due(
    app, app_with_mail_down, mailbox, one_clock
):
    # Someone asks for a sign-in link while the mail server is down: the page still works.
    browser = app_with_mail_down.test_client()
    response = post_form(browser, "/sign-in", {"email": "sam@example.net"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/check-your-email"
    assert outbox(app) == [(1, False, True)]
    assert mailbox.messages == []

    # Not before its retry is due (notify.FIRST_RETRY after the failed try).
    one_clock.advance(minutes=4, seconds=59)
    assert run(app, "mail", "send").output == "Sent 0 emails.\n"
    one_clock.advance(seconds=1)
    result = run(app, "mail", "send")
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 1 email.\n"
    email = mailbox.last_to("sam@example.net")
    assert email.subject == "Your sign-in request"
    # Once sent, the outbox keeps no address, link or code.
    assert outbox(app) == [(1, True, False)]

    again = run(app, "mail", "send")
    assert again.output == "Sent 0 emails.\n"
    assert len(mailbox.messages) == 1


def test_mail_send_backs_off_and_gives_up_after_eight_attempts(
    app, app_with_mail_down, mailbox, one_clock
):
    post_form(app_with_mail_down.test_client(), "/sign-in", {"email": "sam@example.net"})
    # The waits double from 5 minutes, up to 4 hours.
    for attempts, wait in zip(range(2, 9), (5, 10, 20, 40, 80, 160, 240), strict=True):
        one_clock.advance(minutes=wait - 1)
        early = run(app_with_mail_down, "mail", "send")
        assert early.output == "Sent 0 emails.\n", attempts
        one_clock.advance(minutes=1)
        result = run(app_with_mail_down, "mail", "send")
        assert result.exit_code == 0, result.output
        if attempts < 8:
            assert result.output == "Sent 0 emails.\nCould not send 1 email (the log says why).\n"
        else:
            assert result.output == (
                "Sent 0 emails.\nCould not send 1 email (the log says why).\n"
                "Gave up on 1 message: 'passport mail failed' lists them.\n"
            )
        # Once given up, nothing is kept of a message that will never be sent.
        assert outbox(app) == [(attempts, False, attempts < 8)]

    one_clock.advance(days=1)
    result = run(app, "mail", "send")
    assert result.output == "Sent 0 emails.\n"
    assert mailbox.messages == []
    listed = run(app, "mail", "failed")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[:2] == ["Waiting to be sent: 0 messages.", "Given up: 1 message."]
    assert "email" in lines[2] and "after 8 tries: ConnectionRefusedError" in lines[2]
    assert "sam@example.net" not in listed.output


def test_a_request_sends_only_its_own_mail(app, app_with_mail_down, mailbox, one_clock):
    # During an outage, later requests do not spend the earlier messages' tries.
    post_form(app_with_mail_down.test_client(), "/sign-in", {"email": "sam@example.net"})
    for _ in range(4):
        post_form(app_with_mail_down.test_client(), "/sign-in", {"email": "kim@example.net"})
    attempts = sorted(a for a, _sent, _kept in outbox(app))
    assert attempts == [1] * 5
    one_clock.advance(minutes=5)
    result = run(app, "mail", "send")
    assert result.output == "Sent 5 emails.\n"
    assert len(mailbox.messages) == 5


# db upgrade -----------------------------------------------------------------------------------


def test_db_upgrade_is_idempotent(app, demo_directory):
    with app.app_context():
        before = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    for _ in range(2):
        result = run(app, "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert result.output.endswith(f"The database is up to date (revision {newest()}).\n")
    with app.app_context():
        versions = db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
        assert versions == [before]
        assert db.session.scalar(select(func.count()).select_from(Service)) == 40


# One bad message never blocks the others ---------------------------------------------------


def queue(app: Flask, subject: str) -> None:
    with app.app_context():
        notify.queue(notify.Email(to="sam@example.net", subject=subject, body="Hello."))
        db.session.commit()


def spoil_payload(app: Flask) -> None:
    with app.app_context():
        message = db.session.scalar(select(notify.OutboxMessage))
        assert message is not None and message.payload_sealed is not None
        message.payload_sealed = message.payload_sealed[:-1] + bytes(
            [message.payload_sealed[-1] ^ 1]
        )
        db.session.commit()


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda app: queue(app, "An update\r\nBcc: someone@example.net"), id="header"),
        pytest.param(lambda app: (queue(app, "Will not open"), spoil_payload(app)), id="payload"),
    ],
)
def test_a_bad_message_does_not_stop_the_next(app, mailbox, frozen_clock, caplog, bad):
    bad(app)
    frozen_clock.advance(seconds=1)
    queue(app, "The next message")

    result = run(app, "mail", "send")
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 1 email.\nCould not send 1 email (the log says why).\n"
    assert [m.subject for m in mailbox.messages] == ["The next message"]
    # The bad one costs a try, like a mail server that is down, and is not sent in pieces.
    assert sorted(outbox(app)) == [(0, True, False), (1, False, True)]
    assert "not sent" in caplog.text
    for personal in ("sam@example.net", "someone@example.net", "Bcc", "Will not open"):
        assert personal not in caplog.text


# A newcomer's first commands ------------------------------------------------------------------


def scripts():
    """The migrations as alembic reads them (no app needed)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from passport.config import ROOT

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def newest() -> str:
    head = scripts().get_current_head()
    assert head
    return head


@pytest.fixture
def unmigrated(engine_name: str, tmp_path, mailbox) -> Iterator[Flask]:
    """The app on a database no one has run 'passport db upgrade' on."""
    from passport import create_app
    from tests.conftest import make_settings
    from tests.support import database

    with database.fresh_database(engine_name, tmp_path) as url:
        settings = make_settings(tmp_path, url, mailbox.port)
        application = create_app({"SETTINGS": settings, "TESTING": True})
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


DATABASE_COMMANDS = [
    ("demo", "load"),
    ("directory", "stale"),
    ("directory", "export", "{tmp}/directory.json"),
    ("directory", "import", "{demo}"),
    ("directory", "postcodes", "import", "{postcodes}"),
    ("org", "create", "--name", "Riverside", "--email", "help@riverside.example"),
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_a_command_before_db_upgrade_says_to_run_it(unmigrated, tmp_path, command):
    from passport.directory import importer, postcodes

    files = {"tmp": tmp_path, "demo": importer.DEMO_FILE, "postcodes": postcodes.DEMO_FILE}
    result = run(unmigrated, *(part.format(**files) for part in command))
    assert result.exit_code == 1
    assert result.output == (
        "Error: The database is empty: run 'passport db upgrade' first. Nothing was changed.\n"
    )
    assert_no_traceback(result)
    assert not (tmp_path / "directory.json").exists()


def test_a_command_on_a_database_behind_the_code_says_to_upgrade(unmigrated):
    older = scripts().get_revision(newest()).down_revision
    assert run(unmigrated, "db", "upgrade", str(older)).output.endswith(
        f"The database is at revision {older} (the newest is {newest()}).\n"
    )
    result = run(unmigrated, "demo", "load")
    assert result.exit_code == 1
    assert f"The database is at revision {older}, not {newest()}: run 'passport db upgrade'" in (
        result.output
    )
    assert_no_traceback(result)

    upgraded = run(unmigrated, "db", "upgrade")
    assert upgraded.output.endswith(f"The database is up to date (revision {newest()}).\n")
    assert run(unmigrated, "demo", "load").exit_code == 0


def test_export_to_a_folder_that_is_not_there_says_so(app, tmp_path):
    missing = tmp_path / "not-there" / "directory.json"
    result = run(app, "directory", "export", str(missing))
    assert result.exit_code == 1
    assert result.output == f"Error: Could not write {missing}: No such file or directory.\n"
    assert_no_traceback(result)
