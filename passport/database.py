"""The SQLAlchemy base, column types shared by every capability, and the db handle."""

from __future__ import annotations

import contextlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

from passport.errors import NotFoundError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back timezone-aware datetimes, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetimes are not stored: use passport.clock.now().")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING),
        type_annotation_map={datetime: UTCDateTime},
    )

    def __init__(self, **kwargs: Any) -> None:
        # Ids are made here, before the row is written, because sealed values are bound to
        # their row id (see crypto.associated_data) and must be encrypted before insert.
        if "id" in self.__mapper__.columns and "id" not in kwargs:
            kwargs["id"] = uuid.uuid4()
        for key, value in kwargs.items():
            setattr(self, key, value)


db = SQLAlchemy(model_class=Base)

Row = TypeVar("Row", bound=Base)


def owned_or_404(model: type[Row], row_id: uuid.UUID, **owner: uuid.UUID) -> Row:
    """A row that belongs to its owner (e.g. passport_id=...); anyone else's is not found.

    Never a 403: that would confirm the row exists.
    """
    row = db.session.get(model, row_id)
    ((column, owner_id),) = owner.items()
    if row is None or getattr(row, column) != owner_id:
        raise NotFoundError(model.__tablename__)
    return row


@event.listens_for(Engine, "do_connect")
def _private_sqlite_files(
    dialect: Any, connection_record: Any, cargs: list[Any], cparams: dict[str, Any]
) -> None:
    """Keep a SQLite database file, its WAL and its shared memory readable by us alone.

    The file is made 0600 before SQLite opens it, so it is never readable by others, not
    even empty; SQLite gives the -wal and -shm files it makes the database file's mode.
    Files left readable by an older version are tightened.
    """
    if dialect.name != "sqlite" or cparams.get("uri") or not cargs:
        return
    if str(cargs[0]) in ("", ":memory:"):
        return
    database = Path(cargs[0])
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)


SQLITE_MMAP_BYTES = 2**30  # at most; SQLite maps the file as far as it reaches


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Pages read straight from the file mapped in memory (the operating system's cache),
        # not copied one system call at a time into the connection's own cache of 2 MB: a
        # directory of 100,000 services is a file of about 1 GB, and a search at that size
        # reads thousands of pages (see bench/README.md). Only address space: nothing is read
        # until it is needed, and the memory is the operating system's, shared by processes.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()
