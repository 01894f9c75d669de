"""Finding services: one search function over words, typos, categories, distance and the
rest, the same results on SQLite (FTS5) and PostgreSQL (full text and pg_trgm).

The query and the page of results are plain values: the search page, the public API, the
matching from a passport and the benchmark all ask through `find`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from passport.directory.models import Service

PER_PAGE = 20
PER_PAGE_MAX = 100


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def find(query: Query) -> Results:
    """One page of the services that match, most relevant (or nearest) first."""
    # A stand-in over the old LIKE search until the full-text engine lands (issue 9).
    from passport.directory.service import search_services

    found = search_services(query.text, query.categories[0] if query.categories else "")
    start = (query.page - 1) * query.per_page
    hits = [Hit(service) for service in found[start : start + query.per_page]]
    return Results(hits, len(found), query.page, query.per_page)


def index_services(ids: Iterable[uuid.UUID]) -> None:
    """Bring the search index up to date for these services, after they were imported or
    changed (the importer calls this in its transaction). The stand-in search needs none."""
