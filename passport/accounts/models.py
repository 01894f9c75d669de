from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base

if TYPE_CHECKING:
    from passport.needs.models import Passport


@vault.sealed_under("passport")  # its e-mail address, with the passport's key
class Account(Base):
    """A resident who can sign in. The e-mail address is sealed; only a keyed hash finds it.

    A member of an organisation's staff has an account of another kind, a StaffAccount
    (passport/staff/models.py, ADR 0026): the same table, never the same row.
    """

    __tablename__ = "accounts"
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "resident"}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # "resident" or "staff": which class a row is, so a session is one kind or the other.
    kind: Mapped[str] = mapped_column(String(20), default="resident", server_default="resident")
    email_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_verified_at: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(10), default="en")
    webauthn_user_id: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    created_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]
    # Part of the id in the session cookie: raising it ends every session of the account,
    # so a copied cookie stops working once the person signs out.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    passkeys: Mapped[list[Passkey]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )
    # Loaded with the account (one query per request for both, and the needs with them).
    passport: Mapped[Passport | None] = relationship(lazy="joined", viewonly=True)

    # A resident; StaffAccount says True.
    is_staff = False

    # Flask-Login
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        # The epoch rides in the session cookie: signing out raises it, and every cookie
        # issued before (a copy, another device) stops working.
        return f"{self.id}.{self.session_epoch}"


class Passkey(Base):
    __tablename__ = "passkeys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int]
    transports: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship(back_populates="passkeys")


class SignInLink(Base):
    """A single-use e-mail sign-in link. Only the token's hash is kept."""

    __tablename__ = "sign_in_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "sign-in" signs the holder in; "confirm" only confirms the e-mail address, and only
    # for the browser already signed in to that account (see accounts.service).
    purpose: Mapped[str] = mapped_column(String(20), default="sign-in", server_default="sign-in")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebAuthnChallenge(Base):
    """A passkey challenge, spent on first use. The session cookie names it by id only, so a
    copied cookie and the browser's answer captured with it cannot sign in a second time.
    Only the challenge's hash is kept."""

    __tablename__ = "webauthn_challenges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    challenge_hash: Mapped[str] = mapped_column(String(64))
    # "register" (a new passkey) or "sign-in": one cannot be answered as the other.
    purpose: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """One of a resident's ten recovery codes, each good for one sign-in (ADR 0030).

    Only a keyed hash of the code is kept (vault.blind_index): a copy of the database
    without the keyring can neither read a code nor test guesses against it.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
