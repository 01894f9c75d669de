"""Search: words, stems, typos, name-first ranking, every filter, distance, paging, live
letters and hostile text, with the same expected results on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask

from passport.database import db
from passport.directory import search
from passport.directory.models import (
    Capacity,
    Delivery,
    Location,
    OpeningTime,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)
from passport.directory.search import Query, Sort
from tests.support.database import fresh_database
from tests.test_migrations import alembic_config

EB1 = (52.630, 1.730)  # the centre of Eastbridge
EB2 = (52.650, 1.725)  # north, about 2.3 km from the centre
EB3 = (52.628, 1.700)  # west, about 2 km
EB4 = (52.610, 1.735)  # south, about 2.2 km
NEAR_ARTS = uuid.UUID("5a1d4c2e-0000-4000-8000-000000000001")  # a taxonomy term
TAXONOMY = uuid.UUID("5a1d4c2e-0000-4000-8000-0000000000aa")
IN_PERSON, PHONE, ONLINE = Delivery.IN_PERSON, Delivery.PHONE, Delivery.ONLINE
ALL = [
    "Alder food bank",
    "befriending service",
    "Budgeting course",
    "Counselling for debt worries",
    "Debt advice drop-in",
    "Housing advice line",
    "Night shelter",
    "Òrgan music group",
]

# name, description, categories, place, openings (weekday, opens, closes), languages,
# free, delivery, capacity
SERVICES = [
    (
        "Debt advice drop-in",
        "Free, confidential help with debts, bills and budgeting.",
        ["money"],
        EB1,
        [(d, 9 * 60, 17 * 60) for d in range(5)],
        ["en", "cy"],
        True,
        IN_PERSON | PHONE,
        Capacity.ACCEPTING,
    ),
    (
        "Housing advice line",
        "Advice for tenants facing eviction, repairs and rent arrears.",
        ["housing"],
        None,
        [(0, 10 * 60, 16 * 60)],
        ["en"],
        True,
        PHONE,
        Capacity.ACCEPTING,
    ),
    (
        "Alder food bank",
        "Emergency food parcels, and referrals for debt advice.",
        ["food"],
        EB2,
        [(1, 12 * 60, 15 * 60)],
        ["en", "pl"],
        True,
        IN_PERSON,
        Capacity.ACCEPTING,
    ),
    (
        "Budgeting course",
        "Six evenings to plan your money and keep on top of it.",
        ["money"],
        EB3,
        [(2, 18 * 60, 20 * 60)],
        ["en"],
        False,
        ONLINE,
        Capacity.WAITING_LIST,
    ),
    (
        "befriending service",
        "Weekly phone calls for people who feel lonely.",
        ["loneliness"],
        None,
        [],
        ["en", "cy"],
        None,
        PHONE,
        Capacity.NOT_ACCEPTING,
    ),
    (
        "Counselling for debt worries",
        "Talking therapy when money troubles keep you awake.",
        ["mental_wellbeing"],
        EB4,
        [(1, 9 * 60, 12 * 60)],
        ["en"],
        False,
        IN_PERSON | ONLINE,
        Capacity.ACCEPTING,
    ),
    (
        "Night shelter",
        "A warm bed and breakfast for anyone sleeping rough.",
        ["housing"],
        EB1,
        [(d, 20 * 60, 8 * 60) for d in range(7)],  # overnight, every night
        ["en"],
        True,
        IN_PERSON,
        Capacity.ACCEPTING,
    ),
    (
        "Òrgan music group",
        "Singing and music for company.",
        [],
        EB2,
        [],
        ["cy"],
        True,
        IN_PERSON,
        Capacity.ACCEPTING,
    ),
]


@pytest.fixture
def directory(app: Flask) -> dict[str, uuid.UUID]:
    """Eight services of two organisations, indexed as the importer indexes them."""
    ids: dict[str, uuid.UUID] = {}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        money = Organisation(
            slug="eastbridge-money",
            name="Eastbridge Money Advice",
            referral_email="money@example.org",
            created_at=now,
        )
        trust = Organisation(
            slug="riverside", name="Riverside Trust", referral_email="t@example.org", created_at=now
        )
        db.session.add_all([money, trust])
        db.session.add(Taxonomy(id=TAXONOMY, name="Local", description="", document={}))
        db.session.add(
            TaxonomyTerm(id=NEAR_ARTS, taxonomy_id=TAXONOMY, name="Arts and crafts", document={})
        )
        db.session.flush()
        for n, (
            name,
            description,
            categories,
            place,
            openings,
            languages,
            free,
            way,
            capacity,
        ) in enumerate(SERVICES):
            service = Service(
                organisation_id=(money if "ebt" in name or "Budget" in name else trust).id,
                slug=f"service-{n}",
                name=name,
                description=description,
                free=free,
                delivery=int(way),
                capacity=capacity.value,
                created_at=now,
            )
            service.category_rows = [ServiceCategory(category=code) for code in categories]
            db.session.add(service)
            db.session.flush()
            ids[name] = service.id
            if place:
                location = Location(
                    postcode="EB1 2AB", latitude=place[0], longitude=place[1], document={}
                )
                db.session.add(location)
                db.session.flush()
                db.session.add(ServiceAtLocation(service_id=service.id, location_id=location.id))
            for weekday, opens, closes in openings:
                db.session.add(
                    OpeningTime(
                        id=None, service_id=service.id, weekday=weekday, opens=opens, closes=closes
                    )
                )
            for code in languages:
                db.session.add(ServiceLanguage(service_id=service.id, code=code))
        db.session.add(ServiceTerm(service_id=ids["Òrgan music group"], taxonomy_term_id=NEAR_ARTS))
        db.session.flush()
        search.index_services(ids.values())
        db.session.commit()
    return ids


def names(app: Flask, query: Query) -> list[str]:
    with app.app_context():
        return [hit.service.name for hit in search.find(query).hits]


def found(app: Flask, **fields: object) -> list[str]:
    return names(app, Query(per_page=100, **fields))  # type: ignore[arg-type]


def results(app: Flask, query: Query) -> search.Results:
    with app.app_context():
        return search.find(query)


# Words, stems and typos ---------------------------------------------------------------------


def test_one_word_finds_name_matches_first_then_subject_then_anywhere(app, directory):
    assert found(app, text="debt") == [
        # the name
        "Counselling for debt worries",
        "Debt advice drop-in",
        # the organisation, terms and categories (money: "Bills, benefits, debts and ...")
        "Budgeting course",
        # anywhere else: the description
        "Alder food bank",
    ]


# "advice" is in the money organisation's name: its services with "debt" come second.
DEBT_ADVICE = [
    "Debt advice drop-in",
    "Budgeting course",
    "Counselling for debt worries",
    "Alder food bank",
]
DEBT = [
    "Counselling for debt worries",
    "Debt advice drop-in",
    "Budgeting course",
    "Alder food bank",
]


def test_words_are_found_by_their_stems(app, directory):
    assert found(app, text="DEBTS") == found(app, text="debt")
    assert found(app, text="budgets") == ["Budgeting course", "Debt advice drop-in"]
    assert found(app, text="evictions") == ["Housing advice line"]
    assert found(app, text="evicted") == ["Housing advice line"]  # evict, as 'eviction'


def test_a_word_finds_the_words_that_start_like_it(app, directory):
    # Snowball stems 'lonely' to 'lone' and 'loneliness' to 'loneli': both are found.
    assert found(app, text="lonely", categories=("loneliness",)) == ["befriending service"]
    assert found(app, text="lonely") == found(app, text="loneliness")
    # Only for words services use: a word typed so far is corrected like a typo.
    assert found(app, text="counse") == ["Counselling for debt worries"]
    typed = results(app, Query(text="befrie"))
    assert [hit.service.name for hit in typed.hits] == ["befriending service"]
    assert typed.corrections == (("befrie", "befriending"),)


def test_every_word_must_match(app, directory):
    assert found(app, text="debt advice") == DEBT_ADVICE
    assert found(app, text="debt therapy") == ["Counselling for debt worries"]
    assert found(app, text="debt eviction") == []


def test_category_names_and_hints_match_in_english_and_welsh(app, directory):
    money = ["Budgeting course", "Debt advice drop-in"]
    assert found(app, text="dyled") == money
    assert found(app, text="budd-daliadau") == money
    assert found(app, text="Tai") == ["Housing advice line", "Night shelter"]
    assert found(app, text="sefydlog") == ["Housing advice line", "Night shelter"]


def test_taxonomy_terms_and_the_organisation_match(app, directory):
    assert found(app, text="crafts") == ["Òrgan music group"]
    assert found(app, text="riverside") == [
        "Alder food bank",
        "befriending service",
        "Housing advice line",
        "Night shelter",
        "Òrgan music group",
    ]


def test_a_typo_is_corrected_to_the_nearest_word_services_use(app, directory):
    typed = results(app, Query(text="housng"))
    assert [hit.service.name for hit in typed.hits] == ["Housing advice line", "Night shelter"]
    assert typed.corrections == (("housng", "housing"),)
    assert found(app, text="counseling") == ["Counselling for debt worries"]
    assert found(app, text="debt therapie") == ["Counselling for debt worries"]


def test_a_word_like_nothing_finds_nothing(app, directory):
    nothing = results(app, Query(text="zzzqqq"))
    assert (nothing.hits, nothing.total, nothing.corrections) == ([], 0, ())


def test_accents_and_case_do_not_matter(app, directory):
    assert found(app, text="ORGAN") == ["Òrgan music group"]
    assert found(app, text="cafe") == found(app, text="café") == []
    assert found(app, text="músic") == ["Òrgan music group"]


# Live letters, empty and hostile text -------------------------------------------------------


def test_one_or_two_letters_match_the_start_of_a_word_in_a_name(app, directory):
    assert found(app, text="d") == ["Counselling for debt worries", "Debt advice drop-in"]
    assert found(app, text="Fo") == ["Alder food bank"]  # not "for": a stop word
    assert found(app, text="o") == ["Òrgan music group"]
    assert found(app, text="x") == []


def test_short_and_stop_words_beside_a_longer_word_are_left_out(app, directory):
    assert found(app, text="a debt of") == found(app, text="debt")


def test_empty_text_lists_every_service_by_name(app, directory):
    # by name folded: 'befriending service' (lower case) between 'Alder' and 'Budgeting'
    assert found(app) == ALL
    assert found(app, text="   ") == ALL


@pytest.mark.parametrize("text", ['"', "*", "'", "(", ")", "-", ":", "^", '""', "{}", "%", "_"])
def test_punctuation_alone_is_no_words(app, directory, text):
    assert found(app, text=text) == ALL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # FTS5's and tsquery's operators are words (or stop words) like any other
        ("NEAR(", []),
        ("debt NEAR(advice", []),
        ("debt AND advice", DEBT_ADVICE),
        ("debt OR food", ["Alder food bank"]),
        ("debt NOT food", ["Alder food bank"]),
        ("debt & !food | x:*", ["Alder food bank"]),
        ('debt" OR "x', DEBT),
        ("debt*", DEBT),
        ("{name_words}: debt", []),
        ("\x00debt", DEBT),
        # SQL is text too: 'or' is two letters typed, so the start of a word in a name
        ("') OR 1=1 --", ["Òrgan music group"]),
        ("'; DROP TABLE services; --", []),
    ],
)
def test_hostile_text_is_only_words(app, directory, text, expected):
    searched = results(app, Query(text=text, per_page=100))
    assert [hit.service.name for hit in searched.hits] == expected
    assert (searched.total, searched.total_is_lower_bound) == (len(expected), False)


def test_a_long_query_counts_its_first_ten_words(app, directory):
    assert found(app, text="debt " + "advice " * 30) == DEBT_ADVICE
    # the eleventh word is not read: ten times "a" is one letter typed
    assert found(app, text="a " * 10 + "debt") == [
        "Alder food bank",
        "Debt advice drop-in",
        "Housing advice line",
    ]
    assert found(app, text="debt " + "x" * 5000) == []  # no service has a word that long


# Filters ------------------------------------------------------------------------------------


def test_categories_and_terms_filter(app, directory):
    assert found(app, categories=("money",)) == ["Budgeting course", "Debt advice drop-in"]
    assert found(app, categories=("money", "food")) == [
        "Alder food bank",
        "Budgeting course",
        "Debt advice drop-in",
    ]
    assert found(app, text="debt", categories=("food",)) == ["Alder food bank"]
    assert found(app, term_ids=(NEAR_ARTS,)) == ["Òrgan music group"]
    assert found(app, taxonomy_id=TAXONOMY) == ["Òrgan music group"]
    assert found(app, taxonomy_id=uuid.uuid4()) == []


def test_organisation_filter(app, directory):
    with app.app_context():
        money = db.session.scalar(
            sa.select(Organisation.id).where(Organisation.slug == "eastbridge-money")
        )
    assert found(app, organisation_id=money) == [
        "Budgeting course",
        "Counselling for debt worries",
        "Debt advice drop-in",
    ]


def test_free_only(app, directory):
    assert found(app, text="debt", free_only=True) == ["Debt advice drop-in", "Alder food bank"]


def test_language(app, directory):
    assert found(app, language="cy") == [
        "befriending service",
        "Debt advice drop-in",
        "Òrgan music group",
    ]
    assert found(app, language=" PL ") == ["Alder food bank"]


def test_delivery_any_of_the_ways(app, directory):
    assert found(app, delivery=int(ONLINE)) == ["Budgeting course", "Counselling for debt worries"]
    assert found(app, text="debt", delivery=int(PHONE | ONLINE)) == [
        "Counselling for debt worries",
        "Debt advice drop-in",
        "Budgeting course",
    ]


def test_accepting_referrals_leaves_out_only_those_not_accepting(app, directory):
    assert "befriending service" in found(app)
    assert found(app, accepting_only=True) == [n for n in ALL if n != "befriending service"]


def test_services_no_longer_active_are_not_found(app, directory):
    with app.app_context():
        db.session.execute(
            sa.update(Service)
            .where(Service.id == directory["Alder food bank"])
            .values(status="defunct")
        )
        search.index_services([directory["Alder food bank"]])
        db.session.commit()
    assert found(app, text="debt") == [
        "Counselling for debt worries",
        "Debt advice drop-in",
        "Budgeting course",
    ]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Tuesday 3 March 2026, 10:14 in London (GMT)
        (
            datetime(2026, 3, 3, 10, 14, tzinfo=UTC),
            ["Counselling for debt worries", "Debt advice drop-in"],
        ),
        # Tuesday 12:00: the food bank opens, the counselling closes (at 12:00 exactly)
        (datetime(2026, 3, 3, 12, 0, tzinfo=UTC), ["Alder food bank", "Debt advice drop-in"]),
        # Tuesday 23:30: the night shelter, open past midnight
        (datetime(2026, 3, 3, 23, 30, tzinfo=UTC), ["Night shelter"]),
        # Wednesday 07:59, the shelter still open from Tuesday night
        (datetime(2026, 3, 4, 7, 59, tzinfo=UTC), ["Night shelter"]),
        # Wednesday 08:00: closed
        (datetime(2026, 3, 4, 8, 0, tzinfo=UTC), []),
        # Wednesday 1 July, 17:30 UTC is 18:30 in London (BST): the budgeting course
        (datetime(2026, 7, 1, 17, 30, tzinfo=UTC), ["Budgeting course"]),
        # Monday 12 January 15:59: the housing line, 10:00 to 16:00 on Mondays
        (datetime(2026, 1, 12, 15, 59, tzinfo=UTC), ["Debt advice drop-in", "Housing advice line"]),
    ],
)
def test_open_now_in_london(app, directory, frozen_clock, moment, expected):
    frozen_clock.now = moment
    assert found(app, open_now=True) == expected


def test_open_now_and_language(app, directory, frozen_clock):
    frozen_clock.now = datetime(2026, 3, 3, 10, 14, tzinfo=UTC)
    assert found(app, open_now=True, language="cy") == ["Debt advice drop-in"]


# Distance -----------------------------------------------------------------------------------


def test_within_a_distance_of_a_point(app, directory):
    assert found(app, near=EB1, within_metres=100) == ["Debt advice drop-in", "Night shelter"]
    assert found(app, near=EB1, within_metres=2_100) == [
        "Budgeting course",
        "Debt advice drop-in",
        "Night shelter",
    ]
    assert found(app, near=EB1, within_metres=2_400) == [
        "Alder food bank",
        "Budgeting course",
        "Counselling for debt worries",
        "Debt advice drop-in",
        "Night shelter",
        "Òrgan music group",
    ]


def test_sorted_by_distance_nearest_first_with_metres(app, directory):
    nearest = results(app, Query(near=EB3, within_metres=10_000, sort=Sort.DISTANCE))
    assert [hit.service.name for hit in nearest.hits] == [
        "Budgeting course",  # at EB3
        "Debt advice drop-in",  # EB1, 2 km east: two at one place, then by name
        "Night shelter",
        "Alder food bank",  # EB2, 3 km north-east
        "Òrgan music group",
        "Counselling for debt worries",  # EB4, 3.1 km south-east
    ]
    metres = [round(hit.distance_metres) for hit in nearest.hits if hit.distance_metres is not None]
    assert metres == [0, 2037, 2037, 2972, 2972, 3096]


def test_category_and_distance(app, directory):
    assert found(app, categories=("housing",), near=EB1, within_metres=1_000) == ["Night shelter"]
    assert found(app, text="debt", near=EB4, within_metres=3_000, sort=Sort.DISTANCE) == [
        "Counselling for debt worries",
        "Debt advice drop-in",
    ]


def test_relevance_order_with_a_point_gives_each_hit_its_distance(app, directory):
    hits = results(app, Query(text="debt", near=EB1)).hits
    assert [h.service.name for h in hits] == [
        "Counselling for debt worries",
        "Debt advice drop-in",
        "Budgeting course",
        "Alder food bank",
    ]
    assert hits[1].distance_metres == 0


# Paging and totals --------------------------------------------------------------------------


def test_pages(app, directory):
    first = results(app, Query(per_page=3))
    second = results(app, Query(per_page=3, page=2))
    last = results(app, Query(per_page=3, page=3))
    assert [h.service.name for h in first.hits + second.hits + last.hits] == ALL
    assert (first.total, first.pages, first.total_is_lower_bound) == (8, 3, False)
    assert (last.total, len(last.hits)) == (8, 2)
    beyond = results(app, Query(per_page=3, page=9))
    assert (beyond.hits, beyond.total) == ([], 8)


def test_pages_run_across_the_tiers(app, directory):
    query = Query(text="debt", per_page=1)
    pages = [names(app, Query(text="debt", per_page=1, page=n)) for n in range(1, 6)]
    assert pages == [
        ["Counselling for debt worries"],
        ["Debt advice drop-in"],
        ["Budgeting course"],
        ["Alder food bank"],
        [],
    ]
    assert results(app, query).total == 4


def test_per_page_is_kept_within_bounds(app, directory):
    assert results(app, Query(per_page=0)).per_page == 1
    assert results(app, Query(per_page=10_000)).per_page == search.PER_PAGE_MAX
    assert results(app, Query(page=-3)).page == 1


def test_a_large_total_is_counted_up_to_the_cap(app, directory, monkeypatch):
    monkeypatch.setattr(search, "TOTAL_CAP", 5)
    capped = results(app, Query(per_page=2))
    assert (capped.total, capped.total_is_lower_bound) == (5, True)
    exact = results(app, Query(text="debt", per_page=2))
    assert (exact.total, exact.total_is_lower_bound) == (4, False)


def test_a_total_without_words_looks_no_further_than_its_budget(app, directory, monkeypatch):
    # English is spoken at seven of the eight; the first three by name are read, all match
    monkeypatch.setattr(search, "COUNT_BUDGET", 3)
    counted = results(app, Query(language="en", per_page=1))
    assert (counted.total, counted.total_is_lower_bound) == (3, True)
    assert [hit.service.name for hit in counted.hits] == ["Alder food bank"]
    # within the budget the total is exact
    monkeypatch.setattr(search, "COUNT_BUDGET", 8)
    counted = results(app, Query(language="en", per_page=1))
    assert (counted.total, counted.total_is_lower_bound) == (7, False)


# Keeping the index current ------------------------------------------------------------------


def test_a_changed_service_is_found_by_its_new_words_only(app, directory):
    with app.app_context():
        service = db.session.get(Service, directory["Alder food bank"])
        service.name = "Community pantry"
        service.description = "Groceries for anyone who needs them."
        db.session.flush()
        search.index_services([service.id])
        db.session.commit()
    assert found(app, text="pantry") == ["Community pantry"]
    assert found(app, text="parcels") == []
    assert found(app, text="p") == ["Community pantry"]
    assert found(app, text="fo") == []
    # 'parcels' was only the food bank's: no typo is corrected to it any more
    assert results(app, Query(text="parcel")).corrections == ()


def test_a_removed_service_leaves_the_index(app, directory):
    with app.app_context():
        db.session.execute(sa.delete(Service).where(Service.id == directory["Alder food bank"]))
        search.index_services([directory["Alder food bank"]])
        db.session.commit()
        assert found(app, text="parcels") == []
        assert found(app, text="fo") == []


# The migration ------------------------------------------------------------------------------


def test_migration_0009_indexes_services_already_listed_and_goes_back(
    engine_name: str, tmp_path: Path
):
    with fresh_database(engine_name, tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, "0008")
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        organisation, service = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as connection:
            connection.execute(
                Organisation.__table__.insert().values(
                    id=organisation,
                    slug="o",
                    name="Eastbridge Debt Line",
                    description="",
                    referral_email="o@example.org",
                    website="",
                    phone="",
                    language="en",
                    created_at=now,
                )
            )
            connection.execute(
                Service.__table__.insert().values(
                    id=service,
                    organisation_id=organisation,
                    slug="s",
                    name="Money clinic",
                    description="Help with rent arrears.",
                    area="",
                    address="",
                    eligibility="",
                    opening_hours="",
                    accepts_self_referral=True,
                    created_at=now,
                )
            )
        command.upgrade(config, "0009")
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT sort_name, name_words, subject_words, body_words FROM search_documents"
                )
            ).all()
            words = set(connection.scalars(sa.text("SELECT word FROM search_vocabulary")))
        assert rows == [("money clinic", "money clinic", "eastbridg debt line", "help rent arrear")]
        assert {"money", "clinic", "eastbridge", "debt", "line", "help", "rent", "arrears"} <= words
        command.downgrade(config, "0008")
        names = set(sa.inspect(engine).get_table_names())
        assert not {n for n in names if n.startswith("search_")}
        command.upgrade(config, "head")
        engine.dispose()


def test_a_large_import_leaves_statistics_of_what_search_reads(app, tmp_path, monkeypatch):
    """Without them, SQLite's planner takes every index as alike and PostgreSQL's plans lag
    until autovacuum comes: an import of ANALYSE_FROM services or more analyses."""
    from passport.directory import importer
    from tests.support.directory_files import organization, service, with_services, write

    monkeypatch.setattr(importer, "ANALYSE_FROM", 2)
    listing = with_services(organization(), service("Debt advice"), service("Food bank"))
    result = app.test_cli_runner().invoke(
        args=["directory", "import", str(write(tmp_path, listing))]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            counted = db.session.scalar(
                sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'search_documents' LIMIT 1")
            )
            assert counted is not None and counted.split()[0] == "2"
        else:
            counted = db.session.scalar(
                sa.text("SELECT reltuples FROM pg_class WHERE relname = 'search_documents'")
            )
            assert counted == 2


def test_the_vocabulary_lookup_uses_its_key_before_any_statistics(app, engine_name):
    """An import asks which of a batch's words the vocabulary has. On PostgreSQL, in a new
    database (no statistics yet), `word IN (...)` was answered from the trigram index, which
    reads its whole pending list for each word: a second for the demo directory after a few
    imports, and growing with each one. The lookup must read the key or the table instead."""
    from passport.directory import search_index

    vocabulary = search_index.SearchWord.__table__
    with app.app_context():
        # A vocabulary written, emptied and written again, as imports do, not yet analysed.
        for words in ([f"old{n}" for n in range(10_000)], [f"word{n}" for n in range(700)]):
            db.session.execute(sa.delete(vocabulary))
            db.session.execute(
                sa.insert(vocabulary), [{"word": w, "stem": w, "documents": 1} for w in words]
            )
            db.session.commit()
        words = words[:300]
        lookup = search_index._known(db.session, words)
        if engine_name == "postgresql":
            # The driver prepares a statement asked five times, and then PostgreSQL may plan
            # it once for any values: ask for that plan.
            db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_generic_plan"))
            compiled = lookup.compile(db.engine, compile_kwargs={"render_postcompile": True})
            rows = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
            plan = " ".join(str(row) for row in rows)
        else:
            compiled = lookup.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = " ".join(
                str(row) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
        db.session.rollback()
    assert "search_vocabulary" in plan
    assert "trigram" not in plan, plan
