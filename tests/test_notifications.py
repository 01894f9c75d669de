"""Notifications: GOV.UK Notify beside SMTP (against a local stand-in of its HTTP API), the
outbox's retries and back-off, `passport jobs run`, texts instead of e-mails, and notices."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from passport import notify
from passport.database import db
from passport.needs.models import Passport
from passport.notices import service as notices
from passport.notices.models import ContactPreference, Notice
from tests.conftest import FrozenClock
from tests.support import journeys, pages, scenarios
from tests.support.journeys import post_form
from tests.support.mailbox import BUSY_DOMAIN, REFUSED_DOMAIN, Mailbox, free_port
from tests.support.notify_stand_in import (
    API_KEY,
    EMAIL_TEMPLATE,
    SERVICE_ID,
    SMS_TEMPLATE,
    NotifyStandIn,
    notify_stand_in,
)

MOBILE, MOBILE_E164 = "07912 345678", "+447912345678"


@pytest.fixture(scope="session")
def notify_api() -> Iterator[NotifyStandIn]:
    with notify_stand_in() as stand_in:
        yield stand_in


_made: list[Flask] = []


def app_on(app: Flask, **changes: object) -> Flask:
    """Another app on the same database, with other settings (closed after the test)."""
    from passport import create_app

    settings = dataclasses.replace(app.config["SETTINGS"], **changes)
    other = create_app({"SETTINGS": settings, "TESTING": True})
    other.test_client_class = pages.CheckedClient
    _made.append(other)
    return other


@pytest.fixture(autouse=True)
def _close_other_apps() -> Iterator[None]:
    """Each app has its own connection pool: closed here, not left to the garbage collector
    (an open PostgreSQL connection collected later warns, and warnings are errors)."""
    yield
    while _made:
        other = _made.pop()
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def notify_app(app: Flask, notify_api: NotifyStandIn, clock: FrozenClock) -> Iterator[Flask]:
    """The same database; e-mail and texts through (the stand-in of) GOV.UK Notify; both
    apps on one frozen clock."""
    notify_api.clear()
    other = app_on(
        app,
        mail_transport="notify",
        text_transport="notify",
        notify_api_key=API_KEY,
        notify_base_url=notify_api.base_url,
        notify_email_template_id=EMAIL_TEMPLATE,
        notify_sms_template_id=SMS_TEMPLATE,
    )
    own = app.extensions["clock"]
    app.extensions["clock"] = other.extensions["clock"] = clock
    yield other
    app.extensions["clock"] = own
    notify_api.clear()


def outbox(app: Flask) -> list[notify.OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(notify.OutboxMessage)).all()
        db.session.expunge_all()
        return list(rows)


def queue_email(app: Flask, to: str, subject: str = "Hello", body: str = "A body") -> None:
    """Queue an e-mail outside any request, as a job or a command would, and commit it."""
    with app.app_context():
        notify.queue(notify.Email(to=to, subject=subject, body=body))
        db.session.commit()


# What the chasers job (passport/chasers) says when no referral is due a chaser.
NO_CHASERS = "chasers: 0 reminded, 0 escalated\n"


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def the_passport(app: Flask) -> uuid.UUID:
    with app.app_context():
        return db.session.scalars(select(Passport.id)).one()


def tell(app: Flask, name: str = "referral_update", **ids: uuid.UUID) -> None:
    """What a referral update does: tell the resident, outside a request, and send."""
    with app.app_context():
        passport = db.session.get_one(Passport, the_passport(app))
        notices.tell_resident(passport, name, referral_id=ids.get("referral_id", uuid.uuid4()))
        db.session.commit()
        notify.send_pending()


def choose_texts(client: FlaskClient, number: str = MOBILE):
    return post_form(client, "/account/contact", {"channel": "sms", "phone": number})


# GOV.UK Notify, e-mail and texts -----------------------------------------------------------


def test_email_goes_through_notify_with_one_generic_template(
    notify_app: Flask, notify_api: NotifyStandIn
):
    response = post_form(notify_app.test_client(), "/sign-in", {"email": "sam@example.net"})
    assert response.status_code == 302
    (sent,) = notify_api.sent
    assert (sent.channel, sent.to, sent.template_id) == ("email", "sam@example.net", EMAIL_TEMPLATE)
    # The subject and body are ours, in the template's two placeholders.
    assert sent.subject == "Your sign-in request"
    assert "http://localhost/sign-up" in sent.body
    assert notify_api.refused == []
    (message,) = outbox(notify_app)
    assert message.sent_at is not None and message.payload_sealed is None


def test_texts_go_through_notify_and_say_nothing_personal(
    app: Flask, notify_app: Flask, notify_api: NotifyStandIn, client, mailbox
):
    story, name = scenarios.marker(), scenarios.marker()
    journeys.sign_up(client, mailbox, "texts@example.net")
    journeys.add_need(client, "money", f"I owe {story}")
    journeys.add_about(client, name=f"Sam {name}")
    assert choose_texts(client).status_code == 302
    mailbox.clear()
    referral_id = uuid.uuid4()

    tell(notify_app, referral_id=referral_id)

    (sent,) = notify_api.sent
    assert (sent.channel, sent.to, sent.template_id) == ("sms", MOBILE_E164, SMS_TEMPLATE)
    assert sent.body == (
        "An organisation has replied to a referral you made. Sign in to see the update: "
        f"http://localhost/referrals/{referral_id}"
    )
    for marker in (story, name, "money", "debt", "texts@example.net"):
        assert marker not in sent.body
    assert mailbox.messages == []  # texts instead of e-mail, not as well
    assert notify_api.refused == []


def test_a_resident_who_chose_email_is_emailed_with_nothing_personal(
    app: Flask, notify_app: Flask, notify_api: NotifyStandIn, client, mailbox
):
    story = scenarios.marker()
    journeys.sign_up(client, mailbox, "emails@example.net")
    journeys.add_need(client, "money", f"I owe {story}")
    referral_id = uuid.uuid4()

    tell(notify_app, referral_id=referral_id)

    (sent,) = notify_api.sent
    assert (sent.channel, sent.to) == ("email", "emails@example.net")
    assert sent.subject == "There is an update"
    assert f"http://localhost/referrals/{referral_id}" in sent.body
    assert story not in sent.body and "money" not in sent.body.lower()


def test_a_key_notify_does_not_know_is_refused_and_the_message_given_up(
    app: Flask, notify_api: NotifyStandIn, notify_app: Flask
):
    # Notify checks the JWT the client signs with the key's secret: a wrong secret is 403.
    wrong = API_KEY[:-36] + str(uuid.uuid4())
    with_wrong_key = app_on(notify_app, notify_api_key=wrong)
    post_form(with_wrong_key.test_client(), "/sign-in", {"email": "sam@example.net"})
    assert notify_api.sent == []
    assert notify_api.refused == ["Invalid token: signature, api token not found"]
    (message,) = outbox(notify_app)
    assert message.failed_at is not None and message.attempts == 1
    assert message.last_error == "Notify 403 (permanent)"
    assert message.payload_sealed is None and message.wrapped_key is None


def test_the_stand_in_checks_the_service_id(notify_api: NotifyStandIn):
    # The control for the test above: the same secret under another service id is refused.
    from notifications_python_client.errors import HTTPError
    from notifications_python_client.notifications import NotificationsAPIClient

    other_service = API_KEY.replace(SERVICE_ID, str(uuid.uuid4()))
    client = NotificationsAPIClient(other_service, base_url=notify_api.base_url)
    with pytest.raises(HTTPError) as refused:
        client.send_email_notification(
            "a@example.net", EMAIL_TEMPLATE, {"subject": "s", "body": "b"}
        )
    assert refused.value.status_code == 403
    assert notify_api.refused[-1] == "Invalid token: service not found"


@pytest.mark.parametrize("status", [400, 403])
def test_a_permanent_refusal_is_given_up_at_once(
    notify_app: Flask, notify_api: NotifyStandIn, clock: FrozenClock, status: int
):
    notify_api.answer_next_with(status)
    post_form(notify_app.test_client(), "/sign-in", {"email": "sam@example.net"})
    (message,) = outbox(notify_app)
    assert (message.attempts, message.failed_at) == (1, clock.now)
    assert message.next_attempt_at is None
    assert message.last_error == f"Notify {status} (permanent)"
    assert message.payload_sealed is None  # nothing kept of what will never be sent

    clock.advance(days=1)
    assert run(notify_app, "jobs", "run").output == "outbox: sent 0, failed 0\n" + NO_CHASERS
    assert notify_api.sent == []
    listed = run(notify_app, "mail", "failed").output
    assert f"after 1 try: Notify {status} (permanent)" in listed
    assert "sam@example.net" not in listed


@pytest.mark.parametrize("status", [429, 500])
def test_a_passing_refusal_is_tried_again_after_a_wait(
    notify_app: Flask, notify_api: NotifyStandIn, clock: FrozenClock, status: int
):
    notify_api.answer_next_with(status)
    post_form(notify_app.test_client(), "/sign-in", {"email": "sam@example.net"})
    (message,) = outbox(notify_app)
    assert message.attempts == 1 and message.failed_at is None
    assert message.next_attempt_at == clock.now + timedelta(minutes=5)
    assert message.last_error == f"HTTPError {status}"
    assert message.payload_sealed is not None

    clock.advance(minutes=4)
    assert run(notify_app, "jobs", "run").output == "outbox: sent 0, failed 0\n" + NO_CHASERS
    clock.advance(minutes=1)
    assert run(notify_app, "jobs", "run").output == "outbox: sent 1, failed 0\n" + NO_CHASERS
    (sent,) = notify_api.sent
    assert sent.to == "sam@example.net" and sent.subject == "Your sign-in request"


def test_notify_unreachable_is_tried_again(app: Flask, notify_app: Flask, clock: FrozenClock):
    down = app_on(notify_app, notify_base_url=f"http://127.0.0.1:{free_port()}")
    down.extensions["clock"] = clock
    post_form(down.test_client(), "/sign-in", {"email": "sam@example.net"})
    (message,) = outbox(notify_app)
    assert message.attempts == 1 and message.failed_at is None
    assert message.next_attempt_at == clock.now + timedelta(minutes=5)


def test_the_waits_double_up_to_a_cap(notify_app: Flask, notify_api, clock: FrozenClock):
    assert [notify.retry_delay(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40, 80, 160, 240, 240)
    ]
    notify_api.answer_next_with(500, 500, 500)
    queue_email(notify_app, "sam@example.net")
    started = clock.now
    for wait in (0, 5, 10, 20):
        clock.advance(minutes=wait)
        run(notify_app, "jobs", "run")
    (message,) = outbox(notify_app)
    assert message.sent_at == started + timedelta(minutes=35)
    assert message.attempts == 3
    assert len(notify_api.sent) == 1


# SMTP: a 5xx reply is final, a 4xx is not ------------------------------------------------


def test_smtp_permanent_and_passing_refusals(app: Flask, mailbox: Mailbox, clock: FrozenClock):
    own = app.extensions["clock"]
    app.extensions["clock"] = clock
    try:
        queue_email(app, f"nobody{REFUSED_DOMAIN}")
        queue_email(app, f"later{BUSY_DOMAIN}")
        assert (
            run(app, "jobs", "run").output
            == "outbox: sent 0, failed 2, gave up on 1\n" + NO_CHASERS
        )
    finally:
        app.extensions["clock"] = own
    by_error = {m.last_error: m for m in outbox(app)}
    assert set(by_error) == {"SMTP 550 (permanent)", "SMTPRecipientsRefused"}
    assert by_error["SMTP 550 (permanent)"].failed_at is not None
    busy = by_error["SMTPRecipientsRefused"]
    assert busy.failed_at is None and busy.next_attempt_at == clock.now + timedelta(minutes=5)


# passport jobs run -------------------------------------------------------------------------


def test_jobs_run_twice_sends_nothing_twice(
    notify_app: Flask, notify_api: NotifyStandIn, clock: FrozenClock
):
    queue_email(notify_app, "one@example.net")
    queue_email(notify_app, "two@example.net")
    notify_api.answer_next_with(500)  # the first one fails once

    first = run(notify_app, "jobs", "run")
    assert first.exit_code == 0, first.output
    assert first.output == "outbox: sent 1, failed 1\n" + NO_CHASERS
    assert run(notify_app, "jobs", "run").output == "outbox: sent 0, failed 0\n" + NO_CHASERS
    clock.advance(minutes=5)
    assert run(notify_app, "jobs", "run").output == "outbox: sent 1, failed 0\n" + NO_CHASERS
    assert run(notify_app, "jobs", "run").output == "outbox: sent 0, failed 0\n" + NO_CHASERS
    assert sorted(s.to for s in notify_api.sent) == ["one@example.net", "two@example.net"]


def test_jobs_run_names_an_unknown_job(notify_app: Flask):
    result = run(notify_app, "jobs", "run", "--only", "nightly")
    assert result.exit_code == 1
    assert "No job is named 'nightly'. Jobs: outbox, chasers." in result.output


def test_a_failing_job_does_not_stop_the_others(app: Flask, mailbox: Mailbox):
    from passport import jobs

    other = app_on(app)

    def broken(now):
        raise RuntimeError("broken")

    jobs.add(other, "broken", broken)
    queue_email(other, "after@example.net")
    result = run(other, "jobs", "run")
    assert result.exit_code == 1
    assert (
        result.output
        == "outbox: sent 1, failed 0\n" + NO_CHASERS + "broken: failed: RuntimeError\n"
    )
    assert mailbox.last_to("after@example.net")


# How we contact you ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter a UK mobile number, or choose email"),
        ("0791234", "Enter a UK mobile number, like 07700 900 982"),
        ("call me", "Enter a UK mobile number, like 07700 900 982"),
        ("+33 6 12 34 56 78", "Enter a UK mobile number: we cannot send texts to other countries"),
        ("020 7946 0000", "Enter a mobile number: we cannot send texts to a landline"),
    ],
)
def test_a_number_we_cannot_text_is_refused_and_what_was_typed_kept(
    client, mailbox, typed: str, error: str
):
    journeys.sign_up(client, mailbox, "phone@example.net")
    response = choose_texts(client, typed)
    assert response.status_code == 200
    assert pages.error_summary(response) == [error]
    assert pages.field_error(response, "phone") == error
    assert pages.title(response).startswith("Error: How we contact you")
    assert pages.field_value(response, "phone") == typed
    assert pages.checked_values(response, "channel") == ["sms"]


def test_choosing_texts_then_email_again(client, mailbox, app: Flask):
    journeys.sign_up(client, mailbox, "choose@example.net")
    assert "We email you when there is an update." in pages.text(client.get("/account"))
    response = choose_texts(client, "+44 7912 345 678")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    details = pages.soup(client.get("/account")).find(id="contact-choice")
    assert "We send you a text message at 07912 345678" in details.get_text()
    page = client.get("/account/contact")
    assert pages.checked_values(page, "channel") == ["sms"]
    assert pages.field_value(page, "phone") == MOBILE

    back = post_form(client, "/account/contact", {"channel": "email", "phone": MOBILE})
    assert back.status_code == 302
    assert "We email you when there is an update." in pages.text(client.get("/account"))
    with app.app_context():
        (preference,) = db.session.scalars(select(ContactPreference)).all()
        assert preference.channel == "email"
        assert preference.phone_sealed is not None  # kept, sealed, for next time
        assert MOBILE_E164.encode() not in preference.phone_sealed


def test_with_texts_off_there_is_nothing_to_choose(app: Flask, client, mailbox):
    off = app_on(app, text_transport="off")
    browser = off.test_client()
    journeys.sign_up(browser, mailbox, "off@example.net")
    page = browser.get("/account/contact")
    assert "We can only contact you by email at the moment." in pages.text(page)
    assert pages.soup(page).find("main").find("form") is None
    account = pages.text(browser.get("/account"))
    assert "We email you when there is an update." in account
    assert "Change how we contact you" not in account


# Notices -----------------------------------------------------------------------------------


def unread_in_header(client: FlaskClient) -> str | None:
    found = pages.soup(client.get("/passport")).find(id="unread-notices")
    return found.get_text(" ", strip=True) if found else None


def test_notices_are_counted_in_the_header_and_marked_read_when_seen(
    app: Flask, client, mailbox, clock: FrozenClock
):
    journeys.sign_up(client, mailbox, "notices@example.net")
    assert unread_in_header(client) is None
    assert pages.soup(client.get("/passport")).find(id="notices-link") is not None
    first, second = uuid.uuid4(), uuid.uuid4()
    own = app.extensions["clock"]
    app.extensions["clock"] = clock
    try:
        tell(app, referral_id=first)
        clock.advance(minutes=1)
        tell(app, "link_locked", referral_id=second)
    finally:
        app.extensions["clock"] = own
    assert unread_in_header(client) == "2 unread"

    page = client.get("/notices")
    assert page.status_code == 200
    items = pages.soup(page).select("#notices li")
    assert [(i.find("a").get_text(strip=True), i.find("a")["href"]) for i in items] == [
        ("A link you shared has been locked", f"/referrals/{second}"),
        ("An organisation has replied to a referral you made", f"/referrals/{first}"),
    ]
    assert all("New" in item.get_text() for item in items)
    assert unread_in_header(client) is None  # seen: read

    again = pages.soup(client.get("/notices")).select("#notices li")
    assert len(again) == 2 and not any("New" in item.get_text() for item in again)
    with app.app_context():
        assert db.session.scalars(select(Notice.read_at)).all() != [None, None]


def test_notices_are_only_the_residents_own(app: Flask, client, org_client, mailbox):
    journeys.sign_up(client, mailbox, "mine@example.net")
    tell(app)
    journeys.sign_up(org_client, mailbox, "theirs@example.net")
    assert unread_in_header(org_client) is None
    assert "You have no notices." in pages.text(org_client.get("/notices"))
    assert unread_in_header(client) == "1 unread"


def test_anyone_signed_out_sees_no_notices(client, app: Flask):
    assert pages.soup(client.get("/")).find(id="notices-link") is None
    response = client.get("/notices")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_the_header_count_is_one_query(app: Flask, client, mailbox):
    from sqlalchemy import event

    journeys.sign_up(client, mailbox, "count@example.net")
    tell(app)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/directory")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200
    assert unread_in_header(client) == "1 unread"
    on_notices = [s for s in statements if "notices" in s]
    assert len(on_notices) == 1, on_notices
    assert "count(" in on_notices[0].lower()


def test_with_texts_turned_off_a_resident_who_chose_texts_is_emailed(app: Flask, client, mailbox):
    journeys.sign_up(client, mailbox, "fallback@example.net")
    assert choose_texts(client).status_code == 302
    mailbox.clear()
    referral_id = uuid.uuid4()

    tell(app_on(app, text_transport="off"), referral_id=referral_id)

    email = mailbox.last_to("fallback@example.net")
    assert email.subject == "There is an update"
    assert f"http://localhost/referrals/{referral_id}" in email.body
