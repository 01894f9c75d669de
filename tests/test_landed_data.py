"""Data written by the landed version (commit 48e902d) still opens with today's code.

tests/fixtures/landed-48e902d/ holds a database that version wrote, its keyring and the
plaintexts typed (see its README). A copy is migrated to the newest revision, on SQLite as
the file itself and on PostgreSQL row by row, then every sealed value is opened: through
the vault, on the resident's own pages, and by sending the e-mail left in the outbox.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask

from passport.commands import alembic_config
from passport.database import db
from tests.conftest import make_settings
from tests.support import database, journeys, pages
from tests.support.mailbox import Mailbox

FIXTURE = Path(__file__).parent / "fixtures" / "landed-48e902d"
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text())
EMAIL = next(iter(EXPECTED["accounts"].values()))["email"]
SEALED = {
    "accounts": ["email"],
    "passports": ["about"],
    "needs": ["category", "story"],
    "referrals": ["service", "sections", "message", "decline_reason"],
    "share_grants": ["organisation", "sections"],
    "access_events": ["sections"],
    "outbox": ["payload"],
}


def test_the_fixture_holds_what_the_landed_version_wrote():
    """Unpadded ciphertext (version 1) and section sets as JSON lists: the forms that
    today's code no longer writes but must still open."""
    # Read-only: the app's own SQLite settings (WAL, file modes) would rewrite the file.
    with sqlite3.connect(f"file:{FIXTURE / 'passport.db'}?mode=ro", uri=True) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001",)
        ]
        versions = {
            bytes(blob)[:1]
            for table, fields in SEALED.items()
            for field in fields
            for (blob,) in connection.execute(
                f"SELECT {field}_sealed FROM {table} WHERE {field}_sealed IS NOT NULL"
            )
        }
        rows = {
            table: connection.execute(
                f"SELECT count(*) FROM {table} WHERE {fields[0]}_sealed IS NOT NULL"
            ).fetchone()[0]
            for table, fields in SEALED.items()
        }
    connection.close()
    assert versions == {b"\x01"}
    assert rows == {table: len(EXPECTED[table]) for table in SEALED}


def _copy_rows(source: str, target: str) -> None:
    """Every row of the fixture into an empty database at the same revision."""
    from_engine, to_engine = sa.create_engine(source), sa.create_engine(target)
    schema = sa.MetaData()
    schema.reflect(to_engine)
    with from_engine.connect() as reading, to_engine.begin() as writing:
        for table in schema.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [
                {
                    name: value.replace(tzinfo=UTC) if isinstance(value, datetime) else value
                    for name, value in row.items()
                }
                for row in reading.execute(sa.select(table)).mappings()
            ]
            if rows:
                writing.execute(table.insert(), rows)
    from_engine.dispose()
    to_engine.dispose()


@pytest.fixture
def landed_app(engine_name: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[Flask]:
    """The app on a copy of the landed database, migrated to head, with its keyring in a
    key file as in production."""
    from passport import create_app

    key_file = tmp_path / "keyring.json"
    shutil.copy(FIXTURE / "keyring.json", key_file)
    key_file.chmod(0o600)
    landed = tmp_path / "landed.db"  # a copy: opening the fixture itself would change it
    shutil.copy(FIXTURE / "passport.db", landed)
    with database.fresh_database(engine_name, tmp_path) as url:
        if engine_name == "sqlite":
            shutil.copy(landed, url.removeprefix("sqlite:///"))
        settings = make_settings(tmp_path, url, mailbox.port, keyring=None, key_file=key_file)
        application = create_app({"SETTINGS": settings, "TESTING": True})
        application.test_client_class = pages.CheckedClient
        with application.app_context():
            if engine_name != "sqlite":
                command.upgrade(alembic_config(), "0001")
                _copy_rows(f"sqlite:///{landed}", url)
            command.upgrade(alembic_config(), "head")
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _rows(table: str) -> list[Any]:
    from passport.models import load_all

    load_all()
    model = next(
        mapper.class_
        for mapper in db.Model.registry.mappers
        # The table's own mapper, not a kind inheriting it (staff accounts share accounts).
        if mapper.class_.__tablename__ == table and mapper.inherits is None
    )
    return list(db.session.scalars(sa.select(model)))


def _opened_values() -> dict[str, dict[str, dict[str, Any]]]:
    """Every sealed value of the database, opened by today's vault, in expected.json's form."""
    from passport import vault

    def opened(row: Any, field: str) -> Any:
        blob = getattr(row, f"{field}_sealed")
        if field == "sections":
            return vault.open_sections(row, blob)
        text = vault.open(row, field, blob)
        return json.loads(text) if field in ("about", "payload") else text

    found: dict[str, dict[str, dict[str, Any]]] = {}
    for table in ("accounts", "passports", "needs", "share_grants", "access_events"):
        found[table] = {
            str(row.id): {field: opened(row, field) for field in SEALED[table]}
            for row in _rows(table)
        }
    found["referrals"] = {}
    for row in _rows("referrals"):
        values = {field: opened(row, field) for field in ("service", "sections", "message")}
        if row.decline_reason_sealed is not None:
            values["reason"] = opened(row, "decline_reason")
        found["referrals"][str(row.id)] = {**values, "status": row.status}
    found["outbox"] = {
        str(message.id): opened(message, "payload")
        for message in _rows("outbox")
        if message.wrapped_key is not None
    }
    return found


def _expected() -> dict[str, Any]:
    return {table: rows for table, rows in EXPECTED.items() if table != "made_by"}


def test_every_sealed_value_opens_after_the_migrations(landed_app: Flask):
    with landed_app.app_context():
        assert _opened_values() == _expected()


def _kek_ids() -> set[str]:
    """The KEKs that wrap the data keys still held (a sent e-mail's key is gone)."""
    rows = [*_rows("passports"), *_rows("outbox")]
    return {row.kek_id for row in rows if row.wrapped_key is not None}


def test_the_values_still_open_after_the_keys_are_rotated(landed_app: Flask):
    with landed_app.app_context():
        assert _kek_ids() == {"k1"}
        db.session.remove()

    result = landed_app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output

    with landed_app.app_context():
        assert _kek_ids() == {"k2"}
        assert _opened_values() == _expected()


def test_the_resident_signs_in_and_reads_what_they_wrote(landed_app: Flask, mailbox: Mailbox):
    resident = landed_app.test_client()
    journeys.sign_in(resident, mailbox, EMAIL)

    passport = pages.text(resident.get("/passport"))
    for need in EXPECTED["needs"].values():
        assert need["story"] in passport
    about = resident.get("/passport/about")
    for name, value in next(iter(EXPECTED["passports"].values()))["about"].items():
        assert pages.field_value(about, name) == value

    for referral_id, referral in EXPECTED["referrals"].items():
        if referral["status"] == "draft":
            page = resident.get(f"/referrals/{referral_id}/change")
            assert pages.field_value(page, "message") == referral["message"]
            assert pages.checked_values(page, "sections") == referral["sections"]
            continue
        page = pages.text(resident.get(f"/referrals/{referral_id}"))
        assert referral["message"] in page
        assert referral.get("reason", referral["message"]) in page

    looked = pages.text(resident.get("/passport/looked-at"))
    assert "Eastbridge" in looked and "About you" in looked and "Money and debt" in looked


def test_the_email_left_in_the_outbox_is_sent(landed_app: Flask, mailbox: Mailbox):
    (unsent,) = EXPECTED["outbox"].values()
    result = landed_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    received = mailbox.last_to(unsent["to"])
    assert (received.subject, received.body.strip()) == (unsent["subject"], unsent["body"])


def test_the_migration_chains_the_access_events_it_finds(landed_app: Flask):
    """Migration 0022 puts every landed access event in its passport's audit chain, in the
    order they happened (ADR 0031), and the chains verify."""
    from passport.sharing.models import AccessEvent

    result = landed_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    looks = len(EXPECTED["access_events"])
    assert looks > 0
    assert f"of {looks} entr" in result.output
    with landed_app.app_context():
        rows = db.session.execute(
            sa.select(
                AccessEvent.passport_id, AccessEvent.seq, AccessEvent.look_id, AccessEvent.id
            ).order_by(AccessEvent.passport_id, AccessEvent.at, AccessEvent.id)
        ).all()
    by_passport: dict[Any, list[int]] = {}
    for passport_id, seq, look_id, event_id in rows:
        by_passport.setdefault(passport_id, []).append(seq)
        assert look_id == event_id  # one row per visit until then
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_passport.values())
