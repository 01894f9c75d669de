"""Staff: accounts of their own kind, their memberships and roles, invitations, and each
organisation's data key (ADR 0026)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, synonym

from passport import vault
from passport.accounts.models import Account
from passport.database import Base
from passport.staff.roles import StaffRole

_ROLES = ", ".join(f"'{role.value}'" for role in StaffRole)


@vault.key_owner("staff")  # its e-mail address, with its own data key: staff have no passport
class StaffAccount(Account):
    """A member of staff: signs in (passkeys, e-mail links) like a resident, on a row of
    its own kind. Its `email_index` has its own purpose ("staff-email"), so one address can
    have a resident account and a staff account, and they never meet."""

    __mapper_args__ = {"polymorphic_identity": "staff"}

    # Filled only on staff rows (the table is shared with residents').
    kek_id: Mapped[str | None] = mapped_column(String(16), use_existing_column=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, use_existing_column=True)

    is_staff = True


class StaffMembership(Base):
    """A staff account's role in an organisation (or, with no organisation, site-wide)."""

    __tablename__ = "staff_memberships"
    __table_args__ = (
        UniqueConstraint("account_id", "organisation_id"),
        CheckConstraint(f"role IN ({_ROLES})", name="role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


@vault.key_owner("staff-invitation")  # the address it was sent to, until it is accepted
class StaffInvitation(Base):
    """An invitation to join an organisation (or take a site-wide role). Only the token's
    hash is kept; spent once, by a POST (ADR 0004), before `expires_at`."""

    __tablename__ = "staff_invitations"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLES})", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(16))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


@vault.key_owner("organisation")  # seals what only the organisation's inbox may link
class OrganisationKey(Base):
    """An organisation's data key, wrapped like a passport's; made on first need."""

    __tablename__ = "organisation_keys"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    kek_id: Mapped[str] = mapped_column(String(16))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

    # The vault binds a data key to its owner's `id`.
    id = synonym("organisation_id")
