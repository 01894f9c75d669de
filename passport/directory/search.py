"""Finding services: one search function over words, typos, categories, distance and the
rest, the same results on SQLite (FTS5) and PostgreSQL (full text and pg_trgm).

The query and the page of results are plain values: the search page, the public API, the
matching from a passport and the benchmark all ask through `find`.

How a query runs, the same on both engines (search_text reads the words, search_index
keeps the index):

1. Each word of three letters or more (not a stop word) becomes its stem. A stem no
   service uses is a typo: it becomes the stem of the most similar word in the vocabulary
   (pg_trgm's trigram similarity, worked out in Python so both engines agree).
2. Services whose stems include every word's, and that pass every filter, come in three
   tiers: every word in the name; every word in the name, the organisation, the terms and
   categories; anywhere. Within a tier, by name (folded), then id. Sorted by distance:
   nearest first, then name, then id.
3. One or two letters (typed live) match the start of a word in a service's name, read in
   name order from an index: no match is sorted, whatever the size of the directory.
4. Only the page's services are loaded. The total is counted up to TOTAL_CAP and no further:
   past that, `Results.total_is_lower_bound` says "more than".
"""

from __future__ import annotations

import contextlib
import enum
import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.expression import cast

from passport import clock
from passport.database import db
from passport.directory import search_index, search_text
from passport.directory.models import (
    Capacity,
    Location,
    OpeningTime,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
    ServiceTerm,
    TaxonomyTerm,
)
from passport.directory.search_index import SearchDocument, SearchPrefix, SearchWord
from passport.directory.words import stem as light_stem

PER_PAGE = 20
PER_PAGE_MAX = 100
TOTAL_CAP = 1000  # the most a total counts to; past it, "more than 1,000"
# The most services a total looks at (in name order; with words, in the index's order) before
# it says "more than" what it found: filters that allow few would otherwise read them all.
COUNT_BUDGET = 4000
LONDON = ZoneInfo("Europe/London")
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180  # of latitude, on the mean Earth radius


Corrections = tuple[tuple[str, str], ...]


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    DISTANCE = "distance"


@dataclass(frozen=True)
class Query:
    """What someone asked for. Every field is optional; an empty query lists everything."""

    text: str = ""
    # Taxonomy terms (any of them); the passport's categories are terms too (by code).
    term_ids: tuple[uuid.UUID, ...] = ()
    categories: tuple[str, ...] = ()
    taxonomy_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    # A known postcode's centroid and the furthest a service may be, in metres.
    near: tuple[float, float] | None = None
    within_metres: int | None = None
    free_only: bool = False
    open_now: bool = False
    language: str = ""  # ISO 639 code
    delivery: int = 0  # a Delivery bitmask: any of these ways
    accepting_only: bool = False
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class Hit:
    service: Service
    distance_metres: float | None = None


@dataclass(frozen=True)
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    # True when there are more than `total` (TOTAL_CAP) matches: show "more than 1,000".
    total_is_lower_bound: bool = False
    # Each typed word that matched nothing, with the word searched for instead.
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def index_services(ids: Iterable[uuid.UUID]) -> None:
    """Bring the search index up to date for these services, after they were imported,
    changed or removed (the importer calls this in its transaction). Python keeps the index
    rather than triggers: the stems come from Python's stemmer (see search_index)."""
    search_index.index_services(ids)


def analyse() -> None:
    """After a large import (committed): the database's statistics of what search reads,
    so that its plans suit the directory's new size. Commits."""
    search_index.analyse(db.session)
    db.session.commit()


def find(query: Query) -> Results:
    """One page of the services that match, most relevant (or nearest) first."""
    page = max(1, query.page)
    per_page = min(max(1, query.per_page), PER_PAGE_MAX)
    engine = _Engine.for_session()
    significant, prefix = search_text.query_words(query.text)
    stems, corrections = engine.stems(significant)
    if stems is None:  # a word that matches no service, even corrected
        return Results([], 0, page, per_page, corrections=corrections)

    distance = _Distance.of(query)
    source: Any = SearchDocument.__table__
    driver: Any = source
    everything: ColumnElement[bool] = true()
    stages = [everything]
    if prefix:
        source = SearchPrefix.__table__
        everything = source.c.prefix == prefix
        stages = [everything]
    if stems and query.sort is Sort.DISTANCE and distance:
        driver, _tiers, everything = engine.matching(stems)
        stages = [everything]  # nearest first: the tiers do not count
    elif stems:
        driver, stages, everything = engine.matching(stems)
    else:
        driver = _narrowest(query, distance, source)
    nearest_first = query.sort is Sort.DISTANCE and distance is not None
    placed = not stems and driver is not source and _by_place(query, distance)
    if placed and nearest_first:
        driver = source  # the nearest places lead below: the box is read once, not twice
    base = select(source.c.service_id).select_from(driver)
    if not placed:  # (a box's places are probed as they are read: see _narrowest)
        led_by_terms = not stems and driver is not source and _by_terms(query)
        # (a term's services lead: each is in the term already)
        probed = replace(query, term_ids=()) if led_by_terms else query
        base = base.where(*_filters(probed, source.c.service_id))
    if distance and not placed and not nearest_first:
        # (the places in the box lead, or the nearest of them: each is within already)
        base = base.where(distance.within(source.c.service_id))

    offset, end = (page - 1) * per_page, page * per_page
    order = (source.c.sort_name, source.c.service_id)
    found: list[uuid.UUID] = []
    listing = not stems and (driver is not source or placed)  # a filter's few services lead
    if (query.sort is Sort.DISTANCE and distance) or listing:
        # Every service the lead allows is read anyway: one read gives the total too.
        ordered = base.where(everything)
        if query.sort is Sort.DISTANCE and distance:
            at = ServiceAtLocation.__table__.c
            nearest = distance.nearest(_filters(query, at.service_id) if placed else [])
            ordered = ordered.join(nearest, nearest.c.service_id == source.c.service_id)
            ordered = ordered.order_by(nearest.c.d2, *order)
        else:
            ordered = ordered.order_by(*order)
        # Ids as the driver gives them (text or UUID): only the page's are made UUIDs.
        raw = ordered.with_only_columns(type_coerce(source.c.service_id, String))
        listed = db.session.scalars(raw.limit(max(end, TOTAL_CAP + 1))).all()
        total, more = min(len(listed), TOTAL_CAP), len(listed) > TOTAL_CAP
        found = [_uuid(value) for value in listed[:end]]
    elif len(stages) == 1:
        # In name order, stopping when the page is full; then a count within a budget.
        found = list(db.session.scalars(base.where(everything).order_by(*order).limit(end)))
        if len(found) < end:
            total, more = len(found), False
        else:
            total, more = _count_within(query, distance, source, driver, everything, order)
    else:
        # Tier by tier until the page is full, then a count that stops at TOTAL_CAP + 1.
        full = False
        for stage in stages:
            wanted = end - len(found)
            if engine.probes_in_order:
                tier = _in_order_then_probed(query, distance, source, driver, stage, order, wanted)
            else:
                tier = base.where(stage).order_by(*order).limit(wanted)
            rows = db.session.scalars(tier)
            found += rows
            if len(found) >= end:
                full = True
                break
        if full:
            in_order = engine.in_index_order()
            total, more = _count_within(
                query, distance, source, driver, everything, in_order, engine.index_alone()
            )
        else:  # every match was read: the total is what was found
            total, more = len(found), False
    hits = _hits(found[offset:end], distance)
    return Results(hits, total, page, per_page, more, corrections)


def _in_order_then_probed(
    query: Query,
    distance: _Distance | None,
    source: Any,
    driver: Any,
    stage: ColumnElement[bool],
    order: tuple[Any, ...],
    wanted: int,
) -> Select[Any]:
    """A tier's next services on SQLite: its matches in name order, each filter a probe of
    them in that order until `wanted` pass. Probing first and sorting after probed every match of a
    common word (at 100,000 services, 'advice' open now in Welsh: 63 ms)."""
    ordered = select(source.c.service_id).select_from(driver).where(stage).order_by(*order)
    if not distance and not _filters(query, source.c.service_id):
        return ordered.limit(wanted)
    # OFFSET 0: the sorted matches stay a subquery (neither engine merges it into the
    # query that probes them, nor moves the probes inside), read in its order.
    sorted_matches = ordered.offset(0).subquery()
    service_id = sorted_matches.c.service_id
    probes = _filters(query, service_id)
    if distance:
        probes.append(distance.within(service_id))
    return select(service_id).where(*probes).limit(wanted)


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _count_within(
    query: Query,
    distance: _Distance | None,
    source: Any,
    driver: Any,
    everything: ColumnElement[bool],
    order: tuple[Any, ...],
    alone: Any = None,
) -> tuple[int, bool]:
    """The total, counting no further than TOTAL_CAP matches among the first COUNT_BUDGET
    candidates in `order`: past either, the total is a lower bound ("more than"). `alone`
    is the full-text index by itself, when it can count the candidates without the
    documents."""
    if not _filters(query, source.c.service_id) and not distance:
        # Every candidate matches: count them, up to TOTAL_CAP + 1, in any order.
        every = select(literal(1)).select_from(driver if alone is None else alone)
        every = every.where(everything).limit(TOTAL_CAP + 1)
        counted = db.session.scalar(select(func.count()).select_from(every.subquery())) or 0
        return min(counted, TOTAL_CAP), counted > TOTAL_CAP
    engine = _Engine.for_session()
    ordered = select(source.c.service_id).select_from(driver).where(everything).order_by(*order)
    if engine.counts_candidates_once:
        # The candidates read once, for both counts (PostgreSQL: the matches' rows, and each
        # one's stems, are the dear part; read twice, they were read twice).
        beyond: Any = ordered.limit(COUNT_BUDGET + 1).cte("candidates")
        first = select(beyond.c.service_id).limit(COUNT_BUDGET).subquery()
    else:
        first = ordered.limit(COUNT_BUDGET).subquery()
        beyond = (
            select(literal(1))
            .select_from(driver if alone is None else alone)
            .where(everything)
            .order_by(*order)
            .limit(COUNT_BUDGET + 1)
            .subquery()
        )
    matches = select(literal(1)).select_from(first)
    matches = matches.where(*_filters(query, first.c.service_id))
    if distance:
        matches = matches.where(distance.within(first.c.service_id))
    # Both counts in one round trip.
    with engine.index_first():
        candidates, counted = db.session.execute(
            select(
                select(func.count()).select_from(beyond).scalar_subquery(),
                select(func.count())
                .select_from(matches.limit(TOTAL_CAP + 1).subquery())
                .scalar_subquery(),
            )
        ).one()
    if counted > TOTAL_CAP:
        return TOTAL_CAP, True
    return counted, candidates > COUNT_BUDGET


def _hits(ids: Sequence[uuid.UUID], distance: _Distance | None) -> list[Hit]:
    if not ids:
        return []
    loaded = db.session.scalars(
        select(Service).where(Service.id.in_(ids)).options(joinedload(Service.organisation))
    ).unique()
    by_id = {service.id: service for service in loaded}
    metres = distance.metres(ids) if distance else {}
    return [Hit(by_id[i], metres.get(i)) for i in ids if i in by_id]


def _filters(query: Query, service_id: Any) -> list[ColumnElement[bool]]:
    """Each filter as a probe of the service's own rows (EXISTS on indexed keys), so a page
    read in name order stops as soon as it is full, whatever the size of the directory."""
    found: list[ColumnElement[bool]] = []
    services = Service.__table__.c
    own = [
        condition
        for asked, condition in (
            (query.organisation_id, services.organisation_id == query.organisation_id),
            (query.free_only, services.free.is_(True)),
            (query.delivery, services.delivery.op("&")(int(query.delivery)) != 0),
            (query.accepting_only, services.capacity != Capacity.NOT_ACCEPTING.value),
        )
        if asked
    ]
    if own:
        found.append(_exists(services.id == service_id, *own))
    if query.categories:
        rows = ServiceCategory.__table__.c
        found.append(_exists(rows.service_id == service_id, rows.category.in_(query.categories)))
    if query.term_ids:
        rows = ServiceTerm.__table__.c
        found.append(
            _exists(rows.service_id == service_id, rows.taxonomy_term_id.in_(query.term_ids))
        )
    if query.taxonomy_id:
        rows, terms = ServiceTerm.__table__.c, TaxonomyTerm.__table__.c
        found.append(
            _exists(
                rows.service_id == service_id,
                terms.id == rows.taxonomy_term_id,
                terms.taxonomy_id == query.taxonomy_id,
            )
        )
    if query.language:
        rows = ServiceLanguage.__table__.c
        found.append(
            _exists(rows.service_id == service_id, rows.code == query.language.strip().lower())
        )
    if query.open_now:  # last: the dearest probe (a range on each opening), asked least often
        found.append(_open_at(clock.now(), service_id))
    return found


def _by_place(query: Query, distance: _Distance | None) -> bool:
    """Whether _narrowest reads the places in a distance box."""
    near = distance is not None and distance.radius is not None
    return near and not query.organisation_id and not query.term_ids


def _by_terms(query: Query) -> bool:
    """Whether _narrowest reads the services of the terms asked for."""
    return bool(query.term_ids) and not query.organisation_id


def _narrowest(query: Query, distance: _Distance | None, source: Any) -> Any:
    """What to read the documents from when there are no words: the services a filter that
    allows few of them lists (an organisation's, a term's, those in a box around a point), or
    else every document in name order, each filter a probe: a page stops when it is full."""
    if query.organisation_id:
        services = Service.__table__.c
        few = select(services.id).where(services.organisation_id == query.organisation_id)
    elif query.term_ids:
        terms = ServiceTerm.__table__.c
        few = select(terms.service_id).where(terms.taxonomy_term_id.in_(query.term_ids))
    elif distance and distance.radius is not None:
        # Each place's service probed by the filters as the box is read, before its
        # document is looked up: a box at 100,000 services holds thousands of places.
        at = ServiceAtLocation.__table__.c
        few = distance.places().where(*_filters(query, at.service_id))
    else:
        return source
    listed = few.distinct().subquery()
    return listed.join(source, source.c.service_id == listed.c[0])


def _exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return select(literal(1)).where(*conditions).exists()


def _open_at(moment: datetime, service_id: Any) -> ColumnElement[bool]:
    """Open at this moment, by the weekly openings in Europe/London. An opening that closes
    at or before it opens runs past midnight into the next day."""
    local = moment.astimezone(LONDON)
    day, minute = local.weekday(), local.hour * 60 + local.minute
    times = OpeningTime.__table__.c
    overnight = times.closes <= times.opens
    return _exists(
        times.service_id == service_id,
        ((times.weekday == day) & (times.opens <= minute) & ((times.closes > minute) | overnight))
        | ((times.weekday == (day - 1) % 7) & overnight & (times.closes > minute)),
    )


@dataclass(frozen=True)
class _Distance:
    """Distance from a point: a box on the indexed coordinates, then the exact distance
    (equirectangular: metres east scaled by cos(latitude), which Python works out, so the
    same plain arithmetic runs on both engines). Squared in SQL; the root in Python."""

    latitude: float
    longitude: float
    radius: float | None

    @classmethod
    def of(cls, query: Query) -> _Distance | None:
        if query.near is None:
            return None
        latitude, longitude = query.near
        within = float(query.within_metres) if query.within_metres is not None else None
        return cls(float(latitude), float(longitude), within)

    @property
    def _east(self) -> float:
        return METRES_PER_DEGREE * math.cos(math.radians(self.latitude))

    def _squared(self) -> ColumnElement[float]:
        places = Location.__table__.c
        north = (places.latitude - self.latitude) * METRES_PER_DEGREE
        east = (places.longitude - self.longitude) * self._east
        return north * north + east * east

    def places(self) -> Select[Any]:
        places, at = Location.__table__.c, ServiceAtLocation.__table__.c
        near = (
            select(at.service_id)
            .select_from(
                ServiceAtLocation.__table__.join(Location.__table__, places.id == at.location_id)
            )
            .where(places.latitude.is_not(None), places.longitude.is_not(None))
        )
        if self.radius is not None:
            north = self.radius / METRES_PER_DEGREE
            east = self.radius / self._east if self._east > 1 else 180.0
            near = near.where(
                places.latitude.between(self.latitude - north, self.latitude + north),
                # (+ 0: read from the composite index of both, never the longitude's alone,
                # which reads each place's row for its latitude)
                (places.longitude + 0).between(self.longitude - east, self.longitude + east),
                self._squared() <= self.radius * self.radius,
            )
        return near

    def within(self, service_id: Any) -> ColumnElement[bool]:
        at = ServiceAtLocation.__table__.c
        return self.places().where(at.service_id == service_id).exists()

    def nearest(self, probes: Sequence[ColumnElement[bool]] = ()) -> Any:
        """Each service's nearest place (squared metres), as a subquery; only the services
        that pass the probes (of service_at_locations.service_id), when given."""
        return (
            self.places()
            .where(*probes)
            .add_columns(func.min(self._squared()).label("d2"))
            .group_by(column("service_id"))
            .subquery()
        )

    def metres(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, float]:
        nearest = self.places().where(column("service_id").in_(ids))
        rows = db.session.execute(
            nearest.add_columns(func.min(self._squared())).group_by(column("service_id"))
        )
        return {service_id: math.sqrt(d2) for service_id, d2 in rows}


class _Engine:
    """What differs between SQLite and PostgreSQL: full-text matching and typo candidates."""

    # Whether a subquery's sorted rows reach the query that probes them in their order.
    # SQLite reads them from a co-routine, in order; PostgreSQL turns the probes (EXISTS)
    # into joins, which need not keep it, so it probes every match and then sorts.
    probes_in_order = False
    # Whether a total's two counts read the candidates once, from a CTE (SQLite reads the
    # full-text index alone, or an index in name order, more cheaply than a CTE's copy).
    counts_candidates_once = False

    @staticmethod
    def for_session() -> _Engine:
        name = db.session.get_bind().dialect.name
        return _SQLite() if name == "sqlite" else _PostgreSQL()

    def stems(self, words: list[str]) -> tuple[list[list[str]] | None, Corrections]:
        """For each word, the stems it is searched by (any of them); None when a word
        matches nothing, even corrected. Also the corrections made (typed, searched for).

        A word services use is searched by its stem, and by the stems of the words that
        start like it (its light stem, five letters or more): 'lonely' finds 'loneliness',
        which Snowball stems apart. Any other word is a typo (or a word typed so far),
        searched as the nearest word services use: 'counse' as 'counsel'."""
        if not words:
            return [], ()
        if any(len(word) > search_text.WORD_MAX for word in words):
            return None, ()  # no service has a word that long
        stems = {word: search_text.stem(word) for word in words}
        known = set(
            db.session.scalars(
                select(SearchWord.stem).where(SearchWord.stem.in_(set(stems.values())))
            )
        )
        found: list[list[str]] = []
        corrections: list[tuple[str, str]] = []
        for word, stem in stems.items():
            if stem in known or word.isdigit():
                found.append(list(dict.fromkeys([stem, *self._alike(word)])))
                continue
            better = search_text.best_correction(word, self.candidates(word))
            if better is None:
                return None, tuple(corrections)
            corrections.append((word, better))
            found.append([search_text.stem(better)])
        return found, tuple(corrections)

    def _alike(self, word: str) -> list[str]:
        start = light_stem(word)
        if len(start) < search_text.ALIKE_FROM:
            return []
        after = start[:-1] + chr(ord(start[-1]) + 1)
        return list(
            db.session.scalars(
                select(SearchWord.stem)
                .where(SearchWord.word >= start, SearchWord.word < after)
                .order_by(SearchWord.documents.desc(), SearchWord.word)
                .limit(search_text.ALIKE_MAX)
            )
        )

    def candidates(self, word: str) -> list[tuple[str, int]]:
        raise NotImplementedError

    def index_first(self) -> contextlib.AbstractContextManager[None]:
        """Around a statement that should read its matches through the indexes."""
        return contextlib.nullcontext()

    def in_index_order(self) -> tuple[Any, ...]:
        """The order full-text matches come in without sorting (a total's budget)."""
        return (SearchDocument.__table__.c.doc,)

    def index_alone(self) -> Any:
        """The full-text index without the documents, where matching can read it alone."""
        return None

    def matching(
        self, stems: list[list[str]]
    ) -> tuple[Any, list[ColumnElement[bool]], ColumnElement[bool]]:
        """What to read the documents from, the tiers in order (name; name and subject;
        anywhere), and all of them at once."""
        raise NotImplementedError


class _SQLite(_Engine):
    probes_in_order = True
    _fts = table("search_fts", column("rowid"))
    _trigrams = table("search_trigrams", column("trigram"), column("word"))

    def candidates(self, word: str) -> list[tuple[str, int]]:
        shared = (
            select(self._trigrams.c.word)
            .where(self._trigrams.c.trigram.in_(sorted(search_text.trigrams(word))))
            .group_by(self._trigrams.c.word)
            .having(func.count() >= search_text.least_shared(word))
            .subquery()
        )
        rows = db.session.execute(
            select(SearchWord.word, SearchWord.documents).join(
                shared, shared.c.word == SearchWord.word
            )
        )
        return [(w, n) for w, n in rows]

    def matching(
        self, stems: list[list[str]]
    ) -> tuple[Any, list[ColumnElement[bool]], ColumnElement[bool]]:
        # Stems are letters and digits only (search_text.words): quoted, they are plain
        # strings to FTS5, never its operators.
        every = " AND ".join(
            "(" + " OR ".join(f'"{stem}"' for stem in any_of) + ")" for any_of in stems
        )
        name = f"({{name_words}} : ({every}))"
        key = f"({{name_words subject_words}} : ({every}))"
        anywhere = f"({every})"
        # The full-text table leads: its matches, then each document by its row id.
        documents = SearchDocument.__table__
        driver = self._fts.join(documents, documents.c.doc == self._fts.c.rowid)
        tiers = [name, f"{key} NOT {name}", f"{anywhere} NOT {key}"]
        return driver, [self._match(tier) for tier in tiers], self._match(anywhere)

    def in_index_order(self) -> tuple[Any, ...]:
        return (self._fts.c.rowid,)

    def index_alone(self) -> Any:
        return self._fts  # one row for each document (external content: search_documents)

    def _match(self, expression: str) -> ColumnElement[bool]:
        return literal_column("search_fts").op("MATCH")(expression)


class _PostgreSQL(_Engine):
    counts_candidates_once = True

    def in_index_order(self) -> tuple[Any, ...]:
        # As the scan finds them (the table's order, which is the documents' after an
        # import): ordered by doc, a common word's every match was read and sorted first
        # (a scan of the whole table at 100,000 services), to count 4,000 of them.
        return ()

    @contextlib.contextmanager
    def index_first(self) -> Iterator[None]:
        # A common word matches a quarter of the documents, and the planner reads them in
        # a sequential scan that stops at the budget: it takes each row's stems out of TOAST
        # to test them, rows the GIN index would not have read at all (10,000 services,
        # 'advice': 143 ms by the scan, 12 ms through the index). For this statement only.
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        try:
            yield
        finally:
            db.session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))

    def candidates(self, word: str) -> list[tuple[str, int]]:
        # pg_trgm's % (similarity at least 0.3, its default threshold) on the GIN index.
        rows = db.session.execute(
            select(SearchWord.word, SearchWord.documents).where(SearchWord.word.op("%")(word))
        )
        return [(w, n) for w, n in rows]

    def matching(
        self, stems: list[list[str]]
    ) -> tuple[Any, list[ColumnElement[bool]], ColumnElement[bool]]:
        # Lexemes are letters and digits only: quoted, they are taken as they are.
        every = cast(
            " & ".join("(" + " | ".join(f"'{stem}'" for stem in any_of) + ")" for any_of in stems),
            TSQUERY,
        )

        def match(vector: str) -> ColumnElement[bool]:
            return literal_column(f"search_documents.{vector}").op("@@")(every)

        name, key, anywhere = match("name_vector"), match("key_vector"), match("vector")
        tiers = [name, and_(key, ~name), and_(anywhere, ~key)]
        return SearchDocument.__table__, tiers, anywhere
