"""The community directory: search, service pages, loading and adding organisations."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from flask import abort
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from passport import clock
from passport.database import db
from passport.directory.models import Organisation, Service, ServiceCategory
from passport.needs import taxonomy

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "directory.json"
QUERY_MAX = 100


def search_services(query: str = "", category: str = "") -> list[Service]:
    """Services whose name, description, area or organisation match every word of the query."""
    statement = select(Service).join(Service.organisation).options(joinedload(Service.organisation))
    words = [_stem(w) for w in query.lower().split()[:10]]
    for word in words:
        statement = statement.where(
            or_(
                _like(Service.name, word),
                _like(Service.description, word),
                _like(Service.area, word),
                _like(Organisation.name, word),
                _in_categories(_categories_named(word)),
            )
        )
    if category:
        statement = statement.where(_in_categories([category]))
    # Most relevant first: all the words in the service's name, then in the organisation's.
    relevance = [
        case((and_(*(_like(column, word) for word in words)), 0), else_=1)
        for column in (Service.name, Organisation.name)
        if words
    ]
    statement = statement.order_by(*relevance, Service.name)
    return list(db.session.scalars(statement).unique())


def _stem(word: str) -> str:
    """A light stem, so 'debts' finds 'debt' and 'lonely' finds 'loneliness'."""
    for suffix in ("ies", "ing", "es", "s", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _categories_named(word: str) -> list[str]:
    """Codes of the categories whose name or hint has the word, in the page's language."""
    return [
        c.code
        for c in taxonomy.CATEGORIES
        if word in str(c.name).lower() or word in str(c.hint).lower()
    ]


def _in_categories(codes: list[str]):  # type: ignore[no-untyped-def]
    return Service.id.in_(
        select(ServiceCategory.service_id).where(ServiceCategory.category.in_(codes))
    )


def _like(column: Any, word: str) -> Any:
    """Case-insensitive 'contains', with LIKE's wildcards in the word taken literally."""
    return func.lower(column).like(f"%{_escape_like(word)}%", escape="\\")


def _escape_like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def get_service_or_404(slug: str) -> Service:
    service = db.session.scalar(
        select(Service).where(Service.slug == slug).options(joinedload(Service.organisation))
    )
    if service is None:
        abort(404)
    return service


def get_service(service_id: uuid.UUID) -> Service | None:
    return db.session.get(Service, service_id)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "organisation"


def create_organisation(
    name: str,
    referral_email: str,
    *,
    slug: str = "",
    description: str = "",
    website: str = "",
    phone: str = "",
) -> Organisation:
    organisation = Organisation(
        slug=slug or slugify(name),
        name=name,
        description=description,
        referral_email=referral_email,
        website=website,
        phone=phone,
        created_at=clock.now(),
    )
    db.session.add(organisation)
    return organisation


def add_service(organisation: Organisation, data: dict[str, object]) -> Service:
    categories = [str(code) for code in data.get("categories", [])]  # type: ignore[attr-defined]
    unknown = [code for code in categories if not taxonomy.is_category(code)]
    if unknown:
        raise ValueError(f"Unknown categories: {', '.join(unknown)}")
    service = Service(
        organisation_id=organisation.id,
        slug=str(data["slug"]),
        name=str(data["name"]),
        description=str(data.get("description", "")),
        area=str(data.get("area", "")),
        address=str(data.get("address", "")),
        eligibility=str(data.get("eligibility", "")),
        opening_hours=str(data.get("opening_hours", "")),
        accepts_self_referral=bool(data.get("accepts_self_referral", True)),
        created_at=clock.now(),
    )
    service.category_rows = [ServiceCategory(category=code) for code in categories]
    db.session.add(service)
    return service


def load_directory(path: Path = DEMO_FILE) -> tuple[int, int]:
    """Load organisations and services from JSON; those already there (by slug) are kept."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    known_orgs = set(db.session.scalars(select(Organisation.slug)))
    known_services = set(db.session.scalars(select(Service.slug)))
    added_orgs = added_services = 0
    for entry in raw["organisations"]:
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.slug == entry["slug"])
        )
        if entry["slug"] not in known_orgs or organisation is None:
            organisation = create_organisation(
                entry["name"],
                entry["referral_email"],
                slug=entry["slug"],
                description=entry.get("description", ""),
                website=entry.get("website", ""),
                phone=entry.get("phone", ""),
            )
            added_orgs += 1
        for service in entry.get("services", []):
            if service["slug"] not in known_services:
                add_service(organisation, service)
                added_services += 1
    db.session.commit()
    return added_orgs, added_services


def count_services() -> int:
    return db.session.scalar(select(func.count()).select_from(Service)) or 0
