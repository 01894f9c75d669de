from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.database import Base

# Directory text is written in English today. A column (and a Welsh version of each text)
# can replace this when organisations write in Welsh; pages mark text by this language.
CONTENT_LANGUAGE = "en"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    referral_email: Mapped[str] = mapped_column(String(320))
    website: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The language its e-mail is written in ("en" or "cy"), whatever the resident's.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime]

    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", order_by="Service.name"
    )

    @property
    def content_language(self) -> str:
        return CONTENT_LANGUAGE


class Service(Base):
    __tablename__ = "services"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    accepts_self_referral: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

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
    __tablename__ = "service_categories"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
