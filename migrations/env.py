"""Alembic environment: the models' metadata, on SQLite (batch mode) or PostgreSQL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from passport.database import db
from passport.directory.search_index import kept_outside_models
from passport.models import load_all

load_all()
config = context.config
target_metadata = db.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _in_models(object, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # Each engine's own search indexes (migration 0009) are not models: autogenerate leaves them.
    return not (reflected and compare_to is None and kept_outside_models(name, type_))


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with engine.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table to change it (copy, drop, rename); with foreign keys on,
        # the drop would cascade and delete every row that refers to the table. SQLite
        # ignores this pragma inside a transaction, so it goes first, on its own.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=_in_models,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"The migration left rows pointing nowhere: {broken}")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
