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
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from passport.database import db
from passport.directory import hsds, search
from passport.directory.models import (
    Location,
    Organisation,
    Postcode,
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
    """One page of a list, with the HSDS 3.0 paging fields."""

    contents: list[dict[str, Any]]
    total_items: int
    page_number: int
    per_page: int

    def as_json(self) -> dict[str, Any]:
        total_pages = max(1, math.ceil(self.total_items / self.per_page))
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
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
        return Page([shape(hit.service) for hit in found.hits], found.total, page, per_page)
    statement = _services(wanted)
    return _page(statement, page, per_page, shape)


def all_services(wanted: ServiceFilter) -> Iterator[dict[str, Any]]:
    """Every service that matches, read a batch at a time, for streaming."""
    shape = SHAPES[wanted.shape]
    if wanted.text:
        page = 1
        while True:
            found = search.find(_query(wanted, page, search.PER_PAGE_MAX))
            yield from (shape(hit.service) for hit in found.hits)
            if page >= found.pages or not found.hits:
                return
            page += 1
    statement = _services(wanted).execution_options(yield_per=STREAM_BATCH)
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


def _services(wanted: ServiceFilter) -> Select[tuple[Service]]:
    statement = select(Service).options(joinedload(Service.organisation))
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
        statement = statement.where(Service.modified_at >= wanted.modified_after)
    return statement.order_by(Service.name, Service.id)


# Organisations


def organisation(organisation_id: str) -> dict[str, Any]:
    return organisation_item(_get(Organisation, organisation_id), "full")


def organisations_page(page: int, per_page: int, services: str = "") -> Page:
    statement = select(Organisation).order_by(Organisation.name, Organisation.id)
    return _page(statement, page, per_page, lambda row: organisation_item(row, services))


# Taxonomies and their terms


def taxonomy(taxonomy_id: str) -> dict[str, Any]:
    return dict(_get(Taxonomy, taxonomy_id).document)


def taxonomies_page(page: int, per_page: int) -> Page:
    statement = select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id)
    return _page(statement, page, per_page, lambda row: dict(row.document))


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
    statement = select(TaxonomyTerm).order_by(TaxonomyTerm.name, TaxonomyTerm.id)
    if top_only:
        statement = statement.where(TaxonomyTerm.parent_id.is_(None))
    if parent_id:
        statement = statement.where(TaxonomyTerm.parent_id == parent_id)
    if taxonomy_id:
        statement = statement.where(TaxonomyTerm.taxonomy_id == taxonomy_id)
    return _page(statement, page, per_page, lambda row: dict(row.document))


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
    statement = (
        select(ServiceAtLocation, Location, Service)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .options(joinedload(Service.organisation))
    )
    if not postcode:
        statement = statement.order_by(Service.name, Location.name, ServiceAtLocation.id)
        total = _count(statement)
        window = _window(total, page, per_page)
        rows: Sequence[Any] = []
        if window:
            rows = db.session.execute(statement.offset(window[0]).limit(window[1])).all()
        contents = [_link_document(*row) for row in rows]
        return Page(contents, total, page, per_page)
    centre = _centroid(postcode)
    reach = proximity or PROXIMITY_DEFAULT
    # A box on the indexed coordinates first, then the exact distance for what is in it.
    lat_span = math.degrees(reach / EARTH_RADIUS_METRES)
    long_span = lat_span / max(math.cos(math.radians(centre[0])), 0.01)
    boxed = statement.where(
        Location.latitude.between(centre[0] - lat_span, centre[0] + lat_span),
        Location.longitude.between(centre[1] - long_span, centre[1] + long_span),
    )
    near = []
    for link, location, listed in db.session.execute(boxed):
        assert location.latitude is not None and location.longitude is not None
        metres = distance_metres(centre, (location.latitude, location.longitude))
        if metres <= reach:
            near.append((metres, str(link.id), link, location, listed))
    near.sort(key=lambda item: item[:2])
    start = (page - 1) * per_page
    contents = [
        {**_link_document(link, location, listed), "distance": round(metres)}
        for metres, _, link, location, listed in near[start : start + per_page]
    ]
    return Page(contents, len(near), page, per_page)


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
    found = db.session.get(Postcode, normalise_postcode(postcode) or "")
    if found is None:
        raise UnknownPostcodeError(postcode)
    return found.latitude, found.longitude


def normalise_postcode(text: str) -> str | None:
    """ "eb12ab" -> "EB1 2AB" (as the ONS writes pcds); None if it cannot be a postcode."""
    compact = "".join(text.split()).upper()
    if not 5 <= len(compact) <= 7 or not compact.isalnum() or not compact[-3].isdigit():
        return None
    return f"{compact[:-3]} {compact[-3:]}"


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


def _window(total: int, page: int, per_page: int) -> tuple[int, int] | None:
    """The offset and limit of a page, or None past the last (no query, however far)."""
    start = (page - 1) * per_page
    return (start, per_page) if start < total else None


def _page(
    statement: Select[tuple[T]], page: int, per_page: int, shape: Callable[[T], dict[str, Any]]
) -> Page:
    total = _count(statement)
    window = _window(total, page, per_page)
    rows: Sequence[T] = []
    if window:
        rows = db.session.scalars(statement.offset(window[0]).limit(window[1])).unique().all()
    return Page([shape(row) for row in rows], total, page, per_page)
