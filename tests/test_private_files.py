"""The instance folder and the SQLite database files are readable by the app's user alone.

The key file is private; a world-readable database next to it would still give away who
has a passport and when they used it. Each test sets a permissive umask (022, the usual
default) so that only the app, not the machine, can make the files private.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from passport.database import db
from tests.support import database, server


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def fresh_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings from the environment, as an administrator gives them; the folder is new."""
    instance = tmp_path / "instance"
    for name in [name for name in os.environ if name.startswith("PASSPORT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PASSPORT_INSTANCE_DIR", str(instance))
    return instance


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def database_files(instance: Path) -> list[Path]:
    return [instance / name for name in ("passport.db", "passport.db-wal", "passport.db-shm")]


def test_passport_db_upgrade_makes_a_private_instance(fresh_instance: Path):
    server.run_passport(dict(os.environ), "db", "upgrade")
    assert mode(fresh_instance) == 0o700
    assert (fresh_instance / "passport.db").stat().st_size > 0
    made = list(fresh_instance.iterdir())
    assert fresh_instance / "passport.db" in made
    assert {path.name: mode(path) for path in made} == {path.name: 0o600 for path in made}


def test_a_running_app_keeps_its_database_files_private(fresh_instance: Path):
    from passport import create_app

    app = create_app()
    with app.app_context():
        database.upgrade(app)
        # While a connection is open the write-ahead log and shared memory files exist.
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE scratch (x INTEGER)"))
            connection.execute(sa.text("INSERT INTO scratch VALUES (1)"))
            assert {path.name: mode(path) for path in database_files(fresh_instance)} == {
                path.name: 0o600 for path in database_files(fresh_instance)
            }
        db.engine.dispose()
    assert mode(fresh_instance) == 0o700


def test_database_files_left_readable_are_made_private(fresh_instance: Path):
    from passport import create_app

    fresh_instance.mkdir()
    # A database made by an older version, still open elsewhere: all three files are 0644.
    elsewhere = sqlite3.connect(fresh_instance / "passport.db")
    try:
        elsewhere.execute("PRAGMA journal_mode=WAL")
        elsewhere.execute("CREATE TABLE scratch (x INTEGER)")
        elsewhere.commit()
        assert [mode(path) for path in database_files(fresh_instance)] == [0o644] * 3
        app = create_app()
        with app.app_context():
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT count(*) FROM scratch"))
            db.engine.dispose()
        assert [mode(path) for path in database_files(fresh_instance)] == [0o600] * 3
    finally:
        elsewhere.close()
