"""The migrations build the schema the models describe, both ways, on the engine under test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from passport import clock
from passport.config import ROOT
from passport.database import UTCDateTime, db
from passport.directory.search_index import kept_outside_models
from passport.models import load_all
from passport.needs.models import Need
from tests.conftest import make_settings
from tests.support.database import fresh_database

load_all()
MODEL_TABLES = set(db.metadata.tables)


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    return config


@pytest.fixture
def empty_database(engine_name: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(engine_name, tmp_path) as url:
        yield url


@pytest.fixture
def engine(empty_database: str) -> Iterator[sa.Engine]:
    connectable = sa.create_engine(empty_database, poolclass=sa.NullPool)
    yield connectable
    connectable.dispose()


def tables(engine: sa.Engine) -> set[str]:
    """The tables, but each engine's own search indexes (they are not models)."""
    found = set(sa.inspect(engine).get_table_names())
    return {name for name in found if not kept_outside_models(name, "table")}


def _in_models(object, name, type_, reflected, compare_to) -> bool:
    return not (reflected and compare_to is None and kept_outside_models(name, type_))


def schema_differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _in_models}
    )
    return list(compare_metadata(context, db.metadata))


def revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_an_empty_database_upgrades_to_head(empty_database: str, engine: sa.Engine):
    assert tables(engine) == set()
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert tables(engine) == MODEL_TABLES | {"alembic_version"}
    assert revision(engine) == ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        assert schema_differences(connection) == []


def test_downgrade_to_base_and_upgrade_again(empty_database: str, engine: sa.Engine):
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert tables(engine) - {"alembic_version"} == set()
    assert revision(engine) is None
    command.upgrade(config, "head")
    assert tables(engine) == MODEL_TABLES | {"alembic_version"}
    with engine.connect() as connection:
        assert schema_differences(connection) == []


def test_the_models_match_the_migrations(app: Flask):
    with app.app_context(), db.engine.connect() as connection:
        assert schema_differences(connection) == []


def test_the_comparison_notices_a_difference(app: Flask):
    # Proves the check above can fail: a table the migrations never made is reported.
    extra = sa.MetaData()
    sa.Table("not_migrated", extra, sa.Column("id", sa.Integer, primary_key=True))
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, extra)
    assert ("add_table", "not_migrated") in [(d[0], d[1].name) for d in differences]


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path):
    from passport import create_app

    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    application = create_app({"SETTINGS": make_settings(tmp_path, url, 25), "TESTING": True})
    with application.app_context():
        try:
            for _ in range(2):  # every connection, not only the first
                with db.engine.connect() as connection:
                    journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                    foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
                assert str(journal).lower() == "wal"
                assert foreign_keys == 1
                db.engine.dispose()
        finally:
            db.engine.dispose()


def test_foreign_keys_are_enforced_on_the_engine_under_test(app: Flask):
    now = clock.now()
    with app.app_context():
        db.session.add(
            Need(
                passport_id=uuid.uuid4(),
                category_sealed=b"x",
                story_sealed=b"x",
                created_at=now,
                updated_at=now,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()


def _insert(connection: sa.Connection, table: str, **values: object) -> None:
    types = {
        uuid.UUID: sa.Uuid(),
        datetime: UTCDateTime(),
        bytes: sa.LargeBinary(),
        str: sa.String(),
        int: sa.Integer(),
    }
    columns = [sa.column(name, types[type(value)]) for name, value in values.items()]
    connection.execute(sa.table(table, *columns).insert().values(**values))


def _rows_at_0005(connection: sa.Connection) -> uuid.UUID:
    """An account, its passport, a sent referral and its timeline, as revision 0005 stored them."""
    now, account, passport, referral = clock.now(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _insert(connection, "accounts", id=account, locale="en", webauthn_user_id=b"w", created_at=now)
    _insert(
        connection,
        "passports",
        id=passport,
        account_id=account,
        kek_id="k",
        wrapped_key=b"k",
        created_at=now,
        updated_at=now,
    )
    _insert(
        connection,
        "referrals",
        id=referral,
        passport_id=passport,
        service_sealed=b"s",
        status="sent",
        sections_sealed=b"s",
        message_sealed=b"m",
        share_days=90,
        created_at=now,
        updated_at=now,
    )
    _insert(
        connection, "referral_events", id=uuid.uuid4(), referral_id=referral, status="sent", at=now
    )
    return referral


def test_upgrading_keeps_the_rows_that_refer_to_a_table_it_rebuilds(
    empty_database: str, engine: sa.Engine
):
    # On SQLite a new constraint rebuilds the table (copy, drop, rename). With foreign keys
    # on, the drop would cascade and delete every row that refers to it: a timeline, say.
    config = alembic_config(empty_database)
    command.upgrade(config, "0005")
    with engine.begin() as connection:
        referral = _rows_at_0005(connection)
    command.upgrade(config, "head")
    with engine.connect() as connection:
        statuses = connection.execute(
            sa.text("SELECT status FROM referral_events WHERE referral_id = :id"),
            {"id": referral.hex if engine.dialect.name == "sqlite" else referral},
        ).scalars()
        assert list(statuses) == ["sent"]
        assert connection.execute(sa.text("SELECT count(*) FROM referrals")).scalar() == 1


def test_the_database_refuses_a_referral_status_the_lifecycle_does_not_know(
    empty_database: str, engine: sa.Engine
):
    config = alembic_config(empty_database)
    command.upgrade(config, "0005")
    with engine.begin() as connection:
        referral = _rows_at_0005(connection)
    command.upgrade(config, "head")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE referrals SET status = 'archived' WHERE id = :id"),
            {"id": referral.hex if engine.dialect.name == "sqlite" else referral},
        )
