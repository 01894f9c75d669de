"""Write tests/fixtures/landed-48e902d/ with the code as it landed at commit 48e902d.

A resident signs up, records two needs and 'about you', refers themself twice (one referral
opened by the organisation with a code and declined with a reason, one left sent) and keeps
a draft; one e-mail is left unsent in the outbox. The SQLite file, the keyring and the
plaintexts typed go into the folder, for tests/test_landed_data.py to open with today's code.

Run it with the landed code first on the path (see the folder's README):

    git archive 48e902d | tar -x -C /tmp/landed-48e902d
    PYTHONPATH=/tmp/landed-48e902d .venv/bin/python scripts/make_landed_fixture.py \
        tests/fixtures/landed-48e902d
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from passport import crypto

if Path(crypto.__file__).resolve().parents[1] == Path(__file__).resolve().parents[1]:
    sys.exit(f"Run with the landed code first on PYTHONPATH (this is {crypto.__file__}).")

from sqlalchemy import select

from passport import create_app, notify
from passport.cli import alembic_config
from passport.config import Settings
from passport.database import db
from passport.directory import service as directory
from passport.directory.models import Service
from passport.referrals.models import Referral
from tests.support import journeys
from tests.support.mailbox import smtp_server
from tests.support.scenarios import ORG_EMAIL, OTHER_SERVICE, SERVICE

EMAIL = "landed.resident@example.net"
NEEDS = {
    "money": "I owe £420 on my rent since March — landed-story-1",
    "housing": "Damp in the back bedroom; the landlord does not answer. landed-story-2",
}
ABOUT = {
    "name": "Sam Landed",
    "phone": "07700 900123",
    "email": "sam.landed@example.net",
    "contact_preference": "Text me after 5pm",
    "access_needs": "Large print, please",
}
DECLINED = {"message": "Please call me — landed-message-1", "reason": "We are full until May."}
SENT = {"message": "Written before the move. landed-message-2"}
DRAFT = {"message": "Not sent yet. landed-draft"}
UNSENT_MAIL = {
    "to": "someone@example.org",
    "subject": "Landed subject",
    "body": "A body queued by the landed code, never sent.",
}


def main(folder: Path) -> None:
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "passport.db"
    database.unlink(missing_ok=True)
    keyring = crypto.Keyring.generate()
    with smtp_server() as mailbox, tempfile.TemporaryDirectory() as instance:
        settings = Settings(
            env="test",
            instance_dir=Path(instance),
            secret_key="landed-fixture",
            database_url=f"sqlite:///{database}",
            keyring=keyring.to_json(),
            key_file=Path(instance) / "unused.json",
            base_url="http://localhost",
            mail_transport="smtp",
            mail_from="Needs Passport <no-reply@needs-passport.example>",
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            ratelimit_storage_uri="memory://",
            ratelimit_enabled=False,
            proxy_hops=0,
        )
        app = create_app({"SETTINGS": settings, "TESTING": True})
        with app.app_context():
            from alembic import command

            command.upgrade(alembic_config(), "head")
            directory.load_directory()

        resident, org = app.test_client(), app.test_client()
        journeys.sign_up(resident, mailbox, EMAIL)
        for category, story in NEEDS.items():
            assert journeys.add_need(resident, category, story).status_code == 302
        assert journeys.add_about(resident, **ABOUT).status_code == 302

        declined = journeys.refer(resident, SERVICE, ["about", "money"], DECLINED["message"])
        link = journeys.open_share_as_org(org, mailbox, ORG_EMAIL)
        assert org.get(link).status_code == 200  # the look: an access event
        answer = journeys.post_form(org, f"{link}/decline", {"reason": DECLINED["reason"]})
        assert answer.status_code == 302, answer.status_code
        sent = journeys.refer(resident, OTHER_SERVICE, ["housing"], SENT["message"], days="30")
        draft = journeys.draft_referral(resident, SERVICE, ["money"], DRAFT["message"])

        with app.test_request_context():
            notify.queue(notify.Email(**UNSENT_MAIL))
            db.session.commit()
            expected = _expected(
                {
                    _id(declined): {**DECLINED, "sections": ["about", "money"], "slug": SERVICE},
                    _id(sent): {**SENT, "sections": ["housing"], "slug": OTHER_SERVICE},
                    _id(draft): {**DRAFT, "sections": ["money"], "slug": SERVICE},
                }
            )
            _check_with_landed_code(expected)
            db.session.remove()
            db.engine.dispose()

    with sqlite3.connect(database) as connection:  # one self-contained file, no WAL beside it
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    (folder / "keyring.json").write_text(keyring.to_json() + "\n")
    (folder / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {database}, keyring.json and expected.json.")


def _id(path: str) -> str:
    return path.rsplit("/", 1)[1]


def _expected(referrals: dict[str, dict[str, object]]) -> dict[str, object]:
    """What each sealed value must open to, by row id. Only the plaintexts typed above and
    columns that were never sealed (ids, the public directory) go into it."""
    from passport.accounts.models import Account
    from passport.needs.models import Need, Passport
    from passport.sharing.models import AccessEvent

    account = db.session.scalars(select(Account)).one()
    passport = db.session.scalars(select(Passport)).one()
    grants: dict[str, object] = {}
    for referral in db.session.scalars(select(Referral)):
        wanted = referrals[str(referral.id)]
        service = db.session.scalars(
            select(Service).where(Service.slug == wanted.pop("slug"))
        ).one()
        wanted["service"] = str(service.id)
        wanted["status"] = referral.status
        if referral.grant_id:
            grants[str(referral.grant_id)] = {
                "organisation": str(service.organisation_id),
                "sections": wanted["sections"],
            }
    by_grant = {str(r.grant_id): r for r in db.session.scalars(select(Referral))}
    return {
        "made_by": "48e902d",
        "accounts": {str(account.id): {"email": EMAIL}},
        "passports": {str(passport.id): {"about": ABOUT}},
        "needs": {
            str(need.id): {"category": category, "story": NEEDS[category]}
            for need, category in zip(
                db.session.scalars(select(Need).order_by(Need.created_at)), NEEDS, strict=True
            )
        },
        "referrals": referrals,
        "share_grants": grants,
        "access_events": {
            str(event.id): {
                "sections": referrals[str(by_grant[str(event.grant_id)].id)]["sections"]
            }
            for event in db.session.scalars(select(AccessEvent))
        },
        "outbox": {
            str(message.id): UNSENT_MAIL
            for message in db.session.scalars(
                select(notify.OutboxMessage).where(notify.OutboxMessage.wrapped_key.is_not(None))
            )
        },
    }


def _check_with_landed_code(expected: dict[str, Any]) -> None:
    """The landed code itself opens every value to what expected.json says."""
    from passport.keyring import keyring

    from passport.accounts.models import Account
    from passport.needs import vault
    from passport.needs.models import Need, Passport
    from passport.sharing.models import AccessEvent, ShareGrant

    passport = db.session.scalars(select(Passport)).one()

    def opened(row: Any, field: str) -> object:
        text = vault.open_(
            passport, row.__tablename__, field, row.id, getattr(row, f"{field}_sealed")
        )
        return json.loads(text) if field in ("about", "sections") else text

    found = {
        "accounts": {str(a.id): {"email": opened(a, "email")} for a in _all(Account)},
        "passports": {str(p.id): {"about": opened(p, "about")} for p in _all(Passport)},
        "needs": {str(n.id): {f: opened(n, f) for f in ("category", "story")} for n in _all(Need)},
        "share_grants": {
            str(g.id): {f: opened(g, f) for f in ("organisation", "sections")}
            for g in _all(ShareGrant)
        },
        "access_events": {
            str(e.id): {"sections": opened(e, "sections")} for e in _all(AccessEvent)
        },
    }
    for table, rows in found.items():
        assert rows == expected[table], (table, rows, expected[table])
    for referral in _all(Referral):
        wanted = expected["referrals"][str(referral.id)]
        assert opened(referral, "message") == wanted["message"]
        assert opened(referral, "sections") == wanted["sections"]
        assert opened(referral, "service") == wanted["service"]
        if "reason" in wanted:
            assert opened(referral, "decline_reason") == wanted["reason"]
    for message in _all(notify.OutboxMessage):
        if message.wrapped_key:
            owner, context = f"outbox:{message.id}", f"outbox.payload:{message.id}"
            key = crypto.unwrap_key(keyring(), message.kek_id, message.wrapped_key, owner)
            payload = crypto.open_sealed(key, message.payload_sealed, context)
            assert expected["outbox"][str(message.id)] == json.loads(payload)


def _all(model: Any) -> list[Any]:
    return list(db.session.scalars(select(model)))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
