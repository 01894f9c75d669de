"""Services that may suit you (passport/needs/suggestions.py): on the passport page and above
the directory's search, for a signed-in resident with needs, each with a plain why; made
from the opened needs in memory, with nothing about the match stored or logged."""

from __future__ import annotations

import logging
import uuid
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import inspect, select, text, update

from passport.database import db
from passport.directory.models import Capacity, Service
from tests.support import journeys, pages

BOTH = {"housing-rights-advice", "help-to-keep-your-tenancy", "home-energy-advice"}
HOUSING_STORY = "My landlord has given me notice to leave by the end of the month."
MONEY_STORY = "I owe £1,200 in council tax and the bailiffs have written."


@pytest.fixture
def directory(app, demo_directory, frozen_clock):
    """The demo directory, every listing reviewed recently, on 3 March 2026."""
    with app.app_context():
        db.session.execute(update(Service).values(reviewed_on=date(2026, 1, 10)))
        db.session.commit()
    return app


@pytest.fixture
def resident(client, mailbox, directory):
    journeys.sign_up(client, mailbox, f"resident-{uuid.uuid4().hex}@example.net")
    journeys.add_need(client, "housing", HOUSING_STORY)
    journeys.add_need(client, "money", MONEY_STORY)
    return client


def set_listing(app: Flask, slug: str, **values: object) -> None:
    with app.app_context():
        db.session.execute(update(Service).where(Service.slug == slug).values(**values))
        db.session.commit()


def suggested(response) -> list[dict[str, object]]:
    """Each suggested service: its slug, and the plain why under it."""
    section = pages.soup(response).select_one("#services-that-may-suit-you")
    if section is None:
        return []
    found = []
    for item in section.select("li[id^=suggested-]"):
        lines = [" ".join(p.get_text().split()) for p in item.select("p")]
        found.append(
            {
                "slug": str(item["id"]).removeprefix("suggested-"),
                "why": lines,
                "rule_outs": [" ".join(li.get_text().split()) for li in item.select("ul li")],
            }
        )
    return found


def categories_of(app: Flask, slug: str) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Service).where(Service.slug == slug)).one().categories)


@pytest.mark.parametrize("page", ["/passport", "/directory"])
def test_services_that_meet_more_of_the_needs_come_first_with_why(app, resident, page):
    shown = suggested(resident.get(page))
    assert 3 <= len(shown) <= 5
    assert {str(found["slug"]) for found in shown[:3]} == BOTH
    for found in shown[:3]:
        assert "It helps with what you need: Housing, Money and debt." in found["why"]
    for found in shown[3:]:
        helps = categories_of(app, str(found["slug"])) & {"housing", "money"}
        assert len(helps) == 1
        named = "Housing" if helps == {"housing"} else "Money and debt"
        assert f"It helps with what you need: {named}." in found["why"]


def test_each_says_what_its_eligibility_says(app, resident):
    shown = {found["slug"]: found for found in suggested(resident.get("/passport"))}
    assert (
        "Who it is for: Tenants, lodgers and homeowners living in Eastbridge."
        in shown["housing-rights-advice"]["why"]
    )


def test_what_would_rule_it_out(app, resident):
    set_listing(app, "housing-rights-advice", capacity=Capacity.NOT_ACCEPTING, minimum_age=18)
    set_listing(app, "help-to-keep-your-tenancy", reviewed_on=date(2025, 8, 1))
    set_listing(app, "home-energy-advice", minimum_age=16, maximum_age=25)

    shown = suggested(resident.get("/passport"))
    by_slug = {found["slug"]: found for found in shown}
    assert by_slug["housing-rights-advice"]["rule_outs"] == [
        "Only for people aged 18 or over.",
        "This service is not accepting referrals at the moment.",
    ]
    assert by_slug["help-to-keep-your-tenancy"]["rule_outs"] == [
        "Its details may be out of date: check with the service first."
    ]
    assert by_slug["home-energy-advice"]["rule_outs"] == ["Only for people aged 16 to 25."]
    # Of those meeting both needs, the one that cannot be referred to now comes last.
    assert [found["slug"] for found in shown[:3]][-1] == "housing-rights-advice"


def test_a_service_taking_referrals_only_from_professionals_says_so(app, resident):
    set_listing(app, "housing-rights-advice", accepts_self_referral=False)
    shown = {found["slug"]: found for found in suggested(resident.get("/passport"))}
    assert shown["housing-rights-advice"]["rule_outs"] == [
        "You cannot refer yourself: it takes referrals from professionals only."
    ]


def test_nothing_is_suggested_without_needs_or_without_signing_in(client, mailbox, directory):
    assert suggested(client.get("/directory")) == []
    journeys.sign_up(client, mailbox, f"resident-{uuid.uuid4().hex}@example.net")
    assert suggested(client.get("/passport")) == []
    assert suggested(client.get("/directory")) == []
    journeys.add_need(client, "food", "I skip meals so that my children can eat.")
    assert suggested(client.get("/directory")) != []


def everything_stored(app: Flask) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    with app.app_context():
        stored = {}
        for name in inspect(db.engine).get_table_names():
            rows = db.session.execute(text(f'SELECT * FROM "{name}"'))
            stored[name] = sorted(repr(tuple(row)) for row in rows)
        return stored


def test_nothing_about_the_match_is_stored_or_logged(app, resident, caplog):
    resident.get("/passport")  # whatever a first visit keeps (a session's start) is kept now
    before = everything_stored(app)
    with caplog.at_level(logging.DEBUG):
        on_passport = resident.get("/passport")
        on_directory = resident.get("/directory")
    shown = [found["slug"] for found in suggested(on_passport) + suggested(on_directory)]
    assert set(shown) >= BOTH

    assert everything_stored(app) == before
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for slug in shown:
        assert slug not in logged
    for words in ("Housing rights advice", "Money and debt", HOUSING_STORY):
        assert words not in logged
    assert on_passport.headers["Cache-Control"] == "no-store"
    assert on_directory.headers["Cache-Control"] == "no-store"


def test_a_live_update_of_the_search_does_not_make_suggestions(app, resident, monkeypatch):
    """An htmx update of the results does not show 'services that may suit you', so it does
    not open the needs' stories to match them, nor run the extra search: only the full page
    does. Observed by counting the calls of the real function, which still runs."""
    from passport.needs import suggestions

    made: list[int] = []
    real = suggestions.suggest

    def counted(*args, **kwargs):
        found = real(*args, **kwargs)
        made.append(len(found))
        return found

    monkeypatch.setattr(suggestions, "suggest", counted)
    full = resident.get("/directory", query_string={"q": "advice"})
    assert suggested(full) and len(made) == 1
    live = resident.get(
        "/directory",
        query_string={"q": "advice"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert live.status_code == 200 and pages.soup(live).select(".np-result")
    assert len(made) == 1
