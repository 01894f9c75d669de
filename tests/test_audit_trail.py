"""The audit trail (ADR 0031): every look at a passport by anyone but the resident is an
entry of the passport's hash chain; `passport audit verify` finds the first broken link;
appends at the same moment never fork a chain; the resident reads it by organisation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from passport import clock, events, vault
from passport.database import db
from passport.directory.models import Organisation
from passport.needs.models import Passport
from passport.sharing import service as sharing
from passport.sharing.models import AccessEvent, AuditChain, ShareGrant
from tests.support import journeys, pages
from tests.support.mailbox import Mailbox
from tests.support.pages.base import Person
from tests.support.pages.needs import AccessHistoryPage

RESIDENT = "cerys@example.net"
EASTBRIDGE = "eastbridge-advice-centre"
NORTHFIELD = "northfield-homes"


@pytest.fixture
def resident(client: FlaskClient, mailbox: Mailbox, demo_directory: None) -> FlaskClient:
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_about(client, name="Cerys Jones", phone="07700 900123")
    journeys.add_need(client, "money", "The rent went up again.")
    return client


def passport_id(app: Flask) -> uuid.UUID:
    with app.app_context():
        return db.session.scalars(select(Passport.id)).one()


def grant_to(app: Flask, slug: str) -> uuid.UUID:
    """A share of About you and Money with the organisation, made as referring makes one."""
    with app.app_context():
        passport = db.session.scalars(select(Passport)).one()
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.slug == slug)
        ).one()
        grant = sharing.create_grant(passport, organisation, ["about", "money"], 90)
        db.session.commit()
        return grant.id


def look(app: Flask, grant_id: uuid.UUID, look_id: uuid.UUID | None = None) -> uuid.UUID:
    """A member of the organisation's staff opens the passport: one visit."""
    look_id = look_id or uuid.uuid4()
    with app.app_context():
        sharing.staff_view(db.session.get_one(ShareGrant, grant_id), look_id)
        db.session.commit()
    return look_id


def share_only(app: Flask, grant_id: uuid.UUID, sections: list[str]) -> None:
    with app.app_context():
        grant = db.session.get_one(ShareGrant, grant_id)
        grant.sections_sealed = vault.seal_sections(grant, sections)
        db.session.commit()


def verify(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def entries(app: Flask) -> list[tuple[int, uuid.UUID]]:
    with app.app_context():
        return [
            (row.seq, row.look_id)
            for row in db.session.execute(
                select(AccessEvent.seq, AccessEvent.look_id).order_by(AccessEvent.seq)
            )
        ]


# The chain -----------------------------------------------------------------------------------


def test_each_look_is_the_next_entry_and_the_chain_verifies(app, resident, frozen_clock):
    grant = grant_to(app, EASTBRIDGE)
    looks = []
    for _ in range(3):
        looks.append(look(app, grant))
        frozen_clock.advance(minutes=5)
    assert entries(app) == [(1, looks[0]), (2, looks[1]), (3, looks[2])]

    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output == "Checked 1 chain of 3 entries.\nEvery chain is whole.\n"
    with app.app_context():
        head = db.session.get_one(AuditChain, passport_id(app))
        last = db.session.scalars(select(AccessEvent).where(AccessEvent.seq == 3)).one()
        assert (head.length, head.head) == (3, last.chain_hash)


def test_a_look_that_shows_more_during_its_visit_is_a_new_entry_of_the_same_look(
    app, resident, frozen_clock
):
    grant = grant_to(app, EASTBRIDGE)
    share_only(app, grant, ["about"])
    visit = look(app, grant)
    look(app, grant, visit)  # the same again: nothing new shown, nothing added
    share_only(app, grant, ["about", "money"])  # the resident shares more meanwhile
    frozen_clock.advance(minutes=5)
    look(app, grant, visit)

    assert entries(app) == [(1, visit), (2, visit)]
    with app.test_request_context():
        passport = db.session.scalars(select(Passport)).one()
        [seen] = sharing.access_log(passport)
    assert seen.sections == ["about", "money"]
    assert verify(app).exit_code == 0


def test_nothing_of_who_or_what_is_plain_in_an_entry(app, resident):
    look(app, grant_to(app, EASTBRIDGE))
    with app.app_context():
        row = db.session.execute(select(AccessEvent.__table__)).one()._mapping
        plain = {key for key, value in row.items() if isinstance(value, str)}
        assert plain == set()  # ids, a time, a flag, the sealed sections and the hash
        assert b"money" not in row["sections_sealed"]


# Breaking it on purpose ----------------------------------------------------------------------


def _three_looks(app: Flask, frozen_clock) -> uuid.UUID:  # type: ignore[no-untyped-def]
    grant = grant_to(app, EASTBRIDGE)
    for _ in range(3):
        look(app, grant)
        frozen_clock.advance(minutes=5)
    assert verify(app).exit_code == 0
    return passport_id(app)


def _alter(app: Flask) -> None:
    # Entry 2 said it happened a day earlier.
    with app.app_context():
        at = db.session.scalars(select(AccessEvent.at).where(AccessEvent.seq == 2)).one()
        db.session.execute(
            update(AccessEvent).where(AccessEvent.seq == 2).values(at=at - timedelta(days=1))
        )
        db.session.commit()


def _alter_sealed(app: Flask) -> None:
    # Entry 2's sealed sections swapped for entry 1's: each opens, neither in its place.
    with app.app_context():
        first = db.session.scalars(
            select(AccessEvent.sections_sealed).where(AccessEvent.seq == 1)
        ).one()
        db.session.execute(
            update(AccessEvent).where(AccessEvent.seq == 2).values(sections_sealed=first)
        )
        db.session.commit()


def _remove(app: Flask) -> None:
    with app.app_context():
        db.session.execute(delete(AccessEvent).where(AccessEvent.seq == 2))
        db.session.commit()


def _reorder(app: Flask) -> None:
    # Entries 2 and 3 swap places (through a free number: (passport, seq) is unique).
    with app.app_context():
        for old, new in ((2, 99), (3, 2), (99, 3)):
            db.session.execute(update(AccessEvent).where(AccessEvent.seq == old).values(seq=new))
        db.session.commit()


def _remove_the_last(app: Flask) -> None:
    with app.app_context():
        db.session.execute(delete(AccessEvent).where(AccessEvent.seq == 3))
        db.session.commit()


@pytest.mark.parametrize(
    ("tamper", "broken"),
    [
        (_alter, "entry 2 was changed, or does not follow the one before"),
        (_alter_sealed, "entry 2 was changed, or does not follow the one before"),
        (_remove, "entry 2 is missing, or out of its place"),
        (_reorder, "entry 2 was changed, or does not follow the one before"),
        (_remove_the_last, "entry 3 is missing, or out of its place"),
    ],
    ids=["altered", "altered-sealed", "removed", "reordered", "last-removed"],
)
def test_verify_names_the_first_broken_link(
    app, resident, frozen_clock, tamper: Callable[[Flask], None], broken: str
):
    passport = _three_looks(app, frozen_clock)
    tamper(app)
    result = verify(app)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("Checked 1 chain of ")
    assert f"Broken: Passport {passport}: {broken}." in result.output
    assert RESIDENT not in result.output


def test_one_broken_chain_leaves_the_others_whole(app, client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "first@example.net")
    journeys.add_about(client, name="First Person", phone="07700 900111")
    with app.app_context():
        first = db.session.scalars(select(Passport)).one()
        first_id = first.id
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.slug == EASTBRIDGE)
        ).one()
        grant = sharing.create_grant(first, organisation, ["about"], 90)
        db.session.commit()
        grant_id = grant.id
    look(app, grant_id)
    look(app, grant_id)
    journeys.sign_out(client)
    journeys.sign_up(client, mailbox, "second@example.net")
    journeys.add_about(client, name="Second Person", phone="07700 900222")
    with app.app_context():
        second = db.session.scalars(select(Passport).where(Passport.id != first_id)).one()
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.slug == NORTHFIELD)
        ).one()
        other = sharing.create_grant(second, organisation, ["about"], 90)
        db.session.commit()
        other_id, second_id = other.id, second.id
    look(app, other_id)
    with app.app_context():
        db.session.execute(
            update(AccessEvent)
            .where(AccessEvent.passport_id == first_id, AccessEvent.seq == 1)
            .values(by_staff=False)
        )
        db.session.commit()

    result = verify(app)
    assert result.exit_code == 1
    assert result.output.startswith("Checked 2 chains of 3 entries.\n")
    assert f"Passport {first_id}: entry 1 was changed" in result.output
    assert str(second_id) not in result.output


# At the same moment --------------------------------------------------------------------------


def test_looks_at_the_same_moment_make_one_chain_without_a_fork(app, resident):
    grant = grant_to(app, EASTBRIDGE)
    count = 8
    passport = passport_id(app)

    def append(_: int) -> bool:
        with app.app_context():
            events.record(
                events.RecordViewed(
                    at=clock.now(),
                    passport_id=passport,
                    grant_id=grant,
                    link_id=None,
                    look_id=uuid.uuid4(),
                    sections=("about",),
                    by_staff=True,
                )
            )
            db.session.commit()
        return True

    with ThreadPoolExecutor(max_workers=count) as pool:
        assert all(pool.map(append, range(count)))

    assert [seq for seq, _ in entries(app)] == list(range(1, count + 1))
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"of {count} entries" in result.output


# The resident's page -------------------------------------------------------------------------


def history_items(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [" ".join(li.get_text().split()) for li in pages.soup(response).select("#access-log li")]


def test_the_resident_reads_every_look_in_plain_words_by_organisation_and_page(
    app, resident, frozen_clock
):
    eastbridge, northfield = grant_to(app, EASTBRIDGE), grant_to(app, NORTHFIELD)
    for _ in range(21):
        look(app, eastbridge)
        frozen_clock.advance(minutes=1)
    look(app, northfield)

    first = resident.get("/passport/looked-at")
    assert first.status_code == 200
    items = history_items(first)
    assert len(items) == 20
    assert items[0].startswith("A member of staff at Northfield Homes looked at About you, Money")
    assert "Page 1 of 2" in pages.text(first)
    soup = pages.soup(first)
    options = [(o["value"], o.get_text()) for o in soup.select("select#organisation option")]
    assert [name for _value, name in options] == [
        "All organisations",
        "Eastbridge Advice Centre",
        "Northfield Homes",
    ]
    assert all(len(value) == 20 for value, _ in options[1:])  # no name nor id in the address
    older = soup.select_one('a[rel="next"]')
    assert older is not None
    second = resident.get(older["href"])
    assert len(history_items(second)) == 2
    assert pages.soup(second).select_one('a[rel="prev"]') is not None

    northfield_only = resident.get(f"/passport/looked-at?organisation={options[2][0]}")
    assert [i.split(" looked at")[0] for i in history_items(northfield_only)] == [
        "A member of staff at Northfield Homes"
    ]
    chosen = pages.soup(northfield_only).select_one("select#organisation option[selected]")
    assert chosen is not None and chosen.get_text() == "Northfield Homes"
    eastbridge_only = resident.get(f"/passport/looked-at?organisation={options[1][0]}&page=2")
    assert len(history_items(eastbridge_only)) == 1

    # Anything else is the whole list, and a page past the end is the last.
    for query in ("organisation=nonsense", "page=99", "page=-1", "page=abc"):
        response = resident.get(f"/passport/looked-at?{query}")
        assert response.status_code == 200
        assert history_items(response)


def test_a_filter_value_means_nothing_for_another_passport(app, resident, client, mailbox):
    look(app, grant_to(app, EASTBRIDGE))
    page = resident.get("/passport/looked-at")
    [value] = [
        o["value"] for o in pages.soup(page).select("select#organisation option") if o["value"]
    ]
    journeys.sign_out(client)
    journeys.sign_up(client, mailbox, "someone.else@example.net")
    journeys.add_about(client, name="Someone Else", phone="07700 900999")
    other = client.get(f"/passport/looked-at?organisation={value}")
    assert other.status_code == 200
    assert history_items(other) == []
    assert "Nobody has looked at your passport yet." in pages.text(other)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_resident_shows_one_organisation_in_either_language(
    app, resident, mailbox, frozen_clock, language
):
    look(app, grant_to(app, EASTBRIDGE))
    frozen_clock.advance(minutes=3)
    look(app, grant_to(app, NORTHFIELD))
    person = Person(resident, mailbox, language=language)
    history = AccessHistoryPage.open(person)
    assert person.response is not None and pages.soup(person.response).html["lang"] == language
    assert history.organisations() == [
        person.t("All organisations"),
        "Eastbridge Advice Centre",
        "Northfield Homes",
    ]
    assert len(history.access_log()) == 2
    [only] = history.show_only("Eastbridge Advice Centre").access_log()
    assert "Eastbridge Advice Centre" in only and "Northfield" not in only
