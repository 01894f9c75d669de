"""What the public API publishes: pages of HSDS documents, read from the directory alone.

Nothing here reads beyond the directory's own tables (organisations, services, taxonomies,
locations and their links): residents, referrals and shares have no way in. The words of a
search go through `search.find`, so the API finds what the search page finds; the other
filters are exact, on indexed columns.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, String, func, select, type_coerce
from sqlalchemy.orm import joinedload

from passport.database import db
from passport.directory import hsds, postcodes, search
from passport.directory.models import (
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)
from passport.errors import DomainError, NotFoundError

PER_PAGE = 50
# The most items a page holds: a larger per_page is lowered to this (the page says its size).
PER_PAGE_MAX = search.PER_PAGE_MAX
# What a postcode search reaches when it names no proximity, and the furthest it may.
SEARCH_MAX = 100  # characters
PROXIMITY_DEFAULT = 10_000
PROXIMITY_MAX = 200_000
# Rows read from the database at a time while a whole list streams as ndjson.
STREAM_BATCH = 200
EARTH_RADIUS_METRES = 6_371_008.8

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One page of a list, with the HSDS 3.0 paging fields.

    A search counts its matches only so far (search.TOTAL_CAP): past that, `more` says the
    total is "at least", and the pages run on until one comes back short."""

    contents: list[dict[str, Any]]
    total_items: int
    page_number: int
    per_page: int
    more: bool = False

    def as_json(self) -> dict[str, Any]:
        total_pages = max(1, math.ceil(self.total_items / self.per_page))
        last_page = self.page_number >= total_pages
        if self.more:
            last_page = len(self.contents) < self.per_page
            total_pages = max(total_pages, self.page_number + (0 if last_page else 1))
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": last_page,
            "empty": not self.contents,
            "contents": self.contents,
        }


@dataclass(frozen=True)
class ServiceFilter:
    """What /services may be asked for. `shape` is "list", "minimal" or "full"."""

    text: str = ""
    term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    shape: str = "list"


class UnknownPostcodeError(DomainError):
    """A postcode we have no centroid for: said, rather than an empty list."""

    code = "unknown-postcode"

    def __init__(self, postcode: str) -> None:
        super().__init__(postcode)
        self.message = f"We do not know the postcode {postcode!r}."


# Documents


def service_list_item(service: Service) -> dict[str, Any]:
    """A service's one-to-one fields and its organisation's (compiled/service_list.json)."""
    item = _scalars(hsds.nested_service(service))
    item["organization"] = _scalars(hsds.organisation_document(service.organisation))
    return item


def service_minimal(service: Service) -> dict[str, Any]:
    modified = service.modified_at.isoformat() if service.modified_at else None
    return {"id": str(service.id), "modified_date": modified}


def service_full(service: Service) -> dict[str, Any]:
    return hsds.nested_service(service)


SHAPES: dict[str, Callable[[Service], dict[str, Any]]] = {
    "list": service_list_item,
    "minimal": service_minimal,
    "full": service_full,
}


def _scalars(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if not isinstance(value, list | dict)}


def organisation_item(organisation: Organisation, services: str = "") -> dict[str, Any]:
    """An organisation as published; with its services' one-to-one fields ("list") or the
    services fully nested but for the organisation itself ("full")."""
    document = hsds.organisation_document(organisation)
    if services == "list":
        document["services"] = [_scalars(hsds.nested_service(s)) for s in organisation.services]
    elif services == "full":
        document["services"] = [_without_organisation(s) for s in organisation.services]
    return document


def _without_organisation(service: Service) -> dict[str, Any]:
    document = hsds.nested_service(service)
    document.pop("organization", None)
    return document


# Services


def service(service_id: str) -> dict[str, Any]:
    return service_full(_get(Service, service_id))


def services_page(wanted: ServiceFilter, page: int, per_page: int) -> Page:
    shape = SHAPES[wanted.shape]
    if wanted.text:
        found = search.find(_query(wanted, page, per_page))
        contents = [shape(hit.service) for hit in found.hits]
        return Page(contents, found.total, page, per_page, found.total_is_lower_bound)
    rows = _page(_service_ids(wanted), page, per_page, _services)
    return Page([shape(row) for row in rows.rows], rows.total, page, per_page)


def all_services(wanted: ServiceFilter) -> Iterator[dict[str, Any]]:
    """Every service that matches, read a batch at a time, for streaming."""
    shape = SHAPES[wanted.shape]
    if wanted.text:
        page = 1
        while True:
            found = search.find(_query(wanted, page, search.PER_PAGE_MAX))
            yield from (shape(hit.service) for hit in found.hits)
            # Not found.pages: past search.TOTAL_CAP the total is only "at least".
            if len(found.hits) < search.PER_PAGE_MAX:
                return
            page += 1
    # In order of id: a walk along the primary key, batch by batch, with nothing to sort.
    statement = (
        select(Service)
        .where(Service.id.in_(_service_ids(wanted).order_by(None)))
        .options(joinedload(Service.organisation))
        .order_by(Service.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for row in db.session.scalars(statement):
        yield shape(row)


def _query(wanted: ServiceFilter, page: int, per_page: int) -> search.Query:
    return search.Query(
        text=wanted.text,
        term_ids=(wanted.term_id,) if wanted.term_id else (),
        taxonomy_id=wanted.taxonomy_id,
        organisation_id=wanted.organisation_id,
        page=page,
        per_page=per_page,
    )


def _service_ids(wanted: ServiceFilter) -> Select[tuple[uuid.UUID]]:
    statement = select(Service.id)
    if wanted.organisation_id:
        statement = statement.where(Service.organisation_id == wanted.organisation_id)
    if wanted.term_id:
        statement = statement.where(
            Service.id.in_(
                select(ServiceTerm.service_id).where(ServiceTerm.taxonomy_term_id == wanted.term_id)
            )
        )
    if wanted.taxonomy_id:
        statement = statement.where(
            Service.id.in_(
                select(ServiceTerm.service_id)
                .join(TaxonomyTerm, TaxonomyTerm.id == ServiceTerm.taxonomy_term_id)
                .where(TaxonomyTerm.taxonomy_id == wanted.taxonomy_id)
            )
        )
    if wanted.modified_after:
        statement = statement.where(*_at_or_after(Service.modified_at, wanted.modified_after))
    return statement.order_by(Service.id)


def _at_or_after(column: Any, moment: datetime) -> list[ColumnElement[bool]]:
    """`column >= moment`, also where SQLite holds the column as text written two ways.

    SQLite keeps datetimes as text, and rows written by different paths may spell the same
    moment differently ("2026-02-01 12:00:00+00:00" from the importer's executemany,
    "2026-02-01 12:00:00.000000" from the ORM), so a text comparison is wrong within the
    second. The text bound (whole seconds, a prefix of both spellings) keeps the index;
    julianday() then compares them as times."""
    if db.session.get_bind().dialect.name != "sqlite":
        return [column >= moment]
    as_text = type_coerce(column, String)
    utc = moment.astimezone(UTC)
    return [
        as_text >= utc.strftime("%Y-%m-%d %H:%M:%S"),
        func.julianday(as_text) >= func.julianday(utc.strftime("%Y-%m-%d %H:%M:%S.%f")),
    ]


def _services(ids: Sequence[uuid.UUID]) -> Sequence[Service]:
    return db.session.scalars(
        select(Service).where(Service.id.in_(ids)).options(joinedload(Service.organisation))
    ).all()


# Organisations


def organisation(organisation_id: str) -> dict[str, Any]:
    return organisation_item(_get(Organisation, organisation_id), "full")


def organisations_page(page: int, per_page: int, services: str = "") -> Page:
    ids = select(Organisation.id).order_by(Organisation.id)
    rows = _page(ids, page, per_page, _organisations)
    contents = [organisation_item(row, services) for row in rows.rows]
    return Page(contents, rows.total, page, per_page)


def _organisations(ids: Sequence[uuid.UUID]) -> Sequence[Organisation]:
    return db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))).all()


# Taxonomies and their terms


def taxonomy(taxonomy_id: str) -> dict[str, Any]:
    return dict(_get(Taxonomy, taxonomy_id).document)


def taxonomies_page(page: int, per_page: int) -> Page:
    ids = select(Taxonomy.id).order_by(Taxonomy.name, Taxonomy.id)
    rows = _page(ids, page, per_page, _rows(Taxonomy))
    return Page([dict(row.document) for row in rows.rows], rows.total, page, per_page)


def taxonomy_term(term_id: str) -> dict[str, Any]:
    return dict(_get(TaxonomyTerm, term_id).document)


def taxonomy_terms_page(
    page: int,
    per_page: int,
    *,
    top_only: bool = False,
    parent_id: uuid.UUID | None = None,
    taxonomy_id: uuid.UUID | None = None,
) -> Page:
    ids = select(TaxonomyTerm.id).order_by(TaxonomyTerm.name, TaxonomyTerm.id)
    if top_only:
        ids = ids.where(TaxonomyTerm.parent_id.is_(None))
    if parent_id:
        ids = ids.where(TaxonomyTerm.parent_id == parent_id)
    if taxonomy_id:
        ids = ids.where(TaxonomyTerm.taxonomy_id == taxonomy_id)
    rows = _page(ids, page, per_page, _rows(TaxonomyTerm))
    return Page([dict(row.document) for row in rows.rows], rows.total, page, per_page)


# Services at locations


def service_at_location(link_id: str) -> dict[str, Any]:
    link = _get(ServiceAtLocation, link_id)
    found = db.session.execute(
        select(Location, Service)
        .join(Service, Service.id == link.service_id)
        .where(Location.id == link.location_id)
        .options(joinedload(Service.organisation))
    ).one()
    return _link_document(link, *found, full=True)


def service_at_locations_page(
    page: int, per_page: int, *, postcode: str = "", proximity: int | None = None
) -> Page:
    if not postcode:
        ids = select(ServiceAtLocation.id).order_by(ServiceAtLocation.id)
        rows = _page(ids, page, per_page, _links)
        contents = [_link_document(*row) for row in rows.rows]
        return Page(contents, rows.total, page, per_page)
    centre = _centroid(postcode)
    reach = proximity or PROXIMITY_DEFAULT
    # A box on the indexed coordinates first, then the exact distance for what is in it;
    # only the page's rows are loaded whole.
    lat_span = math.degrees(reach / EARTH_RADIUS_METRES)
    long_span = lat_span / max(math.cos(math.radians(centre[0])), 0.01)
    boxed = (
        select(ServiceAtLocation.id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(
            Location.latitude.between(centre[0] - lat_span, centre[0] + lat_span),
            Location.longitude.between(centre[1] - long_span, centre[1] + long_span),
        )
    )
    near = sorted(
        (metres, link_id)
        for link_id, latitude, longitude in db.session.execute(boxed)
        if (metres := distance_metres(centre, (latitude, longitude))) <= reach
    )
    start = (page - 1) * per_page
    wanted = near[start : start + per_page]
    loaded = {row[0].id: row for row in _links([link_id for _, link_id in wanted])}
    contents = [
        {**_link_document(*loaded[link_id]), "distance": round(metres)}
        for metres, link_id in wanted
    ]
    return Page(contents, len(near), page, per_page)


def _links(ids: Sequence[uuid.UUID]) -> Sequence[Any]:
    return db.session.execute(
        select(ServiceAtLocation, Location, Service)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(ServiceAtLocation.id.in_(ids))
        .options(joinedload(Service.organisation))
    ).all()


def _link_document(
    link: ServiceAtLocation, location: Location, listed: Service, *, full: bool = False
) -> dict[str, Any]:
    """The service_at_location as its service published it, with its location, and the
    service (its one-to-one fields in a list, fully nested on its own)."""
    published = hsds.nested_service(listed)
    document: dict[str, Any] = next(
        (
            dict(entry)
            for entry in published.get("service_at_locations", [])
            if entry.get("id") == str(link.id)
        ),
        {"id": str(link.id)},
    )
    document.setdefault("service_id", str(listed.id))
    document.setdefault("location_id", str(location.id))
    document["location"] = dict(location.document)
    document["service"] = published if full else service_list_item(listed)
    return document


def _centroid(postcode: str) -> tuple[float, float]:
    found = postcodes.lookup(postcode)
    if found is None:
        raise UnknownPostcodeError(postcode)
    return found.latitude, found.longitude


def distance_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, long1, lat2, long2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((long2 - long1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(h))


# Shared


def _get(model: type[T], text: str) -> T:
    try:
        row_id = uuid.UUID(text)
    except ValueError:
        raise NotFoundError(text) from None
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFoundError(text)
    return row


def _count(statement: Select[Any]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(db.session.scalar(counted) or 0)


def _rows(model: type[T]) -> Callable[[Sequence[uuid.UUID]], Sequence[T]]:
    def load(ids: Sequence[uuid.UUID]) -> Sequence[T]:
        return db.session.scalars(select(model).where(model.id.in_(ids))).all()  # type: ignore[attr-defined]

    return load


@dataclass(frozen=True)
class _Rows(Generic[T]):
    rows: list[T]
    total: int


def _page(
    ids: Select[tuple[uuid.UUID]],
    page: int,
    per_page: int,
    load: Callable[[Sequence[uuid.UUID]], Sequence[T]],
) -> _Rows[T]:
    """One page of rows: their ids first (narrow, so ordering and skipping are cheap), then
    the rows themselves, in the same order. Past the last page, no query at all."""
    total = _count(ids)
    start = (page - 1) * per_page
    if start >= total:
        return _Rows([], total)
    wanted = list(db.session.scalars(ids.offset(start).limit(per_page)))
    by_id = {_key(row): row for row in load(wanted)}
    return _Rows([by_id[row_id] for row_id in wanted if row_id in by_id], total)


def _key(row: Any) -> uuid.UUID:
    # A row, or a tuple of rows whose first is the one the ids name.
    return row[0].id if isinstance(row, tuple) or hasattr(row, "_mapping") else row.id
