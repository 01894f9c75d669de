"""Fixtures: a real database (SQLite or PostgreSQL), a real SMTP server, a checked client."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from passport import crypto
from passport.config import DEFAULT_MAIL_FROM, Settings
from passport.database import db
from passport.extensions import limiter
from tests.support import database, pages
from tests.support.mailbox import Mailbox, smtp_server


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="sqlite",
        choices=["sqlite", "postgresql"],
        help="Database engine.",
    )


@pytest.fixture(scope="session")
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(engine_name: str, instance_dir: Path) -> Iterator[str]:
    with database.fresh_database(engine_name, instance_dir) as url:
        yield url


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def make_settings(
    instance_dir: Path, database_url: str, smtp_port: int, **changes: object
) -> Settings:
    values: dict[str, object] = dict(
        env="test",
        instance_dir=instance_dir,
        secret_key="test-secret-" + uuid.uuid4().hex,
        database_url=database_url,
        keyring=crypto.Keyring.generate().to_json(),
        key_file=instance_dir / "unused-keyring.json",
        base_url="http://localhost",
        mail_transport="smtp",
        mail_from=DEFAULT_MAIL_FROM,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        ratelimit_storage_uri="memory://",
        ratelimit_enabled=True,
        proxy_hops=0,
    )
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(instance_dir: Path, database_url: str, mailbox: Mailbox) -> Iterator[Flask]:
    from passport import create_app

    settings = make_settings(instance_dir, database_url, mailbox.port)
    # Session limits off: many tests move the clock on by days with someone signed in;
    # tests/test_session_limits.py turns them on.
    application = create_app({"SETTINGS": settings, "TESTING": True, "SESSION_LIMITS": False})
    application.test_client_class = pages.CheckedClient
    with application.app_context():
        database.upgrade(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        database.empty_tables()
        limiter.reset()
    if "mailbox" in request.fixturenames:
        request.getfixturevalue("mailbox").clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def org_client(app: Flask) -> FlaskClient:
    """A second browser: the organisation's, with its own cookies."""
    return app.test_client()


class FrozenClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 3, 10, 14, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def frozen_clock(app: Flask) -> Iterator[FrozenClock]:
    """The app's clock, stopped at a known moment until the test moves it."""
    frozen = FrozenClock()
    own = app.extensions["clock"]
    app.extensions["clock"] = frozen
    yield frozen
    app.extensions["clock"] = own


@pytest.fixture
def demo_directory(app: Flask) -> None:
    from passport.directory import importer

    with app.app_context():
        importer.load_demo()
