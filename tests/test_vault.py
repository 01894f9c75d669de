"""passport/vault.py: values sealed to their row, keys found through the row, one registry.

tests/test_landed_data.py proves that data written before the vault still opens; these
pin the vault's own rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag
from flask import Flask
from werkzeug.local import LocalProxy

from passport import crypto, notify, vault
from passport.accounts import service as accounts
from passport.database import db
from passport.needs import service as needs
from passport.needs.models import Need, Passport


@pytest.fixture
def passport(app: Flask) -> Iterator[Passport]:
    """A stored passport, inside a request of its own."""
    with app.test_request_context():
        account = accounts.create_account("vault@example.net", verified_owner_only=False)
        assert account.passport is not None
        yield account.passport
        db.session.rollback()


def test_the_key_owners_are_passports_outbox_messages_and_staffs_keys(app: Flask):
    from passport.staff.models import OrganisationKey, StaffAccount, StaffInvitation

    assert vault.key_owners() == {
        Passport: "passport",
        notify.OutboxMessage: "outbox",
        StaffAccount: "staff",
        StaffInvitation: "staff-invitation",
        OrganisationKey: "organisation",
    }


def test_a_value_is_bound_to_the_context_strings_stored_data_uses(passport: Passport):
    """Byte for byte as before the vault: 'needs.story:<id>' under the key bound to
    'passport:<id>'. Changing either would strand every value already stored."""
    need = needs.add_need(passport, "money", "Since March.")
    (row,) = passport.needs
    data_key = crypto.unwrap_key(
        vault.keyring(), passport.kek_id, passport.wrapped_key, f"passport:{passport.id}"
    )
    context = f"needs.story:{need.id}"
    assert crypto.open_sealed(data_key, row.story_sealed, context) == "Since March."
    assert vault.open(row, "story", crypto.seal(data_key, "Typed by hand.", context)) == (
        "Typed by hand."
    )


def test_a_value_opens_only_in_its_own_row_and_field(passport: Passport):
    needs.add_need(passport, "money", "First.")
    needs.add_need(passport, "housing", "Second.")
    first, second = passport.needs
    assert vault.open(first, "story", first.story_sealed) == "First."
    with pytest.raises(InvalidTag):
        vault.open(second, "story", first.story_sealed)  # moved to another row
    with pytest.raises(InvalidTag):
        vault.open(first, "category", first.story_sealed)  # moved to another field


def test_a_row_without_its_owner_cannot_be_sealed(passport: Passport):
    orphan = Need(passport_id=passport.id)  # the id alone: the vault needs the row
    with pytest.raises(vault.VaultError, match=r"Set Need\.passport before sealing"):
        vault.seal(orphan, "story", "Lost.")


def test_a_row_the_vault_does_not_know_is_refused(passport: Passport):
    from passport.directory.models import Organisation

    with pytest.raises(vault.VaultError, match="Organisation is not sealed by the vault"):
        vault.seal(Organisation(), "name", "Plain.")


def test_a_destroyed_key_opens_nothing(app: Flask):
    with app.test_request_context():
        notify.queue(notify.Email(to="sam@example.net", subject="Hello", body="Body."))
        (message,) = [m for m in db.session.new if isinstance(m, notify.OutboxMessage)]
        sealed = message.payload_sealed
        assert sealed is not None
        assert json.loads(vault.open(message, "payload", sealed))["body"] == "Body."
        vault.destroy_key(message)
        assert message.wrapped_key is None
        with pytest.raises(vault.VaultError, match="destroyed"):
            vault.open(message, "payload", sealed)
        db.session.rollback()


def test_a_row_behind_a_proxy_is_the_row(passport: Passport):
    """As current_passport hands it over."""
    proxied = LocalProxy(lambda: passport)
    sealed = vault.seal(proxied, "about", "{}")
    assert vault.open(passport, "about", sealed) == "{}"


def test_a_data_key_is_unwrapped_once_per_request(app: Flask):
    with app.app_context():
        account = accounts.create_account("once@example.net", verified_owner_only=False)
        passport_id = account.passport.id if account.passport else None
        db.session.commit()
    with app.app_context():
        stored = db.session.get_one(Passport, passport_id)
        key = vault.data_key(stored)
        stored.wrapped_key = b"not a key any more"
        assert vault.data_key(stored) == key  # not unwrapped again
        db.session.rollback()
    with app.app_context():
        stored = db.session.get_one(Passport, passport_id)
        stored.wrapped_key = b"not a key any more"
        with pytest.raises(ValueError):
            vault.data_key(stored)  # a new context unwraps afresh
        db.session.rollback()
