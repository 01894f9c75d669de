"""The directory on Open Referral UK (HSDS 3.0): what each listing says, and what is queried.

Each organisation and service keeps its HSDS document as it was published (`document`):
HSDS is a tree of some twenty kinds of object, with attributes and metadata at every level,
and a listing exported must be the listing imported. What pages show, search finds and
filters select is projected from the document into typed, indexed columns and tables on
import (see docs/adr/0020-directory-on-open-referral-uk.md): never edited on its own.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.database import Base

# Directory text is written in English today. A column (and a Welsh version of each text)
# can replace this when organisations write in Welsh; pages mark text by this language.
CONTENT_LANGUAGE = "en"

# The taxonomy of the passport's own categories (passport/taxonomy.py): its terms' codes
# are the category codes. Fixed ids, so every installation names them alike.
PASSPORT_TAXONOMY_ID = uuid.UUID("6d0c3b8e-2f4a-5c1e-9b7d-4e6f8a0b1c2d")


class Capacity(enum.StrEnum):
    """What a service says about taking referrals now (HSDS 3.1's service_capacity fits)."""

    ACCEPTING = "accepting"
    WAITING_LIST = "waiting_list"
    NOT_ACCEPTING = "not_accepting"


class Delivery(enum.IntFlag):
    """How a service is delivered, as a bitmask column (from its locations and contacts)."""

    IN_PERSON = 1
    PHONE = 2
    ONLINE = 4


class Organisation(Base):
    """An HSDS organization. The id is the publisher's, as given."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Ours, not HSDS: where referrals and codes go (the HSDS email unless set by hand).
    referral_email: Mapped[str] = mapped_column(String(320))
    website: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The language its e-mail is written in ("en" or "cy"), whatever the resident's.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime]
    # The HSDS organization as published, without its services (they have their own rows).
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    modified_at: Mapped[datetime | None] = mapped_column(index=True)

    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", order_by="Service.name"
    )

    @property
    def content_language(self) -> str:
        return CONTENT_LANGUAGE


class Service(Base):
    """An HSDS service. Text columns are projections of `document`, for pages and search."""

    __tablename__ = "services"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Service areas' names, the first location's address, eligibility_description and the
    # schedules' descriptions, as one line each for pages.
    area: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    accepts_self_referral: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # The HSDS service as published, without its organization (nested on the way out).
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    # last_modified, for the API's modified_after; assured_date: when it was last reviewed.
    modified_at: Mapped[datetime | None] = mapped_column(index=True)
    reviewed_on: Mapped[date | None] = mapped_column(index=True)
    capacity: Mapped[str] = mapped_column(
        String(20), default=Capacity.ACCEPTING, server_default=Capacity.ACCEPTING
    )
    wait_weeks: Mapped[int | None] = mapped_column(SmallInteger)
    # Moves on whenever the listing's words change (an import, an approved change): a change
    # proposed against an older version is a conflict, never a silent overwrite (ADR 0028).
    listing_version: Mapped[int] = mapped_column(Integer, server_default="1")
    # The day the organisation itself last said the listing is still correct (ADR 0028).
    checked_on: Mapped[date | None]
    # True: no cost option with an amount above 0; False: it costs something; None: not said.
    free: Mapped[bool | None] = mapped_column(index=True)
    delivery: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    minimum_age: Mapped[int | None] = mapped_column(SmallInteger)
    maximum_age: Mapped[int | None] = mapped_column(SmallInteger)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    category_rows: Mapped[list[ServiceCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def categories(self) -> list[str]:
        return sorted(row.category for row in self.category_rows)

    @property
    def content_language(self) -> str:
        return CONTENT_LANGUAGE


class ServiceCategory(Base):
    """A service's terms in the passport's own taxonomy (by code): what needs it meets."""

    __tablename__ = "service_categories"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Taxonomy(Base):
    __tablename__ = "taxonomies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_terms"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    taxonomy_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("taxonomies.id", ondelete="SET NULL"), index=True
    )
    # No foreign key: a publisher may send a child before its parent, or only the child.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(String(200), default="", index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class ServiceTerm(Base):
    """An HSDS attribute linking a service to a taxonomy term."""

    __tablename__ = "service_terms"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    taxonomy_term_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Location(Base):
    """An HSDS location: where a service is, by postcode and by coordinates."""

    __tablename__ = "locations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    location_type: Mapped[str] = mapped_column(String(20), default="physical")
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    latitude: Mapped[float | None] = mapped_column(Float, index=True)
    longitude: Mapped[float | None] = mapped_column(Float, index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class ServiceAtLocation(Base):
    __tablename__ = "service_at_locations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )


class OpeningTime(Base):
    """One weekly opening from an HSDS schedule, in Europe/London wall-clock minutes."""

    __tablename__ = "opening_times"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # Monday 0 .. Sunday 6
    opens: Mapped[int] = mapped_column(SmallInteger)  # minutes after midnight
    closes: Mapped[int] = mapped_column(SmallInteger)


class ServiceLanguage(Base):
    """A language a service works in, by its ISO 639 code."""

    __tablename__ = "service_languages"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)


class Postcode(Base):
    """A postcode's centroid, from the ONS Postcode Directory: distance without asking anyone.

    Stored as the ONS writes it in `pcds` ("EB1 2AB"); ward and LSOA for reporting."""

    __tablename__ = "postcodes"

    postcode: Mapped[str] = mapped_column(String(10), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    ward_code: Mapped[str] = mapped_column(String(12), default="")
    lsoa_code: Mapped[str] = mapped_column(String(12), default="")


class ServiceTally(Base):
    """One referral sent to a service, or one first reply from it, counted with nothing to
    link it back to the referral (which names its service only under the resident's key):
    the day, and for a reply how many hours it took and whether it was accepted."""

    __tablename__ = "service_tallies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "sent" or "replied"
    day: Mapped[date]
    hours: Mapped[int | None] = mapped_column(Integer)
    accepted: Mapped[bool | None]
