"""Browser tests: the real app under gunicorn, a real database, a real SMTP server, Chromium.

One server serves the whole session. Every test makes its own people (a fresh e-mail address
each time), so the tests never depend on one another's data or order.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import urllib.request
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from e2e.pages import Person
from tests.support import database, server
from tests.support.mailbox import Mailbox, free_port, smtp_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_LOG = pytest.StashKey[Path]()
CONTEXT = {"locale": "en-GB", "viewport": {"width": 1024, "height": 800}}


def pytest_addoption(parser: pytest.Parser) -> None:
    # tests/conftest.py adds the same option: `pytest tests e2e` loads both.
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--db",
            default="sqlite",
            choices=["sqlite", "postgresql"],
            help="Database engine.",
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing browser test shows the end of the server's log: a 500 is explained there."""
    report: pytest.TestReport = yield
    log = item.config.stash.get(SERVER_LOG, None)
    if report.failed and log is not None and log.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
        report.sections.append(("gunicorn log (last 80 lines)", tail))
    return report


@dataclass(frozen=True)
class LiveServer:
    url: str
    mailbox: Mailbox
    # The server's settings, for running `passport` commands against it as an operator would
    # (keyword-only, so a server with more to it, ProductionServer, can add fields of its own).
    env: dict[str, str] = field(default_factory=dict, kw_only=True)


@pytest.fixture(scope="session")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Migrate a fresh database, load the demo directory, and serve the app with gunicorn."""
    engine = str(request.config.getoption("--db"))
    instance = tmp_path_factory.mktemp("instance")
    with smtp_server() as mailbox, database.fresh_database(engine, instance) as database_url:
        port = free_port()
        url = f"http://localhost:{port}"  # WebAuthn needs localhost, not 127.0.0.1
        env = {
            **os.environ,
            "PASSPORT_DATABASE_URL": database_url,
            "PASSPORT_INSTANCE_DIR": str(instance),
            "PASSPORT_KEY_FILE": str(instance / "keyring.json"),
            "PASSPORT_SECRET_KEY": secrets.token_urlsafe(32),
            "PASSPORT_BASE_URL": url,
            "PASSPORT_MAIL_TRANSPORT": "smtp",
            "PASSPORT_SMTP_HOST": "127.0.0.1",
            "PASSPORT_SMTP_PORT": str(mailbox.port),
            "PASSPORT_RATELIMIT_ENABLED": "false",
            # A clock the tests can move (ServerClock below); never on outside tests.
            "PASSPORT_TESTING": "true",
        }
        env.pop("PASSPORT_KEYRING", None)
        server.run_passport(env, "db", "upgrade")
        server.run_passport(env, "demo", "load")
        server.run_passport(env, "demo", "questions")
        with server.gunicorn(
            "passport:create_app()",
            "localhost",
            port,
            env,
            instance,
            "--workers",
            "2",
            "--threads",
            "4",
        ) as running:
            request.config.stash[SERVER_LOG] = running.stderr
            yield LiveServer(url=url, mailbox=mailbox, env=env)


class ServerClock:
    """The live server's clock (passport/testing.py), which every gunicorn worker reads."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/_testing/clock"

    def _post(self, body: dict[str, object]) -> None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, response.status

    def advance(self, **kwargs: float) -> None:
        self._post({"seconds": timedelta(**kwargs).total_seconds()})

    def reset(self) -> None:
        self._post({"reset": True})


@pytest.fixture
def server_clock(live_server: LiveServer) -> Iterator[ServerClock]:
    """Move the live server's time on; it is back to real time after the test."""
    moved = ServerClock(live_server.url)
    yield moved
    moved.reset()


@pytest.fixture(scope="session")
def browser_context_args(
    browser_context_args: dict[str, object], live_server: LiveServer
) -> dict[str, object]:
    """Every context opens paths on the live server. (Not through pytest-base-url's base_url:
    its autouse check would start this server for a module that serves its own.)"""
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture(scope="session")
def mailbox(live_server: LiveServer) -> Mailbox:
    return live_server.mailbox


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": QUIET_FLAGS}


@pytest.fixture
def screenshots() -> Path | None:
    """Where README screenshots go, only when E2E_SCREENSHOTS=1 (normal runs leave them)."""
    if os.environ.get("E2E_SCREENSHOTS") != "1":
        return None
    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def people(new_context: Callable[..., BrowserContext], live_server: LiveServer) -> Iterator[People]:
    crowd = People(new_context, live_server)
    yield crowd
    crowd.check_everyone()


class People:
    """Each person gets their own browser context: their own cookies, caches and worker."""

    def __init__(
        self,
        new_context: Callable[..., BrowserContext],
        server: LiveServer,
        **context_options: object,
    ) -> None:
        self.new_context = new_context
        self.server = server
        self.context_options = {**CONTEXT, **context_options}
        self.everyone: list[Person] = []

    def _context(self, javascript: bool, **options: object) -> BrowserContext:
        context = self.new_context(
            java_script_enabled=javascript, **{**self.context_options, **options}
        )
        context.set_default_timeout(10_000)
        return context

    def __call__(self, *, javascript: bool = True) -> Person:
        person = Person(
            self._context(javascript),
            self.server.url,
            self.server.mailbox,
            javascript=javascript,
            # The twin shows a copy of the page under its own CSP: the copy's style nonce
            # is not that page's, so the twin (a test device, not the person's page) bypasses it.
            twin=lambda: self._context(True, bypass_csp=True),
        )
        self.everyone.append(person)
        return person

    def check_everyone(self) -> None:
        problems = [problem for person in self.everyone for problem in person.problems()]
        assert not problems, "\n".join(problems)
