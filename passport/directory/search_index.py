"""The search index: one row of stems per service, a vocabulary for typos, name prefixes.

Kept current by `index_services(ids)`, which the importer calls in its own transaction
after it writes a batch of services (Python, not triggers: the stems come from Python's
stemmer, and a batch updates the vocabulary once). Each engine adds its own full-text
index over `search_documents` in migration 0009, which the models do not describe:

- SQLite: `search_fts`, an FTS5 table over the document rows (external content, kept in
  step by triggers on `search_documents`, so a deleted service leaves nothing behind), and
  `search_trigrams`, pg_trgm's trigrams of each vocabulary word, for typos.
- PostgreSQL: three generated tsvector columns (the name; the name and the subject; all)
  with GIN indexes, and a pg_trgm GIN index on the vocabulary.

Text reaches the engines already stemmed (search_text), so both match the same words.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import Any
from typing import cast as typed

from flask import has_app_context
from flask_babel import force_locale
from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from passport import taxonomy
from passport.database import Base, db
from passport.directory import search_text
from passport.directory.models import (
    Organisation,
    Service,
    ServiceCategory,
    ServiceTerm,
    TaxonomyTerm,
)
from passport.i18n import LANGUAGES

BATCH = 500
ANALYSIS_LIMIT = 1000  # rows SQLite's ANALYZE samples in each index
# The tables a search reads or probes, analysed after a large import (PostgreSQL).
ANALYSED_TABLES = (
    "search_documents",
    "search_prefixes",
    "search_vocabulary",
    "services",
    "service_categories",
    "service_terms",
    "service_languages",
    "service_at_locations",
    "locations",
    "opening_times",
)
# HSDS statuses of services that are not running any more: search leaves them out.
HIDDEN_STATUSES = ("inactive", "defunct")
Executor = Session | Connection | scoped_session[Any]
SORT_NAME = String(200).with_variant(String(200, collation="C"), "postgresql")
WORD = String(search_text.WORD_MAX).with_variant(
    String(search_text.WORD_MAX, collation="C"), "postgresql"
)

# What migration 0009 makes for one engine only, outside the models.
SQLITE_TABLES = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_docsize",
        "search_fts_config",
        "search_trigrams",
    }
)
POSTGRESQL_COLUMNS = frozenset({"name_vector", "key_vector", "vector"})
# On tables of 0008's (locations, openings, places of services): both engines, for
# search's probes (migrations 0009 and 0010).
INDEXES = frozenset(
    {
        "ix_search_locations_place",
        "ix_search_opening_times_open",
        "ix_search_service_at_locations_place",
    }
)
POSTGRESQL_INDEXES = frozenset(
    {
        "ix_search_documents_name_vector",
        "ix_search_documents_key_vector",
        "ix_search_documents_vector",
        "ix_search_vocabulary_word_trigrams",
    }
)


class SearchDocument(Base):
    """A service as search reads it: its name to sort by, and its stems in three parts."""

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_sort", "sort_name", "service_id"),
        # a service's name to sort by, without reading its row of words
        Index("ix_search_documents_service_sort", "service_id", "sort_name"),
    )

    doc: Mapped[int] = mapped_column(Integer, primary_key=True)  # the full-text row id
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), unique=True
    )
    sort_name: Mapped[str] = mapped_column(SORT_NAME)
    name_words: Mapped[str] = mapped_column(Text)
    # The organisation's name, the taxonomy terms, and the passport categories' names and
    # hints in every language ("debt" and "dyled" find money services).
    subject_words: Mapped[str] = mapped_column(Text)
    # Description, eligibility, areas and address.
    body_words: Mapped[str] = mapped_column(Text)
    # The vocabulary words this document counts in, to take them away when it changes.
    words: Mapped[str] = mapped_column(Text)


class SearchWord(Base):
    """A word some service uses (not a stem), with its stem and how many services use it."""

    __tablename__ = "search_vocabulary"

    # In code point order on both engines: words that start alike are read as a range.
    word: Mapped[str] = mapped_column(WORD, primary_key=True)
    stem: Mapped[str] = mapped_column(String(search_text.WORD_MAX), index=True)
    documents: Mapped[int] = mapped_column(Integer)


class SearchPrefix(Base):
    """The first one or two letters of a word in a service's name, in name order: what one
    or two letters typed live find, a page at a time, without sorting every match."""

    __tablename__ = "search_prefixes"

    prefix: Mapped[str] = mapped_column(String(search_text.SHORT), primary_key=True)
    sort_name: Mapped[str] = mapped_column(SORT_NAME, primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def kept_outside_models(name: str | None, type_: str) -> bool:
    """Whether a database object is one of an engine's own search indexes (migration 0009),
    which the schema comparison leaves out."""
    if type_ == "table":
        return name in SQLITE_TABLES
    if type_ == "column":
        return name in POSTGRESQL_COLUMNS
    if type_ == "index":
        return name in POSTGRESQL_INDEXES or name in INDEXES
    return False


def index_services(ids: Iterable[uuid.UUID], connection: Executor | None = None) -> None:
    """Bring the search index up to date for these services (added, changed or removed),
    in the session's transaction (or on the connection given: a migration's)."""
    executor: Executor = connection if connection is not None else db.session
    unique = list(dict.fromkeys(ids))
    texts = category_texts()
    for start in range(0, len(unique), BATCH):
        _index_batch(executor, unique[start : start + BATCH], texts)


def analyse(executor: Executor) -> None:
    """Refresh the planner's statistics of the tables search reads, after a large change:
    without them SQLite guesses every index alike (ANALYZE, sampling at most
    ANALYSIS_LIMIT rows of each index), and PostgreSQL's plans lag until autovacuum comes."""
    if _dialect(executor) == "sqlite":
        executor.execute(text(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"))
        executor.execute(text("ANALYZE"))
        return
    for name in ANALYSED_TABLES:
        executor.execute(text(f"ANALYZE {name}"))


def rebuild(connection: Executor | None = None) -> None:
    """Index every service again (migration 0009 indexes those already listed)."""
    executor: Executor = connection if connection is not None else db.session
    index_services(executor.scalars(select(Service.id).order_by(Service.id)).all(), executor)


def category_texts() -> dict[str, str]:
    """Each passport category's name and hint, in every language the site speaks."""
    texts: dict[str, list[str]] = defaultdict(list)
    languages = LANGUAGES if has_app_context() else ("en",)  # outside an app: English
    for language in languages:
        with force_locale(language) if has_app_context() else nullcontext():
            for category in taxonomy.CATEGORIES:
                texts[category.code] += [str(category.name), str(category.hint)]
    return {code: " ".join(parts) for code, parts in texts.items()}


def _index_batch(
    session: Executor, ids: Sequence[uuid.UUID], category_texts: dict[str, str]
) -> None:
    services = session.execute(
        select(
            Service.id,
            Service.name,
            Service.description,
            Service.eligibility,
            Service.area,
            Service.address,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Service.id.in_(ids), Service.status.notin_(HIDDEN_STATUSES))
    ).all()
    terms: dict[uuid.UUID, list[str]] = defaultdict(list)
    for service_id, name in session.execute(
        select(ServiceTerm.service_id, TaxonomyTerm.name)
        .join(TaxonomyTerm, TaxonomyTerm.id == ServiceTerm.taxonomy_term_id)
        .where(ServiceTerm.service_id.in_(ids))
    ):
        terms[service_id].append(name)
    for service_id, code in session.execute(
        select(ServiceCategory.service_id, ServiceCategory.category).where(
            ServiceCategory.service_id.in_(ids)
        )
    ):
        terms[service_id].append(category_texts.get(code, code))
    before = session.execute(
        select(SearchDocument.service_id, SearchDocument.words).where(
            SearchDocument.service_id.in_(ids)
        )
    ).all()

    change: Counter[str] = Counter()
    for _service_id, old_words in before:
        change.subtract(old_words.split())
    documents: list[dict[str, Any]] = []
    prefixes: list[dict[str, Any]] = []
    for service_id, name, description, eligibility, area, address, organisation in services:
        name_words = search_text.words(name)
        subject_words = search_text.words(organisation) + [
            word for term in sorted(terms[service_id]) for word in search_text.shared_words(term)
        ]
        body_words = search_text.words(" ".join([description, eligibility, area, address]))
        vocabulary = search_text.vocabulary_of(name_words, subject_words, body_words)
        change.update(vocabulary)
        sort_name = search_text.sort_key(name)
        documents.append(
            {
                "service_id": service_id,
                "sort_name": sort_name,
                "name_words": search_text.index_line(name_words),
                "subject_words": search_text.index_line(subject_words),
                "body_words": search_text.index_line(body_words),
                "words": " ".join(sorted(vocabulary)),
            }
        )
        prefixes += [
            {"prefix": prefix, "sort_name": sort_name, "service_id": service_id}
            for prefix in sorted(search_text.prefixes_of(name_words))
        ]

    indexed = [service_id for service_id, _words in before]  # a new service has no rows
    if indexed:
        session.execute(delete(SearchDocument).where(SearchDocument.service_id.in_(indexed)))
        session.execute(delete(SearchPrefix).where(SearchPrefix.service_id.in_(indexed)))
    if documents:
        session.execute(typed(Table, SearchDocument.__table__).insert(), documents)
    if prefixes:
        session.execute(typed(Table, SearchPrefix.__table__).insert(), prefixes)
    _count_words(session, {word: n for word, n in change.items() if n})


def _count_words(session: Executor, change: dict[str, int]) -> None:
    """Add each word's change in the number of services using it; forget unused words."""
    if not change:
        return
    words = sorted(change)
    known: set[str] = set()
    for start in range(0, len(words), BATCH):
        known.update(session.scalars(_known(session, words[start : start + BATCH])))
    new = [w for w in words if w not in known and change[w] > 0]
    if new:
        session.execute(
            insert(SearchWord),
            [{"word": w, "stem": search_text.stem(w), "documents": change[w]} for w in new],
        )
        if _dialect(session) == "sqlite":
            session.execute(
                _sqlite_insert_trigrams(),
                [{"trigram": t, "word": w} for w in new for t in search_text.trigrams(w)],
            )
    counted = [w for w in words if w in known]
    if counted:
        vocabulary = typed(Table, SearchWord.__table__)  # Core: an executemany by word
        session.execute(
            update(vocabulary)
            .where(vocabulary.c.word == bindparam("w"))
            .values(documents=vocabulary.c.documents + bindparam("n")),
            [{"w": w, "n": change[w]} for w in counted],
        )
        gone = [w for w in counted if change[w] < 0]
        for start in range(0, len(gone), BATCH):
            session.execute(
                delete(SearchWord).where(
                    SearchWord.word.in_(gone[start : start + BATCH]), SearchWord.documents <= 0
                )
            )


def _known(session: Executor, words: list[str]) -> Any:
    """Which of the words the vocabulary has. On PostgreSQL a join to the list, not `IN`:
    before its table has statistics (a new database, a first import) the planner answers
    `word IN (...)` from the trigram index, which reads that index's whole pending list for
    each word (a second for a few hundred words, growing with every import); a join reads
    the primary key or, for a small vocabulary, the table once."""
    if _dialect(session) != "postgresql":
        return select(SearchWord.word).where(SearchWord.word.in_(words))
    listed = (
        func.unnest(cast(words, postgresql.ARRAY(Text)))
        .table_valued("word")
        .render_derived("listed")
    )
    return select(SearchWord.word).join(listed, listed.c.word == SearchWord.word)


def _dialect(session: Executor) -> str:
    if isinstance(session, Connection):
        return session.dialect.name
    return session.get_bind().dialect.name


def _sqlite_insert_trigrams() -> Any:
    trigrams = table("search_trigrams", column("trigram"), column("word"))
    return sqlite.insert(trigrams).on_conflict_do_nothing()
