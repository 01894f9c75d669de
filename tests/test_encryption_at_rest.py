"""A copy of the database alone reveals no need and no name.

Unique markers go in through the web pages, as a resident and an organisation would type
them; then the raw database (SQLite file and write-ahead log, or every PostgreSQL row) is
searched for them. They must not be there, nor in the app's logs or in any e-mail, and
they must still come back on the resident's own pages.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask
from flask.testing import FlaskClient

from passport import crypto, vault
from passport.database import db
from passport.needs.models import Passport
from passport.referrals.models import Referral
from tests.support import journeys, pages, scenarios
from tests.support.mailbox import Mailbox

# The test's own SMTP server logs what it receives: that is the organisation's inbox, not
# the app's logs.
NOT_THE_APP = ("mail.log",)


def uk_mobile_marker() -> str:
    """A mobile number no other test writes: 079 and eight random digits, valid for texts."""
    import phonenumbers

    while True:
        number = "079" + str(uuid.uuid4().int)[:8]
        parsed = phonenumbers.parse(number, "GB")
        if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE:
            return number


@dataclass(frozen=True)
class Written:
    markers: dict[str, str]
    email: str
    referral_id: uuid.UUID


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    # SQLAlchemy quietens its own loggers at import; turn on its SQL log, with parameters
    # and rows, as someone debugging in production might.
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    return caplog


@pytest.fixture
def written(
    client: FlaskClient,
    org_client: FlaskClient,
    mailbox: Mailbox,
    demo_directory: None,
) -> Written:
    """Everything a resident and an organisation write, each part with its own marker."""
    markers = {
        name: scenarios.marker()
        for name in (
            "email",
            "story",
            "name",
            "phone",
            "contact",
            "message",
            "reason",
            "org_message",
            "resident_message",
        )
    }
    markers["phone"] = "07" + str(uuid.uuid4().int)[:13]  # a phone number is digits
    email = f"{markers['email']}@example.net"
    journeys.sign_up(client, mailbox, email)
    added = journeys.add_need(client, "money", f"I owe {markers['story']} on my rent")
    assert added.status_code == 302
    about = journeys.post_form(
        client,
        "/passport/about",
        {
            "name": f"Sam {markers['name']}",
            "phone": markers["phone"][:20],
            "contact_preference": f"Text {markers['contact']}",
        },
    )
    assert about.status_code == 302
    # Updates by text, to a UK mobile number: sealed too, in the form typed and as stored.
    markers["mobile"] = uk_mobile_marker()
    markers["mobile_e164"] = "+44" + markers["mobile"][1:]
    texts = journeys.post_form(
        client, "/account/contact", {"channel": "sms", "phone": markers["mobile"]}
    )
    assert texts.status_code == 302
    referral = journeys.refer(
        client, scenarios.SERVICE, ["about", "money"], f"Mornings {markers['message']}"
    )
    link = journeys.open_share_as_org(org_client, mailbox, scenarios.ORG_EMAIL)
    seen_by_org = pages.text(org_client.get(link))
    assert markers["story"] in seen_by_org and markers["name"] in seen_by_org
    # Messages both ways, each e-mailed to the other side without its words.
    replied = journeys.post_form(
        org_client, f"{link}/message", {"body": f"Call us {markers['org_message']}"}
    )
    assert replied.status_code == 302
    added = journeys.post_form(
        client, f"{referral}/message", {"body": f"Also {markers['resident_message']}"}
    )
    assert added.status_code == 302
    assert markers["resident_message"] in pages.text(org_client.get(link))
    declined = journeys.post_form(
        org_client, f"{link}/decline", {"reason": f"We are full {markers['reason']}"}
    )
    assert declined.status_code == 302
    markers["phone"] = markers["phone"][:20]
    return Written(markers, email, uuid.UUID(referral.rsplit("/", 1)[1]))


def test_what_was_written_comes_back_to_the_resident(
    written: Written, client: FlaskClient, mailbox: Mailbox
):
    passport = pages.text(client.get("/passport"))
    for name in ("story", "name", "phone", "contact"):
        assert written.markers[name] in passport, name
    referral = pages.text(client.get(f"/referrals/{written.referral_id}"))
    assert written.markers["message"] in referral
    assert written.markers["reason"] in referral
    assert written.markers["org_message"] in referral
    assert written.markers["resident_message"] in referral
    typed = pages.field_value(client.get("/account/contact"), "phone")
    assert typed.replace(" ", "") == written.markers["mobile"]
    # The resident chose texts: the decline was told by text (to the number sealed above,
    # opened again in a later request) and by a notice, sealed too; never by e-mail.
    assert [m for m in mailbox.to(written.email) if "update" in m.subject] == []
    notices = pages.text(client.get("/notices"))
    assert "An organisation has declined a referral you made" in notices


def sqlite_files(app: Flask) -> tuple[Path, Path]:
    with app.app_context():
        database = Path(db.engine.url.database or "")
    return database, Path(f"{database}-wal")


def raw_sqlite(app: Flask) -> bytes:
    database, wal = sqlite_files(app)
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def raw_postgresql(app: Flask) -> bytes:
    """Every row of every table as text, and every binary column's bytes as they are."""
    dump = []
    with app.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            name = connection.dialect.identifier_preparer.quote(table.name)
            rows = connection.execute(sa.text(f"SELECT t::text FROM {name} t")).scalars()
            dump.extend(row.encode() for row in rows)
            binary = [c for c in table.columns if isinstance(c.type, sa.LargeBinary)]
            for column in binary:
                values = connection.execute(sa.select(column)).scalars()
                dump.extend(bytes(value) for value in values if value is not None)
    return b"\n".join(dump)


def assert_no_marker(raw: bytes, written: Written, where: str) -> None:
    # The positive control: the scan sees the rows just written (ids are stored plain).
    assert written.referral_id.hex.encode() in raw or str(written.referral_id).encode() in raw
    found = [name for name, marker in written.markers.items() if marker.encode() in raw]
    assert found == [], f"{where} holds {found} in plain text"


def test_the_database_holds_no_marker(written: Written, app: Flask, engine_name: str):
    with app.app_context():
        db.session.remove()
    if engine_name == "postgresql":
        assert_no_marker(raw_postgresql(app), written, "PostgreSQL")
        return
    database, wal = sqlite_files(app)
    # As it is: the newest rows are still in the write-ahead log.
    assert wal.exists() and wal.stat().st_size > 0
    assert_no_marker(raw_sqlite(app), written, "the SQLite file and its WAL")
    # And once the log is copied into the database file.
    with app.app_context(), db.engine.connect() as connection:
        busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    assert busy == 0
    assert wal.stat().st_size == 0
    assert_no_marker(database.read_bytes(), written, "the checkpointed SQLite file")


def test_reasons_and_outcomes_on_the_timeline_are_sealed(
    app: Flask,
    client: FlaskClient,
    org_client: FlaskClient,
    mailbox: Mailbox,
    demo_directory: None,
    engine_name: str,
):
    """A hold's reason, a completion's outcome and words, and a withdrawal's reason name
    the person's need: sealed under the passport's key, as messages are."""
    from passport.referrals.models import ReferralEvent

    markers = {name: scenarios.marker() for name in ("hold", "outcome", "withdraw")}
    first = scenarios.resident_with_referral(client, mailbox)
    link = journeys.open_share_as_org(org_client, mailbox, scenarios.ORG_EMAIL)
    assert journeys.post_form(org_client, f"{link}/accept", {}).status_code == 302
    held = journeys.post_form(org_client, f"{link}/hold", {"reason": f"Wait {markers['hold']}"})
    assert held.status_code == 302
    done = journeys.post_form(
        org_client,
        f"{link}/complete",
        {"outcome": "referred-on", "details": f"Sent on {markers['outcome']}"},
    )
    assert done.status_code == 302
    second = journeys.refer(client, scenarios.OTHER_SERVICE, ["money"])
    withdrawn = journeys.post_form(
        client, f"{second}/withdraw", {"reason": f"No longer {markers['withdraw']}"}
    )
    assert withdrawn.status_code == 302
    page = pages.text(client.get(first.referral)) + pages.text(client.get(second))
    assert all(marker in page for marker in markers.values())
    with app.app_context():
        noted = db.session.scalars(
            sa.select(ReferralEvent.id).where(ReferralEvent.note_sealed.is_not(None))
        ).all()
        assert len(noted) == 3
        db.session.remove()
    raw = raw_postgresql(app) if engine_name == "postgresql" else raw_sqlite(app)
    for row_id in noted:  # the positive control: the rows are in the scan
        assert row_id.hex.encode() in raw or str(row_id).encode() in raw
    assert [name for name, marker in markers.items() if marker.encode() in raw] == []
    assert b"referred-on" not in raw, "the outcome's code is sealed too"


def test_sealed_lengths_do_not_say_which_need_or_which_parts(
    app: Flask, client: FlaskClient, mailbox: Mailbox, demo_directory: None
):
    """A sealed category or set of shared parts is as long as any other."""
    journeys.sign_up(client, mailbox, f"{scenarios.marker()}@example.net")
    for category in ("money", "domestic_abuse"):
        assert journeys.add_need(client, category, "Since March.").status_code == 302
    journeys.refer(client, scenarios.SERVICE, ["about"])
    journeys.refer(client, scenarios.SERVICE, ["about", "money"])
    with app.app_context(), db.engine.connect() as connection:
        stored = {
            table: connection.execute(sa.text(f"SELECT {column} FROM {table}")).scalars().all()
            for table, column in (
                ("needs", "category_sealed"),
                ("referrals", "sections_sealed"),
                ("share_grants", "sections_sealed"),
            )
        }
    for table, values in stored.items():
        assert len(values) == 2, table
        assert len({len(bytes(value)) for value in values}) == 1, table


def sealed_before_padding(data_key: bytes, text: str, context: str) -> bytes:
    """A value as the first release sealed it: version 1, unpadded."""
    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(data_key).encrypt(nonce, text.encode(), context.encode())


def test_rows_sealed_before_padding_still_read(
    app: Flask, client: FlaskClient, mailbox: Mailbox, demo_directory: None
):
    journeys.sign_up(client, mailbox, f"{scenarios.marker()}@example.net")
    assert journeys.add_need(client, "money", "Since March.").status_code == 302
    path = journeys.refer(client, scenarios.SERVICE, ["about"])
    message = f"Written long ago {scenarios.marker()}"
    with app.app_context():
        referral = db.session.get(Referral, uuid.UUID(path.rsplit("/", 1)[1]))
        assert referral is not None
        key = vault.data_key(db.session.get_one(Passport, referral.passport_id))
        referral.sections_sealed = sealed_before_padding(
            key,
            json.dumps(["about", "money"]),
            crypto.associated_data("referrals", "sections", referral.id),
        )
        referral.message_sealed = sealed_before_padding(
            key, message, crypto.associated_data("referrals", "message", referral.id)
        )
        db.session.commit()
    page = pages.text(client.get(path))
    assert "About you" in page and "Money and debt" in page and message in page


def test_the_logs_hold_no_marker(debug_logs: pytest.LogCaptureFixture, written: Written):
    records = debug_logs.get_records("setup") + debug_logs.get_records("call")
    logged = "\n".join(
        record.getMessage() for record in records if not record.name.startswith(NOT_THE_APP)
    )
    # The capture works: the database's own debug log is in it (SQL, with sealed values).
    assert "INSERT INTO needs" in logged
    found = [name for name, marker in written.markers.items() if marker in logged]
    assert found == []


def test_emails_carry_no_personal_or_need_details(written: Written, mailbox: Mailbox):
    messages = mailbox.messages
    assert any(m.to == scenarios.ORG_EMAIL for m in messages)
    assert any(m.to == written.email for m in messages)
    for message in messages:
        for name, marker in written.markers.items():
            assert marker not in message.body, (name, message.subject)
            assert marker not in message.subject, (name, message.subject)


def test_the_database_does_not_say_whom_a_passport_was_referred_to(
    app, client, org_client, mailbox, demo_directory
):
    """A referral to a domestic abuse service would name a need: no row links the two."""
    import uuid as uuid_module

    import sqlalchemy as sa

    from passport.directory.models import Organisation, Service

    referred = scenarios.resident_with_referral(client, mailbox)
    code = journeys.request_code(org_client, referred.share_link, mailbox, scenarios.ORG_EMAIL)
    assert journeys.enter_code(org_client, referred.share_link, code).status_code == 302
    assert org_client.get(referred.share_link).status_code == 200  # an access event
    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.slug == scenarios.SERVICE))
        organisation = db.session.get(Organisation, service.organisation_id)
        secrets = [service.id, organisation.id]
        forms = {
            form
            for ident in secrets
            for form in (ident.bytes, ident.hex.encode(), str(ident).encode())
        }
        seen = 0
        for table in (
            "referrals",
            "referral_events",
            "referral_messages",
            "share_grants",
            "share_links",
            "access_events",
            "consent_receipts",
        ):
            for row in db.session.execute(sa.text(f"SELECT * FROM {table}")):
                for value in row:
                    seen += 1
                    if isinstance(value, uuid_module.UUID):
                        assert value not in secrets, table
                    raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
                    assert not any(form in bytes(raw) for form in forms), table
        assert seen > 20
    # The resident and the organisation still see whom it is with.
    assert scenarios.ORG_EMAIL and "Debt advice drop-in" in pages.text(
        client.get(referred.referral)
    )


def test_consent_receipts_are_sealed(app, client, mailbox, demo_directory, engine_name):
    """A receipt names the organisation, the service and the parts shared: all sealed, and
    the grant's purpose too; they come back on the resident's receipt page."""
    import re

    import sqlalchemy as sa

    scenarios.resident_with_referral(client, mailbox)
    shares = client.get("/passport/shares")
    (grant_id,) = scenarios.ids_in(shares, "/passport/shares/{id}/sections")
    changed = journeys.post_form(
        client, f"/passport/shares/{grant_id}/sections", {"sections": ["about"], "version": "1"}
    )
    assert changed.status_code == 302
    receipts = scenarios.ids_in(client.get("/passport/shares"), "/passport/shares/receipts/{id}")
    assert len(receipts) == 2
    page = pages.text(client.get(f"/passport/shares/receipts/{receipts[0]}"))
    assert "Eastbridge Advice Centre" in page and "Debt advice drop-in" in page
    secrets = [b"Eastbridge", b"Debt advice", b"money", b"about", b"subject"]
    with app.app_context():
        rows = [
            *db.session.execute(sa.text("SELECT * FROM consent_receipts")),
            *db.session.execute(sa.text("SELECT purpose_sealed FROM share_grants")),
        ]
    assert len(rows) == 3
    for row in rows:
        for value in row:
            raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            assert not any(secret in raw for secret in secrets), raw[:80]
    assert all(re.fullmatch(r"[0-9a-f-]{36}", r) for r in receipts)


def test_eligibility_answers_and_notes_are_sealed(
    app: Flask,
    client: FlaskClient,
    org_client: FlaskClient,
    mailbox: Mailbox,
    demo_directory: None,
    engine_name: str,
):
    """The answers to services' questions (age, postcode, yes/no/not sure) and the note an
    organisation reads on a borderline answer are sealed under the passport's key."""
    from passport.directory import postcodes
    from passport.eligibility.models import EligibilityAnswers, EligibilityNote

    with app.app_context():
        postcodes.import_csv(postcodes.DEMO_FILE)
    assert app.test_cli_runner().invoke(args=["demo", "questions"]).exit_code == 0
    journeys.sign_up(client, mailbox, f"{scenarios.marker()}@example.net")
    assert journeys.add_need(client, "food", "Since March.").status_code == 302
    journeys.answer_questions(client, "marsh-end-friendship-club", age="97", postcode="EB4 1DR")
    journeys.answer_questions(client, "food-parcel-home-delivery", answer="not-sure")
    journeys.refer(client, "food-parcel-home-delivery", ["about"])
    link = journeys.open_share_as_org(
        org_client, mailbox, "referrals@eastbridge-foodbank.example.org"
    )
    assert "Said not sure about" in pages.text(org_client.get(link))
    with app.app_context():
        answers_id = db.session.scalars(sa.select(EligibilityAnswers.id)).one()
        note_id = db.session.scalars(sa.select(EligibilityNote.id)).one()
        db.session.remove()
    raw = raw_postgresql(app) if engine_name == "postgresql" else raw_sqlite(app)
    for row_id in (answers_id, note_id):  # the positive control: the rows are in the scan
        assert row_id.hex.encode() in raw or str(row_id).encode() in raw
    for plain in (b'"age": 97', b'"postcode": "EB4', b'"circumstances"', b'"not-sure"', b'"kind"'):
        assert plain not in raw, plain
    # And they come back to the resident, to start the next referral from.
    page = client.get("/directory/services/marsh-end-friendship-club/refer/questions")
    assert pages.field_value(page, "age") == "97"
    assert pages.field_value(page, "postcode") == "EB4 1DR"


def test_staff_addresses_are_sealed(app, client, mailbox, demo_directory, engine_name):
    """A member of staff's work address, an invitation's address (pending and accepted), and
    the same address with a passport too: none of them is in the database as typed."""
    from passport.staff.models import StaffAccount, StaffInvitation
    from tests.support import staff

    markers = {name: scenarios.marker() for name in ("admin", "pending", "both")}
    admin, pending, both = (f"{marker}@example.org" for marker in markers.values())
    staff.join(app, client, mailbox, admin, "admin", "eastbridge-advice-centre")
    sent = journeys.post_form(
        client, "/staff/eastbridge-advice-centre/team", {"email": pending, "role": "staff"}
    )
    assert sent.status_code == 302
    journeys.sign_up(app.test_client(), mailbox, both)
    staff.join(app, app.test_client(), mailbox, both, "staff", "eastbridge-advice-centre")
    # The addresses come back, opened with each account's and invitation's own key.
    team = pages.text(client.get("/staff/eastbridge-advice-centre/team"))
    assert admin in team and pending in team and both in team
    with app.app_context():
        ids = list(db.session.scalars(sa.select(StaffAccount.id)))
        ids += list(db.session.scalars(sa.select(StaffInvitation.id)))
        db.session.remove()
    assert len(ids) == 5  # two staff accounts; three invitations
    raw = raw_postgresql(app) if engine_name == "postgresql" else raw_sqlite(app)
    for row_id in ids:  # the positive control: the rows are in the scan
        assert row_id.hex.encode() in raw or str(row_id).encode() in raw
    found = [name for name, marker in markers.items() if marker.encode() in raw]
    assert found == []


def test_chasers_do_not_say_whom_a_referral_was_to(
    app, client, mailbox, demo_directory, frozen_clock
):
    """A chased referral (reminded and escalated, the resident told): the chasers' rows,
    the notice and the outbox name neither the service nor the organisation."""
    from datetime import UTC, datetime

    from passport.directory.models import Organisation, Service
    from tests.support import staff

    staff.join(app, app.test_client(), mailbox, "directory@example.org", "directory-admin")
    frozen_clock.now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    scenarios.resident_with_referral(client, mailbox)
    frozen_clock.now = datetime(2026, 12, 21, 10, tzinfo=UTC)
    ran = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert ran.output.endswith("chasers: 1 reminded, 1 escalated\n"), ran.output
    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.slug == scenarios.SERVICE))
        organisation = db.session.get_one(Organisation, service.organisation_id)
        forms = {
            form
            for ident in (service.id, organisation.id)
            for form in (ident.bytes, ident.hex.encode(), str(ident).encode())
        } | {
            text.encode() for text in (service.name, organisation.name, organisation.referral_email)
        }
        rows = 0
        for table in ("referral_chasers", "notices", "outbox"):
            for row in db.session.execute(sa.text(f"SELECT * FROM {table}")):
                rows += table == "referral_chasers"
                for value in row:
                    raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
                    assert not any(form in bytes(raw) for form in forms), table
        db.session.remove()
    assert rows == 2


def test_the_inbox_does_not_say_whose_referral_or_to_which_service(
    app, client, org_client, mailbox, demo_directory
):
    """ADR 0010: an inbox entry names its organisation and day in plain, and nothing else
    that leads to the referral, its passport or its service; the rows that name the passport
    (the referral, its share, the look by the organisation's staff) still name neither the
    organisation nor the service."""
    from passport.directory.models import Organisation, Service
    from passport.inbox.models import InboxEntry
    from tests.support import staff

    org = "eastbridge-advice-centre"
    referred = scenarios.resident_with_referral(client, mailbox)
    staff.join(app, org_client, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", org)
    listed = org_client.get(f"/staff/{org}/referrals")
    entry = scenarios.ids_in(listed, r"/staff/" + org + r"/referrals/{id}")[0]
    shown = org_client.get(f"/staff/{org}/referrals/{entry}")
    assert referred.story in shown.get_data(as_text=True)  # a look by staff, logged
    # Only a date: no column of the inbox keeps the time a referral arrived.
    assert not any(isinstance(column.type, sa.DateTime) for column in InboxEntry.__table__.columns)
    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.slug == scenarios.SERVICE))
        organisation = db.session.get_one(Organisation, service.organisation_id)
        referral = db.session.scalar(sa.select(Referral))
        assert referral is not None

        def forms(*idents: uuid.UUID) -> set[bytes]:
            return {f for i in idents for f in (i.bytes, i.hex.encode(), str(i).encode())}

        whose = forms(referral.id, referral.passport_id)
        where = forms(service.id, organisation.id) | {
            text.encode() for text in (service.name, service.slug, organisation.name)
        }
        entries = db.session.execute(sa.text("SELECT * FROM inbox_entries")).mappings().all()
        assert len(entries) == 1
        for name, value in entries[0].items():
            raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
            assert not any(form in bytes(raw) for form in whose), name
            if name != "organisation_id":
                assert not any(form in bytes(raw) for form in where), name
        looks = 0
        for table in ("referrals", "referral_events", "share_grants", "access_events"):
            for row in db.session.execute(sa.text(f"SELECT * FROM {table}")).mappings():
                looks += table == "access_events" and bool(row["by_staff"])
                for name, value in row.items():
                    raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
                    assert not any(form in bytes(raw) for form in where), (table, name)
        assert looks == 1
        db.session.remove()


def test_feedback_is_sealed_and_does_not_say_whose_referral(
    app, client, org_client, mailbox, demo_directory, engine_name
):
    """Issue 10: the resident's answer is sealed on the referral; the organisation's copy
    names the organisation, the month and the score in plain, its words sealed, and nothing
    that leads to the referral, its passport or the day."""
    from passport.feedback.models import Feedback
    from tests.support import staff

    org = "eastbridge-advice-centre"
    referred = scenarios.resident_with_referral(client, mailbox)
    staff.join(app, org_client, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", org)
    entry = scenarios.ids_in(
        org_client.get(f"/staff/{org}/referrals"), r"/staff/" + org + r"/referrals/{id}"
    )[0]
    page = f"/staff/{org}/referrals/{entry}"
    journeys.post_form(org_client, f"{page}/accept", {})
    journeys.post_form(org_client, f"{page}/complete", {"outcome": "helped", "details": "done"})
    words = f"Feedback words {scenarios.marker()}"
    answered = client.post(
        f"{referred.referral}/feedback",
        data={
            "csrf_token": pages.csrf_token(client.get(referred.referral)),
            "score": "2",
            "words": words,
        },
    )
    assert answered.status_code == 302
    assert words in client.get(referred.referral).get_data(as_text=True)  # it was kept
    assert not any(isinstance(c.type, sa.DateTime | sa.Date) for c in Feedback.__table__.columns)
    with app.app_context():
        db.session.remove()
    raw = raw_postgresql(app) if engine_name == "postgresql" else raw_sqlite(app)
    assert words.encode() not in raw
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral))
        assert referral is not None and referral.feedback_sealed is not None
        whose = {
            f
            for i in (referral.id, referral.passport_id)
            for f in (i.bytes, i.hex.encode(), str(i).encode())
        }
        rows = db.session.execute(sa.text("SELECT * FROM feedback")).mappings().all()
        assert len(rows) == 1
        assert set(rows[0].keys()) == {"id", "organisation_id", "month", "score", "words_sealed"}
        assert len(str(rows[0]["month"])) == 7  # "2026-12": the month, never the day
        for name, value in rows[0].items():
            raw_value = value if isinstance(value, bytes | memoryview) else str(value).encode()
            assert not any(form in bytes(raw_value) for form in whose), name
            assert words.encode() not in bytes(raw_value), name
        db.session.remove()
