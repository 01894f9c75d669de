"""Who owns a passport and who is acting on it: the resident on their own, a passport held for
someone until they claim it, and a volunteer acting under the person's consent
(docs/adr/0013-who-owns-a-passport.md). Assisted mode builds its pages on these."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_login import login_user
from werkzeug.exceptions import NotFound

from passport import acting, clock
from passport.access import resident_required
from passport.accounts.models import Account
from passport.acting import Role, current_actor, current_passport
from passport.database import db
from passport.directory import service as directory
from passport.needs import ownership
from passport.needs import service as needs
from passport.needs.models import Consent, Passport
from passport.needs.ownership import ConsentDetails, Permission
from passport.referrals import service as referrals
from tests.support import journeys
from tests.support.scenarios import marker


def bare_account() -> Account:
    """An account with no passport of its own: a volunteer's, or someone about to claim."""
    account = Account(created_at=clock.now(), webauthn_user_id=os.urandom(32))
    db.session.add(account)
    db.session.flush()
    return account


def consent_details(agent: Account, **changes: object) -> ConsentDetails:
    values: dict[str, object] = {
        "agent_id": agent.id,
        "agent_name": "Ceri",
        "place": "Eastbridge Library",
        "permissions": frozenset({Permission.RECORD_NEEDS, Permission.REFER}),
        "language": "cy",
    }
    values.update(changes)
    return ConsentDetails(**values)  # type: ignore[arg-type]


@resident_required
def who_is_acting() -> tuple[acting.Actor, uuid.UUID]:
    return current_actor._get_current_object(), current_passport.id  # type: ignore[attr-defined]


# The resident, on their own passport --------------------------------------------------------


def test_a_resident_page_acts_for_the_signed_in_resident_on_their_own_passport(
    app: Flask, client, mailbox
):
    journeys.sign_up(client, mailbox, "sam@example.net")
    with app.test_request_context():
        account = db.session.scalar(sa.select(Account))
        assert account is not None and account.passport is not None
        login_user(account)
        actor, passport_id = who_is_acting()
    assert actor.account.id == account.id
    assert actor.role is Role.RESIDENT and actor.is_owner and actor.consent_id is None
    assert passport_id == account.passport.id


def test_a_resident_page_for_an_account_without_a_passport_is_not_found(app: Flask):
    with app.test_request_context():
        login_user(bare_account())
        with pytest.raises(NotFound):
            who_is_acting()


def test_a_view_without_an_access_decision_cannot_say_who_is_acting(app: Flask):
    with app.test_request_context():
        login_user(bare_account())
        with pytest.raises(RuntimeError, match="access decorator"):
            current_passport.id  # noqa: B018
        with pytest.raises(RuntimeError, match="access decorator"):
            current_actor.account  # noqa: B018


def test_a_passport_made_at_sign_up_is_owned_from_the_start(app: Flask, client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    with app.app_context():
        passport = db.session.scalar(sa.select(Passport))
        assert passport is not None and passport.account_id is not None
        assert passport.claimed_at == passport.created_at


# Held for someone, claimed later ------------------------------------------------------------


def test_a_passport_held_for_someone_is_claimed_later_by_its_person(app: Flask, frozen_clock):
    with app.app_context():
        held = ownership.hold_for_someone()
        needs.add_need(held, "food", "Nothing in the cupboards")
        db.session.commit()
        assert held.account_id is None and held.claimed_at is None
        made = held.created_at

        frozen_clock.advance(days=3)
        person = bare_account()
        assert ownership.claim(held.id, person.id)
        db.session.commit()

        db.session.expire_all()
        claimed = db.session.get(Passport, held.id)
        assert claimed is not None
        assert claimed.account_id == person.id
        assert claimed.claimed_at == made + timedelta(days=3)
        # Everything recorded with help is theirs now, and opens as before.
        assert [n.story for n in needs.list_needs(claimed)] == ["Nothing in the cupboards"]
        assert db.session.get(Account, person.id).passport.id == held.id  # type: ignore[union-attr]


def test_a_passport_is_claimed_once(app: Flask):
    with app.app_context():
        held = ownership.hold_for_someone()
        first, second = bare_account(), bare_account()
        db.session.commit()
        assert ownership.claim(held.id, first.id)
        assert not ownership.claim(held.id, second.id)
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Passport, held.id).account_id == first.id  # type: ignore[union-attr]


def test_an_account_with_a_passport_cannot_claim_another(app: Flask, client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    with app.app_context():
        owner = db.session.scalar(sa.select(Account))
        assert owner is not None
        held = ownership.hold_for_someone()
        db.session.commit()
        with pytest.raises(ownership.ClaimRefusedError):
            ownership.claim(held.id, owner.id)


@pytest.mark.parametrize("owned", [True, False])
def test_the_database_refuses_an_owner_without_a_claim_and_a_claim_without_an_owner(
    app: Flask, owned: bool
):
    with app.app_context():
        account = bare_account()
        now = clock.now()
        passport = Passport(
            account_id=account.id if owned else None,
            claimed_at=None if owned else now,
            created_at=now,
            updated_at=now,
        )
        passport.kek_id, passport.wrapped_key = "k", b"k"
        db.session.add(passport)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_nobody_is_emailed_about_a_passport_nobody_has_claimed(app: Flask, demo_directory):
    with app.app_context():
        held = ownership.hold_for_someone()
        needs.add_need(held, "money", "Behind on rent")
        service = directory.get_service_or_404("debt-advice-drop-in")
        referral = referrals.save_draft(held, service, ["money"], "", 90)
        assert not referrals.can_notify_resident(referral)


# A volunteer, under the person's consent ------------------------------------------------------


def test_a_volunteer_acts_on_someones_passport_under_their_consent(app: Flask):
    with app.test_request_context():
        held = ownership.hold_for_someone()
        volunteer = bare_account()
        consent = ownership.record_consent(
            held, consent_details(volunteer), until=clock.now() + timedelta(hours=1)
        )
        db.session.commit()

        found = ownership.consent_in_force(consent.id, volunteer.id)
        assert found is not None
        login_user(volunteer)
        acting.act_with_consent(found)
        assert current_passport.id == held.id
        assert current_actor.role is Role.VOLUNTEER and not current_actor.is_owner
        assert current_actor.consent_id == consent.id
        assert current_actor.account.id == volunteer.id


def test_a_consent_says_who_where_and_what_and_says_it_only_sealed(app: Flask):
    name, place = marker(), marker()
    with app.app_context():
        held = ownership.hold_for_someone()
        volunteer = bare_account()
        wanted = consent_details(volunteer, agent_name=name, place=place)
        consent = ownership.record_consent(held, wanted, until=clock.now() + timedelta(days=3))
        db.session.commit()
        db.session.expire_all()
        assert ownership.details(db.session.get(Consent, consent.id)) == wanted  # type: ignore[arg-type]

        row = db.session.execute(sa.text("SELECT * FROM consents")).one()
        stored = b"".join(
            bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
        )
        for secret in (name, place, volunteer.id.hex, str(volunteer.id)):
            assert secret.encode() not in stored


def test_a_consent_is_for_its_volunteer_only_and_only_while_in_force(app: Flask, frozen_clock):
    with app.app_context():
        held = ownership.hold_for_someone()
        volunteer, someone_else = bare_account(), bare_account()
        visit = ownership.record_consent(
            held, consent_details(volunteer), until=clock.now() + timedelta(hours=1)
        )
        follow_up = ownership.record_consent(
            held, consent_details(volunteer), until=clock.now() + timedelta(days=14)
        )
        db.session.commit()

        assert ownership.consent_in_force(visit.id, someone_else.id) is None
        assert ownership.consent_in_force(uuid.uuid4(), volunteer.id) is None

        ownership.end_consent(visit)  # "End session"
        db.session.commit()
        assert ownership.consent_in_force(visit.id, volunteer.id) is None
        assert ownership.consent_in_force(follow_up.id, volunteer.id) is not None

        frozen_clock.advance(days=14)
        assert ownership.consent_in_force(follow_up.id, volunteer.id) is None


@pytest.mark.parametrize("lasting", [timedelta(days=14, seconds=1), timedelta(0)])
def test_a_consent_lasts_at_most_fourteen_days(app: Flask, lasting: timedelta):
    with app.app_context():
        held = ownership.hold_for_someone()
        volunteer = bare_account()
        with pytest.raises(ValueError):
            ownership.record_consent(held, consent_details(volunteer), until=clock.now() + lasting)
