"""Key rotation through the `passport keys rotate` command, on a real database."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from passport import crypto
from passport.database import db
from passport.needs.models import Passport
from tests.conftest import make_settings
from tests.support import journeys, pages, scenarios
from tests.support.mailbox import Mailbox


@pytest.fixture
def key_file_app(
    app: Flask, tmp_path: Path, database_url: str, mailbox: Mailbox
) -> Iterator[Flask]:
    """The app with its keyring in a key file (no PASSPORT_KEYRING), on the test database."""
    from passport import create_app

    settings = make_settings(
        tmp_path, database_url, mailbox.port, keyring=None, key_file=tmp_path / "keyring.json"
    )
    application = create_app({"SETTINGS": settings, "TESTING": True})
    application.test_client_class = pages.CheckedClient
    yield application
    with application.app_context():
        db.engine.dispose()


def passports(app: Flask) -> dict[uuid.UUID, tuple[str, bytes]]:
    with app.app_context():
        rows = db.session.scalars(select(Passport)).all()
        found = {row.id: (row.kek_id, row.wrapped_key) for row in rows}
        db.session.remove()
    return found


def test_keys_rotate_rewraps_every_passport(key_file_app: Flask, mailbox: Mailbox, tmp_path):
    key_file = tmp_path / "keyring.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    before_keyring = crypto.Keyring.from_json(key_file.read_text())
    residents = []
    for number in range(2):
        browser = key_file_app.test_client()
        journeys.sign_up(browser, mailbox, f"rotate-{number}-{scenarios.marker()}@example.net")
        story = f"Story {scenarios.marker()}"
        assert journeys.add_need(browser, "food", story).status_code == 302
        residents.append((browser, story))
    before = passports(key_file_app)
    assert len(before) == 2
    assert {kek_id for kek_id, _wrapped in before.values()} == {before_keyring.current}

    result = key_file_app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 2 data keys" in result.output

    after = passports(key_file_app)
    after_keyring = crypto.Keyring.from_json(key_file.read_text())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert after_keyring.current != before_keyring.current
    assert before_keyring.keks.items() <= after_keyring.keks.items()
    for passport_id, (kek_id, wrapped) in after.items():
        assert kek_id == after_keyring.current
        assert wrapped != before[passport_id][1]
        # Only the new KEK is needed now: the old ones could be retired.
        newest_only = crypto.Keyring(
            keks={kek_id: after_keyring.keks[kek_id]},
            current=kek_id,
            index_key=after_keyring.index_key,
        )
        crypto.unwrap_key(newest_only, kek_id, wrapped, f"passport:{passport_id}")

    for browser, story in residents:
        assert story in pages.text(browser.get("/passport"))


def test_other_servers_pick_up_a_rotated_key(
    key_file_app: Flask, mailbox: Mailbox, tmp_path, database_url
):
    from passport import create_app

    # A second app server, started before the rotation, on the same database and key file.
    other = create_app(
        {
            "SETTINGS": make_settings(
                tmp_path,
                database_url,
                mailbox.port,
                keyring=None,
                key_file=tmp_path / "keyring.json",
            ),
            "TESTING": True,
        }
    )
    other.test_client_class = pages.CheckedClient
    browser = key_file_app.test_client()
    journeys.sign_up(browser, mailbox, f"rotate-{scenarios.marker()}@example.net")
    story = f"Story {scenarios.marker()}"
    assert journeys.add_need(browser, "food", story).status_code == 302
    assert key_file_app.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0

    # The same session cookie, now answered by the other server.
    with browser.session_transaction() as session:
        cookie = dict(session)
    elsewhere = other.test_client()
    with elsewhere.session_transaction() as session:
        session.update(cookie)
    assert story in pages.text(elsewhere.get("/passport"))
    with other.app_context():
        db.engine.dispose()


def test_keys_rotate_rewraps_staff_invitation_and_organisation_keys(
    key_file_app: Flask, mailbox: Mailbox, tmp_path, demo_directory
):
    from passport import vault
    from passport.directory.models import Organisation
    from passport.staff import service as staff_service
    from passport.staff.models import OrganisationKey, StaffAccount, StaffInvitation
    from tests.support import staff

    org = "eastbridge-advice-centre"
    admin, invited = (f"{name}-{scenarios.marker()}@example.org" for name in ("admin", "invited"))
    browser = key_file_app.test_client()
    staff.join(key_file_app, browser, mailbox, admin, "admin", org)
    sent = journeys.post_form(browser, f"/staff/{org}/team", {"email": invited, "role": "staff"})
    assert sent.status_code == 302
    with key_file_app.test_request_context():
        organisation_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == org))
        key = staff_service.organisation_key(organisation_id)
        indexed = vault.keyed_index(key, "status", "sent")
        db.session.commit()
        db.session.remove()

    def wrapped() -> dict[str, tuple[str, bytes]]:
        with key_file_app.app_context():
            found = {
                f"{owner}:{row.id}": (row.kek_id, row.wrapped_key)
                for owner, model in (
                    ("staff", StaffAccount),
                    ("staff-invitation", StaffInvitation),
                    ("organisation", OrganisationKey),
                )
                for row in db.session.scalars(select(model).where(model.wrapped_key.is_not(None)))
            }
            db.session.remove()
        return found

    before = wrapped()
    # The admin, the pending invitation (the accepted one's key was destroyed), the key.
    assert sorted(binding.split(":")[0] for binding in before) == [
        "organisation",
        "staff",
        "staff-invitation",
    ]
    result = key_file_app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output

    after = wrapped()
    keyring = crypto.Keyring.from_json((tmp_path / "keyring.json").read_text())
    assert after.keys() == before.keys()
    for binding, (kek_id, wrapped_key) in after.items():
        assert kek_id == keyring.current != before[binding][0]
        newest_only = crypto.Keyring(
            keks={kek_id: keyring.keks[kek_id]}, current=kek_id, index_key=keyring.index_key
        )
        crypto.unwrap_key(newest_only, kek_id, wrapped_key, binding)
    # Everything sealed under them still opens, in a new request.
    team = pages.text(browser.get(f"/staff/{org}/team"))
    assert admin in team and invited in team
    with key_file_app.test_request_context():
        stored = db.session.get(OrganisationKey, organisation_id)
        assert vault.keyed_index(stored, "status", "sent") == indexed
        db.session.remove()
